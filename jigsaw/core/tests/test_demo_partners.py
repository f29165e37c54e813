"""The demo's professional network: every kind of agency with its numbers, practitioners
with availability and a preferred contact, a safeguarding lead at each school, a GP, a
school's lead and (for under-fives) a health visitor around every child with open casework,
two sharing agreements, and the same network from the same seed.

A small authority is built once for the module (people, staff and casework, as `seed_demo`
writes them) inside a transaction rolled back at the end; each test runs in a savepoint.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.db import transaction
from django.utils import timezone
from pytest_django import DjangoDbBlocker

from jigsaw.casework.models import ChildProtectionPlan, EarlyHelpEpisode, LookedAfterEpisode, Referral
from jigsaw.core.demo import DemoGenerator, create_agencies_and_staff, plan_families, reset_demo, write_people
from jigsaw.core.demo_casework import write_casework
from jigsaw.core.demo_partners import (
    EXTRA_AGENCIES,
    PartnerNetworkCounts,
    delete_partner_network,
    seed_partner_network,
)
from jigsaw.partners.models import (
    Agency,
    AgencyKind,
    Disclosure,
    DisclosureKind,
    InformationSharingAgreement,
    NamedProfessional,
    Practitioner,
)
from jigsaw.partners.queries.network import agreements
from jigsaw.people.models import Person

SEED = 47
CHILDREN = 600
TODAY = timezone.localdate()
PHONE = re.compile(r"01632 96\d{4}")
FIRST_RUN: list[tuple[object, ...]] = []
ISSUE_KINDS = {
    AgencyKind.POLICE,
    AgencyKind.ACUTE_HEALTH,
    AgencyKind.GP_PRACTICE,
    AgencyKind.HEALTH_VISITING,
    AgencyKind.SCHOOL,
    AgencyKind.EARLY_YEARS,
    AgencyKind.HOUSING,
    AgencyKind.PROBATION,
    AgencyKind.VOLUNTARY_SECTOR,
    AgencyKind.OTHER_LOCAL_AUTHORITY,
}


@pytest.fixture(scope="module")
def counts(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[PartnerNetworkCounts]:
    with django_db_blocker.unblock(), transaction.atomic():
        generator = DemoGenerator(SEED)
        create_agencies_and_staff(generator)
        write_people(plan_families(generator, children=CHILDREN))
        write_casework(seed=SEED, today=TODAY, children_cap=CHILDREN)
        # Once, noted and undone; then again for the tests: the two must be the same.
        with transaction.atomic():
            seed_partner_network(seed=SEED, today=TODAY)
            FIRST_RUN.extend(_network())
            transaction.set_rollback(True)
        yield seed_partner_network(seed=SEED, today=TODAY)
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def _open_children() -> list[Person]:
    ids = (
        set(Referral.objects.filter(closed_on__isnull=True).values_list("person_id", flat=True))
        | set(EarlyHelpEpisode.objects.filter(ended_on__isnull=True).values_list("person_id", flat=True))
        | set(ChildProtectionPlan.objects.filter(ended_on__isnull=True).values_list("person_id", flat=True))
        | set(LookedAfterEpisode.objects.filter(ended_on__isnull=True).values_list("person_id", flat=True))
    )
    people = Person.objects.filter(pk__in=ids)
    return [p for p in people if p.is_unborn or (p.age_on(TODAY) or 0) < 18]


def _network() -> list[tuple[object, ...]]:
    return list(
        NamedProfessional.objects.order_by(
            "person_id", "practitioner__agency__name", "practitioner__full_name", "involvement", "started"
        ).values_list(
            "person_id",
            "practitioner__full_name",
            "practitioner__agency__name",
            "involvement",
            "started",
            "ended",
        )
    )


def test_every_kind_of_agency_in_the_issue_is_there_with_numbers_and_secure_email(
    counts: PartnerNetworkCounts,
) -> None:
    agencies = list(Agency.objects.all())

    assert {a.kind for a in agencies} >= ISSUE_KINDS
    assert counts.agencies_added == len(EXTRA_AGENCIES)
    for agency in agencies:
        assert PHONE.fullmatch(agency.phone), agency.name
        assert PHONE.fullmatch(agency.out_of_hours_phone), agency.name
        assert agency.secure_email.endswith(".example"), agency.name


def test_practitioners_have_availability_and_each_school_a_safeguarding_lead(
    counts: PartnerNetworkCounts,
) -> None:
    partners = Practitioner.objects.exclude(agency__kind=AgencyKind.CHILDRENS_SOCIAL_CARE)

    assert not partners.filter(availability="").exists()
    assert not partners.filter(phone="").exists()
    for school in Agency.objects.filter(kind=AgencyKind.SCHOOL):
        leads = list(school.practitioners.filter(safeguarding_lead=True))
        assert leads, school.name
        assert all(lead.preferred_contact == "phone" for lead in leads)
    assert counts.safeguarding_leads == Practitioner.objects.filter(safeguarding_lead=True).count()


def test_children_with_open_casework_have_a_gp_school_lead_and_health_visitor(
    counts: PartnerNetworkCounts,
) -> None:
    children = _open_children()
    assert len(children) >= 15
    assert counts.children == len(children)
    for child in children:
        kinds = set(
            NamedProfessional.objects.filter(person=child, ended__isnull=True).values_list(
                "practitioner__agency__kind", flat=True
            )
        )
        age = child.age_on(TODAY)
        assert AgencyKind.GP_PRACTICE in kinds, child.pk
        if age is not None and 4 <= age <= 16:
            assert AgencyKind.SCHOOL in kinds, child.pk
        if child.is_unborn or (age is not None and age < 5):
            assert AgencyKind.HEALTH_VISITING in kinds, child.pk
    assert counts.past_involvements > 0
    assert NamedProfessional.objects.filter(ended__lte=TODAY).count() >= counts.past_involvements
    assert not NamedProfessional.objects.filter(ended__gt=TODAY).exists()
    assert not NamedProfessional.objects.filter(started__gt=TODAY).exists()


def test_two_agreements_one_with_its_review_overdue_and_disclosures_to_partners_who_sign_in(
    counts: PartnerNetworkCounts,
) -> None:
    rows = agreements(TODAY)

    assert counts.agreements == 2
    assert len(rows) == 2
    assert [r.review_overdue for r in rows].count(True) == 1
    assert all(r.in_force for r in rows)
    assert InformationSharingAgreement.objects.filter(agencies__kind=AgencyKind.PROBATION).exists()
    # Partners who sign in (the demo's school and GP sign-ins, here) can
    # open the record of each child they are named for: each has a disclosure recording it.
    named = NamedProfessional.objects.filter(practitioner__user__isnull=False, ended__isnull=True).exclude(
        practitioner__agency__kind=AgencyKind.CHILDRENS_SOCIAL_CARE
    )
    assert {"partner_practitioner", "gp"} <= set(named.values_list("practitioner__user__username", flat=True))
    assert counts.disclosures == named.count()
    for n in named:
        disclosure = Disclosure.objects.get(source_type="partners.namedprofessional", source_id=str(n.pk))
        assert disclosure.person_id == n.person_id
        assert disclosure.recipient_id == n.practitioner.user_id
        assert disclosure.kind == DisclosureKind.NETWORK
        assert disclosure.agreement is not None


def test_the_same_seed_gives_the_same_network(counts: PartnerNetworkCounts) -> None:
    assert FIRST_RUN
    assert _network() == FIRST_RUN


def test_reset_after_deleting_the_network_leaves_nothing_behind(counts: PartnerNetworkCounts) -> None:
    with transaction.atomic():
        delete_partner_network()
        reset_demo()
        assert not Person.objects.exists()
        assert not Disclosure.objects.exists()
        assert not Agency.objects.filter(name__in=[a[0] for a in EXTRA_AGENCIES]).exists()
        transaction.set_rollback(True)
