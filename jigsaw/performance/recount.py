"""The nightly count of the closed months: every indicator's figure for every calendar month
a dashboard can show that has ended, for the whole authority, each team of the service and
each agency of the partnership (where the indicator is counted by them), kept in
`IndicatorMonth` so that a dashboard counts only this month as it is opened.

`jigsaw tick` calls `recount_if_due` (every minute from cron): the first tick of each day
claims the day's `IndicatorRecount` row and counts; every other tick, on this server or
another, finds the day claimed and does nothing. A count that died part-way (its row claimed
but never finished) is claimed again by a tick an hour later. `jigsaw recount_indicators`
counts at once, whatever has been counted today.

The months are computed first and written in one transaction (the old ones deleted, the new
ones written and the count marked finished together), so a page reads either the last
count's months or this one's, never half of each.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterator

from django.db import IntegrityError, transaction
from django.utils import timezone

from jigsaw.performance.indicators import CATALOGUE
from jigsaw.performance.indicators.base import Indicator, Scope, months_ending, with_filters
from jigsaw.performance.indicators.common import shared_work
from jigsaw.performance.indicators.kept import encode, scope_key
from jigsaw.performance.indicators.series import series
from jigsaw.performance.models import IndicatorMonth, IndicatorRecount
from jigsaw.performance.queries.dashboards import partnership_agencies, period_choices, service_teams

# A count claimed this long ago and not finished is taken to have died.
STALE_AFTER = datetime.timedelta(hours=1)
WRITE_BATCH = 1000


def months_to_keep(today: datetime.date) -> list[Scope]:
    """Every whole month, closed by `today`, that some period a dashboard offers draws in its
    12-month trend: from the first month of the oldest period's trend to last month."""
    first = min(months_ending(period.end, 12)[0].start for period in period_choices(today))
    this_month = today.replace(day=1)
    months = months_ending(this_month - datetime.timedelta(days=1), 120)
    return [month for month in months if month.start >= first]


def scopes_of(indicator: Indicator) -> Iterator[tuple[int | None, int | None]]:
    """The scopes a dashboard can ask this indicator for: the whole authority, and each
    team or agency where it is counted by them."""
    yield None, None
    if "team" in indicator.scopes:
        for team_id in service_teams().values_list("pk", flat=True):
            yield team_id, None
    if "agency" in indicator.scopes:
        for agency_id in partnership_agencies().values_list("pk", flat=True):
            yield None, agency_id


def count_months(today: datetime.date) -> tuple[list[IndicatorMonth], int]:
    """Every kept figure for the closed months as of `today`, and how many months."""
    months = months_to_keep(today)
    if not months:
        return [], 0
    rows: list[IndicatorMonth] = []
    with shared_work():
        for indicator in CATALOGUE.values():
            if indicator.current_only:
                continue
            for team_id, agency_id in scopes_of(indicator):
                scoped = with_filters(months, team_id=team_id, agency_id=agency_id)
                name = scope_key(team_id, agency_id)
                rows.extend(
                    IndicatorMonth(
                        indicator=indicator.key, month=month.start, scope=name, figure=encode(figure)
                    )
                    for month, figure in zip(scoped, series(indicator, scoped), strict=True)
                )
    return rows, len(months)


def _claim(today: datetime.date, now: datetime.datetime) -> IndicatorRecount | None:
    """Today's count, if this caller is the one to do it."""
    try:
        with transaction.atomic():
            return IndicatorRecount.objects.create(day=today, started_at=now)
    except IntegrityError:
        pass
    taken = IndicatorRecount.objects.filter(
        day=today, finished_at__isnull=True, started_at__lt=now - STALE_AFTER
    ).update(started_at=now)
    return IndicatorRecount.objects.get(day=today) if taken else None


def _count(recount: IndicatorRecount) -> IndicatorRecount:
    started = time.perf_counter()
    rows, months = count_months(recount.day)
    with transaction.atomic():
        IndicatorMonth.objects.all().delete()
        IndicatorMonth.objects.bulk_create(rows, batch_size=WRITE_BATCH)
        recount.finished_at = timezone.now()
        recount.months = months
        recount.figures = len(rows)
        recount.seconds = round(time.perf_counter() - started, 2)
        recount.save(update_fields=["finished_at", "months", "figures", "seconds"])
    return recount


def recount_if_due(now: datetime.datetime | None = None) -> IndicatorRecount | None:
    """Count the closed months if nobody has today (the tick's step); the finished count,
    or None when it was not this caller's to do."""
    now = now or timezone.now()
    recount = _claim(timezone.localdate(now), now)
    return None if recount is None else _count(recount)


def recount(now: datetime.datetime | None = None) -> IndicatorRecount:
    """Count the closed months now, whatever was counted earlier today."""
    now = now or timezone.now()
    recount, _ = IndicatorRecount.objects.update_or_create(
        day=timezone.localdate(now), defaults={"started_at": now, "finished_at": None}
    )
    return _count(recount)
