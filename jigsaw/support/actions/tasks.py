"""The only code that changes delegated tasks.

The Social Work Task Force (2009) and Lord Laming's progress report asked councils to give
social workers the administrative support that lets them spend their time with children.
So a case-holder (a social worker or team manager) asks for an administrative task on a
case they may see; a business support officer or social work assistant takes it from
their team's queue (or finds it assigned to them by name) and does it, or hands it back
with a reason; the one who asked (or a team manager) may cancel it while it is open.

Each step checks permission, fetches the task through the access policy (a task the user
may not see is "not found"), refuses a stale form (the version column), writes in one
transaction with its access-log row naming the child, and moves only forward:
requested → taken → done, or handed back / cancelled while open.

A restricted child's admin stays with those named on the restriction: such a task must be
asked of a named officer who is on it, never of a team's queue.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.models import RestrictedRecord
from jigsaw.access.policy import AnyUser, Permission, delegated_tasks_visible_to, has_permission
from jigsaw.access.roles import Role
from jigsaw.casework.actions.common import EditConflict, acting_user, check_version
from jigsaw.casework.models import ConferenceChild
from jigsaw.casework.queries import get_referral_for
from jigsaw.support.models import BOOKING_KINDS, DelegatedTask, RequestsLastSeen, TaskKind, TaskStatus

__all__ = [
    "SUPPORT_ROLES",
    "EditConflict",
    "cancel_task",
    "complete_task",
    "note_requests_seen",
    "request_task",
    "return_task",
    "take_task",
]

# The roles a task may be asked of by name.
SUPPORT_ROLES = (Role.BUSINESS_SUPPORT, Role.SOCIAL_WORK_ASSISTANT)


def support_staff() -> list[User]:
    """The active business support officers and social work assistants, by name."""
    return list(
        User.objects.filter(is_active=True, practitioner__role__in=SUPPORT_ROLES)
        .select_related("practitioner__team")
        .order_by("first_name", "last_name", "pk")
    )


def _log(user: User, action: str, task: DelegatedTask, **detail: object) -> None:
    record_access(
        user=user,
        action=action,
        record=task,
        subjects=[task.person],
        detail={"kind": task.kind, "status": task.status, **detail},
    )


@transaction.atomic
def request_task(
    *,
    actor: AnyUser,
    referral_id: int,
    kind: str,
    details: str,
    due_on: datetime.date | None,
    assignee_id: int | None = None,
    conference_id: int | None = None,
) -> DelegatedTask:
    """Ask for an administrative task on an open case the user may see: for a named
    business support officer or social work assistant, or for the case's team's queue."""
    user = acting_user(actor, Permission.REQUEST_SUPPORT)
    referral = get_referral_for(user, referral_id)
    errors: dict[str, str] = {}
    if referral.closed_on is not None:
        errors["__all__"] = "This episode is closed: admin is asked for on an open case"
    if kind not in TaskKind.values:
        errors["kind"] = "Choose what needs doing"
    if not details.strip():
        errors["details"] = "Say what is needed"
    if due_on is None:
        errors["due_on"] = "Enter the date it is needed by"
    elif due_on < timezone.localdate():
        errors["due_on"] = "The date it is needed by must be today or in the future"
    assignee = None
    if assignee_id is not None:
        assignee = User.objects.filter(
            pk=assignee_id, is_active=True, practitioner__role__in=SUPPORT_ROLES
        ).first()
        if assignee is None:
            errors["assignee"] = "Choose a business support officer or social work assistant from the list"
    team_id = referral.team_id
    if team_id is None:
        practitioner = getattr(user, "practitioner", None)
        team_id = practitioner.team_id if practitioner is not None else None
    if assignee is None and team_id is None and "assignee" not in errors:
        errors["assignee"] = "This case has no team, so no queue: choose who should do it"
    restriction = RestrictedRecord.objects.filter(person_id=referral.person_id).first()
    if restriction is not None and "assignee" not in errors:
        if assignee is None:
            errors["assignee"] = (
                "This child's record is restricted: ask someone named on the restriction, "
                "not the team's queue"
            )
        elif not restriction.permitted_users.filter(pk=assignee.pk).exists():
            errors["assignee"] = (
                "This child's record is restricted and the person you chose is not named on the restriction"
            )
    if (
        conference_id is not None
        and not ConferenceChild.objects.filter(conference_id=conference_id, referral=referral).exists()
    ):
        errors["conference"] = "Choose one of this child's conferences from the list"
    if errors:
        raise ValidationError(errors)
    assert due_on is not None
    task = DelegatedTask.objects.create(
        person=referral.person,
        referral=referral,
        conference_id=conference_id,
        kind=kind,
        details=details.strip(),
        due_on=due_on,
        team_id=team_id,
        assigned_to=assignee,
        requested_by=user,
        requested_at=timezone.now(),
    )
    _log(user, "request_delegated_task", task, due_on=due_on.isoformat(), assigned_to=assignee_id)
    return task


def _locked(user: User, task_id: int, expected_version: int) -> DelegatedTask:
    """The task, locked, if the user may see it (404 otherwise) and the form is current."""
    visible = delegated_tasks_visible_to(user).filter(pk=task_id).values("pk")
    task = DelegatedTask.objects.select_for_update().filter(pk__in=visible).select_related("person").first()
    if task is None:
        raise Http404("No such task")
    check_version(task, expected_version, "task")
    return task


def _still_open(task: DelegatedTask) -> None:
    if not task.is_open:
        raise ValidationError(f"This task is already {task.get_status_display().lower()}")


@transaction.atomic
def take_task(*, actor: AnyUser, task_id: int, expected_version: int) -> DelegatedTask:
    """Take a task waiting in the queue (or assigned to you): it is yours to do now."""
    user = acting_user(actor, Permission.DO_SUPPORT_TASKS)
    task = _locked(user, task_id, expected_version)
    if task.status != TaskStatus.REQUESTED:
        raise ValidationError(
            f"This task is already {task.get_status_display().lower()}"
            + (" by someone else" if task.taken_by_id not in (None, user.pk) else "")
        )
    task.status = TaskStatus.TAKEN
    task.taken_by = user
    task.taken_at = timezone.now()
    task.assigned_to = user
    task.save()
    _log(user, "take_delegated_task", task)
    return task


@transaction.atomic
def complete_task(
    *, actor: AnyUser, task_id: int, expected_version: int, note: str, booked: str = ""
) -> DelegatedTask:
    """Mark a task you have taken as done, saying what was done and, for a booking,
    what was booked (the room and time, or the link) so the social worker need not ask."""
    user = acting_user(actor, Permission.DO_SUPPORT_TASKS)
    task = _locked(user, task_id, expected_version)
    if task.status == TaskStatus.REQUESTED:
        raise ValidationError("Take the task before marking it done")
    _still_open(task)
    if task.taken_by_id != user.pk:
        raise PermissionDenied
    errors: dict[str, str] = {}
    if not note.strip():
        errors["note"] = "Say what was done"
    if task.kind in BOOKING_KINDS and not booked.strip():
        errors["booked"] = "Say what was booked: the room and time, or the video link"
    if errors:
        raise ValidationError(errors)
    task.status = TaskStatus.DONE
    task.closed_by = user
    task.closed_at = timezone.now()
    task.closing_note = note.strip()
    task.booked = booked.strip()[:300]
    task.save()
    _log(user, "complete_delegated_task", task, on_time=timezone.localdate() <= task.due_on)
    return task


@transaction.atomic
def return_task(*, actor: AnyUser, task_id: int, expected_version: int, reason: str) -> DelegatedTask:
    """Hand a task back to the one who asked, with the reason (it cannot be done, or not
    by then): the social worker sees it on their list and decides what next."""
    user = acting_user(actor, Permission.DO_SUPPORT_TASKS)
    task = _locked(user, task_id, expected_version)
    _still_open(task)
    if task.status == TaskStatus.TAKEN and task.taken_by_id != user.pk:
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": "Say why the task is handed back"})
    task.status = TaskStatus.RETURNED
    task.closed_by = user
    task.closed_at = timezone.now()
    task.closing_note = reason.strip()
    task.save()
    _log(user, "return_delegated_task", task)
    return task


@transaction.atomic
def cancel_task(*, actor: AnyUser, task_id: int, expected_version: int, reason: str) -> DelegatedTask:
    """Cancel an open task that is no longer needed: the one who asked, or a team manager."""
    user = acting_user(actor, Permission.REQUEST_SUPPORT)
    task = _locked(user, task_id, expected_version)
    _still_open(task)
    if task.requested_by_id != user.pk and not has_permission(user, Permission.ALLOCATE):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": "Say why the task is no longer needed"})
    task.status = TaskStatus.CANCELLED
    task.closed_by = user
    task.closed_at = timezone.now()
    task.closing_note = reason.strip()
    task.save()
    _log(user, "cancel_delegated_task", task)
    return task


@transaction.atomic
def note_requests_seen(*, actor: AnyUser) -> RequestsLastSeen:
    """Remember that the requester has looked at their tasks now, so those done before
    this are no longer counted as new on their work list."""
    user = acting_user(actor, Permission.REQUEST_SUPPORT)
    seen, _ = RequestsLastSeen.objects.update_or_create(user=user, defaults={"seen_at": timezone.now()})
    return seen
