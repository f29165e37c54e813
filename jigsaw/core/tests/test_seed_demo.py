"""The demo authority: reproducible, valid identifiers, sign-ins that work, sane families."""

from __future__ import annotations

import dataclasses
import datetime
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F
from django.test import RequestFactory
from nhs_number.constants import REGION_SYNTHETIC
from nhs_number.validate import is_valid as nhs_number_is_valid

from jigsaw.access.roles import Role
from jigsaw.core.demo import DEMO_PASSWORD, PARTNER_SIGN_INS, DemoGenerator, plan_families
from jigsaw.partners.models import Agency, AgencyKind, Practitioner
from jigsaw.people.models import (
    Address,
    BirthDatePrecision,
    Household,
    HouseholdMember,
    Person,
    PersonName,
    Relationship,
    RelationshipKind,
    Residence,
)
from jigsaw.people.normalise import (
    first_name_key,
    name_key,
    normalise_nhs_number,
    normalise_postcode,
    normalise_upn,
    phonetic_key,
)

CHILDREN = 50


def seed(*extra: str, children: int = CHILDREN, seed: int = 7) -> str:
    out = StringIO()
    call_command("seed_demo", "--children", str(children), "--seed", str(seed), *extra, stdout=out)
    return out.getvalue()


def snapshot() -> list[tuple[str, str, datetime.date | None, str, str]]:
    return list(
        Person.objects.order_by("pk").values_list(
            "given_names", "family_name", "date_of_birth", "nhs_number", "upn"
        )
    )


def test_the_generator_plans_the_same_families_for_the_same_seed() -> None:
    def plan(seed: int) -> list[object]:
        return [dataclasses.asdict(f) for f in plan_families(DemoGenerator(seed), children=200)]

    assert plan(11) == plan(11)
    assert plan(11) != plan(12)


def test_the_generator_is_fixed_to_a_reference_date_not_today() -> None:
    later = DemoGenerator(3, today=datetime.date(2030, 1, 1))
    earlier = DemoGenerator(3, today=datetime.date(2025, 6, 1))
    assert later.reference == datetime.date(2026, 11, 1)
    assert earlier.reference == datetime.date(2025, 6, 1)
    for family in plan_families(earlier, children=300):
        for person in family.people:
            assert person.is_unborn or person.date_of_birth <= earlier.reference


@pytest.mark.django_db
def test_same_seed_gives_the_same_people_after_a_reset() -> None:
    seed()
    first = snapshot()
    seed("--reset")
    assert snapshot() == first
    assert sum(1 for row in first if row[0] or row[1]) == len(first)


@pytest.mark.django_db
def test_refuses_to_run_over_existing_people_without_reset() -> None:
    seed()
    count = Person.objects.count()
    with pytest.raises(CommandError, match="--reset"):
        seed()
    assert Person.objects.count() == count


@pytest.mark.django_db
def test_counts_children_and_prints_the_sign_ins() -> None:
    output = seed()
    for role in Role:
        assert role.value in output
    assert DEMO_PASSWORD in output
    children = Relationship.objects.filter(kind=RelationshipKind.PARENT).values("person").distinct().count()
    assert children >= CHILDREN
    assert Person.objects.count() > CHILDREN


@pytest.mark.django_db
def test_identifiers_and_postcodes_are_valid() -> None:
    # Without the planted duplicates, some of which keep the NHS number of the child they
    # copy (as a second record from another agency would): every generated number is unique.
    seed("--no-matching-extras", children=200)
    numbers = [n for n in Person.objects.values_list("nhs_number", flat=True) if n]
    assert numbers
    assert len(numbers) == len(set(numbers))
    for number in numbers:
        assert normalise_nhs_number(number) == number
        assert nhs_number_is_valid(number, for_region=REGION_SYNTHETIC)
        assert number.startswith("999")
    upns = [u for u in Person.objects.values_list("upn", flat=True) if u]
    assert upns
    assert len(upns) == len(set(upns))
    for upn in upns:
        assert normalise_upn(upn) == upn
    for postcode in Address.objects.values_list("postcode", flat=True):
        assert normalise_postcode(postcode) == postcode
        assert postcode.startswith("RF")


