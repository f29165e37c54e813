"""A team manager opens the service dashboard, sees the referrals chart drawn, and follows
the referrals figure to the children behind it; every page passes axe."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.pages import Journey
from tests.casework_factories import make_referral
from tests.factories import PASSWORD, make_person, persona, restrict

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_follows_a_figure_on_the_dashboard_to_the_children_behind_it(
    page: Page, live_server: LiveServer
) -> None:
    persona("team_manager")
    for given, family in [("Marnie", "Holt"), ("Ezra", "Lowe")]:
        make_referral(make_person(given_names=given, family_name=family))
    hidden = make_person(given_names="Sealed", family_name="Adoption")
    make_referral(hidden)
    restrict(hidden)
    journey = Journey(page, live_server.url, "performance-dashboards")

    journey.sign_in("team_manager", PASSWORD)
    journey.visit(reverse("performance:dashboard_service"))
    expect(page.get_by_role("heading", name="Service dashboard")).to_be_visible()
    # charts.js has drawn the referrals trend from the figures passed with json_script.
    chart = page.locator("#chart-referrals")
    expect(chart).to_have_attribute("data-drawn", "true")
    box = chart.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100
    referrals = page.locator("article").filter(has=page.get_by_role("heading", name="Referrals", exact=True))
    referrals.get_by_text("Figures as a table").click()
    months = referrals.get_by_role("table", name="Referrals, by month")
    expect(months.get_by_role("row").last).to_contain_text("3")
    journey.checkpoint("the figures as a table")

    with page.expect_navigation():
        page.locator('a[data-figure="referrals"]').click()
    journey.checkpoint("the children behind the referrals")
    expect(page.get_by_role("heading", name="Referrals", level=1)).to_be_visible()
    children = page.get_by_role("table", name="The children behind the figure")
    expect(children).to_contain_text("Marnie Holt")
    expect(children).to_contain_text("Ezra Lowe")
    expect(page.locator("main")).not_to_contain_text("Sealed")
    expect(page.locator("main")).to_contain_text("1 is a restricted record you may not open")
