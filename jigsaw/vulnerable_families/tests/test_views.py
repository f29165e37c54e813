"""The pages: reads that name children are logged, the other practice gets "not found",
the navigation and the partner's "Your meetings" page show what they should."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from jigsaw.access.models import AccessLogEntry
from jigsaw.vulnerable_families import actions
from jigsaw.vulnerable_families.models import FamilyDiscussion, Meeting, Outcome
from jigsaw.vulnerable_families.tests.helpers import (
    MEETING_DAY,
    add_family,
    child,
    gp,
    health_visitor,
    meeting,
    other_gp,
    practitioner_of,
    standing,
)
from tests.factories import persona

pytestmark = pytest.mark.django_db


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_opening_a_meeting_is_logged_naming_every_child_shown() -> None:
    on = meeting()
    first, second = (
        child(given_names="Ava", family_name="Okafor"),
        child(given_names="Ben", family_name="Okafor"),
    )
    add_family(on, first, second)
    page = _client(gp()).get(reverse("vulnerable_families:meeting", args=[on.pk]))
    assert page.status_code == 200
    assert first.full_name in page.content.decode()
    entry = AccessLogEntry.objects.get(action="view_vulnerable_families_meeting")
    assert (entry.user_id, entry.record_id) == (gp().pk, str(on.pk))
    assert entry.detail["subjects"] == [
        f"vulnerable_families.meeting:{on.pk}",
        f"people.person:{first.pk}",
        f"people.person:{second.pk}",
    ]


def test_another_practice_gets_not_found_and_writes_no_read() -> None:
    on = meeting()
    add_family(on, child())
    page = _client(other_gp()).get(reverse("vulnerable_families:meeting", args=[on.pk]))
    assert page.status_code == 404
    assert not AccessLogEntry.objects.filter(action="view_vulnerable_families_meeting").exists()


def test_arranging_the_next_meeting_through_the_page_carries_the_list_forward() -> None:
    on = meeting()
    family = add_family(on, child())
    actions.record_discussion(
        actor=gp(), discussion_id=family, expected_version=1, concern="Low mood", outcome=Outcome.KEEP_ON_LIST
    )
    day = MEETING_DAY + datetime.timedelta(weeks=6)
    page = _client(health_visitor()).post(
        reverse("vulnerable_families:schedule", args=[standing().pk]),
        {"held_on_day": day.day, "held_on_month": day.month, "held_on_year": day.year},
    )
    arranged = Meeting.objects.get(held_on=day)
    assert page.status_code == 302
    assert page["Location"] == reverse("vulnerable_families:meeting", args=[arranged.pk])
    assert FamilyDiscussion.objects.get(meeting=arranged).carried_from_id == family


def test_a_discussion_with_no_outcome_gets_the_users_words() -> None:
    on = meeting()
    family = add_family(on, child())
    page = _client(gp()).post(
        reverse("vulnerable_families:discussion", args=[family]), {"concern": "", "version": "1"}
    )
    body = page.content.decode()
    assert page.status_code == 200
    assert "Enter what the meeting discussed" in body
    assert "Choose the outcome for the family" in body


def test_the_navigation_shows_the_meetings_to_health_visitors_and_gps_only() -> None:
    for user, shown in ((gp(), True), (health_visitor(), True), (persona("school_dsl"), False)):
        page = _client(user).get(reverse("home"))
        assert ('href="/vulnerable-families/"' in page.content.decode()) is shown


def test_your_meetings_page_counts_the_practitioners_overdue_actions() -> None:
    on = meeting()
    family = add_family(on, child())
    actions.add_family_action(
        actor=health_visitor(),
        discussion_id=family,
        description="Check the baby's weight",
        owner_id=practitioner_of(gp()).pk,
        due_on=MEETING_DAY,
    )
    page = _client(gp()).get(reverse("partners:meetings"))
    body = page.content.decode()
    assert "You have 1 action to do from vulnerable families meetings, 1 of them overdue" in body
    other = _client(persona("school_dsl")).get(reverse("partners:meetings")).content.decode()
    assert "vulnerable families" not in other.lower()
