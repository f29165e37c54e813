"""Factories and the named personas the tests use."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from jigsaw.access.models import BreakGlassAccess, RestrictedRecord
from jigsaw.access.roles import Role
from jigsaw.partners.models import Agency, AgencyKind, Practitioner
from jigsaw.people.models import Person
from jigsaw.workforce.models import Team

PASSWORD = "correct-horse-battery-staple"


def make_agency(
    name: str = "Riverford Children's Social Care", kind: str = AgencyKind.CHILDRENS_SOCIAL_CARE
) -> Agency:
    agency, _ = Agency.objects.get_or_create(name=name, defaults={"kind": kind})
    return agency


def make_team(agency: Agency, name: str = "Assessment Team 1") -> Team:
    team, _ = Team.objects.get_or_create(agency=agency, name=name)
    return team


def make_user(username: str, first_name: str = "Test", last_name: str = "User") -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": first_name, "last_name": last_name}
    )
    if created:
        user.set_password(PASSWORD)
        user.save()
    return user


# Each persona: role, agency name, agency kind.
PERSONAS: dict[str, tuple[Role, str, str]] = {
    "social_worker": (
        Role.SOCIAL_WORKER,
        "Riverford Children's Social Care",
        AgencyKind.CHILDRENS_SOCIAL_CARE,
    ),
    "team_manager": (Role.TEAM_MANAGER, "Riverford Children's Social Care", AgencyKind.CHILDRENS_SOCIAL_CARE),
    "front_door_officer": (
        Role.FRONT_DOOR_OFFICER,
        "Riverford Children's Social Care",
        AgencyKind.CHILDRENS_SOCIAL_CARE,
    ),
    "conference_chair": (
        Role.CONFERENCE_CHAIR,
        "Riverford Children's Social Care",
        AgencyKind.CHILDRENS_SOCIAL_CARE,
    ),
    "school_dsl": (Role.PARTNER_PRACTITIONER, "Riverside Primary School", AgencyKind.SCHOOL),
    "gp": (Role.PARTNER_PRACTITIONER, "Canal Street Surgery", AgencyKind.GP_PRACTICE),
    "police_officer": (Role.PARTNER_PRACTITIONER, "Riverford Police", AgencyKind.POLICE),
    "analyst": (
        Role.PERFORMANCE_ANALYST,
        "Riverford Children's Social Care",
        AgencyKind.CHILDRENS_SOCIAL_CARE,
    ),
    "partnership_member": (
        Role.PARTNERSHIP_MEMBER,
        "Riverford Safeguarding Partnership",
        AgencyKind.SAFEGUARDING_PARTNERSHIP,
    ),
    "data_protection_officer": (
        Role.DATA_PROTECTION_OFFICER,
        "Riverford City Council Information Governance",
        AgencyKind.CHILDRENS_SOCIAL_CARE,
    ),
    "administrator": (
        Role.ADMINISTRATOR,
        "Riverford Children's Social Care",
        AgencyKind.CHILDRENS_SOCIAL_CARE,
    ),
    # Council staff beside the social workers of Assessment Team 1 (not qualified social workers).
    "business_support": (
        Role.BUSINESS_SUPPORT,
        "Riverford Children's Social Care",
        AgencyKind.CHILDRENS_SOCIAL_CARE,
    ),
    "social_work_assistant": (
        Role.SOCIAL_WORK_ASSISTANT,
        "Riverford Children's Social Care",
        AgencyKind.CHILDRENS_SOCIAL_CARE,
    ),
}


def persona(name: str) -> User:
    """A signed-in-able user with the persona's role, agency and (for social care) team."""
    role, agency_name, kind = PERSONAS[name]
    user = make_user(name, first_name=name.replace("_", " ").title(), last_name="Persona")
    agency = make_agency(agency_name, kind)
    team = make_team(agency) if kind == AgencyKind.CHILDRENS_SOCIAL_CARE else None
    if role == Role.ADMINISTRATOR:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    Practitioner.objects.get_or_create(
        user=user,
        defaults={
            "full_name": user.get_full_name(),
            "agency": agency,
            "team": team,
            "role": role,
            "job_title": role.label,
            "phone": "01632 960000",
        },
    )
    return user


_people_made = itertools.count(1)


def make_person(**fields: Any) -> Person:
    """A person saved directly (tests of the actions themselves use the actions)."""
    values: dict[str, Any] = {
        "given_names": "Anna",
        "family_name": f"Kouao{next(_people_made)}",
        "date_of_birth": datetime.date(2015, 11, 2),
    }
    values.update(fields)
    person = Person(**values)
    person.save()
    return person


# The browser tests were written against this name.
PersonFactory = make_person


def restrict(person: Person) -> RestrictedRecord:
    """Restrict a person's record (placed for adoption), as the team manager."""
    return RestrictedRecord.objects.create(
        person=person, reason="adoption", restricted_by=persona("team_manager"), restricted_at=timezone.now()
    )


def open_by_breaking_glass(person: Person) -> BreakGlassAccess:
    """A social worker's (already expired) break-glass opening of the person's record."""
    return BreakGlassAccess.objects.create(
        user=persona("social_worker"),
        person=person,
        reason="Child in hospital tonight with injuries; checking for a plan",
        opened_at=timezone.now(),
        expires_at=timezone.now(),
    )
