"""A school's designated safeguarding lead disagrees with the front door's "no further
action" on their concern and escalates it as urgent; it goes straight to the team manager,
who responds; the DSL sees the response and accepts it, and the escalation closes."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from jigsaw.escalation.models import Escalation
from jigsaw.escalation.tests.helpers import decided_contact
from tests.browser.pages import Journey
from tests.factories import PASSWORD, make_person, persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_escalations(journey: Journey, page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("navigation", name="Primary navigation").get_by_role(
            "link", name="Escalations", exact=True
        ).click()
    journey.checkpoint("escalations")


def test_a_dsl_escalates_no_further_action_and_the_team_manager_responds(
    page: Page, live_server: LiveServer
) -> None:
    persona("school_dsl")
    persona("team_manager")
    child = make_person(given_names="Mia", family_name="Hartley", date_of_birth=datetime.date(2017, 6, 9))
    decided_contact(child)
    journey = Journey(page, live_server.url, "escalation")

    # The DSL escalates the decision on their concern.
    journey.sign_in("school_dsl", PASSWORD)
    _open_escalations(journey, page)
    with page.expect_navigation():
        page.get_by_role("link", name="Raise an escalation").click()
    journey.checkpoint("choose the child")
    with page.expect_navigation():
        page.get_by_role("link", name="Mia Hartley, born 9 June 2017").click()
    journey.checkpoint("escalation form")
    journey.submit("Raise the escalation", "missing answers")
    expect(page.get_by_role("alert")).to_contain_text("Choose what you are escalating")
    expect(page.get_by_role("alert")).to_contain_text("Say what outcome you are seeking")
    expect(page.get_by_label("Contact received", exact=False)).to_be_checked()
    page.get_by_label("A decision of no further action that I disagree with").check()
    page.get_by_label("What is your concern?").fill(
        "Mia has come to school hungry every day this week and has a new bruise on her arm."
    )
    page.get_by_label("What outcome are you seeking?").fill("A social worker visits the home today")
    page.get_by_label("This is urgent", exact=False).check()
    journey.submit("Raise the escalation", "raised")
    escalation = Escalation.objects.get()
    expect(page.get_by_role("alert")).to_contain_text(f"Escalation {escalation.reference} raised")
    expect(page.locator("main")).to_contain_text("Team manager, held by Team Manager Persona")
    expect(page.locator("main")).to_contain_text("Awaiting a response")
    journey.submit("Sign out", "dsl signed out")

    # The team manager finds it waiting for them and responds.
    journey.sign_in("team_manager", PASSWORD)
    _open_escalations(journey, page)
    row = page.get_by_role("row").filter(has_text=escalation.reference)
    expect(row).to_contain_text("Team manager")
    with page.expect_navigation():
        row.get_by_role("link", name=escalation.reference).click()
    journey.checkpoint("escalation to respond to")
    page.get_by_label("Your response").fill(
        "I have reviewed the decision: a social worker will visit Mia at home this afternoon."
    )
    page.get_by_label("Upheld: the concern was right and the decision changes").check()
    page.get_by_label("What has been learnt").fill("Repeated hunger with a new injury needs a visit.")
    journey.submit("Send your response", "responded")
    expect(page.get_by_role("alert")).to_contain_text("Response sent")
    journey.submit("Sign out", "manager signed out")

    # The DSL sees the response, accepts it, and the escalation closes.
    journey.sign_in("school_dsl", PASSWORD)
    _open_escalations(journey, page)
    row = page.get_by_role("row").filter(has_text=escalation.reference)
    expect(row).to_contain_text("Responded")
    with page.expect_navigation():
        row.get_by_role("link", name=escalation.reference).click()
    journey.checkpoint("the response")
    expect(page.locator("main")).to_contain_text("a social worker will visit Mia at home this afternoon")
    page.get_by_label("Yes, I accept the response").check()
    journey.submit("Send your reply", "accepted")
    expect(page.locator("main")).to_contain_text("Closed: Upheld")
