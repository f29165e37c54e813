"""The performance pages as their users walk them, axe on every page: a team manager adds a
post to their team and appoints a worker to it; an analyst checks the census, counts Annex A
and reads the forecast; a partnership member starts the quarter's board report, writes its
summary and takes the PDF."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from jigsaw.casework.timescales import add_months
from tests.browser.pages import Journey
from tests.casework_factories import make_referral
from tests.factories import PASSWORD, make_person, persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_adds_a_post_to_their_team_and_appoints_a_worker(
    page: Page, live_server: LiveServer
) -> None:
    manager = persona("team_manager")
    worker = persona("social_worker")
    team = manager.practitioner.team
    assert team is not None
    worker.practitioner.team = team
    worker.practitioner.save(update_fields=["team"])
    journey = Journey(page, live_server.url, "performance-workforce")

    journey.sign_in("team_manager", PASSWORD)
    journey.nav("Workforce")
    with page.expect_navigation():
        page.get_by_role("link", name=team.name).first.click()
    journey.checkpoint("the team's posts")
    with page.expect_navigation():
        page.get_by_role("link", name="Add a post").click()
    journey.checkpoint("a new post")
    page.get_by_label("Post title").fill("Social worker (level 2)")
    page.get_by_label("Qualified social worker").check()
    page.get_by_label("Full-time equivalent of the post").fill("1.0")
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("4")
    page.get_by_label("Year").fill("2024")
    journey.submit("Save the post", "the post saved")
    expect(page.locator("main")).to_contain_text("Social worker (level 2)")

    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(r"Appoint to Social worker \(level 2\)")).click()
    journey.checkpoint("appoint to the post")
    worker_choice = page.get_by_label("Worker")
    worker_choice.select_option(value=str(worker.practitioner.pk))
    page.get_by_label("Permanent (employed)").check()
    page.get_by_label("Full-time equivalent they work in this post").fill("1.0")
    page.get_by_label("Day").fill("6")
    page.get_by_label("Month").fill("1")
    page.get_by_label("Year").fill("2025")
    journey.submit("Record the appointment", "the appointment recorded")
    expect(page.locator("main")).to_contain_text("Social Worker Persona")


def test_an_analyst_checks_the_census_counts_annex_a_and_reads_the_forecast(
    page: Page, live_server: LiveServer
) -> None:
    persona("analyst")
    # A referral a month for the last 14 months: history enough to forecast from.
    today = timezone.localdate()
    for back in range(1, 15):
        make_referral(make_person(), referred_on=add_months(today, -back))
    journey = Journey(page, live_server.url, "performance-returns")

    journey.sign_in("analyst", PASSWORD)
    journey.visit(reverse("performance:cin_census"))
    expect(page.get_by_role("heading", name=re.compile("Children in need census"))).to_be_visible()
    journey.submit("Check this year", "the census checked")
    expect(page.get_by_role("heading", name="Validation")).to_be_visible()

    journey.visit(reverse("performance:annex_a"))
    journey.submit("Count the lists", "Annex A counted")
    download = page.get_by_role("link", name="Download Annex A (XLSX)")
    expect(download).to_be_visible()
    response = page.request.get(live_server.url + str(download.get_attribute("href")))
    assert response.ok
    assert response.body()[:2] == b"PK"  # an XLSX is a zip package

    journey.visit(reverse("performance:forecast"))
    expect(page.get_by_role("heading", name="Demand forecast")).to_be_visible()
    expect(page.get_by_role("heading", name="How the forecast is made")).to_be_visible()
    expect(page.get_by_role("heading", name="Referrals", exact=True)).to_be_visible()


def test_a_partnership_member_starts_the_board_report_writes_the_summary_and_takes_the_pdf(
    page: Page, live_server: LiveServer
) -> None:
    persona("partnership_member")
    journey = Journey(page, live_server.url, "performance-board-report")

    journey.sign_in("partnership_member", PASSWORD)
    journey.visit(reverse("performance:board_reports"))
    with page.expect_navigation():
        page.get_by_role("button", name="Start the report").first.click()  # the newest quarter
    journey.checkpoint("the report started")
    summary = page.get_by_label("Commentary on the quarter as a whole")
    summary.fill("Demand at the front door rose; assessments stayed within timescale.")
    journey.submit("Save the commentary on the quarter as a whole", "the summary saved")
    expect(page.get_by_label("Commentary on the quarter as a whole")).to_have_value(
        "Demand at the front door rose; assessments stayed within timescale."
    )

    pdf = page.get_by_role("link", name=re.compile("Download as PDF"))
    response = page.request.get(live_server.url + str(pdf.get_attribute("href")))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert response.body()[:5] == b"%PDF-"
