"""Allocation: every open episode has a worker, and a manager decides who. The history of
who held a case, and why it moved, is kept (Allocation rows); the child's chronology and
the access log record each move, and the new worker is told."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import AnyUser, Permission
from jigsaw.casework.actions.common import acting_user, add_to_chronology, check_version
from jigsaw.casework.models import Allocation, ChronologyKind
from jigsaw.casework.queries import referrals_visible_to
from jigsaw.casework.queries.worklists import CASE_HOLDING_ROLES, display_name
from jigsaw.partners.actions import notify
from jigsaw.partners.models import Practitioner

REASON_NEEDED = "Say why the case is moving: the family and the new worker will ask"


@transaction.atomic
def allocate(
    *, actor: AnyUser, referral_id: int, worker_id: int, reason: str, expected_version: int
) -> Allocation:
    """A team manager allocates an open episode to a social worker or team manager, or
    moves it to another (Working Together 2023: every child receiving a service has a
    named social worker; a move is recorded with its reason, which a reallocation must
    give). The current allocation ends as the new one starts; the episode follows its
    worker into their team, so it appears in that team's work lists. Closed episodes are
    not allocated, and a stale form (the referral saved since it was opened) is refused."""
    user = acting_user(actor, Permission.ALLOCATE)
    referral = (
        referrals_visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("person", "allocated_worker__practitioner")
        .filter(pk=referral_id)
        .first()
    )
    if referral is None:
        raise Http404("No such referral")
    worker = (
        Practitioner.objects.filter(
            user_id=worker_id, role__in=CASE_HOLDING_ROLES, user__is_active=True, user__isnull=False
        )
        .select_related("user")
        .first()
    )
    reason = reason.strip()
    if referral.closed_on is not None:
        raise ValidationError({"worker": "This episode is closed: a closed episode is not allocated"})
    if worker is None or worker.user is None:
        raise ValidationError({"worker": "Choose a social worker or team manager from the list"})
    previous = referral.allocated_worker
    if previous is not None and previous.pk == worker.user.pk:
        raise ValidationError({"worker": f"The case is already allocated to {worker.full_name}"})
    if previous is not None and not reason:
        raise ValidationError({"reason": REASON_NEEDED})
    check_version(referral, expected_version, "referral")

    now = timezone.now()
    Allocation.objects.filter(referral=referral, ended_at__isnull=True).update(ended_at=now)
    allocation = Allocation.objects.create(
        referral=referral, worker=worker.user, allocated_by=user, allocated_at=now, reason=reason
    )
    referral.allocated_worker = worker.user
    if worker.team_id is not None:
        referral.team_id = worker.team_id
    referral.save(update_fields=["allocated_worker", "team", "version"])

    if previous is None:
        summary = f"Allocated to {worker.full_name}"
    else:
        summary = f"Reallocated from {display_name(previous)} to {worker.full_name}"
    add_to_chronology(
        person=referral.person,
        occurred_on=timezone.localdate(now),
        occurred_at=now,
        kind=ChronologyKind.ALLOCATION,
        summary=f"{summary} ({reason})" if reason else summary,
        detail=reason,
        source=allocation,
        recorded_by=user,
    )
    record_access(
        user=user,
        action="allocate",
        record=referral,
        subjects=[referral.person],
        detail={"worker": worker.user.pk, "previous": previous.pk if previous else None},
    )
    notify(
        recipients=[worker.user],
        subject=f"{referral.person.full_name} has been allocated to you",
        body=f"Allocated by {display_name(user)}" + (f": {reason}" if reason else ""),
        link=reverse("casework:referral", args=[referral.pk]),
    )
    return allocation
