"""Shared set-up for the support app's tests: a child's open episode in the personas'
team (Assessment Team 1), and requests made through the real action."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.utils import timezone

from jigsaw.access.roles import Role
from jigsaw.casework.models import Referral
from jigsaw.partners.models import Practitioner
from jigsaw.people.models import Person
from jigsaw.support.actions import tasks as actions
from jigsaw.support.models import DelegatedTask, TaskKind
from tests.factories import make_agency, make_person, make_team, make_user, persona


def open_episode(person: Person | None = None, *, team: bool = True) -> Referral:
    child = person or make_person()
    return Referral.objects.create(
        person=child,
        referred_on=timezone.localdate() - datetime.timedelta(days=20),
        source="2A",
        team=make_team(make_agency()) if team else None,
        allocated_worker=persona("social_worker"),
        opened_by=persona("front_door_officer"),
    )


def ask(
    referral: Referral | None = None,
    *,
    kind: str = TaskKind.BOOK_ROOM,
    due_in_days: int = 5,
    assignee_id: int | None = None,
    details: str = "A room for the core group, 10am for two hours",
) -> DelegatedTask:
    return actions.request_task(
        actor=persona("social_worker"),
        referral_id=(referral or open_episode()).pk,
        kind=kind,
        details=details,
        due_on=timezone.localdate() + datetime.timedelta(days=due_in_days),
        assignee_id=assignee_id,
    )


def another_social_worker() -> User:
    """A second social worker in the personas' team (the personas have one of each role)."""
    user = make_user("second_social_worker", "Sam", "Second")
    Practitioner.objects.get_or_create(
        user=user,
        defaults={
            "full_name": "Sam Second",
            "agency": make_agency(),
            "team": make_team(make_agency()),
            "role": Role.SOCIAL_WORKER,
            "job_title": "Social worker",
        },
    )
    return user
