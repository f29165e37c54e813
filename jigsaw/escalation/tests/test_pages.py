"""The escalation pages: raising one, the holder's response and the originator's reply
through the forms, who may open what (a partner only what they are part of; social care by
the access policy), the procedure page generated from the policy, and the oversight report
with its export."""

from __future__ import annotations

import csv
import io

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from jigsaw.access.models import AccessLogEntry
from jigsaw.escalation.models import Escalation, EscalationPolicy, EscalationStatus
from jigsaw.escalation.tests.helpers import at, decided_contact, raise_nfa
from jigsaw.partners.models import NamedProfessional
from tests.factories import make_person, persona, restrict

pytestmark = pytest.mark.django_db


def _signed_in(client: Client, who: str) -> Client:
    client.force_login(persona(who))
    return client


def test_a_dsl_raises_an_escalation_of_a_no_further_action_decision(client: Client) -> None:
    person = make_person(given_names="Lily", family_name="Brookes")
    contact = decided_contact(person)
    _signed_in(client, "school_dsl")

    chooser = client.get(reverse("escalation:choose_child"))
    assert "Lily Brookes" in chooser.content.decode()  # the child of their own concern
    page = client.get(reverse("escalation:raise", args=[person.pk]))
    assert "No further action" in page.content.decode()

    refused = client.post(
        reverse("escalation:raise", args=[person.pk]), {"decision": f"contact:{contact.pk}"}
    )
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "There is a problem" in text
    assert "Choose what you are escalating" in text
    assert "Say what the concern is and why you think it has not been dealt with" in text
    assert "Say what outcome you are seeking" in text

    response = client.post(
        reverse("escalation:raise", args=[person.pk]),
        {
            "decision": f"contact:{contact.pk}",
            "kind": "nfa",
            "concern": "Still hungry every day",
            "outcome_sought": "An assessment",
        },
    )
    escalation = Escalation.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "escalation:detail", args=[escalation.pk]
    )
    assert escalation.contact == contact and escalation.holder == persona("front_door_officer")
    detail = client.get(response["Location"]).content.decode()
    assert "Awaiting a response" in detail and "Practitioner to practitioner" in detail


def test_the_holder_responds_and_the_dsl_takes_it_on_then_accepts(client: Client) -> None:
    escalation = raise_nfa()
    officer = _signed_in(Client(), "front_door_officer")
    page = officer.get(reverse("escalation:detail", args=[escalation.pk])).content.decode()
    assert "Your response" in page
    missing = officer.post(reverse("escalation:respond", args=[escalation.pk]), {"version": "1"})
    assert "Enter your response" in missing.content.decode()
    officer.post(
        reverse("escalation:respond", args=[escalation.pk]),
        {
            "version": "1",
            "response": "No role for social care",
            "outcome": "not_upheld",
            "learning": "None yet",
        },
    )
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.AWAITING_REPLY

    dsl = _signed_in(client, "school_dsl")
    assert "Your reply" in dsl.get(reverse("escalation:detail", args=[escalation.pk])).content.decode()
    no_reason = dsl.post(
        reverse("escalation:reply", args=[escalation.pk]), {"version": "2", "decision": "go_on"}
    )
    assert "Say why the response does not resolve your concern" in no_reason.content.decode()
    dsl.post(
        reverse("escalation:reply", args=[escalation.pk]),
        {"version": "2", "decision": "go_on", "comment": "The child is still hungry"},
    )
    escalation.refresh_from_db()
    assert escalation.stage.name == "Team manager" and escalation.holder == persona("team_manager")

    manager = _signed_in(Client(), "team_manager")
    assert [e.pk for e in _awaiting(manager)] == [escalation.pk]  # on the manager's list
    manager.post(
        reverse("escalation:respond", args=[escalation.pk]),
        {"version": "3", "response": "We will assess", "outcome": "upheld", "learning": "Hunger is neglect"},
    )
    stale = dsl.post(
        reverse("escalation:reply", args=[escalation.pk]), {"version": "3", "decision": "accept"}
    )
    assert stale.status_code == 302
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.AWAITING_REPLY  # the stale reply changed nothing
    dsl.post(reverse("escalation:reply", args=[escalation.pk]), {"version": "4", "decision": "accept"})
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.CLOSED and escalation.outcome == "upheld"
    seen = dsl.get(reverse("escalation:list")).content.decode()
    assert escalation.reference in seen and "Closed: Upheld" in seen


def _awaiting(client: Client) -> list[Escalation]:
    response = client.get(reverse("escalation:list"))
    return list(response.context["awaiting"])


def test_who_may_open_an_escalation(client: Client) -> None:
    escalation = raise_nfa()
    url = reverse("escalation:detail", args=[escalation.pk])
    expected = {
        "school_dsl": 200,  # raised it
        "front_door_officer": 200,  # holds it
        "social_worker": 200,  # social care, and may see the child
        "team_manager": 200,
        "gp": 404,  # a partner who is not part of it
        "police_officer": 404,
        "analyst": 404,  # the report, not the escalation
        "partnership_member": 404,
    }
    for who, status in expected.items():
        assert _signed_in(Client(), who).get(url).status_code == status, who
    entry = AccessLogEntry.objects.filter(action="view_escalation", record_id=str(escalation.pk)).first()
    assert entry is not None and entry.detail["subjects"][1] == f"people.person:{escalation.person_id}"


