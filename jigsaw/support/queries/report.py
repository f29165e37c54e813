"""How much administrative work was delegated off social workers: tasks by kind, by team
and by month; the median time from request to done; the share done by the date needed;
and the social worker hours saved, estimated with SOCIAL_WORKER_MINUTES_PER_TASK.

Figures only, no child named. Tasks count in the period they were asked for (the request
date, in the authority's time zone); hours saved count the done ones among them.
"""

from __future__ import annotations

import dataclasses
import datetime
import statistics
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from jigsaw.support.models import SOCIAL_WORKER_MINUTES_PER_TASK, DelegatedTask, TaskKind, TaskStatus

NO_TEAM = "No team"


@dataclasses.dataclass(frozen=True)
class Row:
    """One line of a breakdown: how many were asked for, done, done by the date needed,
    and the hours they saved."""

    label: str
    requested: int
    done: int
    done_on_time: int
    hours_saved: Decimal

    @property
    def on_time_percent(self) -> int | None:
        return round(100 * self.done_on_time / self.done) if self.done else None


@dataclasses.dataclass(frozen=True)
class DelegationReport:
    starts: datetime.date
    ends: datetime.date
    total: Row
    by_kind: list[Row]
    by_team: list[Row]
    by_month: list[Row]
    # Median days from request to done, to one decimal place; None when nothing was done.
    median_days_to_done: Decimal | None
    still_open: int
    returned: int
    cancelled: int
    minutes_per_task: list[tuple[str, int]]


@dataclasses.dataclass
class _Tally:
    requested: int = 0
    done: int = 0
    done_on_time: int = 0
    minutes: int = 0

    def row(self, label: str) -> Row:
        hours = (Decimal(self.minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return Row(label, self.requested, self.done, self.done_on_time, hours)


def _months(starts: datetime.date, ends: datetime.date) -> list[datetime.date]:
    months = []
    month = starts.replace(day=1)
    while month <= ends:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def delegation_report(*, starts: datetime.date, ends: datetime.date) -> DelegationReport:
    """The delegation figures for tasks asked for from `starts` to `ends`, inclusive."""
    rows = DelegatedTask.objects.filter(
        requested_at__date__gte=starts, requested_at__date__lte=ends
    ).values_list("kind", "team__name", "status", "requested_at", "closed_at", "due_on")
    total = _Tally()
    kinds: dict[str, _Tally] = defaultdict(_Tally)
    teams: dict[str, _Tally] = defaultdict(_Tally)
    months: dict[datetime.date, _Tally] = defaultdict(_Tally)
    statuses: Counter[str] = Counter()
    durations: list[float] = []
    for kind, team, status, requested_at, closed_at, due_on in rows:
        month = timezone.localtime(requested_at).date().replace(day=1)
        tallies = (total, kinds[kind], teams[team or NO_TEAM], months[month])
        statuses[status] += 1
        for tally in tallies:
            tally.requested += 1
        if status != TaskStatus.DONE or closed_at is None:
            continue
        on_time = timezone.localtime(closed_at).date() <= due_on
        minutes = SOCIAL_WORKER_MINUTES_PER_TASK.get(kind, 0)
        durations.append((closed_at - requested_at).total_seconds() / 86400)
        for tally in tallies:
            tally.done += 1
            tally.done_on_time += on_time
            tally.minutes += minutes
    median = None
    if durations:
        median = Decimal(str(statistics.median(durations))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return DelegationReport(
        starts=starts,
        ends=ends,
        total=total.row("All tasks"),
        by_kind=[kinds[k].row(label) for k, label in TaskKind.choices if k in kinds],
        by_team=[teams[name].row(name) for name in sorted(teams)],
        by_month=[months[m].row(f"{m:%B %Y}") for m in _months(starts, ends)],
        median_days_to_done=median,
        still_open=statuses[TaskStatus.REQUESTED] + statuses[TaskStatus.TAKEN],
        returned=statuses[TaskStatus.RETURNED],
        cancelled=statuses[TaskStatus.CANCELLED],
        minutes_per_task=[(label, SOCIAL_WORKER_MINUTES_PER_TASK[k]) for k, label in TaskKind.choices],
    )
