"""Vulnerable families meetings: the GP persona's practice meets a health visiting team,
so the GP opens every page; other partner practitioners (a school, the police) may use
the pages at all by role but their agency holds no meeting, so a meeting is "not found"
(and the start page and setting one up are refused); everyone else is refused (403)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from jigsaw.access.roles import Role
from jigsaw.partners.models import AgencyKind, Practitioner
from jigsaw.people.models import Person
from jigsaw.vulnerable_families.models import (
    FamilyAction,
    FamilyChild,
    FamilyDiscussion,
    Meeting,
    StandingMeeting,
)
from tests.factories import make_agency, persona

OTHER_PARTNERS = frozenset({"school_dsl", "police_officer"})


def _start(who: str) -> int:
    return 200 if who == "gp" else 403


def _record(who: str) -> int:
    if who == "gp":
        return 200
    return 404 if who in OTHER_PARTNERS else 403


def _standing() -> StandingMeeting:
    doctor = persona("gp").practitioner
    health = make_agency("Riverford Health Visiting Team", AgencyKind.HEALTH_VISITING)
    visitor, _ = Practitioner.objects.get_or_create(
        full_name="Hana Visitor", agency=health, defaults={"role": Role.PARTNER_PRACTITIONER}
    )
    standing, _ = StandingMeeting.objects.get_or_create(
        health_visiting=health,
        gp_practice=doctor.agency,
        defaults={
            "health_visiting_lead": visitor,
            "gp_lead": doctor,
            "created_by": persona("gp"),
            "created_at": timezone.now(),
        },
    )
    return standing


def _meeting() -> Meeting:
    return Meeting.objects.create(
        standing=_standing(),
        held_on=timezone.localdate() - datetime.timedelta(days=Meeting.objects.count()),
        created_by=persona("gp"),
        created_at=timezone.now(),
    )


def _family(person: Person) -> FamilyDiscussion:
    family = FamilyDiscussion.objects.create(meeting=_meeting(), reason="Missed immunisations")
    FamilyChild.objects.create(discussion=family, person=person)
    return family


def _standing_args(person: Person) -> list[object]:
    return [_standing().pk]


def _meeting_args(person: Person) -> list[object]:
    return [_family(person).meeting_id]


def _family_args(person: Person) -> list[object]:
    return [_family(person).pk]


def _action_args(person: Person) -> list[object]:
    action = FamilyAction.objects.create(
        discussion=_family(person),
        description="Offer a home visit",
        owner=persona("gp").practitioner,
        due_on=timezone.localdate(),
        created_by=persona("gp"),
        created_at=timezone.now(),
    )
    return [action.pk]


EXPECTED = {
    "vulnerable_families:home": _start,
    "vulnerable_families:new_standing": _start,
    "vulnerable_families:standing": _record,
    "vulnerable_families:edit_standing": _record,
    "vulnerable_families:schedule": lambda who: 405,  # a POST only
    "vulnerable_families:meeting": _record,
    "vulnerable_families:attendance": _record,
    "vulnerable_families:add_family": _record,
    "vulnerable_families:discussion": _record,
    "vulnerable_families:add_action": _record,
    "vulnerable_families:action_done": lambda who: 405,  # a POST only
}

RECORDS = {
    "vulnerable_families:standing": _standing_args,
    "vulnerable_families:edit_standing": _standing_args,
    "vulnerable_families:schedule": _standing_args,
    "vulnerable_families:meeting": _meeting_args,
    "vulnerable_families:attendance": _meeting_args,
    "vulnerable_families:add_family": _meeting_args,
    "vulnerable_families:discussion": _family_args,
    "vulnerable_families:add_action": _family_args,
    "vulnerable_families:action_done": _action_args,
}