def test_a_restricted_childs_escalation_is_hidden_from_social_care_not_part_of_it() -> None:
    escalation = raise_nfa()
    restrict(escalation.person)
    url = reverse("escalation:detail", args=[escalation.pk])
    assert _signed_in(Client(), "social_worker").get(url).status_code == 404
    # The holder and the originator still see it, without the link to the child's record.
    page = _signed_in(Client(), "school_dsl").get(url)
    assert page.status_code == 200
    assert reverse("people:detail", args=[escalation.person_id]) not in page.content.decode()


def test_a_named_partner_sees_the_childs_record_link() -> None:
    escalation = raise_nfa()
    dsl = persona("school_dsl")
    url = reverse("escalation:detail", args=[escalation.pk])
    child_link = reverse("people:detail", args=[escalation.person_id])
    assert child_link not in _signed_in(Client(), "school_dsl").get(url).content.decode()
    NamedProfessional.objects.create(
        person=escalation.person, practitioner=dsl.practitioner, involvement="DSL"
    )
    assert child_link in _signed_in(Client(), "school_dsl").get(url).content.decode()


def test_the_procedure_page_is_the_policy_itself() -> None:
    client = _signed_in(Client(), "gp")
    page = client.get(reverse("escalation:procedure")).content.decode()
    for text in (
        "Practitioner to practitioner: 2 working days",
        "Team manager: 2 working days",
        "Service manager: 5 working days",
        "Head of service: 5 working days",
        "Partnership chair: 10 working days",
        "Urgent concerns start here",
    ):
        assert text in page
    # A stage meant for a named person, with nobody named yet, says who answers meanwhile.
    assert page.count("a team manager of the agency concerned, until somebody is named for this stage") == 3
    # The partnership changes a deadline in the admin site: the page and the software follow.
    policy = EscalationPolicy.objects.get(in_force=True)
    policy.stages.filter(name="Practitioner to practitioner").update(working_days=3)
    page = client.get(reverse("escalation:procedure")).content.decode()
    assert "Practitioner to practitioner: 3 working days" in page
    assert "Practitioner to practitioner: 2 working days" not in page
    with time_machine.travel(at(2026, 3, 2), tick=False):
        assert raise_nfa().stage_due_on.isoformat() == "2026-03-05"


def test_the_procedure_names_the_holders_and_how_to_reach_them() -> None:
    from jigsaw.escalation.tests.helpers import name_senior_holders

    name_senior_holders()
    page = _signed_in(Client(), "school_dsl").get(reverse("escalation:procedure")).content.decode()
    assert "Service manager Persona, Service manager, 01632 960111" in page
    assert "Every agency: Partnership Member Persona" in page
    assert "until somebody is named for this stage" not in page


def test_the_oversight_report_and_its_export() -> None:
    with time_machine.travel(at(2026, 3, 2), tick=False):
        open_one = raise_nfa()
        closed = raise_nfa()
        from jigsaw.escalation.actions import accept_response, respond

        closed = respond(
            actor=persona("front_door_officer"),
            escalation_id=closed.pk,
            expected_version=1,
            response="Reviewed",
            outcome="upheld",
            learning="Ask the school what it sees",
        )
    with time_machine.travel(at(2026, 3, 6), tick=False):
        accept_response(actor=persona("school_dsl"), escalation_id=closed.pk, expected_version=2)
    restrict(open_one.person)

    with time_machine.travel(at(2026, 3, 9), tick=False):
        manager = _signed_in(Client(), "team_manager")
        page = manager.get(reverse("escalation:report"))
        rows = {r.reference: r for r in page.context["rows"]}
        assert rows[closed.reference].working_days_to_resolution == 4
        assert rows[closed.reference].outcome.startswith("Upheld")
        assert rows[closed.reference].person_id == closed.person_id  # one click to the child
        assert rows[open_one.reference].person_id is None  # restricted: no link
        assert rows[open_one.reference].overdue
        summary = page.context["summary"]
        assert (summary.total, summary.open, summary.overdue) == (2, 1, 1)
        assert summary.by_agency == [("Riverside Primary School", 2)]

        analyst = _signed_in(Client(), "analyst").get(reverse("escalation:report"))
        assert all(r.person_id is None and not r.may_open for r in analyst.context["rows"])

        export = _signed_in(Client(), "partnership_member").get(reverse("escalation:report_csv"))
    assert export["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert lines[0][0] == "Reference" and lines[0][-1] == "Working days to resolution"
    exported = {line[0]: line for line in lines[1:]}
    assert exported[closed.reference][-3:] == [exported[closed.reference][-3], "2026-03-06", "4"]
    assert exported[open_one.reference][-1] == ""
    assert AccessLogEntry.objects.filter(action="export_escalation_report").count() == 1
    assert _signed_in(Client(), "school_dsl").get(reverse("escalation:report")).status_code == 403
