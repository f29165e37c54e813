"""Early help: episodes started, and lead professionals by agency."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Count, Q, QuerySet

from jigsaw.casework.models import EarlyHelpEpisode
from jigsaw.performance.indicators.base import (
    Direction,
    Figure,
    Group,
    Indicator,
    Scope,
    Unit,
    alphabetical,
    register,
)
from jigsaw.performance.indicators.common import (
    by_month,
    dec,
    for_agency,
    in_days,
    month_ends,
    month_of,
    open_on,
)
from jigsaw.performance.indicators.series import monthly

NO_LEAD = "No lead professional yet"


def _started(scope: Scope) -> QuerySet[EarlyHelpEpisode]:
    return EarlyHelpEpisode.objects.filter(
        in_days("started_on", scope), for_agency(scope, "lead_professional__agency_id")
    )


def _by_lead_agency(rows: Sequence[tuple[str | None, int]]) -> Figure:
    """Episodes by the lead professional's agency (those with none last)."""
    named = sorted((name, n) for name, n in rows if name is not None)
    unled = sum(n for name, n in rows if name is None)
    breakdown = [(name, dec(n), None) for name, n in named]
    if unled:
        breakdown.append((NO_LEAD, dec(unled), None))
    return Figure(dec(sum(n for _, n in rows)), None, Unit.COUNT, tuple(breakdown))


def early_help_episodes(scope: Scope) -> Figure:
    rows = list(
        _started(scope)
        .order_by()
        .values("lead_professional__agency__name")
        .annotate(n=Count("pk"))
        .values_list("lead_professional__agency__name", "n")
    )
    return _by_lead_agency(rows)


@monthly("early_help_episodes")
def early_help_by_month(scope: Scope, months: list[datetime.date]) -> dict[datetime.date, Figure]:
    grouped: dict[datetime.date, list[tuple[str | None, int]]] = defaultdict(list)
    for month, name, n in (
        by_month(_started(scope), "started_on", months)
        .values("month", "lead_professional__agency__name")
        .annotate(n=Count("pk"))
        .values_list("month", "lead_professional__agency__name", "n")
    ):
        grouped[month_of(month)].append((name, n))
    return {m: _by_lead_agency(grouped.get(m, [])) for m in months}


register(
    Indicator(
        key="early_help_episodes",
        name="Early help episodes started",
        definition="Early help episodes started in the period, by the agency of the lead professional.",
        numerator="Early help episodes started in the period",
        denominator="",
        direction=Direction.NEITHER,
        rule="Working Together 2023, chapter 1 (early help): a lead practitioner from any agency "
        "coordinates help for a child and family whose needs are below the threshold for social care.",
        unit=Unit.COUNT,
        group=Group.EARLY_HELP,
        compute=early_help_episodes,
        records=_started,
        scopes=frozenset({"agency"}),
        additive=True,
        breakdown_order=alphabetical(last=NO_LEAD),
    )
)


def _open(scope: Scope) -> QuerySet[EarlyHelpEpisode]:
    return EarlyHelpEpisode.objects.filter(
        open_on("started_on", "ended_on", scope.end), for_agency(scope, "lead_professional__agency_id")
    )


def lead_professionals(scope: Scope) -> Figure:
    rows = list(
        _open(scope)
        .order_by()
        .values("lead_professional__agency__name")
        .annotate(n=Count("pk"))
        .values_list("lead_professional__agency__name", "n")
    )
    return _led_figure(rows)


def _led_figure(rows: Sequence[tuple[str | None, int]]) -> Figure:
    led = sum(n for name, n in rows if name is not None)
    total = sum(n for _, n in rows)
    by_agency = _by_lead_agency(rows).breakdown
    return Figure(
        dec(led), dec(total), Unit.PERCENT, tuple((label, n, dec(total)) for label, n, _ in by_agency)
    )


@monthly("early_help_lead_professionals")
def lead_professionals_by_month(scope: Scope, months: list[datetime.date]) -> dict[datetime.date, Figure]:
    """Episodes open at each month's end by lead agency, in one query (a filtered count
    per month end over the episodes open at any of them)."""
    ends = month_ends(scope, months)
    found = (
        EarlyHelpEpisode.objects.filter(
            Q(started_on__lte=ends[-1]) & (Q(ended_on__isnull=True) | Q(ended_on__gt=ends[0])),
            for_agency(scope, "lead_professional__agency_id"),
        )
        .order_by()
        .values("lead_professional__agency__name")
        .annotate(
            **{
                f"m{i}": Count("pk", filter=open_on("started_on", "ended_on", end))
                for i, end in enumerate(ends)
            }
        )
    )
    by_end: list[list[tuple[str | None, int]]] = [[] for _ in ends]
    for row in found:
        for i in range(len(ends)):
            if row[f"m{i}"]:
                by_end[i].append((row["lead_professional__agency__name"], row[f"m{i}"]))
    return {m: _led_figure(by_end[i]) for i, m in enumerate(months)}


LED = Q(lead_professional__isnull=False)

register(
    Indicator(
        key="early_help_lead_professionals",
        name="Early help episodes with a lead professional",
        definition="Of the early help episodes open at the end of the period, the share with a "
        "lead professional, by the lead professional's agency.",
        numerator="Open early help episodes with a lead professional",
        denominator="Early help episodes open at the end of the period",
        direction=Direction.HIGHER_IS_BETTER,
        rule="Working Together 2023, chapter 1 (early help): every family receiving early help has "
        "a lead practitioner.",
        unit=Unit.PERCENT,
        group=Group.EARLY_HELP,
        compute=lead_professionals,
        records=lambda scope: _open(scope).filter(LED),
        scopes=frozenset({"agency"}),
        snapshot=True,
    )
)
