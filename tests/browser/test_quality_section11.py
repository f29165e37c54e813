"""A section 11 round from sending to comparison: the partnership sends a round to a school;
the school's designated safeguarding lead rates it, is told a gap needs an action, adds one
with the answer (nothing typed is lost) and submits; the partnership sees the school's ratings in the comparison."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from jigsaw.quality.actions.section11 import create_round, send_round
from jigsaw.quality.models.section11 import ReturnStatus
from tests.browser.pages import Journey
from tests.factories import PASSWORD, persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_school_answers_a_round_and_the_partnership_compares(page: Page, live_server: LiveServer) -> None:
    member = persona("partnership_member")
    dsl = persona("school_dsl")
    today = timezone.localdate()
    round_ = create_round(
        actor=member,
        title="Section 11 self-assessment 2027",
        period="April 2026 to March 2027",
        opens_on=today,
        due_on=today + datetime.timedelta(days=30),
        agency_ids=[dsl.practitioner.agency_id],
    )
    round_ = send_round(actor=member, round_id=round_.pk, expected_version=round_.version)
    section11_return = round_.returns.get()
    answers = list(section11_return.answers.order_by("standard__number"))
    journey = Journey(page, live_server.url, "quality-section11")

    # The school's DSL finds the return on Oversight and rates every standard.
    journey.sign_in("school_dsl", PASSWORD)
    journey.visit("/oversight/")
    with page.expect_navigation():
        page.get_by_role("link", name="Section 11 self-assessment").click()
    journey.checkpoint("section 11")
    with page.expect_navigation():
        page.get_by_role("link", name="Section 11 self-assessment 2027").click()
    journey.checkpoint("the return")
    for i, answer in enumerate(answers):
        choice = 2 if i == 3 else 0  # standard 4 is only partly met
        page.locator(f"#id_rating_{answer.standard_id}_{choice}").check()
        page.locator(f"#id_evidence_{answer.standard_id}").fill(
            f"Evidence for standard {answer.standard.number}"
        )
    journey.submit("Submit the self-assessment", "submitted with a gap")
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Standard 4 is not fully met").first).to_be_visible()

    # What it typed is still there: it adds an action for the gap with the answer, and submits.
    gap = answers[3].standard_id
    expect(page.locator(f"#id_evidence_{gap}")).to_have_value("Evidence for standard 4")
    page.get_by_text("Add an action to close a gap in standard 4").click()
    page.get_by_label("What will be done to close the gap in standard 4").fill(
        "Book refresher training for the lunchtime staff"
    )
    page.locator(f"#id_owner_{gap}").fill("Headteacher")
    page.locator(f"#id_due_on_{gap}_0").fill("31")
    page.locator(f"#id_due_on_{gap}_1").fill("3")
    page.locator(f"#id_due_on_{gap}_2").fill(str(today.year + 1))
    journey.submit("Submit the self-assessment", "submitted")
    expect(page.get_by_text("Self-assessment submitted")).to_be_visible()
    expect(page.get_by_role("cell", name="Book refresher training for the lunchtime staff")).to_be_visible()
    section11_return.refresh_from_db()
    assert section11_return.status == ReturnStatus.SUBMITTED

    # The partnership compares the agencies.
    page.context.clear_cookies()
    journey.sign_in("partnership_member", PASSWORD)
    journey.visit(f"/oversight/section11/rounds/{round_.pk}/comparison")
    expect(page.get_by_role("link", name="Riverside Primary School", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="7 / 0 / 1 / 0")).to_be_visible()
