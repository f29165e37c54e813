"""Delegated tasks' actions: who may ask, take, finish, hand back and cancel; what is
refused and why; stale forms; and the exact access-log row each step writes."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from jigsaw.access.models import AccessLogEntry
from jigsaw.casework.actions.common import EditConflict
from jigsaw.support.actions import tasks as actions
from jigsaw.support.models import TaskKind, TaskStatus
from jigsaw.support.tests.helpers import another_social_worker, ask, open_episode
from tests.factories import make_agency, make_team, persona, restrict

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 1, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_a_social_worker_asks_the_teams_queue_and_the_request_is_logged() -> None:
    referral = open_episode()
    task = ask(referral)
    assert (task.status, task.team_id, task.assigned_to_id, task.person_id) == (
        TaskStatus.REQUESTED,
        referral.team_id,
        None,
        referral.person_id,
    )
    entry = AccessLogEntry.objects.get(action="request_delegated_task")
    assert (entry.user_id, entry.record_type, entry.record_id) == (
        persona("social_worker").pk,
        "support.delegatedtask",
        str(task.pk),
    )
    assert entry.detail == {
        "kind": "book_room",
        "status": "requested",
        "due_on": "2026-06-06",
        "assigned_to": None,
        "subjects": [f"support.delegatedtask:{task.pk}", f"people.person:{referral.person_id}"],
    }


@pytest.mark.parametrize(
    "who",
    ["business_support", "social_work_assistant", "front_door_officer", "conference_chair", "analyst", "gp"],
)
def test_only_case_holders_ask_for_admin(who: str) -> None:
    referral = open_episode()
    with pytest.raises(PermissionDenied):
        actions.request_task(
            actor=persona(who),
            referral_id=referral.pk,
            kind=TaskKind.BOOK_ROOM,
            details="A room",
            due_on=datetime.date(2026, 6, 5),
        )
    assert not AccessLogEntry.objects.filter(action="request_delegated_task").exists()


def test_a_request_says_what_by_when_and_for_whom() -> None:
    referral = open_episode()
    with pytest.raises(ValidationError) as refused:
        actions.request_task(
            actor=persona("social_worker"),
            referral_id=referral.pk,
            kind="make_tea",
            details="  ",
            due_on=datetime.date(2026, 5, 31),
            assignee_id=persona("team_manager").pk,
        )
    assert refused.value.message_dict == {
        "kind": ["Choose what needs doing"],
        "details": ["Say what is needed"],
        "due_on": ["The date it is needed by must be today or in the future"],
        "assignee": ["Choose a business support officer or social work assistant from the list"],
    }


def test_a_case_without_a_team_needs_a_named_officer() -> None:
    referral = open_episode(team=False)
    referral.allocated_worker = None
    referral.save()
    team_manager_without_team = persona("team_manager")
    team_manager_without_team.practitioner.team = None
    team_manager_without_team.practitioner.save()
    with pytest.raises(ValidationError) as refused:
        actions.request_task(
            actor=team_manager_without_team,
            referral_id=referral.pk,
            kind=TaskKind.CHASE_REPORT,
            details="The school's report",
            due_on=datetime.date(2026, 6, 5),
        )
    assert refused.value.message_dict == {
        "assignee": ["This case has no team, so no queue: choose who should do it"]
    }
    named = actions.request_task(
        actor=team_manager_without_team,
        referral_id=referral.pk,
        kind=TaskKind.CHASE_REPORT,
        details="The school's report",
        due_on=datetime.date(2026, 6, 5),
        assignee_id=persona("social_work_assistant").pk,
    )
    assert (named.team_id, named.assigned_to_id) == (None, persona("social_work_assistant").pk)


def test_a_restricted_childs_admin_goes_only_to_someone_named_on_the_restriction() -> None:
    referral = open_episode()
    restriction = restrict(referral.person)
    restriction.permitted_users.add(persona("social_worker"))
    with pytest.raises(ValidationError) as to_queue:
        ask(referral)
    assert "restricted" in to_queue.value.message_dict["assignee"][0]
    with pytest.raises(ValidationError) as to_stranger:
        ask(referral, assignee_id=persona("business_support").pk)
    assert "not named on the restriction" in to_stranger.value.message_dict["assignee"][0]
    restriction.permitted_users.add(persona("business_support"))
    task = ask(referral, assignee_id=persona("business_support").pk)
    assert task.assigned_to_id == persona("business_support").pk


def test_business_support_takes_then_completes_and_each_step_is_logged() -> None:
    task = ask(kind=TaskKind.ARRANGE_MEETING)
    officer = persona("business_support")
    taken = actions.take_task(actor=officer, task_id=task.pk, expected_version=1)
    assert (taken.status, taken.taken_by_id, taken.assigned_to_id, taken.version) == (
        TaskStatus.TAKEN,
        officer.pk,
        officer.pk,
        2,
    )
    with pytest.raises(ValidationError) as no_booking:
        actions.complete_task(actor=officer, task_id=task.pk, expected_version=2, note="Invitations sent")
    assert no_booking.value.message_dict == {
        "booked": ["Say what was booked: the room and time, or the video link"]
    }
    done = actions.complete_task(
        actor=officer,
        task_id=task.pk,
        expected_version=2,
        note="Invitations sent to the school, GP and health visitor",
        booked="Room 2, Riverford House, 10am on 5 June",
    )
    assert (done.status, done.closed_by_id, done.closed_at, done.booked) == (
        TaskStatus.DONE,
        officer.pk,
        NOW,
        "Room 2, Riverford House, 10am on 5 June",
    )
    steps = list(
        AccessLogEntry.objects.filter(record_type="support.delegatedtask", record_id=str(task.pk))
        .order_by("pk")
        .values_list("action", "user_id")
    )
    assert steps == [
        ("request_delegated_task", persona("social_worker").pk),
        ("take_delegated_task", officer.pk),
        ("complete_delegated_task", officer.pk),
    ]
    assert AccessLogEntry.objects.get(action="complete_delegated_task").detail["on_time"] is True


def test_a_stale_form_is_refused_and_a_task_is_taken_once() -> None:
    task = ask()
    actions.take_task(actor=persona("business_support"), task_id=task.pk, expected_version=1)
    with pytest.raises(EditConflict):
        actions.take_task(actor=persona("social_work_assistant"), task_id=task.pk, expected_version=1)
    with pytest.raises(ValidationError) as already:
        actions.take_task(actor=persona("social_work_assistant"), task_id=task.pk, expected_version=2)
    assert already.value.messages == ["This task is already taken by someone else"]
    with pytest.raises(PermissionDenied):
        actions.complete_task(
            actor=persona("social_work_assistant"),
            task_id=task.pk,
            expected_version=2,
            note="Done",
            booked="R1",
        )
    assert AccessLogEntry.objects.filter(action="take_delegated_task").count() == 1


def test_a_task_is_taken_before_it_is_done() -> None:
    task = ask()
    with pytest.raises(ValidationError) as refused:
        actions.complete_task(
            actor=persona("business_support"), task_id=task.pk, expected_version=1, note="Done", booked="R1"
        )
    assert refused.value.messages == ["Take the task before marking it done"]


def test_handing_back_needs_a_reason_and_closes_the_task() -> None:
    task = ask()
    with pytest.raises(ValidationError):
        actions.return_task(
            actor=persona("business_support"), task_id=task.pk, expected_version=1, reason=" "
        )
    returned = actions.return_task(
        actor=persona("business_support"),
        task_id=task.pk,
        expected_version=1,
        reason="No rooms free that day; can it be the week after?",
    )
    assert (returned.status, returned.closing_note) == (
        TaskStatus.RETURNED,
        "No rooms free that day; can it be the week after?",
    )
    with pytest.raises(ValidationError) as closed:
        actions.take_task(actor=persona("business_support"), task_id=task.pk, expected_version=2)
    assert closed.value.messages == ["This task is already handed back"]


def test_only_the_requester_or_a_manager_cancels() -> None:
    task = ask()
    for who in (persona("business_support"), another_social_worker()):
        with pytest.raises(PermissionDenied):
            actions.cancel_task(actor=who, task_id=task.pk, expected_version=1, reason="Not needed")
    cancelled = actions.cancel_task(
        actor=persona("team_manager"), task_id=task.pk, expected_version=1, reason="The conference moved"
    )
    assert (cancelled.status, cancelled.closed_by_id, cancelled.closing_note) == (
        TaskStatus.CANCELLED,
        persona("team_manager").pk,
        "The conference moved",
    )
    entry = AccessLogEntry.objects.get(action="cancel_delegated_task")
    assert (entry.user_id, entry.record_id, entry.detail["status"]) == (
        persona("team_manager").pk,
        str(task.pk),
        "cancelled",
    )


def test_support_staff_of_another_team_cannot_reach_the_task() -> None:
    task = ask()
    elsewhere = persona("social_work_assistant")
    elsewhere.practitioner.team = make_team(make_agency(), "Children in Care Team")
    elsewhere.practitioner.save()
    with pytest.raises(Http404):
        actions.take_task(actor=elsewhere, task_id=task.pk, expected_version=1)


def test_the_requester_is_told_what_was_done_since_they_last_looked(frozen: time_machine.Traveller) -> None:
    from jigsaw.support.queries.tasks import requests_summary

    worker = persona("social_worker")
    first, second = ask(), ask(kind=TaskKind.CHASE_REPORT)
    officer = persona("business_support")
    actions.take_task(actor=officer, task_id=first.pk, expected_version=1)
    actions.complete_task(actor=officer, task_id=first.pk, expected_version=2, note="Booked", booked="Room 1")
    today = datetime.date(2026, 6, 1)
    assert requests_summary(worker, today=today).done_since_last_look == 1
    frozen.shift(datetime.timedelta(minutes=5))
    actions.note_requests_seen(actor=worker)
    assert requests_summary(worker, today=today).done_since_last_look == 0
    frozen.shift(datetime.timedelta(minutes=5))
    actions.take_task(actor=officer, task_id=second.pk, expected_version=1)
    actions.complete_task(actor=officer, task_id=second.pk, expected_version=2, note="Report received")
    summary = requests_summary(worker, today=today)
    assert (summary.open, summary.done_since_last_look) == (0, 1)
