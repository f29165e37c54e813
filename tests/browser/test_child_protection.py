"""Two siblings through child protection in a real browser, every page checked with axe:
one strategy discussion for both, one conference with a decision for each, then the
plan's core group, a visit and the plan's end."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from jigsaw.casework.models import ChildProtectionPlan, Section47Enquiry
from tests.browser.pages import Journey
from tests.casework_factories import make_referral
from tests.factories import PASSWORD, make_person, persona
from tests.protection_factories import make_parent, make_practitioner, make_sibling, name_professional

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill_date(tab: Page, day: datetime.date) -> None:
    tab.get_by_label("Day").fill(str(day.day))
    tab.get_by_label("Month").fill(str(day.month))
    tab.get_by_label("Year").fill(str(day.year))


def test_siblings_from_strategy_discussion_to_the_end_of_a_plan(page: Page, live_server: LiveServer) -> None:
    worker = persona("social_worker")
    persona("conference_chair")
    today = timezone.localdate()
    anna = make_person(given_names="Anna", family_name="Climbie", date_of_birth=datetime.date(2016, 11, 2))
    kevin = make_sibling(anna, family_name="Climbie")
    make_parent(anna)
    officer = make_practitioner()
    name_professional(anna, officer, "Investigating officer")
    referral = make_referral(anna, worker=worker, referred_on=today - datetime.timedelta(days=5))
    make_referral(kevin, worker=worker, referred_on=today - datetime.timedelta(days=5))
    journey = Journey(page, live_server.url, "child protection siblings")

    journey.sign_in("social_worker", PASSWORD)
    journey.visit(f"/casework/referrals/{referral.pk}/strategy-discussions/new")
    page.get_by_label("Section 47 enquiry").check()
    page.get_by_label("Summary").fill("Police and health agree the threshold for enquiries is met.")
    page.get_by_label("Kevin Climbie").check()
    page.get_by_label("Dawn Hale, Investigating officer (Riverford Police)").check()
    journey.submit("Record the strategy discussion", "strategy discussion recorded")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Strategy discussion on")
    assert Section47Enquiry.objects.count() == 2

    journey.visit(f"/casework/section-47/{referral.section47s.get().pk}")
    journey.visit(f"/casework/referrals/{referral.pk}/conferences/new")
    expect(page.get_by_label("Kevin Climbie")).to_be_checked()
    _fill_date(page, today)
    expect(page.get_by_label("Chair")).to_have_value(str(persona("conference_chair").pk))  # the only one
    page.get_by_label("Advocate for the family (optional)").fill("Jo Bright")
    journey.submit("Arrange the conference", "conference arranged")
    journey.submit("Sign out", "signed out")

    journey.sign_in("conference_chair", PASSWORD)
    journey.nav("Conferences")
    with page.expect_navigation():
        page.get_by_role("table").first.get_by_role("link").first.click()
    journey.checkpoint("the conference")
    page.get_by_label("How Social Worker Persona took part").select_option(label="Attended in person")
    page.get_by_label("How Dawn Hale took part").select_option(label="Attended by video")
    page.get_by_label("How Marie Therese took part").select_option(label="Attended in person")
    page.get_by_label("How Jo Bright took part").select_option(label="Attended in person")
    page.get_by_role("group", name="Decision for Anna Climbie").get_by_label(
        "Child protection plan", exact=True
    ).check()
    page.get_by_label("Category of the plan for Anna Climbie").select_option(label="Neglect")
    page.get_by_role("group", name="Decision for Kevin Climbie").get_by_label(
        "No child protection plan"
    ).check()
    page.get_by_label("The child's views").fill("Anna said she wants her mum to stop shouting.")
    page.get_by_label("Summary of the conference").fill("Anna is at continuing risk of neglect.")
    journey.submit("Record the outcome", "outcome recorded")
    plan = ChildProtectionPlan.objects.get()
    assert plan.person == anna
    journey.submit("Sign out", "chair signed out")

    journey.sign_in("social_worker", PASSWORD)
    journey.visit(f"/casework/referrals/{referral.pk}")
    journey.visit(f"/casework/plans/{plan.pk}")
    with page.expect_navigation():
        page.get_by_role("link", name="Record a core group").click()
    journey.checkpoint("core group form")
    page.get_by_label("Contact details agreed with Dawn Hale").check()
    journey.submit("Record the core group", "core group recorded")
    expect(page.get_by_role("table")).to_contain_text("01632 960111")

    journey.visit(f"/casework/referrals/{referral.pk}/visits/new")
    page.get_by_role("group", name="Was the child seen?").get_by_label("Yes").check()
    page.get_by_role("group", name="Was the child seen alone?").get_by_label("Yes").check()
    journey.submit("Record the visit", "visit recorded")

    journey.visit(f"/casework/plans/{plan.pk}/end")
    page.get_by_label("Moved to another local authority").check()
    journey.submit("End the plan", "plan ended")
    plan.refresh_from_db()
    assert plan.ended_on == today and plan.end_reason == "moved"
