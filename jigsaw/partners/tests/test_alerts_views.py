"""The front door's emerging concerns pages, and the rules as data in the admin."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from jigsaw.access.models import AccessLogEntry
from jigsaw.partners.models import AlertRule, EmergingConcern, EmergingConcernStatus, RuleKind, SubjectRole
from jigsaw.partners.tests.test_alerts import (
    ADDRESS_RULE,
    NOW,
    UNDER_FIVE,
    arrive,
    hospital,
    make_event,
)
from jigsaw.people.models import Person
from tests.factories import make_person, persona, restrict

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _client(who: str) -> Client:
    client = Client()
    client.force_login(persona(who))
    return client


def _raised(child: Person | None = None) -> EmergingConcern:
    """Three incidents at one address with a child of three: the address rule fires."""
    child = child or make_person(given_names="Tiago", family_name="Quince", date_of_birth=UNDER_FIVE)
    for days_ago in (90, 60, 30):
        arrive(
            make_event(
                [(child, SubjectRole.HOUSEHOLD_CHILD)],
                days_ago=days_ago,
                summary=f"Incident {days_ago} days ago: neighbours heard screaming",
            )
        )
    return EmergingConcern.objects.get(person=child, rule__name=ADDRESS_RULE)


def test_the_list_shows_open_concerns_first_and_logs_the_children_named() -> None:
    older = _raised()
    handled = _raised(make_person(given_names="Ada", family_name="Handled", date_of_birth=UNDER_FIVE))
    EmergingConcern.objects.filter(pk=handled.pk).update(
        status=EmergingConcernStatus.DISMISSED, raised_at=NOW + datetime.timedelta(hours=1)
    )

    page = _client("front_door_officer").get(reverse("partners:emerging_concerns"))

    body = page.content.decode()
    assert page.status_code == 200
    assert body.index("Tiago Quince") < body.index("Ada Handled")  # open first, though older
    assert ADDRESS_RULE in body and "3 events at 14 Mill Lane" in body
    entry = AccessLogEntry.objects.filter(action="view_emerging_concerns").latest("pk")
    assert set(entry.detail["subjects"]) == {
        f"people.person:{older.person_id}",
        f"people.person:{handled.person_id}",
    }

    only_open = _client("front_door_officer").get(reverse("partners:emerging_concerns"), {"status": "open"})
    assert "Tiago Quince" in only_open.content.decode() and "Ada Handled" not in only_open.content.decode()


def test_the_detail_shows_the_rule_and_every_piece_of_evidence() -> None:
    concern = _raised()

    page = _client("team_manager").get(reverse("partners:emerging_concern", args=[concern.pk]))

    body = page.content.decode()
    assert page.status_code == 200
    assert ADDRESS_RULE in body
    assert "3 or more within 365 days, for a child under 5" in body
    for days_ago in (90, 60, 30):
        assert f"Incident {days_ago} days ago: neighbours heard screaming" in body
    assert body.count("Police incident: Domestic abuse incident") == 3
    assert body.count("Riverford Police") >= 3
    assert reverse("casework:new_contact", args=[concern.person_id]) in body
    entry = AccessLogEntry.objects.filter(action="view").latest("pk")
    assert (entry.record_type, entry.record_id) == ("partners.emergingconcern", str(concern.pk))
    assert f"people.person:{concern.person_id}" in entry.detail["subjects"]


def test_a_restricted_childs_concern_is_not_found_at_the_front_door() -> None:
    concern = _raised()
    restrict(concern.person)

    client = _client("front_door_officer")
    assert client.get(reverse("partners:emerging_concern", args=[concern.pk])).status_code == 404
    assert "Tiago Quince" not in client.get(reverse("partners:emerging_concerns")).content.decode()


@pytest.mark.parametrize("who", ["social_worker", "school_dsl", "administrator"])
def test_others_cannot_handle_a_concern(who: str) -> None:
    concern = _raised()

    response = _client(who).post(
        reverse("partners:dismiss_emerging_concern", args=[concern.pk]),
        {"dismiss-note": "Not mine to dismiss", "dismiss-version": concern.version},
    )

    assert response.status_code == 404
    concern.refresh_from_db()
    assert concern.status == EmergingConcernStatus.OPEN


def test_dismissing_needs_a_note_then_records_who_and_why() -> None:
    concern = _raised()
    client = _client("front_door_officer")
    url = reverse("partners:dismiss_emerging_concern", args=[concern.pk])

    refused = client.post(url, {"dismiss-note": "  ", "dismiss-version": concern.version})
    assert refused.status_code == 200
    assert "Enter why no action is needed" in refused.content.decode()
    concern.refresh_from_db()
    assert concern.status == EmergingConcernStatus.OPEN

    done = client.post(
        url,
        {
            "dismiss-note": "Known to early help; the lead professional is aware",
            "dismiss-version": concern.version,
        },
    )

    assert done.status_code == 302 and done["Location"] == reverse("partners:emerging_concerns")
    concern.refresh_from_db()
    assert concern.status == EmergingConcernStatus.DISMISSED
    assert concern.note == "Known to early help; the lead professional is aware"
    assert concern.handled_by == persona("front_door_officer") and concern.handled_at == NOW
    entry = AccessLogEntry.objects.filter(action="dismiss_emerging_concern").get()
    assert (entry.user_id, entry.record_id) == (persona("front_door_officer").pk, str(concern.pk))


def test_a_stale_page_is_told_of_new_evidence_instead_of_dismissing() -> None:
    concern = _raised()
    opened_version = concern.version
    arrive(make_event([(concern.person, SubjectRole.HOUSEHOLD_CHILD)], days_ago=1))  # new evidence

    response = _client("front_door_officer").post(
        reverse("partners:dismiss_emerging_concern", args=[concern.pk]),
        {"dismiss-note": "Nothing new", "dismiss-version": opened_version},
    )

    assert response.status_code == 200
    assert "Someone else saved changes to this emerging concern" in response.content.decode()
    concern.refresh_from_db()
    assert concern.status == EmergingConcernStatus.OPEN and concern.evidence.count() == 4


def test_marking_a_contact_recorded() -> None:
    concern = _raised()

    response = _client("team_manager").post(
        reverse("partners:emerging_concern_contact_recorded", args=[concern.pk]),
        {"contact-note": "Contact recorded for a decision today", "contact-version": concern.version},
    )

    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.status == EmergingConcernStatus.CONTACT_RECORDED
    assert concern.handled_by == persona("team_manager")
    assert AccessLogEntry.objects.filter(
        action="emerging_concern_contact_recorded", record_id=str(concern.pk)
    ).exists()
    # Handled: the page no longer offers to handle it again.
    page = _client("front_door_officer").get(reverse("partners:emerging_concern", args=[concern.pk]))
    assert "No action needed</button>" not in page.content.decode()
    again = _client("front_door_officer").post(
        reverse("partners:dismiss_emerging_concern", args=[concern.pk]),
        {"dismiss-note": "Twice", "dismiss-version": concern.version},
    )
    assert "This emerging concern has already been dealt with" in again.content.decode()


# Rules as data: the admin.


def test_an_administrator_adds_a_rule_and_it_fires(client: Client, administrator: User) -> None:
    client.force_login(administrator)
    response = client.post(
        "/admin/partners/alertrule/add/",
        {
            "name": "Two A&E attendances in a month for a baby",
            "kind": RuleKind.EVENTS_AT_ADDRESS,
            "event_types": '["health_attendance:a_and_e"]',
            "minimum": "2",
            "window_days": "30",
            "child_under_age": "1",
            "active": "on",
        },
    )
    assert response.status_code == 302
    rule = AlertRule.objects.get(name="Two A&E attendances in a month for a baby")
    assert rule.event_types == ["health_attendance:a_and_e"]

    baby = make_person(date_of_birth=datetime.date(2026, 6, 1))
    for days_ago in (20, 2):
        arrive(
            make_event(
                [(baby, SubjectRole.PATIENT)],
                agency=hospital(),
                kind="health_attendance",
                subtype="a_and_e",
                days_ago=days_ago,
            )
        )
    assert EmergingConcern.objects.filter(rule=rule, person=baby, status="open").count() == 1


@pytest.mark.parametrize(
    ("kind", "event_types", "minimum", "message"),
    [
        (
            "events_at_address",
            '["police_incident:burglary"]',
            "3",
            "Not a known kind or kind:subtype: police_incident:burglary",
        ),
        ("events_at_address", '["fire_service"]', "3", "Not a known kind or kind:subtype: fire_service"),
        ("events_at_address", '"police_incident"', "3", "Enter a list, like"),
        ("events_at_address", "[]", "3", "Name the events this rule counts"),
        (
            "combination",
            '["police_incident", "was_not_brought"]',
            "3",
            "A combination of 2 kinds of event cannot need 3 of them",
        ),
        ("agencies", "[]", "0", "The minimum must be 1 or more"),
    ],
)
def test_the_admin_refuses_a_rule_that_could_not_fire_as_meant(
    client: Client, administrator: User, kind: str, event_types: str, minimum: str, message: str
) -> None:
    client.force_login(administrator)
    response = client.post(
        "/admin/partners/alertrule/add/",
        {
            "name": "A bad rule",
            "kind": kind,
            "event_types": event_types,
            "minimum": minimum,
            "window_days": "30",
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AlertRule.objects.filter(name="A bad rule").exists()


def test_an_agencies_rule_may_count_every_event(client: Client, administrator: User) -> None:
    client.force_login(administrator)
    response = client.post(
        "/admin/partners/alertrule/add/",
        {
            "name": "Three agencies in a fortnight",
            "kind": "agencies",
            "event_types": "[]",
            "minimum": "3",
            "window_days": "14",
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert AlertRule.objects.get(name="Three agencies in a fortnight").event_types == []


def test_only_administrators_open_the_rules(client: Client, front_door_officer: User) -> None:
    client.force_login(front_door_officer)
    assert client.get("/admin/partners/alertrule/").status_code == 302