@pytest.mark.django_db
def test_search_keys_are_filled_as_save_would() -> None:
    seed()
    for person in Person.objects.all():
        assert person.family_name_key == name_key(person.family_name)
        assert person.given_name_key == first_name_key(person.given_names)
        assert person.family_phonetic == phonetic_key(person.family_name)
    for other in PersonName.objects.all():
        assert other.family_name_key == name_key(other.family_name)
        assert other.family_phonetic == phonetic_key(other.family_name)


@pytest.mark.django_db
def test_dates_of_birth_are_exact_estimated_or_expected() -> None:
    seed(children=400)
    reference = DemoGenerator(7).reference
    unborn = Person.objects.filter(birth_date_precision=BirthDatePrecision.EXPECTED)
    assert unborn.exists()
    assert not unborn.filter(date_of_birth__lte=reference).exists()
    assert not Person.objects.exclude(birth_date_precision=BirthDatePrecision.EXPECTED).filter(
        date_of_birth__gt=reference
    )
    assert Person.objects.filter(birth_date_precision=BirthDatePrecision.ESTIMATED).exists()


@pytest.mark.django_db
def test_families_hang_together() -> None:
    seed(children=400)
    assert not Relationship.objects.filter(person=F("relative")).exists()
    kinds = set(Relationship.objects.values_list("kind", flat=True))
    assert {RelationshipKind.PARENT, RelationshipKind.SIBLING, RelationshipKind.HALF_SIBLING} <= kinds
    assert kinds & {RelationshipKind.STEP_PARENT, RelationshipKind.PARTNER_OF_PARENT}
    assert Household.objects.exists()
    assert not Household.objects.annotate(n=Count("members")).filter(n=0).exists()
    # Everyone in a household lives at its address.
    for member in HouseholdMember.objects.select_related("household")[:200]:
        assert Residence.objects.filter(
            person_id=member.person_id, address_id=member.household.address_id, moved_out__isnull=True
        ).exists()
    assert Residence.objects.filter(moved_out__isnull=False).exists()
    assert PersonName.objects.filter(person__relationships__kind=RelationshipKind.PARENT).exists()
    assert len(set(Person.objects.values_list("ethnicity", flat=True))) >= 8


@pytest.mark.django_db
def test_agencies_and_one_working_sign_in_per_role() -> None:
    seed()
    kinds = set(Agency.objects.values_list("kind", flat=True))
    assert {
        AgencyKind.CHILDRENS_SOCIAL_CARE,
        AgencyKind.POLICE,
        AgencyKind.ACUTE_HEALTH,
        AgencyKind.GP_PRACTICE,
        AgencyKind.HEALTH_VISITING,
        AgencyKind.SAFEGUARDING_PARTNERSHIP,
    } <= kinds
    assert Agency.objects.filter(kind=AgencyKind.SCHOOL).count() >= 10
    assert Practitioner.objects.filter(user__isnull=True).exists()
    request = RequestFactory().post("/sign-in/")
    for role in Role:
        user = authenticate(request, username=role.value, password=DEMO_PASSWORD)
        assert user is not None, role
        assert user.practitioner.role == role.value
        assert user.is_superuser == (role == Role.ADMINISTRATOR)
        assert user.is_staff == (role == Role.ADMINISTRATOR)
    # Other demo staff have users to hold casework, but no usable password: one sign-in per role.
    signs_in = [
        p.user for p in Practitioner.objects.select_related("user") if p.user and p.user.has_usable_password()
    ]
    assert sorted(u.username for u in signs_in) == sorted([*(r.value for r in Role), *PARTNER_SIGN_INS])
    for username in PARTNER_SIGN_INS:
        assert authenticate(request, username=username, password=DEMO_PASSWORD) is not None
