"""A vulnerable families meeting from set-up to the record both agencies see: a health
visitor sets up the meeting with the GP practice, arranges it, records who came, lists two
families by their children's NHS numbers, records the discussions (one kept on the list,
one referred to children's social care) and gives the GP an action; the GP signs in and
sees the same meeting, the referral and the action. Axe checks every page."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from jigsaw.access.models import AccessLogEntry
from jigsaw.casework.models import ChronologyEntry
from jigsaw.vulnerable_families.models import FamilyAction, FamilyDiscussion, Outcome
from jigsaw.vulnerable_families.tests.helpers import child, gp, health_team, health_visitor
from tests.browser.pages import Journey
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill_date(page: Page, legend: str, day: object) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))  # type: ignore[attr-defined]
    group.get_by_label("Month").fill(str(day.month))  # type: ignore[attr-defined]
    group.get_by_label("Year").fill(str(day.year))  # type: ignore[attr-defined]


def test_a_health_visitor_records_a_meeting_and_the_gp_sees_the_same_record(
    page: Page, live_server: LiveServer
) -> None:
    health_team()
    visitor, doctor = health_visitor(), gp()
    ava, ben = child(given_names="Ava", family_name="Okafor"), child(given_names="Ben", family_name="Okafor")
    cara = child(given_names="Cara", family_name="Lindqvist")
    today = timezone.localdate()
    journey = Journey(page, live_server.url, "vulnerable-families")

    journey.sign_in("health_visitor", PASSWORD)
    journey.nav("Vulnerable families")
    with page.expect_navigation():
        page.get_by_role("link", name="Set up a meeting with another team or practice").click()
    journey.checkpoint("set up a meeting")
    # The health visitor's own team and their lead are filled in; they choose the practice.
    expect(page.get_by_label("Health visiting team", exact=True)).to_have_value(str(health_team().pk))
    page.get_by_label("GP practice", exact=True).select_option(label="Canal Street Surgery")
    page.get_by_label("Lead for the GP practice").select_option(label="Gp Persona (Canal Street Surgery)")
    journey.submit("Save the meeting", "meeting set up")
    expect(page.locator("#arrangement")).to_contain_text("Every 6 weeks")

    _fill_date(page, "Date of the meeting", today)
    journey.submit("Arrange the meeting", "meeting arranged")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vulnerable families meeting")

    with page.expect_navigation():
        page.get_by_role("link", name="Record who came").click()
    journey.checkpoint("who came")
    page.get_by_label("Health Visitor Practitioner, Health visitor").check()
    page.get_by_label("Gp Persona, Partner practitioner").check()
    journey.submit("Save who came", "attendance recorded")
    expect(page.locator("#attendees")).to_contain_text("Gp Persona")

    for children, reason in (
        ((ava, ben), "Missed immunisations"),
        ((cara,), "Bruise seen at the 8-week check"),
    ):
        with page.expect_navigation():
            page.get_by_role("link", name="Add a family to the list").click()
        journey.checkpoint("add a family")
        page.get_by_label("NHS numbers of the children").fill("\n".join(c.nhs_number for c in children))
        page.get_by_label("Why the family is on the list (optional)").fill(reason)
        journey.submit("Add the family", "family added")
    families = page.locator(".family")
    expect(families).to_have_count(2)
    expect(families.nth(0)).to_contain_text("Ava Okafor")
    expect(families.nth(0)).to_contain_text("Ben Okafor")

    with page.expect_navigation():
        families.nth(0).get_by_role("link", name="Record the discussion").click()
    journey.checkpoint("discuss the first family")
    page.get_by_label("What the meeting discussed").fill("Two immunisations missed; mother's low mood.")
    page.get_by_label("Keep on the list").check()
    journey.submit("Save the discussion", "first family discussed")

    with page.expect_navigation():
        families.nth(1).get_by_role("link", name="Record the discussion").click()
    journey.checkpoint("discuss the second family")
    page.get_by_label("What the meeting discussed").fill("Unexplained bruise on a non-mobile baby.")
    page.get_by_label("Referral to children's social care made").check()
    _fill_date(page, "Date the referral was made", today)
    journey.submit("Save the discussion", "second family referred")
    expect(families.nth(1)).to_contain_text("Yes, made")

    with page.expect_navigation():
        families.nth(0).get_by_role("link", name="Add an action").click()
    journey.checkpoint("add an action")
    page.get_by_label("What is to be done").fill("Book a developmental review at the practice")
    page.get_by_label("Who will do it").select_option(label="Gp Persona (Canal Street Surgery)")
    _fill_date(page, "Due by", today)
    journey.submit("Add the action", "action added")
    expect(families.nth(0)).to_contain_text("Book a developmental review at the practice")
    journey.submit("Sign out", "health visitor signed out")

    # The GP practice's user sees the same meeting.
    journey.sign_in("gp", PASSWORD)
    journey.nav("Vulnerable families")
    expect(page.locator("#my-actions")).to_contain_text("Book a developmental review at the practice")
    with page.expect_navigation():
        page.get_by_role("link", name=f"{health_team().name} and Canal Street Surgery").click()
    journey.checkpoint("the GP's view of the pair")
    expect(page.locator("#meeting-list")).to_contain_text("2")
    with page.expect_navigation():
        page.locator("#meeting-list").get_by_role("link").first.click()
    journey.checkpoint("the GP's view of the meeting")
    families = page.locator(".family")
    expect(families).to_have_count(2)
    expect(families.nth(0)).to_contain_text("Keep on the list")
    expect(families.nth(1)).to_contain_text("Cara Lindqvist")
    expect(families.nth(1)).to_contain_text("Referral to children's social care made")
    expect(families.nth(0).get_by_role("button", name="Mark done")).to_be_visible()

    assert FamilyDiscussion.objects.filter(outcome=Outcome.REFERRAL).count() == 1
    assert FamilyAction.objects.get().owner.user_id == doctor.pk
    assert ChronologyEntry.objects.filter(source_type="vulnerable_families.familydiscussion").count() == 3
    reads = AccessLogEntry.objects.filter(action="view_vulnerable_families_meeting")
    assert set(reads.values_list("user_id", flat=True)) == {visitor.pk, doctor.pk}
