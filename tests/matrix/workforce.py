"""The workforce: its figures for managers, analysts, the partnership and administrators;
its forms for a team's manager (here, the persona's own team) and administrators."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from jigsaw.people.models import Person
from jigsaw.workforce.models import Absence, AbsenceKind, Appointment, Contract, Post, PostKind, Team
from tests.factories import make_agency, make_team, persona

VIEWERS = frozenset({"team_manager", "analyst", "partnership_member", "administrator"})
MANAGERS = frozenset({"team_manager", "administrator"})


def _team() -> Team:
    return make_team(make_agency())


def _post() -> Post:
    return Post.objects.create(
        team=_team(),
        title="Social worker",
        kind=PostKind.QUALIFIED_SOCIAL_WORKER,
        fte=Decimal("1.00"),
        established_on=datetime.date(2020, 4, 1),
    )


def _worker_id() -> int:
    return int(persona("social_worker").practitioner.pk)


def _appointment(person: Person) -> list[object]:
    appointment = Appointment.objects.create(
        post=_post(),
        practitioner_id=_worker_id(),
        contract=Contract.PERMANENT,
        fte=Decimal("1.00"),
        started_on=datetime.date(2021, 1, 4),
    )
    return [appointment.pk]


def _absence(person: Person) -> list[object]:
    absence = Absence.objects.create(
        practitioner_id=_worker_id(),
        kind=AbsenceKind.SICKNESS,
        first_day=datetime.date(2024, 3, 4),
        last_day=datetime.date(2024, 3, 5),
        working_days=Decimal("2"),
        recorded_by=persona("team_manager"),
        recorded_at=timezone.now(),
    )
    return [absence.pk]


def _viewers(who: str) -> int:
    return 200 if who in VIEWERS else 403


def _managers(who: str) -> int:
    return 200 if who in MANAGERS else 403


EXPECTED = {
    "workforce:overview": _viewers,
    "workforce:team": _viewers,
    "workforce:new_post": _managers,
    "workforce:new_absence": _managers,
    "workforce:edit_post": _managers,
    "workforce:disestablish_post": _managers,
    "workforce:appoint": _managers,
    "workforce:end_appointment": _managers,
    "workforce:edit_absence": _managers,
    "workforce:staff_record": _managers,
}

RECORDS = {
    "workforce:team": lambda person: [_team().pk],
    "workforce:new_post": lambda person: [_team().pk],
    "workforce:new_absence": lambda person: [_team().pk],
    "workforce:edit_post": lambda person: [_post().pk],
    "workforce:disestablish_post": lambda person: [_post().pk],
    "workforce:appoint": lambda person: [_post().pk],
    "workforce:end_appointment": _appointment,
    "workforce:edit_absence": _absence,
    "workforce:staff_record": lambda person: [_worker_id()],
}
