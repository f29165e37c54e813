"""Children in need: the rate of open episodes, visits to children on plans within
timescale, and episodes nobody holds."""

from __future__ import annotations

import datetime
from bisect import bisect_left, bisect_right
from typing import Any, NamedTuple

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet

from jigsaw.casework import timescales
from jigsaw.casework.models import (
    Allocation,
    Referral,
    Timescale,
    TimescaleKey,
    TimescaleUnit,
    Visit,
)
from jigsaw.performance.indicators.base import Direction, Figure, Group, Indicator, Scope, Unit, register
from jigsaw.performance.indicators.common import (
    after,
    child_population,
    child_populations,
    dec,
    for_team,
    in_days,
    month_ends,
    open_on,
    ratio,
    shared,
    shared_store,
)
from jigsaw.performance.indicators.series import monthly

# --- episodes open at the end of the period ------------------------------------------------------


def _open_episodes(scope: Scope) -> QuerySet[Referral]:
    # The open-episode index (closed_on, team) serves the closed_on test.
    return Referral.objects.filter(open_on("referred_on", "closed_on", scope.end), for_team(scope, "team_id"))


def children_in_need(scope: Scope) -> Figure:
    # One open episode per child at a time (a child's new referral follows a closure).
    children = _open_episodes(scope).values("person_id").distinct().count()
    return Figure(dec(children), child_population(scope.end), Unit.PER_10000)


def _open_in_range(scope: Scope, ends: list[datetime.date]) -> QuerySet[Referral]:
    """Episodes open at the end of any of the months: referred by the last, not closed by
    the first (each month's own test then picks its episodes)."""
    return Referral.objects.filter(
        Q(referred_on__lte=ends[-1]) & (Q(closed_on__isnull=True) | Q(closed_on__gt=ends[0])),
        for_team(scope, "team_id"),
    ).order_by()


@monthly("children_in_need")
def children_in_need_by_month(scope: Scope, months: list[datetime.date]) -> dict[datetime.date, Figure]:
    ends = month_ends(scope, months)
    found: dict[str, Any] = _open_in_range(scope, ends).aggregate(
        **{
            f"m{i}": Count("person_id", distinct=True, filter=open_on("referred_on", "closed_on", end))
            for i, end in enumerate(ends)
        }
    )
    populations = child_populations({end.year for end in ends})
    return {
        m: Figure(dec(found[f"m{i}"]), populations.get(ends[i].year), Unit.PER_10000)
        for i, m in enumerate(months)
    }


register(
    Indicator(
        key="children_in_need",
        name="Children in need, per 10,000 children",
        definition="Children with an open episode of need (referral not yet closed) at the end "
        "of the period, per 10,000 children living in the authority.",
        numerator="Children with an episode of need open at the end of the period",
        denominator="Children aged 0 to 17 in the authority (ONS mid-year estimate for the year)",
        direction=Direction.NEITHER,
        rule="Children Act 1989, section 17; CIN census: a child in need from referral to closure.",
        unit=Unit.PER_10000,
        group=Group.CHILDREN_IN_NEED,
        compute=children_in_need,
        records=_open_episodes,
        snapshot=True,
    )
)


# --- unallocated episodes -----------------------------------------------------------------------


def _allocated_at_end(scope: Scope) -> Q:
    """Held by a worker at the end of the period, by the allocation history; an episode
    whose history holds no allocation at all counts by its current worker."""
    end = after(scope.end)
    held = Allocation.objects.filter(referral=OuterRef("pk"), allocated_at__lt=end).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=end)
    )
    any_history = Allocation.objects.filter(referral=OuterRef("pk"))
    return Q(Exists(held)) | (Q(allocated_worker__isnull=False) & ~Q(Exists(any_history)))


def unallocated(scope: Scope) -> Figure:
    found: dict[str, Any] = _open_episodes(scope).aggregate(
        total=Count("pk"), unallocated=Count("pk", filter=~_allocated_at_end(scope))
    )
    return Figure(dec(found["unallocated"]), dec(found["total"]), Unit.COUNT)


