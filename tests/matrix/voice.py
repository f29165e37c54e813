"""The voice of children and families: social care staff read a child's feedback (everyone
else gets "not found"); social workers, team managers and conference chairs open the forms
that record it (403 for other roles); managers, analysts and the partnership read the
themes report. The family's own page opens from its link for anyone, signed in or not
(`tests/test_permission_matrix.py` asks this module for "anonymous" too)."""

from __future__ import annotations

import datetime
import secrets

from django.utils import timezone

from jigsaw.people.models import Person
from jigsaw.voice.actions.feedback import hash_token
from jigsaw.voice.models.feedback import FamilyFeedback, FeedbackLink
from tests.casework_factories import make_referral
from tests.factories import persona
from tests.protection_factories import make_conference

SOCIAL_CARE = frozenset({"social_worker", "team_manager", "front_door_officer", "conference_chair"})
RECORDERS = frozenset({"social_worker", "team_manager", "conference_chair"})
REPORT_READERS = frozenset({"team_manager", "analyst", "partnership_member"})


def _reads(who: str) -> int:
    return 200 if who in SOCIAL_CARE else 404


def _records(who: str) -> int:
    return 200 if who in RECORDERS else 403


def _report(who: str) -> int:
    return 200 if who in REPORT_READERS else 403


def _conference_args(person: Person) -> list[object]:
    conference = make_conference([make_referral(person)], held=True)
    return [person.pk, conference.pk]


def _feedback_args(person: Person) -> list[object]:
    closed = make_referral(person, closed_on=timezone.localdate(), closure_reason="RC8")
    feedback = FamilyFeedback.objects.create(
        person=person,
        referral=closed,
        given_by="parent",
        how="paper",
        given_on=timezone.localdate(),
        listened="yes",
        recorded_by=persona("social_worker"),
        recorded_at=timezone.now(),
    )
    return [feedback.pk]


def _link(person: Person) -> tuple[FeedbackLink, str]:
    token = secrets.token_urlsafe(32)
    closed = make_referral(person, closed_on=timezone.localdate(), closure_reason="RC8")
    link = FeedbackLink.objects.create(
        person=person,
        referral=closed,
        given_by="parent",
        token_hash=hash_token(token),
        created_by=persona("social_worker"),
        created_at=timezone.now(),
        expires_at=timezone.now() + datetime.timedelta(days=28),
    )
    return link, token


def _link_args(person: Person) -> list[object]:
    return [_link(person)[0].pk]


def _token_args(person: Person) -> list[object]:
    return [_link(person)[1]]


EXPECTED = {
    "voice:child": _reads,
    "voice:feedback": _reads,
    "voice:paper": _records,
    "voice:new_link": _records,
    "voice:advocacy": _records,
    "voice:themes": _records,
    "voice:withdraw_link": lambda who: 405,  # a POST only
    "voice:themes_report": _report,
    # The family's page and its thank-you page: no sign-in, whoever opens the link.
    "voice:family_feedback": lambda who: 200,
    "voice:family_thanks": lambda who: 200,
}

RECORDS = {
    "voice:advocacy": _conference_args,
    "voice:feedback": _feedback_args,
    "voice:themes": _feedback_args,
    "voice:withdraw_link": _link_args,
    "voice:family_feedback": _token_args,
}
