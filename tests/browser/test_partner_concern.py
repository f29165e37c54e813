"""A school's designated safeguarding lead raises a concern through the partner portal: the
draft survives a timed-out session; sent, it reaches the front door matched to the child
already in the index; the front door records and decides it, a manager authorises, and the
DSL sees the outcome on "Your concerns"."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from jigsaw.partners.models import Concern, ConcernUrgency, ConsentStatus
from tests.browser.pages import Journey, Keyboard
from tests.factories import PASSWORD, make_person, persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_school_concern_is_matched_decided_and_its_outcome_told(
    page: Page, live_server: LiveServer
) -> None:
    persona("school_dsl")
    persona("front_door_officer")
    persona("team_manager")
    make_person(given_names="Peter", family_name="Connelly", date_of_birth=datetime.date(2016, 3, 1), sex="M")
    journey = Journey(page, live_server.url, "partner concern")

    # The DSL starts a concern; it is saved as it is typed.
    journey.sign_in("school_dsl", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("link", name="Raise a concern").click()
    journey.checkpoint("start page")
    journey.submit("Start now", "concern form")
    page.get_by_label("Given name").fill("Peter")
    page.get_by_label("Family name").fill("Connelly")
    born = page.get_by_role("group", name="Date of birth")
    born.get_by_label("Day").fill("1")
    born.get_by_label("Month").fill("3")
    born.get_by_label("Year").fill("2016")
    page.get_by_label("What are you worried about?").fill(
        "Peter has a burn on the back of his hand and would not say how it happened."
    )
    page.get_by_label("What has the child said, if anything?").fill("Mum's boyfriend gets angry.")
    with page.expect_response(lambda response: response.url.endswith("/autosave")):
        page.get_by_label("What has the child said, if anything?").blur()
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved at")
    journey.checkpoint("autosaved")

    # The session times out; after signing in again the draft is on "Your concerns".
    page.context.clear_cookies()
    journey.sign_in("school_dsl", PASSWORD)
    journey.visit("/partners/concerns")
    with page.expect_navigation():
        page.get_by_role("link", name="Continue draft").click()
    journey.checkpoint("resumed")
    expect(page.get_by_label("Given name")).to_have_value("Peter")
    expect(page.get_by_label("Family name")).to_have_value("Connelly")
    expect(page.get_by_role("group", name="Date of birth").get_by_label("Year")).to_have_value("2016")
    expect(page.get_by_label("What are you worried about?")).to_have_value(
        "Peter has a burn on the back of his hand and would not say how it happened."
    )

    # Sending without urgency or consent names both; answered, it gets a reference at once.
    journey.submit("Send to the front door", "missing answers")
    expect(page.get_by_role("alert")).to_contain_text("Choose how urgent this is")
    expect(page.get_by_role("alert")).to_contain_text("Say whether the family agreed to this being shared")
    # (Each answer is saved as it is given; waiting for it keeps the test's one database
    # connection to one request at a time.)
    for answer in ("Today", "Consent given"):
        with page.expect_response(lambda response: response.url.endswith("/autosave")):
            page.get_by_label(answer, exact=True).check()
    journey.submit("Send to the front door", "sent")
    concern = Concern.objects.get()
    reference = str(concern.reference)
    expect(page.get_by_role("heading", name="Concern sent")).to_be_visible()
    expect(page.locator(".govuk-panel__body")).to_contain_text(reference)
    journey.submit("Sign out", "signed out")

    # The front door sees it matched, records the contact and decides.
    journey.sign_in("front_door_officer", PASSWORD)
    expect(page.get_by_text("1 waiting to be recorded as contacts")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Concerns from partners").click()
    journey.checkpoint("concern queue")
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("Matched")
    expect(row).to_contain_text("Peter Connelly, born 1 March 2016")
    with page.expect_navigation():
        row.get_by_role("link", name=reference).click()
    journey.checkpoint("triage")
    journey.submit("This is Peter Connelly: record the contact", "contact recorded")
    expect(page.get_by_role("alert")).to_contain_text("Contact recorded for Peter Connelly")
    with page.expect_navigation():
        page.get_by_role("link", name="Open the contact for Peter Connelly").click()
    journey.checkpoint("contact")
    page.get_by_label("Early help").check()
    page.get_by_label("Reason").fill("Family support worker to visit this week")
    journey.submit("Record the decision", "decided")
    journey.submit("Sign out", "front door signed out")

    # A manager authorises the decision.
    journey.sign_in("team_manager", PASSWORD)
    journey.nav("Front door")
    with page.expect_navigation():
        page.get_by_role("table").nth(1).get_by_role("link", name="Peter Connelly").click()
    journey.checkpoint("awaiting authorisation")
    journey.submit("Authorise this decision", "authorised")
    expect(page.get_by_role("alert")).to_contain_text("The decision is authorised")
    journey.submit("Sign out", "manager signed out")

    # The DSL sees the outcome.
    journey.sign_in("school_dsl", PASSWORD)
    with page.expect_navigation():
        page.locator("#main-content").get_by_role("link", name="Your concerns").click()
    journey.checkpoint("your concerns")
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("Decided")
    expect(row).to_contain_text("Early help: Family support worker to visit this week")
    with page.expect_navigation():
        row.get_by_role("link", name=reference).click()
    journey.checkpoint("concern outcome")
    expect(page.get_by_text("Early help: Family support worker to visit this week")).to_be_visible()


def test_the_concern_form_can_be_completed_with_the_keyboard_alone(
    page: Page, live_server: LiveServer
) -> None:
    """Issue 10, item 2: from the partner's home page to "Concern sent" with no clicks."""
    persona("school_dsl")
    make_person(given_names="Leah", family_name="Adeyemi", date_of_birth=datetime.date(2014, 9, 22), sex="F")
    journey = Journey(page, live_server.url, "concern by keyboard")
    keys = Keyboard(page)
    journey.sign_in("school_dsl", PASSWORD)

    def autosaved() -> Any:
        # Each answer is saved as it is left; waiting for it keeps the test's one database
        # connection to one request at a time.
        return page.expect_response(lambda response: response.url.endswith("/autosave"))

    keys.tab_to(page.locator("#main-content").get_by_role("link", name="Raise a concern"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    journey.checkpoint("start page by keyboard")
    keys.tab_to(page.get_by_role("button", name="Start now"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    journey.checkpoint("concern form by keyboard")

    for label, value in (("Given name", "Leah"), ("Family name", "Adeyemi")):
        keys.tab_to(page.get_by_label(label))
        page.keyboard.type(value)
    born = page.get_by_role("group", name="Date of birth")
    for box, value in (("Day", "22"), ("Month", "9"), ("Year", "2014")):
        with autosaved():
            keys.tab_to(born.get_by_label(box))  # leaving the field before saves it
        page.keyboard.type(value)
    for label, value in (
        (
            "What are you worried about?",
            "Leah came to school with a bruise on her cheek and flinched when asked.",
        ),
        ("What has the child said, if anything?", "I fell over."),
    ):
        with autosaved():
            keys.tab_to(page.get_by_label(label))
        page.keyboard.type(value)
    urgency = page.get_by_role("group", name="How urgent is this?")
    with autosaved():
        keys.tab_to(urgency.get_by_role("radio").first)
    with autosaved():
        keys.choose(urgency, urgency.get_by_label("Today", exact=True))
    consent = page.get_by_role("group", name="Has the family agreed to this being shared?")
    with autosaved():
        keys.choose(consent, consent.get_by_label("Consent given", exact=True))
    journey.checkpoint("answered by keyboard")

    keys.tab_to(page.get_by_role("button", name="Send to the front door"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    journey.checkpoint("sent by keyboard")
    expect(page.get_by_role("heading", name="Concern sent")).to_be_visible()
    concern = Concern.objects.get()
    assert concern.urgency == ConcernUrgency.SAME_DAY
    assert concern.consent == ConsentStatus.GIVEN
    assert concern.concern.startswith("Leah came to school")
    child = concern.children.get()
    assert (child.given_name, child.family_name, child.date_of_birth) == (
        "Leah",
        "Adeyemi",
        datetime.date(2014, 9, 22),
    )
