"""Malformed input at every form: never a server error, never a partial write.

Hypothesis throws text of every kind (empty, huge, control characters, other scripts,
numbers where words belong) at each form. A form that refuses the input must leave the
database exactly as it was.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jigsaw.casework.models import Contact
from jigsaw.people.models import Person
from tests.factories import make_person, open_by_breaking_glass, persona, restrict
from tests.fuzzing import fuzz_form

pytestmark = pytest.mark.django_db

# (url name, persona who may use it, the form's field names)
FORMS: list[tuple[str, str, list[str]]] = [
    (
        "people:create",
        "social_worker",
        [
            "given_names",
            "family_name",
            "date_of_birth_day",
            "date_of_birth_month",
            "date_of_birth_year",
            "birth_date_precision",
            "sex",
            "ethnicity",
            "disability",
            "nhs_number",
            "upn",
            "line_1",
            "town",
            "postcode",
            "moved_in_day",
            "moved_in_month",
            "moved_in_year",
            "confirmed_new",
        ],
    ),
    (
        "people:edit",
        "social_worker",
        [
            "given_names",
            "family_name",
            "date_of_birth_day",
            "date_of_death_year",
            "birth_date_precision",
            "sex",
            "ethnicity",
            "disability",
            "nhs_number",
            "upn",
            "version",
        ],
    ),
    (
        "people:add_name",
        "social_worker",
        ["kind", "given_names", "family_name", "used_from_day", "used_to_year"],
    ),
    ("people:add_identifier", "social_worker", ["kind", "value", "issued_by"]),
    (
        "people:record_move",
        "social_worker",
        ["line_1", "line_2", "town", "postcode", "moved_in_day", "moved_in_month", "moved_in_year"],
    ),
    ("people:add_relationship", "social_worker", ["relative", "kind", "started_year"]),
    ("people:add_household_member", "social_worker", ["member", "joined_day"]),
    ("access:break_glass", "front_door_officer", ["reason"]),
    (
        "casework:new_contact",
        "front_door_officer",
        [
            "received_on_day",
            "received_on_month",
            "received_on_year",
            "received_time",
            "source",
            "referrer_agency",
            "referrer_name",
            "concern",
            "consent",
            "urgency",
        ],
    ),
    ("casework:contact", "front_door_officer", ["decision", "reason", "primary_need", "version"]),
    ("access:restrict", "team_manager", ["reason", "permitted_users", "note"]),
    ("access:review", "data_protection_officer", ["outcome", "note"]),
    (
        "access:new_subject_access_request",
        "data_protection_officer",
        ["person", "requested_by", "received_on_day", "received_on_month", "received_on_year"],
    ),
]


@pytest.mark.parametrize(("url_name", "who", "fields"), FORMS, ids=[f[0] for f in FORMS])
def test_malformed_input_never_breaks_a_form(url_name: str, who: str, fields: list[str]) -> None:
    user: User = persona(who)
    person = make_person(date_of_birth=datetime.date(2014, 2, 3))
    target = person.pk
    if url_name == "casework:contact":
        target = Contact.objects.create(
            person=person,
            received_at=timezone.now(),
            source="6",
            concern="Police attended a domestic incident",
            consent="not_sought",
            decision_due=timezone.localdate(),
            recorded_by=user,
        ).pk
    if url_name in {"access:break_glass", "access:review"}:
        restrict(person)
        if url_name == "access:review":
            target = open_by_breaking_glass(person).pk
    url = (
        reverse(url_name)
        if url_name.endswith("new_subject_access_request") or url_name == "people:create"
        else reverse(url_name, args=[target])
    )
    client = Client()
    client.force_login(user)

    fuzz_form(client, url, fields)
    assert Person.objects.filter(pk=person.pk).exists()
