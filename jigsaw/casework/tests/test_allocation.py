from __future__ import annotations

import datetime
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from time_machine import travel

from jigsaw.access.models import AccessLogEntry
from jigsaw.access.roles import Role
from jigsaw.casework.actions.allocation import REASON_NEEDED, allocate
from jigsaw.casework.actions.common import EditConflict
from jigsaw.casework.models import Allocation, ChronologyEntry, Referral
from jigsaw.partners.models import Notification
from tests.casework_factories import make_referral
from tests.factories import make_person, restrict
from tests.fuzzing import fuzz_form
from tests.worklist_factories import make_cp_plan, make_worker, other_team

pytestmark = pytest.mark.django_db

LONDON = datetime.timezone(datetime.timedelta(0))
MONDAY = datetime.datetime(2026, 11, 23, 10, tzinfo=LONDON)

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def _allocate(actor: User, referral: Referral, worker: User, reason: str = "") -> Allocation:
    return allocate(
        actor=actor,
        referral_id=referral.pk,
        worker_id=worker.pk,
        reason=reason,
        expected_version=Referral.objects.get(pk=referral.pk).version,
    )


@travel(MONDAY, tick=False)
def test_first_allocation_records_the_history_the_chronology_the_log_and_tells_the_worker(
    team_manager: User, django_capture_on_commit_callbacks: Capture
) -> None:
    referral = make_referral()
    sam = make_worker("Sam Jones")

    with django_capture_on_commit_callbacks(execute=True):
        allocation = _allocate(team_manager, referral, sam)

    referral.refresh_from_db()
    assert (referral.allocated_worker, referral.version) == (sam, 2)
    assert (allocation.worker, allocation.allocated_by, allocation.ended_at) == (sam, team_manager, None)
    entry = ChronologyEntry.objects.get(person=referral.person)
    assert (entry.kind, entry.summary, entry.occurred_on) == (
        "allocation",
        "Allocated to Sam Jones",
        datetime.date(2026, 11, 23),
    )
    assert entry.source_type == "casework.allocation"
    log = AccessLogEntry.objects.get(action="allocate")
    assert (log.user, log.record_type, log.record_id) == (team_manager, "casework.referral", str(referral.pk))
    assert log.detail["worker"] == sam.pk
    assert log.detail["previous"] is None
    note = Notification.objects.get(recipient=sam)
    assert note.subject == f"{referral.person.full_name} has been allocated to you"
    assert note.link == reverse("casework:referral", args=[referral.pk])


@travel(MONDAY, tick=False)
def test_a_reallocation_needs_a_reason(team_manager: User, social_worker: User) -> None:
    referral = make_referral(worker=social_worker)
    sam = make_worker("Sam Jones")

    with pytest.raises(ValidationError) as raised:
        _allocate(team_manager, referral, sam, reason="   ")

    assert raised.value.message_dict == {"reason": [REASON_NEEDED]}
    referral.refresh_from_db()
    assert (referral.allocated_worker, referral.version) == (social_worker, 1)
    assert Allocation.objects.get(referral=referral).ended_at is None
    assert not ChronologyEntry.objects.exists()


@travel(MONDAY, tick=False)
def test_a_reallocation_with_a_reason_ends_the_old_allocation(
    team_manager: User, social_worker: User
) -> None:
    referral = make_referral(worker=social_worker)
    sam = make_worker("Sam Jones")

    _allocate(team_manager, referral, sam, reason="  Social Worker Persona goes on maternity leave ")

    old, new = Allocation.objects.filter(referral=referral).order_by("pk")
    assert (old.worker, old.ended_at) == (social_worker, MONDAY)
    assert (new.worker, new.ended_at, new.reason) == (
        sam,
        None,
        "Social Worker Persona goes on maternity leave",
    )
    referral.refresh_from_db()
    assert referral.allocated_worker == sam
    assert ChronologyEntry.objects.get(person=referral.person).summary == (
        "Reallocated from Social Worker Persona to Sam Jones (Social Worker Persona goes on maternity leave)"
    )
    assert AccessLogEntry.objects.get(action="allocate").detail["previous"] == social_worker.pk


