"""Recording a supervision (who may, what is refused, the exact access-log row), the
policy's interval (with its version check) and marking an action done (owner or
supervisor only, once, not from a stale form)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from jigsaw.access.models import AccessLogEntry
from jigsaw.casework.actions.common import EditConflict
from jigsaw.partners.models import Notification
from jigsaw.quality.actions.supervision import (
    ActionDetails,
    SupervisionDetails,
    change_supervision_policy,
    complete_supervision_action,
    record_supervision,
)
from jigsaw.quality.models.supervision import CaseSupervision, SupervisionAction
from jigsaw.quality.queries.supervision import policy_in_force
from tests.factories import make_person, persona

pytestmark = pytest.mark.django_db


def _details(worker_id: int, *actions: ActionDetails, day: datetime.date | None = None) -> SupervisionDetails:
    return SupervisionDetails(
        supervised_on=day or timezone.localdate(),
        worker_id=worker_id,
        discussion="Home visits show the kitchen empty twice; school attendance 82%.",
        decisions="Stay on the child in need plan; review in four weeks.",
        actions=actions,
    )


def test_a_team_manager_records_a_supervision_with_an_action_for_the_worker(
    django_capture_on_commit_callbacks: Any,
) -> None:
    manager, worker = persona("team_manager"), persona("social_worker")
    child = make_person()
    due = timezone.localdate() + datetime.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        supervision = record_supervision(
            actor=manager,
            person_id=child.pk,
            details=_details(worker.pk, ActionDetails("Visit unannounced before Friday", worker.pk, due)),
        )
    assert supervision.supervisor == manager and supervision.worker == worker
    action = SupervisionAction.objects.get(supervision=supervision)
    assert (action.owner, action.due_on, action.done_at) == (worker, due, None)
    entry = AccessLogEntry.objects.get(action="record_supervision")
    assert entry.user_id == manager.pk
    assert (entry.record_type, entry.record_id) == ("quality.casesupervision", str(supervision.pk))
    assert entry.detail["worker"] == worker.pk and entry.detail["actions"] == 1
    assert f"people.person:{child.pk}" in entry.detail["subjects"]
    assert Notification.objects.filter(recipient=worker).exists()


def test_a_social_worker_may_not_record_supervision() -> None:
    worker = persona("social_worker")
    with pytest.raises(PermissionDenied):
        record_supervision(actor=worker, person_id=make_person().pk, details=_details(worker.pk))
    assert not CaseSupervision.objects.exists()


def test_a_child_the_manager_may_not_see_is_not_found() -> None:
    from tests.factories import restrict

    child = make_person()
    restrict(child)
    other_manager = persona("team_manager")
    # the persona restricted the record itself but is not a named user of the restriction
    with pytest.raises(Http404):
        record_supervision(
            actor=other_manager, person_id=child.pk, details=_details(persona("social_worker").pk)
        )


def test_bad_input_is_refused_in_the_users_words_and_nothing_is_saved() -> None:
    manager, worker = persona("team_manager"), persona("social_worker")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    details = SupervisionDetails(
        supervised_on=tomorrow,
        worker_id=persona("gp").pk,
        discussion=" ",
        decisions="",
        actions=(ActionDetails("", None, timezone.localdate(), row=2),),
    )
    with pytest.raises(ValidationError) as refused:
        record_supervision(actor=manager, person_id=make_person().pk, details=details)
    errors = refused.value.message_dict
    assert errors["supervised_on"] == ["The date of the supervision must be today or in the past"]
    assert errors["worker"] == ["Choose the worker you supervised"]
    assert errors["discussion"] == ["Say what was discussed"]
    assert "decisions" in errors
    assert errors["action_2_description"] == ["Say what action 2 is"]
    assert errors["action_2_owner"] == ["Choose who will do action 2"]
    assert not CaseSupervision.objects.exists() and not AccessLogEntry.objects.filter(
        action="record_supervision"
    )
    del worker


def test_an_action_is_not_due_before_the_supervision() -> None:
    manager, worker = persona("team_manager"), persona("social_worker")
    today = timezone.localdate()
    details = _details(
        worker.pk, ActionDetails("Call the school", worker.pk, today - datetime.timedelta(days=1))
    )
    with pytest.raises(ValidationError) as refused:
        record_supervision(actor=manager, person_id=make_person().pk, details=details)
    assert refused.value.message_dict == {
        "action_1_due_on": ["Action 1 must be due on or after the supervision"]
    }


def _one_action() -> SupervisionAction:
    manager, worker = persona("team_manager"), persona("social_worker")
    due = timezone.localdate()
    record_supervision(
        actor=manager,
        person_id=make_person().pk,
        details=_details(worker.pk, ActionDetails("Share the plan with the GP", worker.pk, due)),
    )
    return SupervisionAction.objects.get()


def test_the_owner_marks_an_action_done_once() -> None:
    action = _one_action()
    worker = persona("social_worker")
    done = complete_supervision_action(actor=worker, action_id=action.pk, expected_version=action.version)
    assert done.done_by == worker and done.done_at is not None and done.version == action.version + 1
    entry = AccessLogEntry.objects.get(action="complete_supervision_action")
    assert (entry.user_id, entry.record_id) == (worker.pk, str(action.pk))
    with pytest.raises(ValidationError):
        complete_supervision_action(actor=worker, action_id=action.pk, expected_version=done.version)


def test_the_supervisor_may_mark_it_done_too() -> None:
    action = _one_action()
    done = complete_supervision_action(
        actor=persona("team_manager"), action_id=action.pk, expected_version=action.version
    )
    assert done.done_by == persona("team_manager")


def test_a_stale_form_is_refused() -> None:
    action = _one_action()
    worker = persona("social_worker")
    with pytest.raises(EditConflict):
        complete_supervision_action(actor=worker, action_id=action.pk, expected_version=action.version + 5)
    action.refresh_from_db()
    assert action.done_at is None


def test_nobody_else_marks_it_done() -> None:
    action = _one_action()
    # Another social worker cannot even see it; a GP has no supervision at all.
    from tests.factories import make_user

    with pytest.raises(Http404):
        complete_supervision_action(
            actor=persona("front_door_officer"), action_id=action.pk, expected_version=1
        )
    with pytest.raises(Http404):
        complete_supervision_action(actor=persona("gp"), action_id=action.pk, expected_version=1)
    del make_user


def test_the_policy_is_every_four_weeks_until_a_manager_changes_it() -> None:
    policy = policy_in_force()
    assert policy.interval_days == 28
    manager = persona("team_manager")
    changed = change_supervision_policy(actor=manager, interval_days=21, expected_version=policy.version)
    assert policy_in_force().interval_days == 21 and changed.changed_by == manager
    entry = AccessLogEntry.objects.get(action="change_supervision_policy")
    assert entry.detail == {"interval_days": 21, "previous": 28}
    with pytest.raises(EditConflict):
        change_supervision_policy(actor=manager, interval_days=14, expected_version=policy.version)
    with pytest.raises(ValidationError) as refused:
        change_supervision_policy(actor=manager, interval_days=400, expected_version=changed.version)
    assert refused.value.message_dict == {"interval_days": ["Enter a number of days between 7 and 92"]}
    with pytest.raises(PermissionDenied):
        change_supervision_policy(
            actor=persona("social_worker"), interval_days=14, expected_version=changed.version
        )
