"""Changing the professional network: naming a professional picked from the directory (a
disclosure when they sign in from a partner agency), adding a new one once, and ending an
involvement; every change logged with the child as its subject."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from jigsaw.access.models import AccessLogEntry
from jigsaw.partners.actions.network import (
    NETWORK_PURPOSE,
    AlreadyInDirectory,
    NewProfessional,
    add_new_professional,
    end_involvement,
    name_professional,
)
from jigsaw.partners.models import (
    Agency,
    AgencyKind,
    ConsentStatus,
    ContactMethod,
    Disclosure,
    DisclosureKind,
    InformationSharingAgreement,
    LegalBasis,
    NamedProfessional,
    Practitioner,
)
from jigsaw.people.models import Person
from tests.factories import make_agency, make_person, persona, restrict

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _monday_morning() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


TODAY = datetime.date(2026, 11, 23)


def _school_dsl_without_sign_in() -> Practitioner:
    return Practitioner.objects.create(
        full_name="Grace Okafor",
        agency=make_agency("Riverside Primary School", AgencyKind.SCHOOL),
        role="partner_practitioner",
        job_title="Designated safeguarding lead",
        phone="01632 960123",
        availability="Mon to Wed",
        safeguarding_lead=True,
    )


def _agreement_with(agency: Agency, **fields: object) -> InformationSharingAgreement:
    values: dict[str, object] = {
        "title": "Riverford partnership agreement",
        "reference": f"ISA-{agency.pk}-{InformationSharingAgreement.objects.count()}",
        "purpose": "Safeguarding children",
        "legal_basis": LegalBasis.PUBLIC_TASK,
        "starts_on": datetime.date(2025, 4, 1),
    }
    values.update(fields)
    agreement = InformationSharingAgreement.objects.create(**values)
    agreement.agencies.set([make_agency(), agency])
    return agreement


def _log(action: str) -> AccessLogEntry:
    return AccessLogEntry.objects.get(action=action)


def _subjects(entry: AccessLogEntry) -> set[tuple[str, str]]:
    return set(entry.subjects.values_list("record_type", "record_id"))


def test_naming_a_professional_without_a_sign_in_is_logged_and_discloses_nothing() -> None:
    worker, child, dsl = persona("social_worker"), make_person(), _school_dsl_without_sign_in()

    named = name_professional(
        actor=worker,
        person_id=child.pk,
        practitioner_id=dsl.pk,
        involvement="  Designated   safeguarding lead ",
    )

    assert (named.person_id, named.practitioner_id, named.involvement) == (
        child.pk,
        dsl.pk,
        "Designated safeguarding lead",
    )
    assert named.started == TODAY and named.ended is None and named.added_by == worker
    entry = _log("name_professional")
    assert entry.user == worker
    assert ("people.person", str(child.pk)) in _subjects(entry)
    assert entry.detail["practitioner"] == dsl.pk
    assert not Disclosure.objects.exists()


def test_naming_a_partner_who_signs_in_records_the_disclosure_under_the_agreement() -> None:
    worker, child, gp = persona("social_worker"), make_person(), persona("gp")
    agreement = _agreement_with(gp.practitioner.agency, legal_basis=LegalBasis.SAFEGUARDING_CHILDREN)

    named = name_professional(
        actor=worker,
        person_id=child.pk,
        practitioner_id=gp.practitioner.pk,
        involvement="GP",
        consent=ConsentStatus.GIVEN,
    )

    disclosure = Disclosure.objects.get()
    assert disclosure.person == child
    assert disclosure.kind == DisclosureKind.NETWORK
    assert disclosure.recipient == gp
    assert disclosure.recipient_agency == gp.practitioner.agency
    assert disclosure.purpose == NETWORK_PURPOSE
    assert disclosure.legal_basis == LegalBasis.SAFEGUARDING_CHILDREN
    assert disclosure.consent == ConsentStatus.GIVEN
    assert disclosure.agreement == agreement
    assert (disclosure.source_type, disclosure.source_id) == ("partners.namedprofessional", str(named.pk))


def test_without_an_agreement_the_user_must_give_the_legal_basis_and_the_consent() -> None:
    worker, child, gp = persona("social_worker"), make_person(), persona("gp")

    with pytest.raises(ValidationError) as refused:
        name_professional(
            actor=worker, person_id=child.pk, practitioner_id=gp.practitioner.pk, involvement="GP"
        )

    assert refused.value.message_dict == {
        "consent": ["Say whether the family agreed to sharing with Gp Persona"],
        "legal_basis": [
            "There is no information-sharing agreement with Canal Street Surgery: choose the legal basis for sharing"
        ],
    }
    assert not NamedProfessional.objects.exists()
    assert not Disclosure.objects.exists()

    name_professional(
        actor=worker,
        person_id=child.pk,
        practitioner_id=gp.practitioner.pk,
        involvement="GP",
        consent=ConsentStatus.NOT_SOUGHT,
        legal_basis=LegalBasis.VITAL_INTERESTS,
    )

    disclosure = Disclosure.objects.get()
    assert (disclosure.legal_basis, disclosure.consent, disclosure.agreement) == (
        LegalBasis.VITAL_INTERESTS,
        ConsentStatus.NOT_SOUGHT,
        None,
    )


def test_a_professional_is_named_once_while_involved() -> None:
    worker, child, dsl = persona("social_worker"), make_person(), _school_dsl_without_sign_in()
    name_professional(actor=worker, person_id=child.pk, practitioner_id=dsl.pk, involvement="DSL")

    with pytest.raises(ValidationError) as refused:
        name_professional(
            actor=worker, person_id=child.pk, practitioner_id=dsl.pk, involvement="Class teacher"
        )

    assert refused.value.message_dict["practitioner"] == [
        f"Grace Okafor is already named for {child.full_name}"
    ]
    assert NamedProfessional.objects.count() == 1


def test_the_role_with_the_child_is_required() -> None:
    with pytest.raises(ValidationError) as refused:
        name_professional(
            actor=persona("social_worker"),
            person_id=make_person().pk,
            practitioner_id=_school_dsl_without_sign_in().pk,
            involvement="   ",
        )

    assert refused.value.message_dict == {
        "involvement": ["Enter their role with the child, for example GP or class teacher"]
    }


@pytest.mark.parametrize(
    "who", ["gp", "school_dsl", "conference_chair", "analyst", "data_protection_officer"]
)
def test_only_social_workers_managers_and_the_front_door_change_the_network(who: str) -> None:
    child, dsl = make_person(), _school_dsl_without_sign_in()

    with pytest.raises(PermissionDenied):
        name_professional(actor=persona(who), person_id=child.pk, practitioner_id=dsl.pk, involvement="DSL")

    assert not NamedProfessional.objects.exists()


def _details(**fields: object) -> NewProfessional:
    values: dict[str, object] = {
        "full_name": "Priya  Shah",
        "agency_id": make_agency("Millbrook Medical Centre", AgencyKind.GP_PRACTICE).pk,
        "job_title": "General practitioner",
        "phone": "01632 960456",
        "secure_email": "Priya.Shah@millbrookmc.riverford.example",
        "preferred_contact": ContactMethod.SECURE_EMAIL,
        "availability": "Tue and Thu, 12.30pm to 2pm",
    }
    values.update(fields)
    return NewProfessional(**values)  # type: ignore[arg-type]


def test_a_new_professional_is_added_to_the_directory_and_named() -> None:
    worker, child = persona("front_door_officer"), make_person()

    named = add_new_professional(actor=worker, person_id=child.pk, details=_details(), involvement="GP")

    p = named.practitioner
    assert (p.full_name, p.agency.name, p.job_title, p.phone, p.secure_email, p.preferred_contact) == (
        "Priya Shah",
        "Millbrook Medical Centre",
        "General practitioner",
        "01632 960456",
        "priya.shah@millbrookmc.riverford.example",
        ContactMethod.SECURE_EMAIL,
    )
    assert p.user is None and p.role == "partner_practitioner"
    added = _log("add_practitioner")
    assert (added.record_type, added.record_id) == ("partners.practitioner", str(p.pk))
    assert ("people.person", str(child.pk)) in _subjects(added)
    assert ("people.person", str(child.pk)) in _subjects(_log("name_professional"))


@pytest.mark.parametrize(
    "second",
    [
        {"full_name": "priya shah", "secure_email": ""},
        {"full_name": "Dr P. Shah", "secure_email": "PRIYA.SHAH@millbrookmc.riverford.example"},
    ],
    ids=["same name and agency", "same secure email"],
)
def test_a_second_copy_is_refused_and_the_existing_one_offered(second: dict[str, object]) -> None:
    worker = persona("social_worker")
    first = add_new_professional(
        actor=worker, person_id=make_person().pk, details=_details(), involvement="GP"
    )

    with pytest.raises(AlreadyInDirectory) as refused:
        add_new_professional(
            actor=worker, person_id=make_person().pk, details=_details(**second), involvement="GP"
        )

    assert refused.value.existing == first.practitioner
    assert Practitioner.objects.filter(agency__name="Millbrook Medical Centre").count() == 1
    assert NamedProfessional.objects.count() == 1


def test_a_new_professional_needs_a_way_to_reach_them() -> None:
    with pytest.raises(ValidationError) as refused:
        add_new_professional(
            actor=persona("social_worker"),
            person_id=make_person().pk,
            details=_details(phone="", secure_email="", agency_id=None, full_name=" "),
            involvement="GP",
        )

    assert refused.value.message_dict == {
        "full_name": ["Enter the professional's full name"],
        "agency": ["Choose the agency they work for from the list"],
        "phone": ["Enter a phone number or a secure email address, so others can reach them"],
    }
    with pytest.raises(ValidationError) as refused:
        add_new_professional(
            actor=persona("social_worker"),
            person_id=make_person().pk,
            details=_details(secure_email="priya at millbrook"),
            involvement="GP",
        )
    assert refused.value.message_dict == {
        "secure_email": ["Enter the secure email address in the right format, like name@school.example"]
    }
    assert not Practitioner.objects.filter(full_name="Priya Shah").exists()


def test_ending_an_involvement_keeps_it_as_past_and_is_logged() -> None:
    worker, child = persona("social_worker"), make_person()
    named = name_professional(
        actor=worker,
        person_id=child.pk,
        practitioner_id=_school_dsl_without_sign_in().pk,
        involvement="DSL",
        started=datetime.date(2026, 9, 1),
    )

    end_involvement(actor=worker, named_id=named.pk, ended=datetime.date(2026, 11, 20))

    named.refresh_from_db()
    assert named.ended == datetime.date(2026, 11, 20)
    entry = _log("end_involvement")
    assert entry.detail["ended"] == "2026-11-20"
    assert ("people.person", str(child.pk)) in _subjects(entry)
    with pytest.raises(ValidationError) as refused:
        end_involvement(actor=worker, named_id=named.pk, ended=TODAY)
    assert refused.value.messages == ["Grace Okafor's involvement has already ended"]


@pytest.mark.parametrize(
    ("ended", "message"),
    [
        (datetime.date(2026, 11, 24), "The date the involvement ended must be today or in the past"),
        (
            datetime.date(2026, 8, 31),
            "The date the involvement ended must be on or after it started, 1 September 2026",
        ),
    ],
)
def test_an_involvement_cannot_end_in_the_future_or_before_it_started(
    ended: datetime.date, message: str
) -> None:
    worker, child = persona("social_worker"), make_person()
    named = name_professional(
        actor=worker,
        person_id=child.pk,
        practitioner_id=_school_dsl_without_sign_in().pk,
        involvement="DSL",
        started=datetime.date(2026, 9, 1),
    )

    with pytest.raises(ValidationError) as refused:
        end_involvement(actor=worker, named_id=named.pk, ended=ended)

    assert refused.value.message_dict == {"ended": [message]}
    named.refresh_from_db()
    assert named.ended is None


def test_a_restricted_childs_network_is_not_found_for_an_unnamed_worker() -> None:
    child: Person = restrict(make_person()).person

    with pytest.raises(Http404):
        name_professional(
            actor=persona("social_worker"),
            person_id=child.pk,
            practitioner_id=_school_dsl_without_sign_in().pk,
            involvement="DSL",
        )
