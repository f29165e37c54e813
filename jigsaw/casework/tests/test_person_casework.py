"""The child's page shows their casework: episodes, allocation, plan, early help, contacts."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from jigsaw.casework.models import ChildProtectionPlan, EarlyHelpEpisode
from jigsaw.casework.queries import person_casework
from tests.casework_factories import make_contact, make_referral
from tests.factories import make_person, persona

pytestmark = pytest.mark.django_db


def test_the_childs_page_shows_open_work_first(client: Client, social_worker: User) -> None:
    child = make_person()
    closed = make_referral(
        child,
        referred_on=datetime.date(2025, 1, 6),
        closed_on=datetime.date(2025, 3, 1),
        closure_reason="RC8",
    )
    current = make_referral(child, referred_on=datetime.date(2026, 9, 1))
    plan = ChildProtectionPlan.objects.create(
        referral=current,
        person=child,
        started_on=datetime.date(2026, 10, 1),
        initial_category="NEG",
        latest_category="NEG",
    )
    make_contact(child)
    client.force_login(social_worker)

    page = client.get(reverse("people:detail", args=[child.pk])).content.decode()

    assert page.index(reverse("casework:referral", args=[current.pk])) < page.index(
        reverse("casework:referral", args=[closed.pk])
    )
    assert "Unallocated" in page
    assert reverse("casework:plan", args=[plan.pk]) in page
    assert reverse("casework:chronology", args=[child.pk]) in page
    assert "Add a case note" in page


def test_a_partner_named_for_the_child_sees_no_casework_card(gp: User) -> None:
    child = make_person()
    make_referral(child)
    EarlyHelpEpisode.objects.create(
        person=child, started_on=datetime.date(2026, 1, 5), recorded_by=persona("team_manager")
    )
    assert person_casework(gp, child) is None


def test_the_chair_reads_but_is_not_offered_recording(client: Client, conference_chair: User) -> None:
    child = make_person()
    make_referral(child)
    client.force_login(conference_chair)
    page = client.get(reverse("people:detail", args=[child.pk])).content.decode()
    assert "Open episode" in page
    assert "Add a case note" not in page