@monthly("unallocated")
def unallocated_by_month(scope: Scope, months: list[datetime.date]) -> dict[datetime.date, Figure]:
    """Every month end from two queries (the range's open episodes and their allocation
    history), decided in Python by the same rule as `_allocated_at_end`: twelve correlated
    subqueries per episode in SQL took the database most of a dashboard's time."""
    ends = month_ends(scope, months)
    episodes = list(
        _open_in_range(scope, ends).values_list("pk", "referred_on", "closed_on", "allocated_worker_id")
    )
    history: dict[int, list[tuple[datetime.datetime, datetime.datetime | None]]] = {}
    for referral_id, allocated_at, ended_at in (
        Allocation.objects.filter(referral_id__in=_open_in_range(scope, ends).values("pk"))
        .order_by()
        .values_list("referral_id", "allocated_at", "ended_at")
    ):
        history.setdefault(referral_id, []).append((allocated_at, ended_at))
    # Each episode's months as bits (bit i: the i-th month end): open, and held by a worker.
    moments = [after(end) for end in ends]
    every = (1 << len(ends)) - 1

    def months_between(first: int, stop: int) -> int:
        return (every >> (len(ends) - stop) if stop else 0) & ~((1 << first) - 1)

    totals = [0] * len(ends)
    unallocated = [0] * len(ends)
    for pk, referred_on, closed_on, worker_id in episodes:
        # Open at a month end: referred by then, not closed by then.
        first = bisect_left(ends, referred_on)
        stop = len(ends) if closed_on is None else bisect_left(ends, closed_on)
        open_months = months_between(first, stop)
        spells = history.get(pk)
        if spells is None:
            held = every if worker_id is not None else 0
        else:
            held = 0
            for started, ended in spells:  # held at a moment: allocated before it, not ended by it
                held |= months_between(
                    bisect_right(moments, started),
                    len(ends) if ended is None else bisect_right(moments, ended),
                )
        for i in range(first, stop):
            totals[i] += 1
        missing = open_months & ~held
        while missing:
            bit = missing & -missing
            unallocated[bit.bit_length() - 1] += 1
            missing ^= bit
    return {month: Figure(dec(unallocated[i]), dec(totals[i]), Unit.COUNT) for i, month in enumerate(months)}


register(
    Indicator(
        key="unallocated",
        name="Unallocated episodes",
        definition="Episodes of need open at the end of the period that no worker held then "
        "(the denominator, shown for context, is every open episode).",
        numerator="Open episodes with no allocated worker at the end of the period",
        denominator="Episodes of need open at the end of the period",
        direction=Direction.LOWER_IS_BETTER,
        rule="Working Together 2023, chapter 2: every child in need has a named social worker "
        "(a lead practitioner) responsible for their case.",
        unit=Unit.COUNT,
        group=Group.CHILDREN_IN_NEED,
        compute=unallocated,
        records=lambda scope: _open_episodes(scope).exclude(_allocated_at_end(scope)),
        snapshot=True,
    )
)


# --- visits within timescale ---------------------------------------------------------------------


class _SeenVisit(NamedTuple):
    pk: int
    visited_on: datetime.date
    in_time: bool
    person_id: int
    team_id: int | None  # the team of the episode the visit belongs to


def _visit_rule() -> tuple[int, TimescaleUnit]:
    """The policy's interval between visits to a child on a plan (10 working days by default)."""
    rule = Timescale.objects.get(policy=timescales.policy_in_force(), key=TimescaleKey.PLAN_VISIT)
    return rule.amount, TimescaleUnit(rule.unit)


