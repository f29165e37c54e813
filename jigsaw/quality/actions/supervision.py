"""The only code that changes supervision.

Working Together to Safeguard Children asks that social workers receive regular case
supervision that reviews each child's plan and progress; Lord Laming's reports on
Victoria Climbié and Peter Connelly found supervision that was missing or did not
challenge. Here a team manager records each case supervision (what was discussed, what
was decided, the actions agreed with an owner and a due date); how often each open case
must be supervised is the policy, which a team manager may change; an action is marked
done by its owner or by the supervisor who set it.

Each action checks permission, validates in the user's words, writes in one transaction
with its access-log row, and refuses a stale form (the version column) where two people
may edit the same record.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import AnyUser, Permission, people_visible_to, supervision_actions_visible_to
from jigsaw.casework.actions.common import EditConflict, acting_user, check_version
from jigsaw.partners.actions import notify
from jigsaw.partners.models import Practitioner
from jigsaw.quality.models.supervision import CaseSupervision, SupervisionAction, SupervisionPolicy
from jigsaw.quality.queries.supervision import SUPERVISED_ROLES, policy_in_force

__all__ = [
    "ActionDetails",
    "EditConflict",
    "SupervisionDetails",
    "change_supervision_policy",
    "complete_supervision_action",
    "record_supervision",
]

MIN_INTERVAL_DAYS = 7
MAX_INTERVAL_DAYS = 92


@transaction.atomic
def change_supervision_policy(
    *, actor: AnyUser, interval_days: int, expected_version: int
) -> SupervisionPolicy:
    """Set how often each open case must be supervised (between weekly and every 3 months:
    the authority's supervision policy). Every "up to date" figure reads it at once."""
    user = acting_user(actor, Permission.RECORD_SUPERVISION)
    if not MIN_INTERVAL_DAYS <= interval_days <= MAX_INTERVAL_DAYS:
        raise ValidationError(
            {"interval_days": f"Enter a number of days between {MIN_INTERVAL_DAYS} and {MAX_INTERVAL_DAYS}"}
        )
    policy = SupervisionPolicy.objects.select_for_update().get(pk=policy_in_force().pk)
    check_version(policy, expected_version, "supervision policy")
    previous = policy.interval_days
    policy.interval_days = interval_days
    policy.changed_by = user
    policy.changed_at = timezone.now()
    policy.save()
    record_access(
        user=user,
        action="change_supervision_policy",
        record=policy,
        detail={"interval_days": interval_days, "previous": previous},
    )
    return policy


@dataclasses.dataclass(frozen=True)
class ActionDetails:
    description: str
    owner_id: int | None
    due_on: datetime.date | None
    # The row of the form it came from, so a message names the row the user filled in.
    row: int = 0


@dataclasses.dataclass(frozen=True)
class SupervisionDetails:
    supervised_on: datetime.date | None
    worker_id: int | None
    discussion: str
    decisions: str
    actions: tuple[ActionDetails, ...] = ()


def _case_holder(user_id: int | None) -> User | None:
    if user_id is None:
        return None
    practitioner = (
        Practitioner.objects.filter(user_id=user_id, role__in=SUPERVISED_ROLES, user__is_active=True)
        .select_related("user")
        .first()
    )
    return practitioner.user if practitioner is not None else None


@transaction.atomic
def record_supervision(*, actor: AnyUser, person_id: int, details: SupervisionDetails) -> CaseSupervision:
    """Record a case supervision of a child by the manager (the supervisor is the user):
    the date (today or before), the worker supervised, the discussion, the decisions, and
    each action agreed with its owner (a social worker or team manager) and due date (on
    or after the supervision). The worker and the owners of actions are told."""
    user = acting_user(actor, Permission.RECORD_SUPERVISION)
    person = people_visible_to(user).filter(pk=person_id).first()
    if person is None:
        raise Http404("No such person")
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if details.supervised_on is None:
        errors["supervised_on"] = "Enter the date of the supervision"
    elif details.supervised_on > today:
        errors["supervised_on"] = "The date of the supervision must be today or in the past"
    worker = _case_holder(details.worker_id)
    if worker is None:
        errors["worker"] = "Choose the worker you supervised"
    if not details.discussion.strip():
        errors["discussion"] = "Say what was discussed"
    if not details.decisions.strip():
        errors["decisions"] = "Say what was decided, even if it was to carry on with the plan"
    owners: list[User] = []
    for index, action in enumerate(details.actions, start=1):
        number = action.row or index
        owner = _case_holder(action.owner_id)
        if not action.description.strip():
            errors[f"action_{number}_description"] = f"Say what action {number} is"
        if owner is None:
            errors[f"action_{number}_owner"] = f"Choose who will do action {number}"
        else:
            owners.append(owner)
        if action.due_on is None:
            errors[f"action_{number}_due_on"] = f"Enter the date action {number} is due"
        elif details.supervised_on is not None and action.due_on < details.supervised_on:
            errors[f"action_{number}_due_on"] = f"Action {number} must be due on or after the supervision"
    if errors:
        raise ValidationError(errors)
    assert details.supervised_on is not None and worker is not None
    supervision = CaseSupervision.objects.create(
        person=person,
        supervised_on=details.supervised_on,
        supervisor=user,
        worker=worker,
        discussion=details.discussion.strip(),
        decisions=details.decisions.strip(),
        recorded_at=timezone.now(),
    )
    for action, owner in zip(details.actions, owners, strict=True):
        assert action.due_on is not None
        SupervisionAction.objects.create(
            supervision=supervision, description=action.description.strip(), owner=owner, due_on=action.due_on
        )
    record_access(
        user=user,
        action="record_supervision",
        record=supervision,
        subjects=[person],
        detail={"worker": worker.pk, "actions": len(owners)},
    )
    told = {worker.pk: worker, **{o.pk: o for o in owners}}
    notify(
        recipients=[u for pk, u in told.items() if pk != user.pk],
        subject="A case supervision has been recorded"
        + (f" with {len(owners)} action{'s' if len(owners) != 1 else ''}" if owners else ""),
        body=f"Supervision of {day(details.supervised_on)}",
        link=reverse("quality:child_supervision", args=[person.pk]),
    )
    return supervision


def day(value: datetime.date) -> str:
    return f"{value.day} {value:%B %Y}"


@transaction.atomic
def complete_supervision_action(
    *, actor: AnyUser, action_id: int, expected_version: int
) -> SupervisionAction:
    """Mark an action agreed in supervision as done: by its owner, or by the supervisor
    who set it. One already done is not done again; a stale form is refused."""
    action = (
        supervision_actions_visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("supervision__person")
        .filter(pk=action_id)
        .first()
    )
    if action is None:
        raise Http404("No such action")
    if actor.pk not in (action.owner_id, action.supervision.supervisor_id):
        raise PermissionDenied
    assert isinstance(actor, User)
    check_version(action, expected_version, "action")
    if action.done_at is not None:
        raise ValidationError("This action is already marked as done")
    action.done_at = timezone.now()
    action.done_by = actor
    action.save()
    record_access(
        user=actor,
        action="complete_supervision_action",
        record=action,
        subjects=[action.supervision.person],
    )
    return action
