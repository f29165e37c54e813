"""Malformed input at the merge, unmerge and review forms: never a server error, and a
refused form changes nothing (tests/fuzzing.py)."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from jigsaw.matching.index import person_record
from jigsaw.matching.merge import merge_people
from jigsaw.matching.models import MatchReview, MatchSource
from jigsaw.matching.review import resolve
from jigsaw.people.models import Person
from tests.factories import make_person, persona
from tests.fuzzing import fuzz_form

pytestmark = pytest.mark.django_db

BORN = datetime.date(2016, 3, 11)


def _pair() -> tuple[Person, Person]:
    first = make_person(given_names="Anna", family_name="Kouao", date_of_birth=BORN, sex="F")
    second = make_person(given_names="Marie", family_name="Kouao", date_of_birth=BORN, sex="F")
    return first, second


def _client() -> Client:
    client = Client()
    client.force_login(persona("front_door_officer"))
    return client


def test_the_merge_forms() -> None:
    first, second = _pair()
    client = _client()
    fuzz_form(client, reverse("matching:merge_start", args=[first.pk]), ["other"])
    fuzz_form(
        client,
        reverse("matching:merge_compare", args=[first.pk, second.pk]),
        ["survivor", "reason", "person_version", "other_version", "confirmed"],
    )
    assert Person.objects.filter(merged_into__isnull=False).count() <= 1


def test_the_unmerge_form() -> None:
    first, second = _pair()
    merge = merge_people(
        actor=persona("front_door_officer"), survivor=first, merged=second, reason="Same child"
    )
    fuzz_form(_client(), reverse("matching:unmerge", args=[merge.pk]), ["reason", "reassign"])


def test_the_review_decision_form() -> None:
    _, second = _pair()
    resolve(source=MatchSource.PERSON_CREATION, record=person_record(second), person=second)
    review = MatchReview.objects.get()
    fuzz_form(
        _client(), reverse("matching:review", args=[review.pk]), ["decision", "survivor", "note", "version"]
    )
