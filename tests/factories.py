"""Factories and the named personas the tests use."""

from __future__ import annotations

import datetime
from typing import Any

import factory
from django.contrib.auth.models import User

from jigsaw.access.roles import Role
from jigsaw.partners.models import Agency, AgencyKind, Practitioner
from jigsaw.people.models import Person
from jigsaw.workforce.models import Team

PASSWORD = "correct-horse-battery-staple"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("name",)

    name = "Riverford Children's Social Care"
    kind = AgencyKind.CHILDRENS_SOCIAL_CARE


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("agency", "name")

    name = "Assessment Team 1"
    agency = factory.SubFactory(AgencyFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        if create:
            obj.save()


# Each persona: role, agency name, agency kind.
PERSONAS: dict[str, tuple[Role, str, str]] = {
    "social_worker": (Role.SOCIAL_WORKER, "Riverford Children's Social Care", AgencyKind.CHILDRENS_SOCIAL_CARE),
    "team_manager": (Role.TEAM_MANAGER, "Riverford Children's Social Care", AgencyKind.CHILDRENS_SOCIAL_CARE),
    "front_door_officer": (Role.FRONT_DOOR_OFFICER, "Riverford Children's Social Care", AgencyKind.CHILDRENS_SOCIAL_CARE),
    "conference_chair": (Role.CONFERENCE_CHAIR, "Riverford Children's Social Care", AgencyKind.CHILDRENS_SOCIAL_CARE),
    "school_dsl": (Role.PARTNER_PRACTITIONER, "Riverside Primary School", AgencyKind.SCHOOL),
    "gp": (Role.PARTNER_PRACTITIONER, "Canal Street Surgery", AgencyKind.GP_PRACTICE),
    "police_officer": (Role.PARTNER_PRACTITIONER, "Riverford Police", AgencyKind.POLICE),
    "analyst": (Role.PERFORMANCE_ANALYST, "Riverford Children's Social Care", AgencyKind.CHILDRENS_SOCIAL_CARE),
    "partnership_member": (Role.PARTNERSHIP_MEMBER, "Riverford Safeguarding Partnership", AgencyKind.SAFEGUARDING_PARTNERSHIP),
    "administrator": (Role.ADMINISTRATOR, "Riverford Children's Social Care", AgencyKind.CHILDRENS_SOCIAL_CARE),
}


def persona(name: str) -> User:
    """A signed-in-able user with the persona's role, agency and (for social care) team."""
    role, agency_name, kind = PERSONAS[name]
    user = UserFactory(username=name, first_name=name.replace("_", " ").title(), last_name="Persona")
    agency = AgencyFactory(name=agency_name, kind=kind)
    team = TeamFactory(agency=agency) if kind == AgencyKind.CHILDRENS_SOCIAL_CARE else None
    if role == Role.ADMINISTRATOR:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    Practitioner.objects.get_or_create(
        user=user,
        defaults={"full_name": user.get_full_name(), "agency": agency, "team": team, "role": role,
                  "job_title": role.label, "phone": "01632 960000"},
    )
    return user


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    given_names = "Anna"
    family_name = factory.Sequence(lambda n: f"Kouao{n}")
    date_of_birth = datetime.date(2015, 11, 2)
