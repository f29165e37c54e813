"""An indicator over many periods (a dashboard's 12-month trend) in as few queries as
possible.

The per-month counts and rates register a function here that answers every month of a
range from one grouped query (TruncMonth and conditional aggregation); `series` uses it
when the periods are consecutive calendar months (or parts of them, as the last month of
`months_ending` is), and asks `compute` period by period otherwise, so both always agree.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence

from jigsaw.performance.indicators.base import Figure, Indicator, Scope

# key -> a function answering every month of a range, given the range and the first day of
# each of its months: {first day of month: figure}, with a figure for every month given.
Monthly = Callable[[Scope, list[datetime.date]], dict[datetime.date, Figure]]
_MONTHLY: dict[str, Monthly] = {}


def monthly(key: str) -> Callable[[Monthly], Monthly]:
    """Register the grouped (one query for many months) form of indicator `key`."""

    def wrap(function: Monthly) -> Monthly:
        _MONTHLY[key] = function
        return function

    return wrap


def has_monthly(indicator: Indicator) -> bool:
    return indicator.key in _MONTHLY


def _month_slices(periods: Sequence[Scope]) -> bool:
    """Consecutive periods, each inside one calendar month and covering it but for the
    range's own first and last days: then grouping the whole range by month gives exactly
    these periods."""
    if not periods:
        return False
    first = periods[0]
    for index, period in enumerate(periods):
        if (period.team_id, period.agency_id) != (first.team_id, first.agency_id):
            return False
        if (period.start.year, period.start.month) != (period.end.year, period.end.month):
            return False
        if index > 0:
            previous = periods[index - 1]
            if period.start != previous.end + datetime.timedelta(days=1):
                return False
            if period.start.day != 1:
                return False
    return True


def series(indicator: Indicator, periods: Sequence[Scope]) -> list[Figure]:
    """The indicator for each period, in order."""
    grouped = _MONTHLY.get(indicator.key)
    if grouped is None or not _month_slices(periods):
        return [indicator.compute(p) for p in periods]
    whole = Scope(
        periods[0].start, periods[-1].end, team_id=periods[0].team_id, agency_id=periods[0].agency_id
    )
    months = [p.start.replace(day=1) for p in periods]
    figures = grouped(whole, months)
    return [figures[month] for month in months]
