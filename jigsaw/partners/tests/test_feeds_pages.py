"""The partner feeds' pages: the upload with its line-by-line report, the template file, the
agency's deliveries, the administrators' token page and the issue_api_token command."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from jigsaw.partners.models import AgencyKind, ApiClient, EventImport, PartnerEvent
from jigsaw.partners.queries.feeds import client_for_token
from tests.factories import make_agency, persona

pytestmark = pytest.mark.django_db

HEADER = (
    "reference,date,type,address,postcode,role,given_name,family_name,date_of_birth,sex,nhs_number,summary\n"
)


@pytest.fixture
def police_officer(db: None) -> User:
    return persona("police_officer")


# The test client's response: django-stubs types it with a private class.
def upload(client: Client, text: str, name: str = "incidents.csv") -> Any:
    return client.post(
        reverse("partners:upload_events", args=["police-incidents"]),
        {"file": SimpleUploadedFile(name, text.encode(), content_type="text/csv")},
        follow=True,
    )


def test_a_good_file_ends_on_what_happened(client: Client, police_officer: User) -> None:
    client.force_login(police_officer)

    response = upload(client, HEADER + "INC-1,20/11/2026 21:40,domestic abuse,,,victim,Grace,Mensah,,,,\n")

    delivery = EventImport.objects.get()
    assert response.redirect_chain == [(reverse("partners:delivery", args=[delivery.pk]), 302)]
    assert "1 new event received" in response.content.decode()
    assert PartnerEvent.objects.get().source_id == "INC-1"

    again = upload(client, HEADER + "INC-1,20/11/2026 21:40,domestic abuse,,,victim,Grace,Mensah,,,,\n")

    page = again.content.decode()
    assert "Nothing new in this file" in page
    assert "1 had been received before and was not saved again" in page


def test_a_bad_file_lists_every_line_to_put_right(client: Client, police_officer: User) -> None:
    client.force_login(police_officer)

    response = upload(
        client,
        HEADER
        + "INC-1,20/11/2026 21:40,domestic abuse,,,victim,Grace,Mensah,31/02/1990,,,\n"
        + "INC-2,20/11/2026 21:40,domestic abuse,,,stranger,Sam,Lee,,,,\n",
    )

    page = response.content.decode()
    assert "Nothing was saved: 2 problems to put right" in page
    assert "Date of birth 31/02/1990 is not a date" in page
    assert "Role stranger is not one of: victim, alleged perpetrator, child present, child, adult" in page
    assert not PartnerEvent.objects.exists()
    assert not EventImport.objects.get().accepted


def test_no_file_is_asked_for_in_words(client: Client, police_officer: User) -> None:
    client.force_login(police_officer)

    response = client.post(reverse("partners:upload_events", args=["police-incidents"]), {})

    assert response.status_code == 200
    assert "Choose the CSV file to upload" in response.content.decode()
    assert not EventImport.objects.exists()


def test_the_template_file_has_the_columns(client: Client, police_officer: User) -> None:
    client.force_login(police_officer)

    response = client.get(reverse("partners:feed_template", args=["police-incidents"]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode().splitlines()[0] == HEADER.strip()


def test_the_deliveries_page_shows_only_the_agencys_own(client: Client, police_officer: User) -> None:
    client.force_login(police_officer)
    upload(client, HEADER + "INC-1,20/11/2026 21:40,domestic abuse,,,victim,Grace,Mensah,,,,\n", "mine.csv")
    client.force_login(persona("school_dsl"))
    header = "reference,date,type,given_name,family_name\n"
    client.post(
        reverse("partners:upload_events", args=["school-attendance"]),
        {"file": SimpleUploadedFile("theirs.csv", (header + "S-1,20/11/2026,cme,Anna,Mensah\n").encode())},
    )
    theirs = EventImport.objects.get(filename="theirs.csv")

    client.force_login(police_officer)
    page = client.get(reverse("partners:feeds")).content.decode()

    assert "mine.csv" in page and "theirs.csv" not in page
    assert client.get(reverse("partners:delivery", args=[theirs.pk])).status_code == 404


def test_an_administrator_sees_a_new_token_once_and_can_revoke_it(
    client: Client, administrator: User
) -> None:
    police = make_agency("Riverford Police", AgencyKind.POLICE)
    client.force_login(administrator)

    response = client.post(
        reverse("partners:api_tokens"),
        {"agency": police.pk, "name": "Niche RMS", "scopes": ["events:police_incident"]},
    )

    page = response.content.decode()
    token = page.split('<code id="issued-token">')[1].split("</code>")[0]
    client_record = ApiClient.objects.get()
    assert client_for_token(token) == client_record
    assert "no-store" in response["Cache-Control"]
    assert token not in client.get(reverse("partners:api_tokens")).content.decode()

    client.post(reverse("partners:revoke_api_token", args=[client_record.pk]))

    assert client_for_token(token) is None


def test_a_token_for_more_than_the_agency_sends_is_refused_on_the_form(
    client: Client, administrator: User
) -> None:
    school = make_agency("Riverside Primary School", AgencyKind.SCHOOL)
    client.force_login(administrator)

    response = client.post(
        reverse("partners:api_tokens"),
        {"agency": school.pk, "name": "MIS", "scopes": ["events:police_incident"]},
    )

    assert "Riverside Primary School may send school attendance: a token may not send more" in (
        response.content.decode()
    )
    assert not ApiClient.objects.exists()


def test_the_command_prints_the_token_once(db: None) -> None:
    make_agency("Riverford Police", AgencyKind.POLICE)
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "issue_api_token",
        agency="riverford police",
        name="Niche RMS",
        scope=["police_incident"],
        stdout=out,
        stderr=err,
    )

    token = out.getvalue().strip()
    client_record = client_for_token(token)
    assert client_record is not None and client_record.scopes == ["events:police_incident"]
    assert client_record.created_by is None
    assert "not shown again" in err.getvalue()
