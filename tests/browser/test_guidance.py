"""A practice note from issue to full acknowledgement: the partnership's business manager
issues it to two agencies (children's social care and the police); a social worker and a
police officer each sign in, find it under "Guidance to read" and acknowledge it with one
click; the issuer then sees everyone has read it (100%, nobody outstanding)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from jigsaw.access.models import AccessLogEntry
from jigsaw.partnership.models.guidance import Acknowledgement
from tests.browser.pages import Journey
from tests.factories import PASSWORD, persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Bruising in babies who are not mobile"


def _acknowledge(journey: Journey, page: Page, username: str) -> None:
    journey.sign_in(username, PASSWORD)
    journey.nav("Guidance")
    with page.expect_navigation():
        page.locator("#to-read").get_by_role("link", name=TITLE).click()
    journey.checkpoint(f"{username} reads the note")
    expect(page.locator("#guidance-text")).to_contain_text("refer to the front door the same day")
    journey.submit("I have read this", f"{username} has read it")
    expect(page.get_by_role("alert")).to_contain_text(f"you have read {TITLE}")
    expect(page.locator("#to-read")).to_contain_text("You have read all the guidance sent to you")
    journey.submit("Sign out", f"{username} signed out")


def test_a_practice_note_is_issued_to_two_agencies_and_read_by_everyone(
    page: Page, live_server: LiveServer
) -> None:
    persona("partnership_member")
    worker = persona("social_worker")
    officer = persona("police_officer")
    journey = Journey(page, live_server.url, "guidance")

    journey.sign_in("partnership_member", PASSWORD)
    journey.nav("Guidance")
    with page.expect_navigation():
        page.get_by_role("link", name="Issue guidance").click()
    journey.checkpoint("issue guidance")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Practice note").check()
    page.get_by_label("Only the agencies and kinds of agency chosen below").check()
    page.get_by_label("Riverford Children's Social Care", exact=True).check()
    page.get_by_label("Riverford Police", exact=True).check()
    page.get_by_label("Text of the guidance").fill(
        "Bruising in a baby who is not yet mobile is rare: refer to the front door the same day."
    )
    journey.submit("Issue the guidance", "issued")
    expect(page.locator("#total")).to_contain_text("0 of 2 (0%) have read this version")
    journey.submit("Sign out", "issuer signed out")

    _acknowledge(journey, page, "social_worker")
    _acknowledge(journey, page, "police_officer")

    journey.sign_in("partnership_member", PASSWORD)
    journey.nav("Guidance")
    expect(page.locator("#issued")).to_contain_text("2 of 2 (100%)")
    with page.expect_navigation():
        page.locator("#issued").get_by_role("link", name=TITLE).click()
    journey.checkpoint("who has read it")
    expect(page.locator("#total")).to_contain_text(
        "2 of 2 (100%) have read this version: nobody is outstanding"
    )
    expect(page.locator("#by-agency")).to_contain_text("Riverford Police")
    expect(page.locator("#by-team")).to_contain_text("Nobody")
    assert set(Acknowledgement.objects.values_list("user_id", flat=True)) == {worker.pk, officer.pk}
    assert AccessLogEntry.objects.filter(action="acknowledge_guidance").count() == 2
