"""The closed months' figures kept by the nightly count (`jigsaw.performance.recount`), and
reading them back for a dashboard.

A kept month is exactly what `series` gave for that month and scope when the count ran;
a month not kept (this month, a month the count has not reached, a scope it did not count)
is computed as the page is opened. Either way the figure comes from the casework.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from jigsaw.core.templatetags.jigsaw_tags import govuk_date
from jigsaw.performance.indicators.base import Figure, Indicator, Scope, Unit
from jigsaw.performance.indicators.common import next_month
from jigsaw.performance.indicators.series import series
from jigsaw.performance.models import IndicatorMonth, IndicatorRecount


def scope_key(team_id: int | None, agency_id: int | None) -> str:
    """How a kept month names its scope: "" for the whole authority."""
    if team_id is not None:
        return f"team:{team_id}"
    if agency_id is not None:
        return f"agency:{agency_id}"
    return ""


def encode(figure: Figure) -> dict[str, Any]:
    def number(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    return {
        "n": str(figure.numerator),
        "d": number(figure.denominator),
        "b": [[label, str(part), number(whole)] for label, part, whole in figure.breakdown],
    }


def decode(data: Mapping[str, Any], unit: Unit) -> Figure:
    def number(value: str | None) -> Decimal | None:
        return None if value is None else Decimal(value)

    return Figure(
        Decimal(data["n"]),
        number(data["d"]),
        unit,
        tuple((label, Decimal(part), number(whole)) for label, part, whole in data["b"]),
    )


def whole_month(scope: Scope) -> bool:
    return scope.start.day == 1 and scope.end == next_month(scope.start) - datetime.timedelta(days=1)


@dataclass(frozen=True)
class KeptMonths:
    """The kept figures a page may use, and when they were counted."""

    figures: Mapping[tuple[str, str, datetime.date], Mapping[str, Any]]
    counted_at: datetime.datetime | None
    # Months starting before this day were closed when counted.
    closed_before: datetime.date | None

    @classmethod
    def none(cls) -> KeptMonths:
        return cls({}, None, None)

    @classmethod
    def load(
        cls, keys: Collection[str], scopes: Collection[str], first: datetime.date, last: datetime.date
    ) -> KeptMonths:
        """The kept months of these indicators and scopes from `first` to `last` (first days
        of months), in one query, with the count that left them."""
        recount = (
            IndicatorRecount.objects.filter(finished_at__isnull=False)
            .order_by("-finished_at")
            .values_list("day", "finished_at")
            .first()
        )
        if recount is None:
            return cls.none()
        rows = IndicatorMonth.objects.filter(
            indicator__in=keys, scope__in=scopes, month__gte=first, month__lte=last
        ).values_list("indicator", "scope", "month", "figure")
        day, finished_at = recount
        return cls(
            {(key, scope, month): figure for key, scope, month, figure in rows},
            finished_at,
            day.replace(day=1),
        )

    def get(self, indicator: Indicator, month: Scope) -> Figure | None:
        """The kept figure for a whole calendar month that was closed when counted."""
        if self.closed_before is None or month.start >= self.closed_before or not whole_month(month):
            return None
        found = self.figures.get((indicator.key, scope_key(month.team_id, month.agency_id), month.start))
        return None if found is None else decode(found, indicator.unit)

    @property
    def note(self) -> str:
        """What the reader should know about the months' figures."""
        if self.counted_at is None or self.closed_before is None:
            return "Every figure is counted from the records as this page is opened."
        counted = timezone.localtime(self.counted_at)
        return (
            f"The months before {self.closed_before:%B %Y} were counted at {counted:%H:%M} on "
            f"{govuk_date(counted.date())} and are counted again each night; later months are "
            "counted from the records as this page is opened. The records behind a figure are "
            "always listed as they stand now."
        )


def kept_series(indicator: Indicator, months: Sequence[Scope], kept: KeptMonths) -> list[Figure]:
    """`series(indicator, months)`, taking each closed month from `kept` where it is there
    and computing the rest (in runs of consecutive months, so each run is one grouped
    query)."""
    found = [kept.get(indicator, month) for month in months]
    computed: dict[int, Figure] = {}
    start = 0
    while start < len(months):
        if found[start] is not None:
            start += 1
            continue
        stop = start
        while stop < len(months) and found[stop] is None:
            stop += 1
        computed.update(zip(range(start, stop), series(indicator, months[start:stop]), strict=True))
        start = stop
    return [found[index] or computed[index] for index in range(len(months))]


def kept_months_for(
    indicators: Iterable[Indicator], scopes: Iterable[Scope], first: datetime.date, last: datetime.date
) -> KeptMonths:
    """`KeptMonths.load` for a page's indicators and the scopes they are computed for."""
    keys = {indicator.key for indicator in indicators if not indicator.current_only}
    names = {scope_key(scope.team_id, scope.agency_id) for scope in scopes}
    if not keys:
        return KeptMonths.none()
    return KeptMonths.load(keys, names, first, last)
