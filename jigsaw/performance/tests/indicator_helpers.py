"""Shared set-up for the indicator tests: periods and dated records saved directly."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from jigsaw.performance.indicators.base import Scope


def month(year: int, number: int, **filters: int | None) -> Scope:
    """A whole calendar month as a scope."""
    following = datetime.date(year + (number == 12), number % 12 + 1, 1)
    return Scope(datetime.date(year, number, 1), following - datetime.timedelta(days=1), **filters)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    """A moment on `day` in the authority's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def records_of(key: str, scope: Scope) -> QuerySet[Any]:
    """The records behind an indicator's numerator (every one tested here has them)."""
    from jigsaw.performance.indicators import CATALOGUE

    records = CATALOGUE[key].records
    assert records is not None
    return records(scope)


def assert_series_agrees(
    key: str, last_day: datetime.date, *, team_id: int | None = None, max_queries: int = 2
) -> None:
    """The indicator's grouped monthly form gives, in at most `max_queries` queries, what `compute`
    gives month by month over the 12 months to `last_day` (the last month part-way), for
    the whole authority and, when given, one team; and the months are not all empty."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jigsaw.performance.indicators import CATALOGUE, series
    from jigsaw.performance.indicators.base import months_ending, with_filters
    from jigsaw.performance.indicators.series import has_monthly

    indicator = CATALOGUE[key]
    assert has_monthly(indicator)
    periods = months_ending(last_day, 12)
    filters: list[int | None] = (
        [None] if team_id is None or "team" not in indicator.scopes else [None, team_id]
    )
    for team in filters:
        scoped = with_filters(periods, team_id=team, agency_id=None)
        with CaptureQueriesContext(connection) as queries:
            grouped = series(indicator, scoped)
        assert len(queries) <= max_queries, [q["sql"] for q in queries.captured_queries]
        assert grouped == [indicator.compute(p) for p in scoped]
    assert any(f.numerator or f.denominator for f in series(indicator, periods))
