"""A social worker signs in, finds a child despite a misspelling, and opens their record."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from jigsaw.people import actions
from jigsaw.people.actions import AddressDetails, PersonDetails
from tests.browser.pages import Journey
from tests.factories import PASSWORD, persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_social_worker_finds_a_child_and_opens_the_record(page: Page, live_server: LiveServer) -> None:
    worker = persona("social_worker")
    child = actions.create_person(
        actor=worker,
        details=PersonDetails(
            given_names="Anna",
            family_name="Kouao",
            date_of_birth=datetime.date(2015, 11, 2),
            sex="F",
            nhs_number="9434765919",
        ),
        address=AddressDetails(line_1="12 Canal Street", town="Riverford", postcode="M1 1AE"),
    )
    journey = Journey(page, live_server.url, "social worker finds a child")

    journey.sign_in("social_worker", PASSWORD)
    journey.nav("Find a person")
    page.get_by_label("Name").fill("Ana Kouaou")
    page.get_by_label("Day").first.fill("11")
    page.get_by_label("Month").first.fill("2")
    page.get_by_label("Year").first.fill("2015")
    journey.submit("Search", "results")

    results = page.get_by_role("table")
    expect(results).to_contain_text("Anna Kouao")
    expect(results).to_contain_text("day and month swapped")
    with page.expect_navigation():
        results.get_by_role("link", name="Anna Kouao").click()
    journey.checkpoint("record")

    bar = page.get_by_label("Person")
    expect(bar).to_contain_text("Anna Kouao")
    expect(bar).to_contain_text("2 November 2015")
    expect(bar).to_contain_text(f"Age {child.age_on(timezone.localdate())}")
    expect(bar).to_contain_text("943 476 5919")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anna Kouao")


def test_a_partner_cannot_reach_the_person_index(page: Page, live_server: LiveServer) -> None:
    persona("school_dsl")
    journey = Journey(page, live_server.url, "partner refused the index")

    journey.sign_in("school_dsl", PASSWORD)
    expect(page.get_by_role("navigation", name="Primary navigation")).not_to_contain_text("Find a person")
    journey.visit("/people/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You do not have access to this page")


def test_a_form_survives_the_session_running_out(
    page: Page, live_server: LiveServer, settings: object
) -> None:
    """Idle timeout: the user is signed out, signs in again, and what they typed is back."""
    persona("social_worker")
    journey = Journey(page, live_server.url, "form survives timeout")
    journey.sign_in("social_worker", PASSWORD)
    journey.visit("/people/new")
    page.get_by_label("Family name").fill("Half-written")
    page.get_by_label("Given names").fill("Kept")
    # The server-side session lapses (as after 30 idle minutes) and the user presses save.
    page.context.clear_cookies()
    page.get_by_role("button", name="Check and add").click()
    page.wait_for_url("**/sign-in?next=*")
    journey.checkpoint("asked to sign in again")
    page.get_by_label("Username").fill("social_worker")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/people/new")
    journey.checkpoint("form restored")
    expect(page.get_by_label("Family name")).to_have_value("Half-written")
    expect(page.get_by_label("Given names")).to_have_value("Kept")
    expect(page.locator("#jigsaw-draft-restored")).to_be_visible()
