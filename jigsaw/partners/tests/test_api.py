"""The partner events API (issue 5, item 4): a bearer token per agency system, scopes per
kind of event, all-or-nothing batches with every problem reported, idempotent on the
sender's source ID."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
import time_machine
from django.test import Client

from jigsaw.access.models import AccessLogEntry
from jigsaw.casework.models import ChronologyEntry
from jigsaw.partners.actions.feeds import issue_api_token, revoke_api_token
from jigsaw.partners.models import AgencyKind, ApiClient, EventImport, EventSubject, FeedScope, PartnerEvent
from jigsaw.people.models import Address, Residence
from tests.factories import make_agency, make_person, persona

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def token_for(agency_kind: str = AgencyKind.POLICE, name: str = "Riverford Police", *scopes: str) -> str:
    agency = make_agency(name, agency_kind)
    _, token = issue_api_token(
        actor=persona("administrator"),
        agency=agency,
        name="Niche RMS",
        scopes=list(scopes) or [FeedScope.POLICE_INCIDENTS],
    )
    return token


def post(client: Client, path: str, body: Any, token: str | None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(
        f"/api/events/{path}", data=json.dumps(body), content_type="application/json", headers=headers
    )


def incident(source_id: str = "INC-1", **fields: Any) -> dict[str, Any]:
    return {
        "source_id": source_id,
        "occurred_at": "2026-11-22T21:40:00",
        "subtype": "domestic_abuse",
        "address_line_1": "12 Canal Street",
        "postcode": "rf12ab",
        "summary": "Neighbour reported shouting",
        "persons": [
            {"role": "victim", "given_name": "Grace", "family_name": "Mensah", "date_of_birth": "1990-06-01"}
        ],
        "children_present": [
            {
                "given_name": "Anna",
                "family_name": "Mensah",
                "date_of_birth": "2015-11-02",
                "nhs_number": "943 476 5919",
            }
        ],
    } | fields


def test_without_a_token_or_with_a_wrong_one_the_answer_is_401(client: Client) -> None:
    token_for()
    assert post(client, "police-incidents", {"events": [incident()]}, None).status_code == 401
    assert post(client, "police-incidents", {"events": [incident()]}, "jgs_not-a-token").status_code == 401
    assert not PartnerEvent.objects.exists()


def test_a_revoked_token_is_refused(client: Client) -> None:
    token = token_for()
    revoke_api_token(actor=persona("administrator"), client=ApiClient.objects.get())

    response = post(client, "police-incidents", {"events": [incident()]}, token)

    assert response.status_code == 401
    assert not EventImport.objects.exists()


def test_a_token_without_the_kinds_scope_gets_403(client: Client) -> None:
    token = token_for(AgencyKind.ACUTE_HEALTH, "Riverford General Hospital", FeedScope.HEALTH_ATTENDANCES)

    response = post(client, "police-incidents", {"events": [incident()]}, token)

    assert response.status_code == 403
    assert response.json() == {"detail": "This token may not send police incidents"}


def test_a_batch_is_written_matched_and_answered_per_event(client: Client) -> None:
    anna = make_person(
        given_names="Anna",
        family_name="Mensah",
        date_of_birth=datetime.date(2015, 11, 2),
        nhs_number="9434765919",
    )
    kofi = make_person(given_names="Kofi", family_name="Mensah", date_of_birth=datetime.date(2022, 3, 14))
    address = Address.objects.create(line_1="12 canal street", town="Riverford", postcode="RF1 2AB")
    Residence.objects.create(person=kofi, address=address)
    token = token_for()

    response = post(
        client, "police-incidents", {"events": [incident(), incident("INC-2", children_present=[])]}, token
    )

    assert response.status_code == 200, response.content
    body = response.json()
    delivery = EventImport.objects.get()
    assert body == {
        "delivery_id": delivery.pk,
        "created": 2,
        "already_received": 0,
        "results": [
            {"source_id": "INC-1", "status": "created", "people_named": 2, "people_matched": 1},
            {"source_id": "INC-2", "status": "created", "people_named": 1, "people_matched": 0},
        ],
    }
    assert delivery.via_api and delivery.api_client == ApiClient.objects.get()
    event = PartnerEvent.objects.get(source_id="INC-1")
    assert event.payload["format"] == "api"
    assert event.payload["event"]["children_present"][0]["nhs_number"] == "943 476 5919"
    assert EventSubject.objects.get(event=event, person=anna).role == "child_present"
    # Kofi lives at the address: a household child of both incidents, in his chronology twice.
    assert EventSubject.objects.filter(person=kofi, role="household_child").count() == 2
    assert ChronologyEntry.objects.filter(person=kofi).count() == 2
    assert ChronologyEntry.objects.filter(person=anna).count() == 1
    assert ApiClient.objects.get().last_used_at == NOW
    entry = AccessLogEntry.objects.get(action="receive_partner_events")
    assert entry.user is None and entry.detail["via"] == "api" and entry.detail["new"] == 2


def test_sending_again_writes_nothing_new(client: Client) -> None:
    token = token_for()
    post(client, "police-incidents", {"events": [incident()]}, token)

    response = post(client, "police-incidents", {"events": [incident(), incident("INC-3")]}, token)

    assert response.status_code == 200
    assert [(r["source_id"], r["status"]) for r in response.json()["results"]] == [
        ("INC-1", "already_received"),
        ("INC-3", "created"),
    ]
    assert PartnerEvent.objects.count() == 2


def test_one_bad_event_rejects_the_batch_with_every_problem(client: Client) -> None:
    token = token_for()
    bad = incident(
        "INC-2",
        postcode="nowhere",
        occurred_at="2027-01-01T10:00:00",
        children_present=[{"family_name": "Mensah", "nhs_number": "1234567890"}],
    )

    response = post(client, "police-incidents", {"events": [incident(), bad, incident()]}, token)

    assert response.status_code == 422
    assert [(e["loc"], e["msg"]) for e in response.json()["detail"]] == [
        (["body", "events", 1, "postcode"], "postcode nowhere is not a postcode"),
        (
            ["body", "events", 1, "children_present", 0, "nhs_number"],
            "NHS number 1234567890 is not a valid NHS number",
        ),
        (["body", "events", 1, "occurred_at"], "the date 01/01/2027 is in the future"),
        (["body", "events", 2, "source_id"], "the same source ID is event 0 of this batch"),
    ]
    assert not PartnerEvent.objects.exists()
    delivery = EventImport.objects.get()
    assert not delivery.accepted and delivery.rows == 3
    assert delivery.errors[0] == {
        "message": "postcode nowhere is not a postcode",
        "item": 1,
        "field": "postcode",
    }


def test_a_batch_that_does_not_fit_the_schema_is_422(client: Client) -> None:
    token = token_for()

    response = post(client, "police-incidents", {"events": [incident(subtype="burglary")]}, token)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "subtype"
    assert post(client, "police-incidents", {"events": []}, token).status_code == 422


def test_a_sender_reads_back_only_its_own_events(client: Client) -> None:
    token = token_for()
    post(client, "police-incidents", {"events": [incident("INC/7")]}, token)
    other = token_for(AgencyKind.POLICE, "Neighbouring Police", FeedScope.POLICE_INCIDENTS)

    mine = client.get("/api/events/police-incidents/INC/7", headers={"Authorization": f"Bearer {token}"})
    theirs = client.get("/api/events/police-incidents/INC/7", headers={"Authorization": f"Bearer {other}"})

    assert mine.status_code == 200
    assert mine.json() | {"received_at": None} == {
        "source_id": "INC/7",
        "kind": "police_incident",
        "subtype": "domestic_abuse",
        "occurred_at": "2026-11-22T21:40:00Z",
        "received_at": None,
        "delivery_id": EventImport.objects.get().pk,
        "people_named": 2,
        "people_matched": 0,
    }
    assert theirs.status_code == 404
    assert client.get("/api/events/police-incidents/INC/7").status_code == 401


def test_the_description_is_public_and_the_endpoints_need_no_sign_in(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()

    assert set(schema["paths"]) == {
        "/api/events/police-incidents",
        "/api/events/health-attendances",
        "/api/events/school-attendance",
        "/api/events/was-not-brought",
        "/api/events/{kind}/{source_id}",
    }
    docs = client.get("/api/docs").content.decode()
    assert "Jigsaw partner events API" in docs
    assert "<code>POST /api/events/police-incidents</code>" in docs
    assert "INC-2026-0001" in docs  # the example batch
