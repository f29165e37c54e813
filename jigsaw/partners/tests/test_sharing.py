"""Sharing on a lawful basis: the disclosure helper picks the agreement in force, the
agreements are listed with an overdue review flagged, and a child's disclosure log is for
social care and for the data protection officer (who audits without opening the record)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from jigsaw.access.models import AccessLogEntry
from jigsaw.partners.actions.network import record_disclosure
from jigsaw.partners.models import (
    Agency,
    AgencyKind,
    ConsentStatus,
    Disclosure,
    DisclosureKind,
    InformationSharingAgreement,
    LegalBasis,
)
from tests.factories import make_agency, make_person, persona, restrict

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _monday_morning() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _client(who: str) -> Client:
    client = Client()
    client.force_login(persona(who))
    return client


def _agreement(reference: str, *agencies: Agency, **fields: object) -> InformationSharingAgreement:
    values: dict[str, object] = {
        "title": f"Agreement {reference}",
        "reference": reference,
        "purpose": "Safeguarding children at risk of harm",
        "legal_basis": LegalBasis.PUBLIC_TASK,
        "starts_on": datetime.date(2025, 4, 1),
    }
    values.update(fields)
    agreement = InformationSharingAgreement.objects.create(**values)
    agreement.agencies.set(agencies)
    return agreement


def _school() -> Agency:
    return make_agency("Riverside Primary School", AgencyKind.SCHOOL)


def _disclose(**fields: object) -> Disclosure:
    values: dict[str, object] = {
        "person": make_person(),
        "kind": DisclosureKind.FLAG_ANSWER,
        "recipient": persona("school_dsl"),
        "recipient_agency": _school(),
        "purpose": "Answering a flag check: is the child known?",
        "legal_basis": LegalBasis.SAFEGUARDING_CHILDREN,
        "consent": ConsentStatus.NOT_SOUGHT,
    }
    values.update(fields)
    return record_disclosure(**values)  # type: ignore[arg-type]


def test_a_disclosure_records_the_agreement_in_force_between_social_care_and_the_recipient() -> None:
    school, csc = _school(), make_agency()
    _agreement("OLD", csc, school, starts_on=datetime.date(2020, 1, 1), ends_on=datetime.date(2025, 3, 31))
    _agreement("POLICE-ONLY", csc, make_agency("Riverford Police", AgencyKind.POLICE))
    _agreement("SCHOOLS-ONLY", school, make_agency("Millbrook Primary School", AgencyKind.SCHOOL))
    current = _agreement("CURRENT", csc, school)
    _agreement("FUTURE", csc, school, starts_on=datetime.date(2027, 1, 1))
    person = make_person()

    disclosure = _disclose(person=person, source=person)

    assert disclosure.agreement == current
    assert disclosure.disclosed_at == NOW
    assert (disclosure.source_type, disclosure.source_id) == ("people.person", str(person.pk))
    assert disclosure.recipient == persona("school_dsl")


def test_a_disclosure_without_an_agreement_is_still_recorded_with_its_basis() -> None:
    disclosure = _disclose(recipient=None)

    assert disclosure.agreement is None
    assert disclosure.recipient is None
    assert (disclosure.legal_basis, disclosure.consent) == (
        LegalBasis.SAFEGUARDING_CHILDREN,
        ConsentStatus.NOT_SOUGHT,
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [("kind", "gossip"), ("legal_basis", "because"), ("consent", "maybe"), ("purpose", " ")],
)
def test_a_disclosure_outside_the_choices_is_a_programming_error(field: str, value: str) -> None:
    with pytest.raises(ValueError, match=r"Unknown|purpose"):
        _disclose(**{field: value})

    assert not Disclosure.objects.exists()


def test_everyone_signed_in_reads_the_agreements_with_an_overdue_review_flagged() -> None:
    csc, school = make_agency(), _school()
    overdue = _agreement(
        "RSCP-1", csc, school, review_by=datetime.date(2026, 10, 1), title="Partnership agreement"
    )
    _agreement("MASH-2", csc, school, review_by=datetime.date(2027, 9, 1), title="MASH protocol")

    page = _client("gp").get(reverse("partners:agreements")).content.decode()
    detail = _client("analyst").get(reverse("partners:agreement", args=[overdue.pk])).content.decode()

    rows = page.split('<tr class="govuk-table__row">')
    mash = next(r for r in rows if "MASH protocol" in r)
    partnership = next(r for r in rows if "Partnership agreement" in r)
    assert "Review overdue" in partnership and "Review overdue" not in mash
    assert "The review of this agreement was due by 1 October 2026 and is overdue." in detail
    assert "Riverside Primary School" in detail
    assert "Public task" in detail


def test_social_care_reads_a_childs_disclosure_log_and_the_look_is_logged() -> None:
    disclosure = _disclose()
    url = reverse("partners:disclosures", args=[disclosure.person_id])

    body = _client("social_worker").get(url).content.decode()

    assert "Flag check answer" in body
    assert "Answering a flag check: is the child known?" in body
    assert "Safeguarding children at risk" in body
    assert "Not sought: asking would put the child at risk" in body
    assert "School Dsl Persona" in body and "Riverside Primary School" in body
    entry = AccessLogEntry.objects.get(action="view_disclosures")
    assert (entry.user, entry.record_type, entry.record_id) == (
        persona("social_worker"),
        "people.person",
        str(disclosure.person_id),
    )


def test_the_data_protection_officer_audits_a_restricted_childs_sharing_without_opening_the_record() -> None:
    disclosure = _disclose()
    restrict(disclosure.person)
    url = reverse("partners:disclosures", args=[disclosure.person_id])

    dpo = _client("data_protection_officer").get(url)
    worker = _client("social_worker").get(url)

    assert dpo.status_code == 200
    assert "Answering a flag check: is the child known?" in dpo.content.decode()
    # No link into the record the officer may not open.
    assert reverse("people:detail", args=[disclosure.person_id]) not in dpo.content.decode()
    assert worker.status_code == 404
    assert AccessLogEntry.objects.filter(action="view_disclosures").count() == 1


@pytest.mark.parametrize("who", ["school_dsl", "gp", "analyst", "administrator"])
def test_partners_and_others_may_not_read_a_disclosure_log(who: str) -> None:
    disclosure = _disclose()

    response = _client(who).get(reverse("partners:disclosures", args=[disclosure.person_id]))

    assert response.status_code == 403
    assert not AccessLogEntry.objects.filter(action="view_disclosures").exists()


def test_the_administrator_keeps_the_agreements_and_reads_the_disclosures_in_the_admin() -> None:
    csc, school = make_agency(), _school()
    disclosure = _disclose()
    client = _client("administrator")

    added = client.post(
        "/admin/partners/informationsharingagreement/add/",
        {
            "title": "Riverford partnership agreement",
            "reference": "RSCP-ISA-09",
            "purpose": "Safeguarding children",
            "legal_basis": LegalBasis.PUBLIC_TASK,
            "starts_on": "2026-04-01",
            "review_by": "2027-04-01",
            "agencies": [csc.pk, school.pk],
        },
    )

    assert added.status_code == 302
    agreement = InformationSharingAgreement.objects.get(reference="RSCP-ISA-09")
    assert set(agreement.agencies.all()) == {csc, school}
    assert client.get("/admin/partners/disclosure/").status_code == 200
    assert client.get(f"/admin/partners/disclosure/{disclosure.pk}/change/").status_code == 200
    assert client.get("/admin/partners/disclosure/add/").status_code == 403
    assert (
        client.post(f"/admin/partners/disclosure/{disclosure.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert Disclosure.objects.filter(pk=disclosure.pk).exists()