def _seen_visits(scope: Scope) -> list[_SeenVisit]:
    """The visits in the period that saw a child on a plan (in the scope's team), each
    with whether it came within the interval of the clock's start: the previous visit that
    saw the child on the same plan (on an earlier day, whoever's team made it), else the
    plan's start.

    Two queries, whatever the number of visits: the range's visits of the plans concerned,
    and each such plan's last visit before the range; the previous visit of each is then
    found in order, in Python, rather than by a lookup per visit."""
    amount, unit = shared("visit_rule", _visit_rule)
    seen = Visit.objects.filter(in_days("visited_on", scope), plan__isnull=False, child_seen=True).order_by()
    if scope.team_id is not None:
        # The team's visits count; another team's visit to the same plan still restarts the clock.
        seen = seen.filter(plan_id__in=seen.filter(referral__team_id=scope.team_id).values("plan_id"))
    rows = list(
        seen.values_list(
            "pk", "plan_id", "visited_on", "plan__started_on", "referral__person_id", "referral__team_id"
        )
    )
    rows.sort(key=lambda row: (row[1], row[2]))
    before: dict[int, datetime.date] = dict(
        Visit.objects.filter(plan_id__in=seen.values("plan_id"), child_seen=True, visited_on__lt=scope.start)
        .order_by()
        .values("plan_id")
        .annotate(last=Max("visited_on"))
        .values_list("plan_id", "last")
    )
    due: dict[datetime.date, datetime.date] = {}  # one working-day count per distinct start
    found: list[_SeenVisit] = []
    plan_id: int | None = None
    last_day: datetime.date | None = None  # the last day before this one the child was seen
    day: datetime.date | None = None
    for pk, plan, visited_on, started_on, person_id, team_id in rows:
        if plan != plan_id:
            plan_id, last_day, day = plan, before.get(plan), None
        elif visited_on != day:
            last_day = day
        day = visited_on
        clock_from = last_day or started_on
        if clock_from not in due:
            due[clock_from] = timescales.apply(amount, unit, clock_from)
        if scope.team_id is None or team_id == scope.team_id:
            found.append(_SeenVisit(pk, visited_on, visited_on <= due[clock_from], person_id, team_id))
    return found


def _visit_rows(scope: Scope) -> list[_SeenVisit]:
    """`_seen_visits`, once per page: a range already worked out answers any period
    inside it, and the whole authority's answers any team (whether a visit was on time
    depends only on the visits before it, whoever's team made them)."""
    store = shared_store()
    if store is None:
        return _seen_visits(scope)
    ranges: dict[tuple[int | None, datetime.date, datetime.date], list[_SeenVisit]]
    ranges = store.setdefault("seen_visits", {})
    for (team_id, start, end), rows in ranges.items():
        if team_id in (None, scope.team_id) and start <= scope.start and scope.end <= end:
            return [
                row
                for row in rows
                if scope.start <= row.visited_on <= scope.end
                and (scope.team_id is None or row.team_id == scope.team_id)
            ]
    rows = ranges[(scope.team_id, scope.start, scope.end)] = _seen_visits(scope)
    return rows


@monthly("visits_in_time")
def visits_by_month(scope: Scope, months: list[datetime.date]) -> dict[datetime.date, Figure]:
    counts: dict[datetime.date, list[int]] = {m: [0, 0] for m in months}
    for row in _visit_rows(scope):
        counts[row.visited_on.replace(day=1)][0] += row.in_time
        counts[row.visited_on.replace(day=1)][1] += 1
    return {m: ratio(counts[m][0], counts[m][1], Unit.PERCENT) for m in months}


def visits_in_time(scope: Scope) -> Figure:
    rows = _visit_rows(scope)
    return ratio(sum(1 for row in rows if row.in_time), len(rows), Unit.PERCENT)


def _visits_in_time_records(scope: Scope) -> QuerySet[Visit]:
    on_time = [row for row in _visit_rows(scope) if row.in_time]
    # The children too, not only the visits: with them the database starts from the few
    # children rather than from every referral (SQLite otherwise scans them all).
    return Visit.objects.filter(
        pk__in=[row.pk for row in on_time], referral__person_id__in={row.person_id for row in on_time}
    )


register(
    Indicator(
        key="visits_in_time",
        name="Visits to children on plans within timescale",
        definition="Of the visits in the period that saw a child on a child protection plan, the "
        "share made within the policy's interval (10 working days by default) of the previous "
        "visit that saw the child, or of the plan's start for the first.",
        numerator="Visits that saw the child within the interval",
        denominator="Visits in the period that saw a child on a plan",
        direction=Direction.HIGHER_IS_BETTER,
        rule="Working Together 2023, chapter 2: the lead social worker sees the child on a plan "
        "at the frequency the plan and local procedures set (commonly every 10 working days).",
        unit=Unit.PERCENT,
        group=Group.CHILDREN_IN_NEED,
        compute=visits_in_time,
        records=_visits_in_time_records,
        children=lambda scope: {row.person_id for row in _visit_rows(scope) if row.in_time},
        records_person="referral__person",
        additive=True,
    )
)
