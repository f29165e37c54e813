"""Malformed input at the flag-check form: never a server error, and a refused form keeps
nothing (a check that was asked is kept, whatever it answered)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import make_person, persona
from tests.fuzzing import fuzz_form

pytestmark = pytest.mark.django_db

FIELDS = [
    "reason",
    "where_seen",
    "nhs_number",
    "given_name",
    "family_name",
    "date_of_birth_day",
    "date_of_birth_month",
    "date_of_birth_year",
    "postcode",
]


def test_the_flag_check_form_survives_malformed_input(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every accepted example is a check: lift the limit so the fuzzing is not refused.
    monkeypatch.setattr(settings, "JIGSAW_FLAG_CHECKS_PER_HOUR", 10_000)
    monkeypatch.setattr(settings, "JIGSAW_FLAG_CHECKS_PER_DAY", 10_000)
    make_person(given_names="Anna", family_name="Kouao", nhs_number="9434765919")
    client = Client()
    client.force_login(persona("gp"))

    fuzz_form(client, reverse("partners:flag_check"), FIELDS, examples=40)
