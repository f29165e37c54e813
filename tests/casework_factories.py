"""Casework records saved directly, for tests that need a journey already under way.
(Tests of an action itself go through the action.)"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.utils import timezone

from jigsaw.casework.models import Allocation, Contact, Referral
from jigsaw.people.models import Person
from tests.factories import make_person, persona


def make_contact(person: Person | None = None, **fields: object) -> Contact:
    values: dict[str, object] = {
        "person": person or make_person(),
        "received_at": timezone.now(),
        "source": "2A",
        "concern": "Bruising seen at school",
        "consent": "given",
        "decision_due": timezone.localdate(),
        "recorded_by": persona("front_door_officer"),
    }
    values.update(fields)
    return Contact.objects.create(**values)


def make_referral(
    person: Person | None = None,
    *,
    worker: User | None = None,
    referred_on: datetime.date | None = None,
    **fields: object,
) -> Referral:
    """An open referral in the persona team's team, allocated to `worker` if given."""
    manager = persona("team_manager")
    values: dict[str, object] = {
        "person": person or make_person(),
        "referred_on": referred_on or timezone.localdate(),
        "source": "2A",
        "primary_need": "N1",
        "team": manager.practitioner.team,
        "opened_by": manager,
        "allocated_worker": worker,
    }
    values.update(fields)
    referral = Referral.objects.create(**values)
    if worker is not None:
        Allocation.objects.create(
            referral=referral, worker=worker, allocated_by=manager, allocated_at=timezone.now()
        )
    return referral
