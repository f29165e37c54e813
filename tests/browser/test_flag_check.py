"""An A&E clinician's flag check reaches the child's social worker as an alert; and the
flag-check form can be completed with the keyboard alone (issue 5 item 3, issue 10)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from jigsaw.access.roles import Role
from jigsaw.partners.models import Agency, AgencyKind, Practitioner
from tests.browser.pages import Journey
from tests.casework_factories import make_referral
from tests.factories import PASSWORD, make_agency, make_person, make_team, make_user, persona
from tests.worklist_factories import make_cp_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "Brought in with a head injury; the explanation does not fit"


def _ae_clinician() -> User:
    """A partner practitioner in a hospital's emergency department (not one of the shared
    personas: the permission matrix walks those)."""
    user = make_user("ae_clinician", first_name="Asha", last_name="Patel")
    Practitioner.objects.create(
        user=user,
        full_name="Dr Asha Patel",
        agency=make_agency("St Mary's Hospital", AgencyKind.ACUTE_HEALTH),
        role=Role.PARTNER_PRACTITIONER,
        job_title="Emergency medicine registrar",
    )
    return user


def _numbers() -> None:
    csc = make_agency()
    Agency.objects.filter(pk=csc.pk).update(phone="01632 960100", out_of_hours_phone="01632 960999")
    team = make_team(csc)
    team.phone = "01632 960200"
    team.save()


def test_an_ae_clinicians_flag_check_alerts_the_social_worker(page: Page, live_server: LiveServer) -> None:
    _numbers()
    _ae_clinician()
    worker = persona("social_worker")
    Practitioner.objects.filter(user=worker).update(phone="01632 960000")
    child = make_person(
        given_names="Victoria",
        family_name="Adjo",
        date_of_birth=datetime.date(2018, 11, 2),
        nhs_number="9434765919",
    )
    referral = make_referral(child, worker=worker, referred_on=datetime.date(2026, 1, 5))
    make_cp_plan(referral, started_on=datetime.date(2026, 3, 3))
    journey = Journey(page, live_server.url, "flag check to the social worker")

    journey.sign_in("ae_clinician", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("link", name="Check a child's safeguarding flag").click()
    journey.checkpoint("flag check form")
    expect(page.get_by_label("Where you saw the child")).to_have_value("St Mary's Hospital")
    page.get_by_label("Why are you checking?").fill(REASON)
    page.get_by_label("Where you saw the child").fill("St Mary's A&E")
    page.get_by_label("NHS number").fill("943 476 5919")
    journey.submit("Check", "flag answer")
    answer = page.get_by_role("region", name="Safeguarding flag")
    expect(answer).to_contain_text("On a child protection plan since 3 March 2026")
    expect(answer).to_contain_text(
        "Call Social Worker Persona, Assessment Team 1, 01632 960000; out of hours 01632 960999."
    )
    expect(page.get_by_text("Adjo")).to_have_count(0)
    with page.expect_navigation():
        page.get_by_role("link", name="Your recent checks").click()
    journey.checkpoint("recent checks")
    expect(page.get_by_role("table")).to_contain_text("NHS number 943 476 5919")
    expect(page.get_by_role("table")).to_contain_text("On a child protection plan")
    journey.submit("Sign out", "signed out")

    journey.sign_in("social_worker", PASSWORD)
    journey.nav("My work")
    alerts = page.locator("#alerts + table, #alerts ~ table").first
    expect(alerts).to_contain_text("Flag check: Victoria Adjo seen at St Mary's A&E")
    expect(alerts).to_contain_text(f"by Dr Asha Patel, St Mary's Hospital: {REASON}")
    expect(alerts).to_contain_text("Seen at St Mary's A&E at ")
    with page.expect_navigation():
        alerts.get_by_role("link", name="Flag check: Victoria Adjo seen at St Mary's A&E").click()
    journey.checkpoint("the child's page")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Victoria Adjo")


def test_the_flag_check_form_can_be_completed_with_the_keyboard_alone(
    page: Page, live_server: LiveServer
) -> None:
    _numbers()
    _ae_clinician()
    make_person(given_names="Keanu", family_name="Williams", date_of_birth=datetime.date(2016, 6, 14))
    journey = Journey(page, live_server.url, "flag check by keyboard")
    journey.sign_in("ae_clinician", PASSWORD)
    journey.visit("/partners/flag-check")

    def focused() -> str:
        return str(page.evaluate("() => document.activeElement && document.activeElement.id"))

    # From the top of the page, Tab reaches the first question (past the skip link, the
    # header and the navigation), then each field in the order it is read.
    for _ in range(40):
        page.keyboard.press("Tab")
        if focused() == "id_reason":
            break
    assert focused() == "id_reason"
    page.keyboard.type(REASON)
    page.keyboard.press("Tab")
    assert focused() == "id_where_seen"
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("St Mary's A&E")
    page.keyboard.press("Tab")
    assert focused() == "id_nhs_number"
    page.keyboard.press("Tab")
    assert focused() == "id_given_name"
    page.keyboard.type("Keanu")
    page.keyboard.press("Tab")
    assert focused() == "id_family_name"
    page.keyboard.type("Williams")
    for box, value in (
        ("id_date_of_birth_0", "14"),
        ("id_date_of_birth_1", "6"),
        ("id_date_of_birth_2", "2016"),
    ):
        page.keyboard.press("Tab")
        assert focused() == box
        page.keyboard.type(value)
    page.keyboard.press("Tab")
    assert focused() == "id_postcode"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Check"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    journey.checkpoint("answered by keyboard")
    expect(page.get_by_role("region", name="No flag found")).to_contain_text(
        "Not known to be on a child protection plan or looked after"
    )
    expect(page.get_by_role("region", name="No flag found")).to_contain_text(
        "This does not mean the child is safe."
    )