def test_allocating_to_the_worker_who_holds_it_is_refused(team_manager: User, social_worker: User) -> None:
    referral = make_referral(worker=social_worker)

    with pytest.raises(ValidationError) as raised:
        _allocate(team_manager, referral, social_worker, reason="No change")

    assert "already allocated to Social Worker Persona" in raised.value.message_dict["worker"][0]
    assert Allocation.objects.filter(referral=referral).count() == 1


def test_only_a_team_manager_allocates(social_worker: User, front_door_officer: User) -> None:
    referral = make_referral()
    for actor in (social_worker, front_door_officer):
        with pytest.raises(PermissionDenied):
            _allocate(actor, referral, make_worker())
    assert not Allocation.objects.exists()


@pytest.mark.parametrize("role", [Role.FRONT_DOOR_OFFICER, Role.CONFERENCE_CHAIR, Role.PARTNER_PRACTITIONER])
def test_a_case_goes_only_to_a_social_worker_or_team_manager(team_manager: User, role: Role) -> None:
    referral = make_referral()

    with pytest.raises(ValidationError) as raised:
        _allocate(team_manager, referral, make_worker(role=role))

    assert raised.value.message_dict == {"worker": ["Choose a social worker or team manager from the list"]}
    referral.refresh_from_db()
    assert referral.allocated_worker is None


def test_a_manager_may_hold_a_case(team_manager: User) -> None:
    referral = make_referral()
    other_manager = make_worker("Ali Khan", role=Role.TEAM_MANAGER)
    _allocate(team_manager, referral, other_manager)
    referral.refresh_from_db()
    assert referral.allocated_worker == other_manager


def test_an_inactive_worker_is_refused(team_manager: User) -> None:
    leaver = make_worker("Pat Leaver")
    leaver.is_active = False
    leaver.save()
    with pytest.raises(ValidationError):
        _allocate(team_manager, make_referral(), leaver)


def test_a_closed_episode_is_not_allocated(team_manager: User) -> None:
    referral = make_referral(
        referred_on=datetime.date(2026, 1, 5), closed_on=datetime.date(2026, 3, 1), closure_reason="RC8"
    )

    with pytest.raises(ValidationError) as raised:
        _allocate(team_manager, referral, make_worker())

    assert "closed" in raised.value.message_dict["worker"][0]
    assert not Allocation.objects.exists()


def test_a_stale_form_is_a_conflict_and_changes_nothing(team_manager: User, social_worker: User) -> None:
    referral = make_referral()
    _allocate(team_manager, referral, social_worker)  # someone else, meanwhile

    with pytest.raises(EditConflict):
        allocate(
            actor=team_manager,
            referral_id=referral.pk,
            worker_id=make_worker().pk,
            reason="Moving it",
            expected_version=1,
        )

    referral.refresh_from_db()
    assert (referral.allocated_worker, referral.version) == (social_worker, 2)
    assert Allocation.objects.filter(referral=referral).count() == 1
    assert ChronologyEntry.objects.filter(person=referral.person).count() == 1


def test_the_case_follows_its_worker_into_their_team(team_manager: User) -> None:
    referral = make_referral()
    long_term = other_team()
    kim = make_worker("Kim Lee", team=long_term)

    _allocate(team_manager, referral, kim)

    referral.refresh_from_db()
    assert referral.team == long_term


def test_a_referral_the_manager_may_not_see_is_missing(team_manager: User) -> None:
    person = make_person()
    restrict(person)
    referral = make_referral(person)

    with pytest.raises(Http404):
        _allocate(team_manager, referral, make_worker())


def test_the_page_shows_each_workers_caseload(
    client: Client, team_manager: User, social_worker: User
) -> None:
    make_cp_plan(make_referral(worker=social_worker))
    make_referral(worker=social_worker)
    referral = make_referral()
    client.force_login(team_manager)

    page = client.get(reverse("casework:allocate", args=[referral.pk])).content.decode()

    assert f"Allocate {referral.person.full_name}" in page
    assert "Social Worker Persona, social worker: 2 open cases, weighted 2.50" in page
    assert "Team Manager Persona, team manager: 0 open cases, weighted 0.00" in page
    assert "Reason (optional)" in page
    assert AccessLogEntry.objects.filter(action="view", record_id=str(referral.pk)).count() == 1


