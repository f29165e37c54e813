"""Malformed input at every child protection form: never a server error, never a partial
write (tests/fuzzing.py)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from time_machine import travel

from jigsaw.casework.models import ConferenceChild
from tests.casework_factories import make_referral
from tests.factories import make_person
from tests.fuzzing import fuzz_form
from tests.protection_factories import (
    make_conference,
    make_discussion,
    make_journey,
    make_practitioner,
    make_sibling,
    name_professional,
)

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 20, 15, tzinfo=datetime.UTC)


def _date(prefix: str) -> list[str]:
    return [f"{prefix}_day", f"{prefix}_month", f"{prefix}_year"]


@travel(NOW, tick=False)
def test_fuzz_the_strategy_discussion_form(client: Client, social_worker: User) -> None:
    child = make_person()
    make_referral(make_sibling(child), referred_on=datetime.date(2026, 3, 2))  # offered as a sibling
    name_professional(child, make_practitioner())
    referral = make_referral(child, worker=social_worker, referred_on=datetime.date(2026, 3, 2))
    client.force_login(social_worker)
    fuzz_form(
        client,
        reverse("casework:new_strategy_discussion", args=[referral.pk]),
        [*_date("held_on"), "decision", "summary", "children", "attendees", "extra_name_1", "extra_agency_1"],
    )


@travel(NOW, tick=False)
def test_fuzz_the_section47_form(client: Client, social_worker: User) -> None:
    referral = make_referral(worker=social_worker, referred_on=datetime.date(2026, 3, 2))
    make_discussion([referral], held_on=datetime.date(2026, 3, 3))
    client.force_login(social_worker)
    fuzz_form(
        client,
        reverse("casework:section47", args=[referral.section47s.get().pk]),
        ["outcome", *_date("completed_on"), "version"],
    )


@travel(NOW, tick=False)
def test_fuzz_the_conference_form(client: Client, social_worker: User) -> None:
    referral = make_referral(worker=social_worker, referred_on=datetime.date(2026, 3, 2))
    make_discussion([referral], held_on=datetime.date(2026, 3, 3))
    client.force_login(social_worker)
    fuzz_form(
        client,
        reverse("casework:new_conference", args=[referral.pk]),
        [
            "kind",
            *_date("date"),
            "chair",
            "children",
            "professionals",
            "family",
            "advocate",
            "extra_name_1",
            "extra_agency_1",
        ],
    )


@travel(NOW, tick=False)
def test_fuzz_the_conference_outcome_form(
    client: Client, social_worker: User, conference_chair: User
) -> None:
    referral = make_referral(worker=social_worker, referred_on=datetime.date(2026, 3, 2))
    make_discussion([referral], held_on=datetime.date(2026, 3, 3))
    conference = make_conference([referral], date=datetime.date(2026, 3, 20))
    child = ConferenceChild.objects.get(conference=conference)
    invitations = list(conference.invitations.values_list("pk", flat=True))
    client.force_login(conference_chair)
    fuzz_form(
        client,
        reverse("casework:conference", args=[conference.pk]),
        [
            "version",
            "child_views",
            "summary",
            f"decision_{child.pk}",
            f"category_{child.pk}",
            *[f"attendance_{pk}" for pk in invitations],
            *[f"report_{pk}" for pk in invitations],
        ],
    )


@travel(NOW, tick=False)
def test_fuzz_the_end_plan_form(client: Client, social_worker: User) -> None:
    journey = make_journey(start=datetime.date(2026, 1, 5))
    client.force_login(social_worker)
    fuzz_form(
        client,
        reverse("casework:end_plan", args=[journey.plan.pk]),
        [*_date("ended_on"), "reason", "version"],
    )


@travel(NOW, tick=False)
def test_fuzz_the_core_group_form(client: Client, social_worker: User) -> None:
    journey = make_journey(start=datetime.date(2026, 1, 5))
    officer = make_practitioner()
    client.force_login(social_worker)
    fuzz_form(
        client,
        reverse("casework:new_core_group", args=[journey.plan.pk]),
        [
            *_date("held_on"),
            "summary",
            f"member_p{officer.pk}",
            f"attended_p{officer.pk}",
            f"phone_p{officer.pk}",
            f"email_p{officer.pk}",
            f"contact_p{officer.pk}",
            f"agreed_p{officer.pk}",
            "extra_name_1",
            "extra_agency_1",
            "phone_extra_1",
            "email_extra_1",
            "contact_extra_1",
        ],
    )


@travel(NOW, tick=False)
def test_fuzz_the_visit_form(client: Client, social_worker: User) -> None:
    journey = make_journey(start=datetime.date(2026, 1, 5))
    client.force_login(social_worker)
    fuzz_form(
        client,
        reverse("casework:new_visit", args=[journey.referral.pk]),
        [*_date("visited_on"), "child_seen", "seen_alone", "note"],
    )
