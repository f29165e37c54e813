"""Shared set-up for the voice app's tests: a child with a conference that has happened and
an episode that has closed, the two things a family gives feedback about."""

from __future__ import annotations

import dataclasses
import datetime

from django.utils import timezone

from jigsaw.casework.models import ChildProtectionConference, Referral
from jigsaw.people.models import Person
from jigsaw.voice.actions.feedback import FeedbackAnswers
from tests.casework_factories import make_referral
from tests.factories import make_person, persona
from tests.protection_factories import make_conference


@dataclasses.dataclass(frozen=True)
class Child:
    person: Person
    conference: ChildProtectionConference
    closed: Referral

    @property
    def about_conference(self) -> str:
        return f"conference:{self.conference.pk}"

    @property
    def about_episode(self) -> str:
        return f"episode:{self.closed.pk}"


def child_with_feedback_occasions(
    *, conference_on: datetime.date | None = None, closed_on: datetime.date | None = None
) -> Child:
    today = timezone.localdate()
    person = make_person(given_names="Anna Maria")
    open_referral = make_referral(person, worker=persona("social_worker"))
    conference = make_conference(
        [open_referral], date=conference_on or today - datetime.timedelta(days=10), held=True
    )
    closed = make_referral(
        person,
        referred_on=today - datetime.timedelta(days=400),
        closed_on=closed_on or today - datetime.timedelta(days=200),
        closure_reason="RC8",
    )
    return Child(person=person, conference=conference, closed=closed)


GOOD = FeedbackAnswers(
    listened="yes",
    understood="partly",
    helped="yes",
    went_well="The chair explained everything",
    could_be_better="The reports came the night before",
)