def test_the_page_leaves_out_the_worker_who_holds_it(
    client: Client, team_manager: User, social_worker: User
) -> None:
    referral = make_referral(worker=social_worker)
    client.force_login(team_manager)

    page = client.get(reverse("casework:allocate", args=[referral.pk])).content.decode()

    assert "Reallocate" in page
    assert "Why the case is moving" in page
    assert "Social Worker Persona, social worker" not in page


def test_allocating_through_the_page(
    client: Client, team_manager: User, social_worker: User, django_capture_on_commit_callbacks: Capture
) -> None:
    referral = make_referral()
    client.force_login(team_manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("casework:allocate", args=[referral.pk]), {"worker": social_worker.pk, "version": 1}
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("casework:team")
    referral.refresh_from_db()
    assert referral.allocated_worker == social_worker
    assert Notification.objects.filter(recipient=social_worker).count() == 1


def test_the_page_asks_for_the_reason_of_a_move(
    client: Client, team_manager: User, social_worker: User
) -> None:
    referral = make_referral(worker=social_worker)
    sam = make_worker("Sam Jones")
    client.force_login(team_manager)

    response = client.post(reverse("casework:allocate", args=[referral.pk]), {"worker": sam.pk, "version": 1})

    assert response.status_code == 200
    assert REASON_NEEDED in response.content.decode()
    referral.refresh_from_db()
    assert referral.allocated_worker == social_worker


def test_the_page_shows_a_conflict_and_keeps_the_choice(
    client: Client, team_manager: User, social_worker: User
) -> None:
    referral = make_referral()
    sam = make_worker("Sam Jones")
    client.force_login(team_manager)
    _allocate(team_manager, referral, social_worker)  # another manager, meanwhile

    response = client.post(
        reverse("casework:allocate", args=[referral.pk]),
        {"worker": sam.pk, "version": 1, "reason": "Sam knows the family"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved changes to this referral" in page
    assert "Sam knows the family" in page
    assert f'value="{sam.pk}" checked' in page
    referral.refresh_from_db()
    assert referral.allocated_worker == social_worker
    # The form now carries the current version: saving again goes through.
    again = client.post(
        reverse("casework:allocate", args=[referral.pk]),
        {"worker": sam.pk, "version": referral.version, "reason": "Sam knows the family"},
    )
    assert again.status_code == 302
    referral.refresh_from_db()
    assert referral.allocated_worker == sam


def test_a_closed_episode_has_no_form(client: Client, team_manager: User) -> None:
    referral = make_referral(
        referred_on=datetime.date(2026, 1, 5), closed_on=datetime.date(2026, 3, 1), closure_reason="RC8"
    )
    client.force_login(team_manager)

    page = client.get(reverse("casework:allocate", args=[referral.pk])).content.decode()

    assert "a closed episode is not allocated" in page
    assert 'name="worker"' not in page


def test_fuzz_the_allocation_form(client: Client, team_manager: User, social_worker: User) -> None:
    referral = make_referral(worker=social_worker)
    make_worker("Sam Jones")
    client.force_login(team_manager)
    fuzz_form(client, reverse("casework:allocate", args=[referral.pk]), ["worker", "reason", "version"])


def test_the_page_asks_for_a_worker_from_the_list(
    client: Client, team_manager: User, social_worker: User
) -> None:
    referral = make_referral(worker=social_worker)
    client.force_login(team_manager)
    url = reverse("casework:allocate", args=[referral.pk])

    nobody = client.post(url, {"version": 1, "reason": "Moving"}).content.decode()
    same = client.post(url, {"worker": social_worker.pk, "version": 1, "reason": "Moving"}).content.decode()

    assert "Choose who to allocate the case to" in nobody
    assert "Choose a worker from the list" in same
    assert Allocation.objects.filter(referral=referral).count() == 1
