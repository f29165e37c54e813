"""The front door adds a child a school knows as "Annie", insists she is new, and a
colleague finds the pair in the review queue, compares them side by side and merges them;
then, told it was wrong, unmerges."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from jigsaw.matching.models import MatchReview, PersonMerge
from jigsaw.people import actions
from jigsaw.people.actions import AddressDetails, PersonDetails
from jigsaw.people.models import Person
from tests.browser.pages import Journey
from tests.factories import PASSWORD, persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_duplicate_is_caught_reviewed_merged_and_unmerged(page: Page, live_server: LiveServer) -> None:
    anna = actions.create_person(
        actor=persona("social_worker"),
        details=PersonDetails(
            given_names="Anna", family_name="Kouao", date_of_birth=datetime.date(2015, 11, 2), sex="F"
        ),
        address=AddressDetails(line_1="12 Canal Street", town="Riverford", postcode="M1 1AE"),
    )
    persona("front_door_officer")
    persona("team_manager")
    journey = Journey(page, live_server.url, "duplicate reviewed and merged")

    journey.sign_in("front_door_officer", PASSWORD)
    journey.nav("Add a person")
    page.get_by_label("Given names").fill("Annie")
    page.get_by_label("Family name").fill("Kouao")
    page.get_by_label("Day").first.fill("2")
    page.get_by_label("Month").first.fill("11")
    page.get_by_label("Year").first.fill("2015")
    page.get_by_label("Address line 1").fill("12 Canal Street")
    page.get_by_label("Town or city").fill("Riverford")
    page.get_by_label("Postcode").fill("M1 1AE")
    journey.submit("Check and add", "search first")
    expect(page.get_by_role("main")).to_contain_text("This person may already be known")
    expect(page.get_by_role("main")).to_contain_text("known variant (nickname or spelling)")
    journey.submit("None of these: add a new person", "added")
    expect(page.get_by_role("main")).to_contain_text(
        "the front door will check whether they were already known"
    )
    annie = Person.objects.exclude(pk=anna.pk).get()

    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    journey.sign_in("team_manager", PASSWORD)
    journey.nav("Match reviews")
    queue = page.get_by_role("table")
    expect(queue).to_contain_text("Annie Kouao")
    with page.expect_navigation():
        queue.get_by_role("link").first.click()
    journey.checkpoint("side by side")
    expect(page.get_by_role("main")).to_contain_text("Why the model thinks they may be the same")
    page.get_by_label("Yes, the same person").check()
    journey.submit("Save decision", "merged")

    merge = PersonMerge.objects.get()
    assert (merge.survivor, merge.merged) == (anna, annie)
    assert MatchReview.objects.get().status == "same_person"

    journey.visit(f"/people/{anna.pk}")
    with page.expect_navigation():
        page.get_by_role("link", name="Unmerge").first.click()
    journey.checkpoint("unmerge")
    page.get_by_label("Why are these not the same person?").fill(
        "The school confirmed Annie is Anna's cousin"
    )
    journey.submit("Unmerge the records", "unmerged")

    merge.refresh_from_db()
    annie.refresh_from_db()
    assert merge.unmerged_at is not None
    assert annie.merged_into is None
