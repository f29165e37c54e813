"""A delegated task from request to done: a social worker asks business support, from the
child's episode page, to book a room and send the invitations for the initial child
protection conference; the business support officer takes the task from the team's queue
and marks it done with a note and the room booked; the social worker sees it done, on their
work list ("done since you last looked") and on the episode; their manager sees it counted
in the delegation report. Axe checks every page."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from jigsaw.access.models import AccessLogEntry
from jigsaw.casework.models import ChildProtectionConference, ConferenceChild, Referral
from jigsaw.support.models import DelegatedTask, TaskStatus
from tests.browser.pages import Journey
from tests.factories import PASSWORD, make_agency, make_person, make_team, persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOM = "Room 2, Riverford House, 10am"


def _episode_with_a_conference() -> Referral:
    worker = persona("social_worker")
    child = make_person(given_names="Ellie", family_name="Marsh")
    referral = Referral.objects.create(
        person=child,
        referred_on=timezone.localdate() - datetime.timedelta(days=12),
        source="2A",
        team=make_team(make_agency()),
        allocated_worker=worker,
        opened_by=persona("front_door_officer"),
    )
    conference = ChildProtectionConference.objects.create(
        kind="initial", date=timezone.localdate() + datetime.timedelta(days=9), scheduled_by=worker
    )
    ConferenceChild.objects.create(conference=conference, referral=referral)
    return referral


def test_a_social_worker_delegates_a_conference_booking_and_sees_it_done(
    page: Page, live_server: LiveServer
) -> None:
    referral = _episode_with_a_conference()
    persona("business_support")
    needed_by = timezone.localdate() + datetime.timedelta(days=4)
    journey = Journey(page, live_server.url, "delegated task")

    # The social worker asks from the episode page.
    journey.sign_in("social_worker", PASSWORD)
    journey.visit(f"/casework/referrals/{referral.pk}")
    expect(page.locator("#admin-tasks-heading")).to_have_text("Admin tasks")
    with page.expect_navigation():
        page.get_by_role("link", name="Ask business support").click()
    journey.checkpoint("ask business support")
    page.get_by_label("Arrange a conference or meeting and send the invitations").check()
    page.get_by_label("What is needed").fill(
        "Book a room for the initial conference and send the invitations to the parents, school and GP"
    )
    page.get_by_label("Day").fill(str(needed_by.day))
    page.get_by_label("Month").fill(str(needed_by.month))
    page.get_by_label("Year").fill(str(needed_by.year))
    page.get_by_label("For which conference").select_option(index=1)
    journey.submit("Send the request", "request sent")
    expect(page.get_by_role("alert")).to_contain_text("Asked Assessment Team 1's business support")
    expect(page.locator("#admin-tasks-heading + table")).to_contain_text("Waiting to be taken")
    journey.submit("Sign out", "social worker signed out")

    # Business support takes it from the queue and marks it done.
    journey.sign_in("business_support", PASSWORD)
    journey.nav("Admin tasks")
    expect(page.locator("table")).to_contain_text("Ellie Marsh")
    with page.expect_navigation():
        page.get_by_role("link", name="Arrange a conference or meeting and send the invitations").click()
    journey.checkpoint("the task")
    journey.submit("Take this task", "taken")
    expect(page.get_by_role("alert")).to_contain_text("The task is yours")
    with page.expect_navigation():
        page.get_by_role("link", name="Mark as done").click()
    journey.checkpoint("mark as done")
    journey.submit("Mark as done", "done refused without a note")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say what was done")
    page.get_by_label("What was done").fill("Invitations sent to both parents, the school and the GP")
    page.get_by_label("What was booked").fill(ROOM)
    journey.submit("Mark as done", "done")
    expect(page.get_by_role("alert")).to_contain_text("Done: arrange a conference")
    expect(page.locator("main")).to_contain_text("No open tasks")
    journey.submit("Sign out", "business support signed out")

    # The social worker is told, and sees it done.
    journey.sign_in("social_worker", PASSWORD)
    journey.nav("My work")
    expect(page.locator("#admin-requests + p")).to_contain_text("1 done since you last looked")
    with page.expect_navigation():
        page.get_by_role("link", name="See the admin you asked for").click()
    journey.checkpoint("my requests")
    expect(page.locator("main")).to_contain_text(ROOM)
    expect(page.locator("main")).to_contain_text("New")
    journey.visit(f"/casework/referrals/{referral.pk}")
    expect(page.locator("#admin-tasks-heading + table")).to_contain_text("Done")
    expect(page.locator("#admin-tasks-heading + table")).to_contain_text(ROOM)

    journey.submit("Sign out", "social worker signed out again")

    # Their manager sees it counted in the delegation report.
    persona("team_manager")
    journey.sign_in("team_manager", PASSWORD)
    journey.nav("Delegated admin")
    expect(page.locator("main")).to_contain_text("Arrange a conference or meeting and send the invitations")
    expect(page.locator("main")).not_to_contain_text("Ellie Marsh")

    task = DelegatedTask.objects.get()
    assert (task.status, task.booked, task.conference_id) == (
        TaskStatus.DONE,
        ROOM,
        referral.conferences.get().conference_id,
    )
    assert list(
        AccessLogEntry.objects.filter(record_type="support.delegatedtask", record_id=str(task.pk))
        .exclude(action="view")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["request_delegated_task", "take_delegated_task", "complete_delegated_task"]
