from __future__ import annotations

import datetime
import io
import json

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from jigsaw.access.models import AccessLogEntry, SubjectAccessRequest
from jigsaw.access.subject_access import one_month_after, record_request
from jigsaw.partners.models import NamedProfessional
from jigsaw.people import actions
from jigsaw.people.actions import AddressDetails, PersonDetails

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (datetime.date(2026, 1, 15), datetime.date(2026, 2, 15)),
        (datetime.date(2026, 1, 31), datetime.date(2026, 2, 28)),
        (datetime.date(2026, 12, 10), datetime.date(2027, 1, 10)),
    ],
)
def test_the_deadline_is_one_calendar_month(received: datetime.date, due: datetime.date) -> None:
    assert one_month_after(received) == due


def test_only_the_dpo_records_requests(social_worker: User, data_protection_officer: User) -> None:
    from django.core.exceptions import PermissionDenied

    child = actions.create_person(actor=social_worker, details=PersonDetails(family_name="Kouao"))
    with pytest.raises(PermissionDenied):
        record_request(
            actor=social_worker,
            person_id=child.pk,
            requested_by="Mother",
            received_on=datetime.date(2026, 1, 1),
        )
    with pytest.raises(ValidationError):
        record_request(
            actor=data_protection_officer,
            person_id=child.pk,
            requested_by=" ",
            received_on=datetime.date(2026, 1, 1),
        )


def test_the_export_holds_everything_and_flags_third_parties(
    client: Client, social_worker: User, school_dsl: User, data_protection_officer: User
) -> None:
    child = actions.create_person(
        actor=social_worker,
        details=PersonDetails(
            given_names="Anna", family_name="Kouao", date_of_birth=datetime.date(2015, 11, 2)
        ),
        address=AddressDetails(line_1="12 Canal Street", town="Riverford", postcode="M1 1AE"),
    )
    aunt = actions.create_person(
        actor=social_worker, details=PersonDetails(given_names="Marie", family_name="Kouao")
    )
    actions.add_relationship(actor=social_worker, person_id=child.pk, relative_id=aunt.pk, kind="carer")
    actions.add_other_name(
        actor=social_worker, person_id=child.pk, family_name="Climbié", given_names="Victoria"
    )
    NamedProfessional.objects.create(person=child, practitioner=school_dsl.practitioner, involvement="DSL")

    client.force_login(data_protection_officer)
    response = client.post(
        reverse("access:new_subject_access_request"),
        {
            "person": child.pk,
            "requested_by": "Anna Kouao",
            "received_on_day": "3",
            "received_on_month": "11",
            "received_on_year": "2026",
        },
    )
    assert response.status_code == 302
    sar = SubjectAccessRequest.objects.get()
    assert sar.due_on == datetime.date(2026, 12, 3)

    data = json.loads(client.get(reverse("access:subject_access_export", args=[sar.pk, "json"])).content)
    assert data["person"]["family_name"] == "Kouao"
    kinds = {(i["kind"], i["third_party"]) for i in data["items"]}
    assert ("other name", False) in kinds
    assert ("address", False) in kinds
    assert ("relationship", True) in kinds
    assert ("professional", True) in kinds
    assert {"agency": "Riverford Children's Social Care", "action": "create", "times": 1} in data[
        "processing"
    ]

    pdf = client.get(reverse("access:subject_access_export", args=[sar.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Information held about Anna Kouao" in text
    assert "Climbié" in text
    sar.refresh_from_db()
    assert sar.status == "exported"
    assert AccessLogEntry.objects.filter(action="export", record_id=str(child.pk)).count() == 2
