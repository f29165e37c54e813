"""Delegated admin: case-holders (social workers, team managers) ask and follow their
requests; business support officers and social work assistants work their team's queue;
managers and analysts see the delegation report. A task opens for the case-holders who may
see the child and for the support staff of its team's queue; for everyone else it is not
found."""

from __future__ import annotations

import datetime

from django.utils import timezone

from jigsaw.casework.models import Referral
from jigsaw.people.models import Person
from jigsaw.support.models import DelegatedTask
from tests.factories import make_agency, make_team, persona

ASKERS = frozenset({"social_worker", "team_manager"})
DOERS = frozenset({"business_support", "social_work_assistant"})
REPORT_READERS = frozenset({"team_manager", "analyst"})


def _askers(who: str) -> int:
    return 200 if who in ASKERS else 403


def _doers(who: str) -> int:
    return 200 if who in DOERS else 403


def _referral(person: Person) -> Referral:
    return Referral.objects.create(
        person=person,
        referred_on=timezone.localdate(),
        source="2A",
        team=make_team(make_agency()),
        opened_by=persona("social_worker"),
    )


def _referral_args(person: Person) -> list[object]:
    return [_referral(person).pk]


def _task_args(person: Person) -> list[object]:
    referral = _referral(person)
    task = DelegatedTask.objects.create(
        person=person,
        referral=referral,
        kind="book_room",
        details="A room for the core group",
        due_on=timezone.localdate() + datetime.timedelta(days=3),
        team=referral.team,
        requested_by=persona("social_worker"),
        requested_at=timezone.now(),
    )
    return [task.pk]


EXPECTED = {
    "support:queue": _doers,
    "support:my_requests": _askers,
    "support:new_task": _askers,
    "support:task": lambda who: 200 if who in ASKERS | DOERS else 404,
    "support:take": lambda who: 405,  # a POST only
    "support:complete": _doers,
    "support:hand_back": _doers,
    "support:cancel": _askers,
    "support:report": lambda who: 200 if who in REPORT_READERS else 403,
}

RECORDS = {
    "support:new_task": _referral_args,
    "support:task": _task_args,
    "support:take": _task_args,
    "support:complete": _task_args,
    "support:hand_back": _task_args,
    "support:cancel": _task_args,
}
