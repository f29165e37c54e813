"""An audit from programme to themes report: the team manager starts a programme, chooses
its cases by criteria (children on a plan aged under five), checks the preview and adds
them, and assigns the conference chair to audit and themselves to moderate; the chair
completes the audit; the manager moderates it, changing one grade with a reason, and sees
it in the themes report."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from jigsaw.quality.models.audits import AuditCase
from jigsaw.quality.tests.audits_helpers import child_on_plan
from tests.browser.pages import Journey
from tests.factories import PASSWORD, persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _to_audits(journey: Journey, page: Page) -> None:
    journey.nav("Oversight")
    with page.expect_navigation():
        page.get_by_role("link", name="Case file audits").click()
    journey.checkpoint("case file audits")


def test_an_audit_from_programme_to_themes_report(page: Page, live_server: LiveServer) -> None:
    persona("team_manager")
    persona("conference_chair")
    persona("social_worker")
    child = child_on_plan(born=datetime.date(2023, 5, 1), worker=persona("social_worker"))
    child_on_plan(born=datetime.date(2017, 5, 1))  # too old for this programme
    journey = Journey(page, live_server.url, "quality-audits")

    # The manager starts a programme and chooses its cases by criteria.
    journey.sign_in("team_manager", PASSWORD)
    _to_audits(journey, page)
    with page.expect_navigation():
        page.get_by_role("link", name="Start an audit programme").click()
    journey.checkpoint("new programme")
    journey.submit("Create the programme", "missing answers")
    expect(page.get_by_role("alert")).to_contain_text("Enter title")
    page.get_by_label("Title").fill("Children on a plan aged under five")
    page.get_by_label("What is the programme for?").fill("Are our youngest children on plans seen and safe?")
    start = page.get_by_role("group", name="Start of the period")
    start.get_by_label("Day").fill("1")
    start.get_by_label("Month").fill("1")
    start.get_by_label("Year").fill("2026")
    end = page.get_by_role("group", name="End of the period")
    end.get_by_label("Day").fill("31")
    end.get_by_label("Month").fill("3")
    end.get_by_label("Year").fill("2026")
    journey.submit("Create the programme", "programme created")
    expect(page.get_by_role("heading", name="Choose cases by criteria")).to_be_visible()

    page.get_by_label("Children on a child protection plan").check()
    on = page.get_by_role("group", name="Open on")
    on.get_by_label("Day").fill("2")
    on.get_by_label("Month").fill("3")
    on.get_by_label("Year").fill("2026")
    page.get_by_label("Aged under (years)").fill("5")
    journey.submit("Show matching cases", "preview")
    expect(page.get_by_role("heading", name="1 case matches")).to_be_visible()
    expect(page.locator("main")).to_contain_text(child.full_name)
    journey.submit("Add this case", "cases added")
    expect(page.get_by_role("alert")).to_contain_text("1 case added to the programme")
    expect(page.locator("main")).to_contain_text(
        "Children on a child protection plan aged under 5 on 2 March 2026"
    )

    with page.expect_navigation():
        page.get_by_role("link", name=f"Assign the audit of {child.full_name}").click()
    journey.checkpoint("assign")
    page.get_by_label("Auditor").select_option(
        label="Conference Chair Persona (Conference chair, Riverford Children's Social Care)"
    )
    page.get_by_label("Moderator").select_option(
        label="Team Manager Persona (Team manager, Riverford Children's Social Care)"
    )
    journey.submit("Assign", "assigned")
    expect(page.get_by_role("alert")).to_contain_text("Auditor and moderator assigned")
    journey.submit("Sign out", "manager signed out")

    # The chair completes the audit.
    journey.sign_in("conference_chair", PASSWORD)
    _to_audits(journey, page)
    row = page.get_by_role("row").filter(has_text="Complete the audit")
    with page.expect_navigation():
        row.get_by_role("link", name=child.full_name).click()
    journey.checkpoint("audit form")
    expect(page.locator("main")).to_contain_text("1 May 2023")
    for theme in [
        "the child's voice",
        "assessment of risk",
        "planning",
        "multi-agency working",
        "management oversight",
        "outcome for the child",
    ]:
        page.get_by_label(f"Grade for {theme}").select_option("good")
    page.get_by_label("Comment on the child's voice").fill("Seen at every visit; views recorded in the plan.")
    page.get_by_label("Overall grade").select_option("good")
    page.get_by_label("Summary").fill("A clear plan, seen regularly; the nursery is part of the core group.")
    journey.submit("Submit for moderation", "submitted")
    expect(page.get_by_role("alert")).to_contain_text("Audit submitted for moderation")
    journey.submit("Sign out", "chair signed out")

    # The manager moderates it and sees it in the themes report.
    journey.sign_in("team_manager", PASSWORD)
    _to_audits(journey, page)
    row = page.get_by_role("row").filter(has_text="Moderate the audit")
    with page.expect_navigation():
        row.get_by_role("link", name=child.full_name).click()
    journey.checkpoint("moderation form")
    page.get_by_label("Moderated grade for multi-agency working").select_option("requires_improvement")
    page.get_by_label("Why you changed the grade for multi-agency working").fill(
        "Health did not attend two core groups"
    )
    journey.submit("Record the moderation", "moderated")
    expect(page.get_by_role("alert")).to_contain_text("Moderation recorded")
    assert AuditCase.objects.get().status == "moderated"

    _to_audits(journey, page)
    with page.expect_navigation():
        page.get_by_role("link", name="Themes report").click()
    journey.checkpoint("themes report")
    expect(page.locator("main")).to_contain_text("1audits submitted")
    multi = page.get_by_role("row").filter(has_text="Multi-agency working")
    expect(multi).to_contain_text("1 → 0")  # good: 1 before, 0 after
    expect(multi).to_contain_text("0 → 1")  # requires improvement: 0 before, 1 after
    expect(multi).to_contain_text("1 of 1")
    expect(page.locator("main")).not_to_contain_text(child.full_name)
