"""Read-side of delegated tasks: the business support queue, a requester's own requests
and what is new on them, and a case's tasks. Everything goes through
`delegated_tasks_visible_to`, so a list never shows a task its page would refuse."""

from __future__ import annotations

import dataclasses
import datetime

from django.db.models import Q, QuerySet
from django.http import Http404

from jigsaw.access.policy import AnyUser, delegated_tasks_visible_to
from jigsaw.casework.models import Referral
from jigsaw.support.models import OPEN_STATUSES, DelegatedTask, RequestsLastSeen, TaskStatus

# How long a closed request stays on the requester's list.
RECENTLY_CLOSED_DAYS = 60


def _with_names(tasks: QuerySet[DelegatedTask]) -> QuerySet[DelegatedTask]:
    return tasks.select_related(
        "person", "referral", "conference", "team", "assigned_to", "requested_by", "taken_by", "closed_by"
    )


def get_task_for(user: AnyUser, pk: int) -> DelegatedTask:
    """Fetch and authorise one task; missing and forbidden both raise Http404."""
    found = _with_names(delegated_tasks_visible_to(user)).filter(pk=pk).first()
    if found is None:
        raise Http404("No such task")
    return found


@dataclasses.dataclass(frozen=True)
class QueueRow:
    task: DelegatedTask
    overdue: bool
    mine: bool


def queue(user: AnyUser, *, today: datetime.date) -> list[QueueRow]:
    """The open tasks for this business support officer or social work assistant: their
    team's queue, and those assigned to them or taken by them. Sorted by the date each is
    needed by (so the overdue ones come first), then the oldest request."""
    uid = user.pk
    tasks = _with_names(delegated_tasks_visible_to(user).filter(status__in=OPEN_STATUSES)).order_by(
        "due_on", "requested_at", "pk"
    )
    return [QueueRow(t, t.due_on < today, t.assigned_to_id == uid or t.taken_by_id == uid) for t in tasks]


@dataclasses.dataclass(frozen=True)
class RequestRow:
    task: DelegatedTask
    overdue: bool
    # Done or handed back since the requester last looked.
    new: bool


@dataclasses.dataclass(frozen=True)
class MyRequests:
    open: list[RequestRow]
    closed: list[RequestRow]


def _last_seen(user: AnyUser) -> datetime.datetime | None:
    if user.pk is None:
        return None
    seen = RequestsLastSeen.objects.filter(user_id=int(user.pk)).first()
    return seen.seen_at if seen is not None else None


def my_requests(user: AnyUser, *, today: datetime.date) -> MyRequests:
    """The tasks this user asked for: open ones by the date needed, and those closed in
    the last 60 days (newest first), marking what was closed since they last looked."""
    seen = _last_seen(user)
    mine = _with_names(delegated_tasks_visible_to(user).filter(requested_by_id=user.pk))
    open_rows = [
        RequestRow(t, t.due_on < today, False)
        for t in mine.filter(status__in=OPEN_STATUSES).order_by("due_on", "requested_at", "pk")
    ]
    since = today - datetime.timedelta(days=RECENTLY_CLOSED_DAYS)
    closed_rows = [
        RequestRow(t, False, t.closed_at is not None and (seen is None or t.closed_at > seen))
        for t in mine.exclude(status__in=OPEN_STATUSES)
        .filter(closed_at__date__gte=since)
        .order_by("-closed_at", "-pk")
    ]
    return MyRequests(open_rows, closed_rows)


@dataclasses.dataclass(frozen=True)
class RequestsSummary:
    """What the requester's work list says of their requests."""

    open: int
    overdue: int
    done_since_last_look: int
    returned_since_last_look: int


def requests_summary(user: AnyUser, *, today: datetime.date) -> RequestsSummary:
    """Counts for the work list: open requests (and how many are late), and how many were
    done, or handed back, since the user last looked at their requests."""
    mine = delegated_tasks_visible_to(user).filter(requested_by_id=user.pk)
    seen = _last_seen(user)
    closed_since = mine if seen is None else mine.filter(closed_at__gt=seen)
    open_tasks = mine.filter(status__in=OPEN_STATUSES)
    return RequestsSummary(
        open=open_tasks.count(),
        overdue=open_tasks.filter(due_on__lt=today).count(),
        done_since_last_look=closed_since.filter(status=TaskStatus.DONE).count(),
        returned_since_last_look=closed_since.filter(status=TaskStatus.RETURNED).count(),
    )


def case_tasks(user: AnyUser, referral: Referral) -> list[DelegatedTask]:
    """The tasks asked for on this episode: open ones first (by date needed), then the
    closed ones, newest first."""
    tasks = _with_names(delegated_tasks_visible_to(user).filter(referral=referral))
    return [
        *tasks.filter(status__in=OPEN_STATUSES).order_by("due_on", "pk"),
        *tasks.filter(~Q(status__in=OPEN_STATUSES)).order_by("-closed_at", "-pk"),
    ]
