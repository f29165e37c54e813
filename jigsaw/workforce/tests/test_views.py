"""The workforce pages: the overview and a team's page for those who see the workforce,
the forms for the team's manager, bad input changing nothing, and a staff record's view
written to the access log."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from jigsaw.access.models import AccessLogEntry
from jigsaw.workforce.models import Appointment, Post, PostKind
from tests.factories import make_agency, make_team, persona

pytestmark = pytest.mark.django_db


def _post(team_name: str = "Assessment Team 1") -> Post:
    return Post.objects.create(
        team=make_team(make_agency(), team_name),
        title="Social worker",
        kind=PostKind.QUALIFIED_SOCIAL_WORKER,
        fte=Decimal("1.00"),
        established_on=datetime.date(2020, 4, 1),
    )


def test_the_overview_shows_each_teams_establishment(client: Client) -> None:
    post = _post()
    client.force_login(persona("analyst"))
    response = client.get(reverse("workforce:overview"))
    assert response.status_code == 200
    assert reverse("workforce:team", args=[post.team_id]).encode() in response.content
    assert b"Establishment by team" in response.content


def test_a_manager_adds_a_post_and_appoints_to_it(client: Client) -> None:
    manager = persona("team_manager")
    team_id = manager.practitioner.team_id
    assert team_id is not None
    client.force_login(manager)
    response = client.post(
        reverse("workforce:new_post", args=[team_id]),
        {
            "title": "Senior practitioner",
            "kind": PostKind.SENIOR_PRACTITIONER,
            "fte": "1.0",
            "established_on_day": "1",
            "established_on_month": "4",
            "established_on_year": "2024",
        },
    )
    assert response.status_code == 302
    post = Post.objects.get(team_id=team_id)
    worker = persona("social_worker").practitioner
    response = client.post(
        reverse("workforce:appoint", args=[post.pk]),
        {
            "practitioner": str(worker.pk),
            "contract": "permanent",
            "fte": "1",
            "started_on_day": "6",
            "started_on_month": "1",
            "started_on_year": "2025",
            "version": str(post.version),
        },
    )
    assert response.status_code == 302
    assert Appointment.objects.get(post=post).practitioner == worker
    page = client.get(reverse("workforce:team", args=[team_id]))
    assert worker.full_name.encode() in page.content


def test_bad_input_shows_the_problem_and_changes_nothing(client: Client) -> None:
    manager = persona("team_manager")
    client.force_login(manager)
    response = client.post(
        reverse("workforce:new_post", args=[manager.practitioner.team_id]),
        {
            "title": "Social worker",
            "kind": PostKind.QUALIFIED_SOCIAL_WORKER,
            "fte": "2",
            "established_on_day": "31",
            "established_on_month": "2",
            "established_on_year": "2024",
        },
    )
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert b"Date the post was established must be a real date" in response.content
    assert not Post.objects.exists()
    response = client.post(
        reverse("workforce:new_post", args=[manager.practitioner.team_id]),
        {
            "title": "Social worker",
            "kind": PostKind.QUALIFIED_SOCIAL_WORKER,
            "fte": "2",
            "established_on_day": "1",
            "established_on_month": "2",
            "established_on_year": "2024",
        },
    )
    assert b"must be more than 0 and no more than 1.0" in response.content
    assert not Post.objects.exists()


def test_a_stale_form_says_so(client: Client) -> None:
    post = _post()
    client.force_login(persona("team_manager"))
    data = {
        "title": "Renamed",
        "kind": PostKind.QUALIFIED_SOCIAL_WORKER,
        "fte": "1",
        "established_on_day": "1",
        "established_on_month": "4",
        "established_on_year": "2020",
        "version": "0",
    }
    response = client.post(reverse("workforce:edit_post", args=[post.pk]), data)
    assert b"Someone else saved changes to this post" in response.content
    post.refresh_from_db()
    assert post.title == "Social worker"


def test_another_teams_forms_are_not_found_for_a_manager(client: Client) -> None:
    post = _post("Children in Care Team")
    client.force_login(persona("team_manager"))
    assert client.get(reverse("workforce:appoint", args=[post.pk])).status_code == 404
    client.force_login(persona("administrator"))
    assert client.get(reverse("workforce:appoint", args=[post.pk])).status_code == 200


def test_viewing_a_staff_record_is_logged(client: Client) -> None:
    worker = persona("social_worker").practitioner
    manager = persona("team_manager")
    client.force_login(manager)
    response = client.get(reverse("workforce:staff_record", args=[worker.pk]))
    assert response.status_code == 200
    entry = AccessLogEntry.objects.get(action="view_staff_record")
    assert (entry.user, entry.record_type, entry.record_id) == (
        manager,
        "partners.practitioner",
        str(worker.pk),
    )
