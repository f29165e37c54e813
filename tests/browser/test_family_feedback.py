"""A family's feedback, from the link to the partnership's report.

A social worker opens the child's case, goes to "Feedback from the family" and makes a
single-use link for the parent about the child's conference. The parent opens the link
without signing in and answers BY KEYBOARD ONLY: Tab to each question, Space or the arrow
keys to choose, typing for their own words, Enter on the button to send (the page is
axe-checked before and after). The link then says it has been used. The social worker tags
the response's themes; the team manager's themes report counts it. A second journey types
in a paper form."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from jigsaw.access.models import AccessLogEntry
from jigsaw.voice.models.feedback import FamilyFeedback
from jigsaw.voice.tests.helpers import Child, child_with_feedback_occasions
from tests.browser.pages import Journey
from tests.factories import PASSWORD, persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_childs_feedback(journey: Journey, page: Page, child: Child) -> None:
    journey.visit(f"/people/{child.person.pk}")
    with page.expect_navigation():
        page.get_by_role("link", name="Feedback from the family").click()
    journey.checkpoint("the family's feedback")


def _tab_to(page: Page, element_id: str, limit: int = 15) -> None:
    """Press Tab until the element has the focus, as a keyboard user moves through a page."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def test_a_parent_gives_feedback_through_a_link_by_keyboard_and_the_report_counts_it(
    page: Page, live_server: LiveServer
) -> None:
    persona("team_manager")
    child = child_with_feedback_occasions()
    journey = Journey(page, live_server.url, "family-feedback-link")

    journey.sign_in("social_worker", PASSWORD)
    _open_childs_feedback(journey, page, child)
    with page.expect_navigation():
        page.get_by_role("link", name="Make a feedback link").click()
    journey.checkpoint("make a link")
    page.get_by_label("Initial child protection conference on").check()
    page.get_by_label("A parent").check()
    journey.submit("Make the link", "link made")
    address = page.locator("#feedback-address").input_value()
    assert "/voice/your-views/" in address
    journey.submit("Sign out", "worker signed out")

    # The parent, not signed in, with only a keyboard.
    page.goto(address)
    journey.checkpoint("the family's page")
    expect(page.get_by_role("heading", name="Tell us what you think")).to_be_visible()
    expect(page.locator("main")).to_contain_text("the child protection conference about Anna on")
    expect(page.locator("main")).not_to_contain_text(child.person.family_name)
    _tab_to(page, "id_listened_0")
    page.keyboard.press("Space")  # Yes
    _tab_to(page, "id_understood_0")
    page.keyboard.press("ArrowRight")  # A bit
    _tab_to(page, "id_helped_0")
    page.keyboard.press("Space")  # Yes
    _tab_to(page, "id_went_well")
    page.keyboard.type("The chair let me finish what I was saying")
    _tab_to(page, "id_could_be_better")
    page.keyboard.type("Less jargon, and the reports sooner")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == "Send my answers"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    journey.checkpoint("thank you")
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()

    response = FamilyFeedback.objects.get()
    assert (response.how, response.given_by, response.listened, response.understood, response.helped) == (
        "link",
        "parent",
        "yes",
        "partly",
        "yes",
    )
    assert response.could_be_better == "Less jargon, and the reports sooner"
    assert AccessLogEntry.objects.get(action="give_family_feedback_by_link").user_id is None

    page.goto(address)
    journey.checkpoint("the link is spent")
    expect(page.locator("#reason")).to_contain_text("already been used")

    # The social worker tags the themes.
    journey.sign_in("social_worker", PASSWORD)
    _open_childs_feedback(journey, page, child)
    expect(page.locator("#links")).to_contain_text("Used")
    with page.expect_navigation():
        page.locator("#responses").get_by_role("link").first.click()
    journey.checkpoint("the response")
    expect(page.locator("#answers")).to_contain_text("Less jargon, and the reports sooner")
    with page.expect_navigation():
        page.get_by_role("link", name="Tag the themes").click()
    journey.checkpoint("tag the themes")
    page.get_by_label("Jargon or hard words").check()
    page.get_by_label("Reports shared too late").check()
    journey.submit("Save the themes", "themes saved")
    expect(page.locator("#themes")).to_contain_text("Jargon or hard words")
    journey.submit("Sign out", "worker signed out again")

    # The team manager's report counts it.
    journey.sign_in("team_manager", PASSWORD)
    journey.nav("Family feedback")
    responses = page.locator("#responses")
    expect(responses.get_by_role("row", name="Through a feedback link")).to_contain_text("1 (100%)")
    expect(page.locator("#themes").get_by_role("row", name="Jargon or hard words")).to_contain_text(
        "1 (100%)"
    )
    expect(page.locator("#question-1").get_by_role("row", name="Yes")).to_contain_text("1 (100%)")


def test_a_social_worker_types_in_a_paper_form(page: Page, live_server: LiveServer) -> None:
    child = child_with_feedback_occasions()
    journey = Journey(page, live_server.url, "family-feedback-paper")

    journey.sign_in("social_worker", PASSWORD)
    _open_childs_feedback(journey, page, child)
    with page.expect_navigation():
        page.get_by_role("link", name="Enter a paper form").click()
    journey.checkpoint("paper form")
    journey.submit("Save the feedback", "nothing entered")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose what the feedback is about")

    page.get_by_label("The end of our work with the family").check()
    page.get_by_label("The child or young person").check()
    closed_on = child.closed.closed_on
    assert closed_on is not None
    filled = closed_on + datetime.timedelta(days=3)
    page.locator("#id_given_on_0").fill(str(filled.day))
    page.locator("#id_given_on_1").fill(str(filled.month))
    page.locator("#id_given_on_2").fill(str(filled.year))
    page.locator("#id_helped_2").check()  # No
    page.get_by_label("What could be better?").fill("I had four social workers")
    page.get_by_label("Worker changes").check()
    journey.submit("Save the feedback", "paper form saved")
    expect(page.get_by_role("alert")).to_contain_text("The family's feedback is recorded")
    expect(page.locator("#themes")).to_contain_text("Worker changes")
    response = FamilyFeedback.objects.get()
    assert (response.how, response.given_by, response.helped, response.given_on) == (
        "paper",
        "child",
        "no",
        filled,
    )
