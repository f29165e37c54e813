"""The one rule, from both sides: what a list shows and what a page opens always agree."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from time_machine import travel

from jigsaw.access import actions
from jigsaw.access.models import AccessLogEntry, BreakGlassAccess
from jigsaw.access.policy import get_person_for, people_visible_to
from jigsaw.partners.models import NamedProfessional, Notification
from jigsaw.people.models import Person
from jigsaw.people.queries import SearchQuery, search_people
from tests.factories import make_person, persona

pytestmark = pytest.mark.django_db

URGENT = "Child brought to hospital tonight with a head injury; checking for a plan"


def _agree(user: User, people: list[Person]) -> set[int]:
    """The people the list rule shows, checked one by one against the page rule."""
    listed = set(people_visible_to(user).values_list("pk", flat=True))
    for person in people:
        try:
            get_person_for(user, person.pk)
            opened = True
        except Http404:
            opened = False
        assert opened == (person.pk in listed), f"list and page disagree for {person}"
    return listed


@pytest.fixture
def adopted(team_manager: User, social_worker: User) -> Person:
    child = make_person(given_names="Amira", family_name="Haddad", date_of_birth=datetime.date(2019, 5, 4))
    actions.restrict_record(
        actor=team_manager, person_id=child.pk, reason="adoption", permitted_usernames=["social_worker"]
    )
    return child


def test_restricted_records_are_for_named_users_only(
    adopted: Person, social_worker: User, team_manager: User, front_door_officer: User
) -> None:
    ordinary = make_person()
    assert _agree(social_worker, [adopted, ordinary]) == {adopted.pk, ordinary.pk}
    assert _agree(team_manager, [adopted, ordinary]) == {adopted.pk, ordinary.pk}
    assert _agree(front_door_officer, [adopted, ordinary]) == {ordinary.pk}
    assert search_people(front_door_officer, SearchQuery(name="Amira Haddad")) == []


def test_partners_see_only_children_they_are_named_for(school_dsl: User, gp: User) -> None:
    pupil, other = make_person(), make_person()
    NamedProfessional.objects.create(
        person=pupil, practitioner=school_dsl.practitioner, involvement="Designated safeguarding lead"
    )
    assert _agree(school_dsl, [pupil, other]) == {pupil.pk}
    assert _agree(gp, [pupil, other]) == set()


def test_aggregate_roles_see_no_child(analyst: User, data_protection_officer: User) -> None:
    child = make_person()
    for user in (analyst, persona("partnership_member"), data_protection_officer, persona("administrator")):
        assert _agree(user, [child]) == set()


def test_break_glass_opens_the_record_and_tells_the_right_people(
    adopted: Person,
    front_door_officer: User,
    team_manager: User,
    data_protection_officer: User,
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[list[Callable[[], None]]]],
) -> None:
    with pytest.raises(ValidationError):
        actions.break_glass(actor=front_door_officer, person_id=adopted.pk, reason="need it")

    with django_capture_on_commit_callbacks(execute=True):
        access = actions.break_glass(actor=front_door_officer, person_id=adopted.pk, reason=URGENT)

    assert _agree(front_door_officer, [adopted]) == {adopted.pk}
    entry = AccessLogEntry.objects.get(action="break_glass")
    assert (entry.user_id, entry.record_id, entry.reason) == (front_door_officer.pk, str(adopted.pk), URGENT)
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"team_manager", "data_protection_officer"}
    assert access.reviewed_at is None


def test_a_break_glass_opening_expires(adopted: Person, front_door_officer: User) -> None:
    actions.break_glass(actor=front_door_officer, person_id=adopted.pk, reason=URGENT)
    with travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(hours=9)):
        assert _agree(front_door_officer, [adopted]) == set()


def test_break_glass_is_only_for_restricted_records(front_door_officer: User, school_dsl: User) -> None:
    ordinary = make_person()
    with pytest.raises(Http404):
        actions.break_glass(actor=front_door_officer, person_id=ordinary.pk, reason=URGENT)


def test_the_review_queue(
    client: Client, adopted: Person, front_door_officer: User, data_protection_officer: User
) -> None:
    access = actions.break_glass(actor=front_door_officer, person_id=adopted.pk, reason=URGENT)
    client.force_login(data_protection_officer)
    assert URGENT in client.get(reverse("access:overview")).content.decode()

    refused = client.post(reverse("access:review", args=[access.pk]), {"outcome": "not_justified"})
    assert "Say what was wrong" in refused.content.decode()
    done = client.post(
        reverse("access:review", args=[access.pk]), {"outcome": "justified", "note": "Confirmed with A&E"}
    )

    assert done.status_code == 302
    access.refresh_from_db()
    assert (access.outcome, access.reviewed_by) == ("justified", data_protection_officer)
    assert URGENT not in client.get(reverse("access:overview")).content.decode()


def test_search_offers_break_glass_without_naming_the_child(
    client: Client, adopted: Person, front_door_officer: User
) -> None:
    client.force_login(front_door_officer)
    page = client.get(
        reverse("people:search"),
        {
            "name": "Amira Haddad",
            "date_of_birth_day": "4",
            "date_of_birth_month": "5",
            "date_of_birth_year": "2019",
        },
    ).content.decode()
    assert "A restricted record also matches strongly" in page
    assert "Haddad" not in page.split("<main")[1].split("</form>")[1]

    client.post(reverse("access:break_glass", args=[adopted.pk]), {"reason": URGENT})
    assert client.get(reverse("people:detail", args=[adopted.pk])).status_code == 200


def test_who_has_looked_at_this_child(
    client: Client, social_worker: User, data_protection_officer: User, adopted: Person
) -> None:
    client.force_login(social_worker)
    client.get(reverse("people:search"), {"name": "Amira Haddad"})
    client.get(reverse("people:detail", args=[adopted.pk]))
    client.force_login(data_protection_officer)

    page = client.get(reverse("access:history", args=[adopted.pk])).content.decode()

    assert page.count("Social Worker Persona") == 2
    assert "Search" in page
    assert "View" in page
    assert "Restrict" in page


def test_unknown_usernames_are_refused(team_manager: User) -> None:
    child = make_person()
    with pytest.raises(ValidationError) as raised:
        actions.restrict_record(
            actor=team_manager, person_id=child.pk, reason="staff_family", permitted_usernames=["nobody"]
        )
    assert "There is no active user called nobody" in raised.value.message_dict["permitted_users"][0]
    assert not BreakGlassAccess.objects.exists()
