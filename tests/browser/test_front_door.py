"""A school's concern reaches the front door: recorded, decided, authorised by a manager."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.pages import Journey
from tests.factories import PASSWORD, make_person, persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_contact_decision_and_authorisation(page: Page, live_server: LiveServer) -> None:
    persona("front_door_officer")
    persona("team_manager")
    child = make_person(given_names="Peter", family_name="Connelly", date_of_birth=datetime.date(2025, 3, 1))
    journey = Journey(page, live_server.url, "front door decision")

    journey.sign_in("front_door_officer", PASSWORD)
    journey.visit(f"/people/{child.pk}")
    with page.expect_navigation():
        page.get_by_role("link", name="Record a contact").click()
    journey.checkpoint("contact form")
    page.get_by_label("Who the contact came from").select_option(label="Health: A&E")
    page.get_by_label("The concern").fill(
        "Bruising to the face and a broken finger; explanation does not fit."
    )
    page.get_by_label("Not sought: asking would put the child at risk").check()
    page.get_by_label("Immediate: the child may be at risk of significant harm now").check()
    journey.submit("Record the contact", "contact recorded")
    expect(page.get_by_role("alert")).to_contain_text("the decision is due by")

    page.get_by_label("Strategy discussion").check()
    page.get_by_label("Reason").fill("Unexplained injuries to a non-mobile baby")
    page.get_by_label("Primary need").select_option(label="N1 Abuse or neglect")
    journey.submit("Record the decision", "decided")
    journey.submit("Sign out", "signed out")

    journey.sign_in("team_manager", PASSWORD)
    journey.nav("Front door")
    expect(page.get_by_role("table").nth(1)).to_contain_text("Peter Connelly")
    with page.expect_navigation():
        page.get_by_role("table").nth(1).get_by_role("link", name="Peter Connelly").click()
    journey.checkpoint("awaiting authorisation")
    journey.submit("Authorise this decision", "authorised")
    expect(page.get_by_role("alert")).to_contain_text("The decision is authorised")
