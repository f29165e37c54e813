"""In a real browser, without JavaScript-only steps: a social worker finds a GP in the
directory from the child's page and names them, then adds a health visitor who is not in the
directory yet; a named GP sees the network. Every page is axe-checked and screenshotted."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from jigsaw.partners.models import AgencyKind, InformationSharingAgreement, LegalBasis, NamedProfessional
from tests.browser.pages import Journey
from tests.factories import PASSWORD, make_agency, make_person, persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_social_worker_names_a_gp_and_adds_a_health_visitor_once(
    page: Page, live_server: LiveServer
) -> None:
    persona("social_worker")
    gp = persona("gp")
    agreement = InformationSharingAgreement.objects.create(
        title="Riverford partnership agreement",
        reference="RSCP-ISA-01",
        purpose="Safeguarding children",
        legal_basis=LegalBasis.PUBLIC_TASK,
        starts_on="2025-04-01",
    )
    agreement.agencies.set([make_agency(), gp.practitioner.agency])
    make_agency("Riverford Health Visiting Service", AgencyKind.HEALTH_VISITING)
    child = make_person(given_names="Anna", family_name="Kouao")
    journey = Journey(page, live_server.url, "social worker names professionals")

    journey.sign_in("social_worker", PASSWORD)
    journey.visit(f"/people/{child.pk}")
    expect(page.get_by_role("heading", name="Professionals involved")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Add a professional").click()
    journey.checkpoint("add a professional")
    page.get_by_label("Name, job title or agency").fill("canal street")
    journey.submit("Search the directory", "search results")
    with page.expect_navigation():
        page.get_by_role("link", name="Choose Gp Persona of Canal Street Surgery").click()
    journey.checkpoint("chosen")
    page.get_by_label("Their role with the child").fill("GP")
    page.get_by_label("Consent given").check()
    journey.submit("Add Gp Persona", "named")
    expect(page.get_by_text("Gp Persona is now named as GP")).to_be_visible()

    with page.expect_navigation():
        page.get_by_role("link", name="Add a professional").click()
    page.get_by_label("Name, job title or agency").fill("Joy Mensah")
    journey.submit("Search the directory", "nobody found")
    expect(page.get_by_text("Nobody in the directory matches.")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Add a new professional").click()
    journey.checkpoint("new professional")
    expect(page.get_by_label("Full name")).to_have_value("Joy Mensah")
    page.get_by_label("Agency").select_option(label="Riverford Health Visiting Service")
    page.get_by_label("Their role with the child").fill("Health visitor")
    page.get_by_label("Phone number").fill("01632 960777")
    page.get_by_label("When they are available").fill("Mon to Wed")
    journey.submit("Add the professional", "added")

    card = page.locator("#professionals-involved")
    expect(card).to_contain_text("Best by phone: 01632 960777, Mon to Wed")
    expect(card).to_contain_text("Gp Persona")
    assert NamedProfessional.objects.filter(person=child, ended__isnull=True).count() == 2

    journey.visit(f"/partners/people/{child.pk}/disclosures")
    expect(page.get_by_role("table")).to_contain_text("Canal Street Surgery")
    expect(page.get_by_role("table")).to_contain_text("RSCP-ISA-01")


def test_a_named_gp_sees_the_network_and_finds_a_professional(page: Page, live_server: LiveServer) -> None:
    gp = persona("gp")
    dsl = persona("school_dsl")
    child = make_person(given_names="Anna", family_name="Kouao")
    for who, involvement in ((gp, "GP"), (dsl, "Designated safeguarding lead")):
        NamedProfessional.objects.create(person=child, practitioner=who.practitioner, involvement=involvement)
    journey = Journey(page, live_server.url, "gp sees the network")

    journey.sign_in("gp", PASSWORD)
    journey.visit(f"/people/{child.pk}")
    expect(page.locator("#professionals-involved")).to_contain_text("School Dsl Persona")
    expect(page.get_by_role("link", name="Add a professional")).to_have_count(0)
    journey.nav("Professionals")
    page.get_by_label("Name, job title or agency").fill("riverside")
    journey.submit("Search", "directory results")
    expect(page.get_by_role("table")).to_contain_text("School Dsl Persona")
    journey.visit("/partners/sharing-agreements")
