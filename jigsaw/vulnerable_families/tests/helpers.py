"""Shared set-up for the vulnerable families tests: a health visiting team, its health
visitor, the GP persona's practice, another practice, and children with NHS numbers."""

from __future__ import annotations

import datetime
import itertools

from django.contrib.auth.models import User

from jigsaw.access.roles import Role
from jigsaw.partners.models import Agency, AgencyKind, Practitioner
from jigsaw.people.models import Person
from jigsaw.vulnerable_families import actions
from jigsaw.vulnerable_families.models import Meeting, StandingMeeting
from tests.factories import make_agency, make_person, make_user, persona

HEALTH_VISITING = "Riverford Health Visiting Team"
OTHER_PRACTICE = "Millbrook Medical Centre"
MEETING_DAY = datetime.date(2026, 3, 4)


def health_team() -> Agency:
    return make_agency(HEALTH_VISITING, AgencyKind.HEALTH_VISITING)


def partner(username: str, agency: Agency, job_title: str) -> User:
    """A partner practitioner of `agency` who signs in."""
    user = make_user(username, first_name=username.replace("_", " ").title(), last_name="Practitioner")
    Practitioner.objects.get_or_create(
        user=user,
        defaults={
            "full_name": user.get_full_name(),
            "agency": agency,
            "role": Role.PARTNER_PRACTITIONER,
            "job_title": job_title,
            "phone": "01632 960001",
        },
    )
    return user


def health_visitor() -> User:
    return partner("health_visitor", health_team(), "Health visitor")


def gp() -> User:
    return persona("gp")


def other_gp() -> User:
    """A GP of a practice that is not part of the meeting."""
    return partner("other_gp", make_agency(OTHER_PRACTICE, AgencyKind.GP_PRACTICE), "General practitioner")


def practitioner_of(user: User) -> Practitioner:
    return Practitioner.objects.get(user=user)


def standing() -> StandingMeeting:
    """The health visiting team's meeting with the GP persona's practice, every 6 weeks."""
    existing = StandingMeeting.objects.filter(health_visiting=health_team()).first()
    if existing is not None:
        return existing
    hv, doctor = health_visitor(), gp()
    return actions.save_standing_meeting(
        actor=hv,
        details=actions.StandingDetails(
            health_visiting_id=health_team().pk,
            gp_practice_id=practitioner_of(doctor).agency_id,
            health_visiting_lead_id=practitioner_of(hv).pk,
            gp_lead_id=practitioner_of(doctor).pk,
            cadence_weeks=6,
        ),
    )


def meeting(day: datetime.date = MEETING_DAY) -> Meeting:
    return actions.schedule_meeting(actor=health_visitor(), standing_id=standing().pk, held_on=day)


_numbers = itertools.count(400_000_001)


def nhs_number() -> str:
    """A fresh NHS number with a valid check digit (modulus 11)."""
    while True:
        base = f"{next(_numbers):09d}"
        total = sum(int(d) * w for d, w in zip(base, range(10, 1, -1), strict=True))
        check = 11 - total % 11
        if check == 11:
            check = 0
        if check != 10:
            return f"{base}{check}"


def child(**fields: object) -> Person:
    return make_person(nhs_number=nhs_number(), date_of_birth=datetime.date(2024, 5, 1), **fields)


def add_family(on: Meeting, *children: Person, reason: str = "Missed immunisations") -> int:
    on.refresh_from_db()
    return actions.add_family(
        actor=health_visitor(),
        meeting_id=on.pk,
        expected_version=on.version,
        nhs_numbers=[c.nhs_number for c in children],
        reason=reason,
    ).pk
