"""The front door finds an emerging concern, reads the rule and its evidence, and decides
that no action is needed (issue 5, item 5)."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from jigsaw.partners.models import AlertRule, EmergingConcern, SubjectRole
from jigsaw.partners.tests.test_alerts import ADDRESS_RULE, arrive, make_event
from tests.browser.pages import Journey
from tests.factories import PASSWORD, make_person, persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_front_door_reads_and_dismisses_an_emerging_concern(page: Page, live_server: LiveServer) -> None:
    persona("front_door_officer")
    # A transactional test starts from an empty database: the default rule is made here.
    AlertRule.objects.get_or_create(
        name=ADDRESS_RULE,
        defaults={
            "kind": "events_at_address",
            "event_types": ["police_incident:domestic_abuse"],
            "minimum": 3,
            "window_days": 365,
            "child_under_age": 5,
        },
    )
    child = make_person(given_names="Kian", family_name="Ashdown", date_of_birth=datetime.date(2024, 1, 9))
    for days_ago in (80, 40, 3):
        arrive(make_event([(child, SubjectRole.HOUSEHOLD_CHILD)], days_ago=days_ago))
    concern = EmergingConcern.objects.get(person=child)
    journey = Journey(page, live_server.url, "emerging concern")

    journey.sign_in("front_door_officer", PASSWORD)
    journey.nav("Emerging concerns")
    expect(page.get_by_role("cell", name=ADDRESS_RULE, exact=True)).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Kian Ashdown").click()
    journey.checkpoint("emerging concern")
    expect(page.get_by_role("heading", name="Emerging concern about Kian Ashdown")).to_be_visible()
    expect(page.get_by_role("link", name="record a contact for Kian Ashdown")).to_be_visible()

    journey.submit("No action needed", "no note")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why no action is needed")
    page.get_by_label("Why no action is needed").fill(
        "Police safeguarding referral already made to early help"
    )
    journey.submit("No action needed", "dismissed")
    expect(page.get_by_role("alert")).to_contain_text("Recorded: no action needed")

    concern.refresh_from_db()
    assert concern.status == "dismissed"
