"""A team manager records a case supervision from the child's record, with an action for
the social worker; once its due date has passed, the social worker sees it as overdue on
My work, opens the child's supervision and marks it done."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from jigsaw.quality.models.supervision import SupervisionAction
from tests.browser.pages import Journey
from tests.casework_factories import make_referral
from tests.factories import PASSWORD, make_person, persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _date(within: Page | Locator, legend: str, day: datetime.date) -> None:
    group = within.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_a_manager_records_supervision_and_the_worker_sees_the_overdue_action(
    page: Page, live_server: LiveServer
) -> None:
    worker = persona("social_worker")
    persona("team_manager")
    child = make_person(given_names="Kian", family_name="Marsh", date_of_birth=datetime.date(2019, 2, 14))
    make_referral(child, worker=worker)
    journey = Journey(page, live_server.url, "quality-supervision")
    today = timezone.localdate()
    # The supervision was ten days ago; the action agreed then was due three days ago.
    held, due = today - datetime.timedelta(days=10), today - datetime.timedelta(days=3)

    journey.sign_in("team_manager", PASSWORD)
    journey.visit(reverse("people:detail", args=[child.pk]))
    with page.expect_navigation():
        page.get_by_role("link", name="Record supervision").click()
    journey.checkpoint("record supervision")
    expect(page.get_by_label("Worker supervised")).to_have_value(str(worker.pk))
    journey.submit("Save the supervision", "missing answers")
    expect(page.get_by_role("alert")).to_contain_text("Say what was discussed")
    _date(page, "Date of the supervision", held)
    page.get_by_label("What was discussed").fill(
        "Kian's weight has dropped again; nursery attendance is at 60%."
    )
    page.get_by_label("What was decided").fill("Ask for a paediatric assessment and visit weekly.")
    action = page.get_by_role("group", name="Action 1", exact=True)
    action.get_by_label("What needs to be done").fill("Ask the GP to refer Kian to the paediatrician")
    action.get_by_label("Who will do it").select_option(str(worker.pk))
    _date(action, "When it is due", due)
    journey.submit("Save the supervision", "saved")
    expect(page.get_by_role("alert")).to_contain_text("Supervision of Kian Marsh's case recorded")
    expect(page.locator("main")).to_contain_text("Ask the GP to refer Kian to the paediatrician")
    journey.submit("Sign out", "manager signed out")

    journey.sign_in("social_worker", PASSWORD)
    journey.nav("My work")
    panel = page.locator("#supervision-actions")
    expect(panel).to_contain_text("Overdue supervision actions (1)")
    row = page.get_by_role("row").filter(has_text="Ask the GP to refer Kian")
    expect(row).to_contain_text("Overdue")
    with page.expect_navigation():
        row.get_by_role("link", name="Kian Marsh").click()
    journey.checkpoint("the child's supervision")
    action_row = page.get_by_role("row").filter(has_text="Ask the GP to refer Kian")
    with page.expect_navigation():
        action_row.get_by_role("button", name="Mark as done").click()
    journey.checkpoint("done")
    expect(page.get_by_role("alert")).to_contain_text("Action marked as done")
    assert SupervisionAction.objects.get().done_by == worker
    journey.nav("My work")
    expect(page.locator("main")).not_to_contain_text("Overdue supervision actions")
