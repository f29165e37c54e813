"""A social worker reports a looked-after child missing from care, records the return and
the return interview within 72 hours; the team manager sees the child on the missing
children panel. Every page is screenshotted and checked with axe."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from jigsaw.casework.models import MissingEpisode
from tests.browser.pages import Journey
from tests.casework_factories import make_referral
from tests.episode_factories import make_looked_after
from tests.factories import PASSWORD, make_person, persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _moment(page: Page, legend: str, when: datetime.datetime, time_label: str) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(when.day))
    group.get_by_label("Month").fill(str(when.month))
    group.get_by_label("Year").fill(str(when.year))
    page.get_by_label(time_label).fill(f"{when:%H:%M}")


def test_a_child_missing_from_care_returns_and_is_interviewed_in_time(
    page: Page, live_server: LiveServer
) -> None:
    worker = persona("social_worker")
    persona("team_manager")
    child = make_person(given_names="Kayla", family_name="Brook", date_of_birth=datetime.date(2011, 3, 4))
    referral = make_referral(
        child, worker=worker, referred_on=timezone.localdate() - datetime.timedelta(days=200)
    )
    make_looked_after(referral, started_on=referral.referred_on)
    now = timezone.localtime()
    reported = now - datetime.timedelta(days=2)
    returned = now - datetime.timedelta(days=1)
    journey = Journey(page, live_server.url, "children missing")

    journey.sign_in("social_worker", PASSWORD)
    journey.visit(f"/casework/people/{child.pk}/missing")
    with page.expect_navigation():
        page.get_by_role("link", name="Report Kayla Brook missing").click()
    journey.checkpoint("report form")
    journey.submit("Record it", "nothing entered")
    expect(page.get_by_role("alert")).to_contain_text("Choose missing from")
    page.get_by_label("Missing from care").check()
    _moment(page, "Date reported missing", reported, "Time reported missing")
    page.get_by_label("Or, who reported it").fill("Her foster carer")
    page.get_by_label("24A Child criminal exploitation").check()
    journey.submit("Record it", "reported")
    expect(page.locator("main")).to_contain_text("Still missing")

    episode = MissingEpisode.objects.get()
    with page.expect_navigation():
        page.get_by_role("link", name="Record their return").click()
    journey.checkpoint("episode")
    _moment(page, "Date the child returned or was found", returned, "Time the child returned or was found")
    page.get_by_label("Where the child was found or returned to").fill(
        "Brought back to the placement by police"
    )
    journey.submit("Record the return", "returned")
    expect(page.locator("main")).to_contain_text("Due by")

    offered = returned + datetime.timedelta(hours=2)
    _moment(page, "Date the return interview was offered", offered, "Time the return interview was offered")
    page.get_by_label("Accepted").check()
    _moment(
        page,
        "Date the interview was done",
        offered + datetime.timedelta(hours=3),
        "Time the interview was done",
    )
    page.get_by_label("Who did the interview").select_option(str(worker.practitioner.pk))
    journey.submit("Save the return interview", "interviewed")
    expect(page.locator("main")).to_contain_text("Done within 72 hours")
    episode.refresh_from_db()
    assert episode.interview_in_time is True
    journey.submit("Sign out", "worker signed out")

    journey.sign_in("team_manager", PASSWORD)
    journey.nav("Children missing")
    row = page.get_by_role("row").filter(has_text="Kayla Brook")
    expect(row).to_contain_text("1")
