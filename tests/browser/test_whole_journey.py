"""The whole journey in a real browser, each step by the role that does it, every page
axe-checked: contact → decision → authorisation and allocation → assessment → manager's
sign-off → strategy discussion → section 47 → initial conference → plan → core group →
visit → review conference."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from jigsaw.casework.models import (
    Assessment,
    ChildProtectionConference,
    ChildProtectionPlan,
    ChronologyEntry,
    Referral,
    Section47Enquiry,
)
from tests.browser.pages import Journey
from tests.factories import PASSWORD, make_person, persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill_date(page: Page, group: str, day: datetime.date) -> None:
    fields = page.get_by_role("group", name=group)
    fields.get_by_label("Day").fill(str(day.day))
    fields.get_by_label("Month").fill(str(day.month))
    fields.get_by_label("Year").fill(str(day.year))


def _click(journey: Journey, name: str, *, role: str = "link") -> None:
    with journey.page.expect_navigation():
        journey.page.get_by_role(role, name=name).first.click()  # type: ignore[arg-type]
    journey.checkpoint(name)


def test_contact_to_review_conference(page: Page, live_server: LiveServer) -> None:
    for who in ["front_door_officer", "team_manager", "social_worker", "conference_chair"]:
        persona(who)
    child = make_person(given_names="Victoria", family_name="Adjo", date_of_birth=datetime.date(2018, 11, 2))
    journey = Journey(page, live_server.url, "whole journey")
    today = timezone.localdate()

    # The front door records the school's concern and decides within the day.
    journey.sign_in("front_door_officer", PASSWORD)
    journey.visit(f"/people/{child.pk}")
    _click(journey, "Record a contact")
    page.get_by_label("Who the contact came from").select_option(label="Schools")
    page.get_by_label("The concern").fill("Marks on the arms and legs; Victoria is often hungry and cold.")
    page.get_by_label("Given").check()
    journey.submit("Record the contact", "contact recorded")
    page.get_by_label("Referral for assessment").check()
    page.get_by_label("Reason").fill("Possible physical abuse and neglect: needs an assessment")
    page.get_by_label("Primary need").select_option(label="N1 Abuse or neglect")
    journey.submit("Record the decision", "decided")
    journey.submit("Sign out", "front door signed out")

    # A manager authorises it, which opens the referral, and allocates it.
    journey.sign_in("team_manager", PASSWORD)
    journey.nav("Front door")
    with page.expect_navigation():
        page.get_by_role("table").nth(1).get_by_role("link", name="Victoria Adjo").click()
    journey.checkpoint("awaiting authorisation")
    journey.submit("Authorise this decision", "authorised: the referral")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Episode of need")
    expect(page.get_by_text("Unallocated").first).to_be_visible()
    referral = Referral.objects.get(person=child)
    _click(journey, "Allocate this episode")
    page.get_by_label("Social Worker Persona", exact=False).check()
    journey.submit("Allocate", "allocated")
    referral.refresh_from_db()
    assert referral.allocated_worker == persona("social_worker")
    journey.submit("Sign out", "manager signed out")

    # The social worker finds the child in their work and assesses.
    journey.sign_in("social_worker", PASSWORD)
    journey.nav("My work")
    expect(page.get_by_role("main")).to_contain_text("Victoria Adjo")
    journey.visit(f"/casework/referrals/{referral.pk}")
    _click(journey, "Start an assessment")
    journey.submit("Start the assessment", "assessment started")
    assessment = Assessment.objects.get(referral=referral)
    journey.visit(f"/casework/assessments/{assessment.pk}")
    _fill_date(page, "Date the child was seen", today)
    page.get_by_role("group", name="Was the child seen alone?").get_by_label("Yes").check()
    page.get_by_label("18C Physical abuse by an adult").check()
    page.get_by_label("16A Neglect").check()
    page.get_by_label("Analysis").fill("Injuries unexplained; the explanations given do not fit.")
    page.get_by_role("group", name="Outcome").get_by_label("Strategy discussion").check()
    journey.submit("Save and complete", "assessment completed")
    journey.submit("Sign out", "worker signed out")

    # The manager signs the assessment off from the team page.
    journey.sign_in("team_manager", PASSWORD)
    journey.nav("Team")
    expect(page.locator("#sign-off ~ *").first).to_be_visible()
    journey.visit(f"/casework/assessments/{assessment.pk}")
    journey.submit("Authorise this assessment", "assessment authorised")
    assessment.refresh_from_db()
    assert assessment.authorised_by == persona("team_manager")
    journey.submit("Sign out", "manager signed out again")

    # Strategy discussion, section 47, and the initial conference arranged.
    journey.sign_in("social_worker", PASSWORD)
    journey.visit(f"/casework/referrals/{referral.pk}")
    _click(journey, "Start a strategy discussion")
    page.get_by_label("Section 47 enquiry").check()
    page.get_by_label("Summary").fill("Police and health agree: section 47 enquiries, joint visit today.")
    journey.submit("Record the strategy discussion", "strategy discussion")
    enquiry = Section47Enquiry.objects.get(referral=referral)
    journey.visit(f"/casework/section-47/{enquiry.pk}")
    page.get_by_label("Concerns substantiated: initial child protection conference").check()
    journey.submit("Record the outcome", "section 47 outcome")
    journey.visit(f"/casework/referrals/{referral.pk}")
    _click(journey, "Arrange a conference")
    # Due within 15 working days; this one is held today.
    _fill_date(page, "Date of the conference", today)
    journey.submit("Arrange the conference", "initial conference arranged")
    journey.submit("Sign out", "worker signed out again")

    # The chair records attendance and the decision: a plan, under neglect.
    journey.sign_in("conference_chair", PASSWORD)
    journey.nav("Conferences")
    conference = ChildProtectionConference.objects.get()
    journey.visit(f"/casework/conferences/{conference.pk}")
    page.get_by_label("How Social Worker Persona took part").select_option(label="Attended by video")
    page.get_by_role("group", name="Decision for Victoria Adjo").get_by_label(
        "Child protection plan", exact=True
    ).check()
    page.get_by_label("Category of the plan for Victoria Adjo").select_option(label="Neglect")
    page.get_by_label("The child's views").fill("Victoria drew her home and said she is cold at night.")
    page.get_by_label("Summary of the conference").fill("Victoria is at continuing risk of significant harm.")
    journey.submit("Record the outcome", "initial conference outcome")
    plan = ChildProtectionPlan.objects.get(person=child)
    assert (plan.initial_category, plan.ended_on) == ("NEG", None)
    journey.submit("Sign out", "chair signed out")

    # The plan's work: a core group and a visit, then the review conference is arranged.
    journey.sign_in("social_worker", PASSWORD)
    journey.visit(f"/casework/plans/{plan.pk}")
    _click(journey, "Record a core group")
    journey.submit("Record the core group", "core group")
    journey.visit(f"/casework/plans/{plan.pk}")
    _click(journey, "Record a visit")
    page.get_by_role("group", name="Was the child seen?").get_by_label("Yes").check()
    page.get_by_role("group", name="Was the child seen alone?").get_by_label("Yes").check()
    journey.submit("Record the visit", "visit")
    journey.visit(f"/casework/plans/{plan.pk}")
    _click(journey, "Arrange the review conference")
    page.get_by_label("Review").check()
    _fill_date(page, "Date of the conference", today)
    journey.submit("Arrange the conference", "review arranged")
    journey.submit("Sign out", "worker signed out at the end")

    # The chair holds the review: the plan continues.
    journey.sign_in("conference_chair", PASSWORD)
    review = ChildProtectionConference.objects.get(kind="review")
    journey.visit(f"/casework/conferences/{review.pk}")
    page.get_by_role("group", name="Decision for Victoria Adjo").get_by_label(
        "Continue the child protection plan"
    ).check()
    page.get_by_label("Category of the plan for Victoria Adjo").select_option(label="Neglect")
    page.get_by_label("The child's views").fill("Victoria says things are better at home.")
    page.get_by_label("Summary of the conference").fill("Progress, but the plan continues for now.")
    journey.submit("Record the outcome", "review outcome")
    plan.refresh_from_db()
    assert plan.ended_on is None and plan.next_review_due is not None

    # One chronology holds it all.
    journey.visit(f"/casework/people/{child.pk}/chronology")
    kinds = set(ChronologyEntry.objects.filter(person=child).values_list("kind", flat=True))
    assert {
        "contact",
        "decision",
        "referral",
        "allocation",
        "assessment",
        "strategy",
        "s47",
        "conference",
        "plan",
        "core_group",
        "visit",
    } <= kinds
