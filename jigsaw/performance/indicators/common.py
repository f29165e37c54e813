"""Helpers the indicator modules share: the bounds of a period, the child population,
month grouping (for `series`), and turning grouped counts into a `Figure`."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import Case, DateField, DateTimeField, F, Q, QuerySet, Value, When
from django.utils import timezone

from jigsaw.performance.indicators.base import Figure, Scope, Unit
from jigsaw.performance.models import ChildPopulation

ZERO = Decimal(0)
T = TypeVar("T")

# Work several figures of one page need (the trend, the period's figure and the records
# behind it all ask which visits were on time) is done once while a `shared_work` block
# runs: one request, never longer, so no figure is ever read from before a change.
_SHARED: ContextVar[dict[Hashable, Any] | None] = ContextVar("indicator_shared_work", default=None)


@contextmanager
def shared_work() -> Iterator[None]:
    """Within the block (a page or a report), `shared` keeps what it computes."""
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def shared(key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, kept under `key` for the rest of the `shared_work` block (computed
    afresh each time outside one)."""
    store = _SHARED.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    found: T = store[key]
    return found


def shared_store() -> dict[Hashable, Any] | None:
    """The block's store itself (None outside a block), for work that a wider result can
    answer (a range's rows answer any period inside it)."""
    return _SHARED.get()


def dec(value: int | float | Decimal | None) -> Decimal:
    return Decimal(value or 0) if not isinstance(value, float) else Decimal(str(value))


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day`, in the authority's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def after(day: datetime.date) -> datetime.datetime:
    """Midnight at the end of `day` (the start of the next one)."""
    return day_start(day + datetime.timedelta(days=1))


def in_days(field: str, scope: Scope) -> Q:
    """A date field within the period (both days included)."""
    return Q(**{f"{field}__gte": scope.start, f"{field}__lte": scope.end})


def in_moments(field: str, scope: Scope) -> Q:
    """A date-time field within the period's days, in local time."""
    return Q(**{f"{field}__gte": day_start(scope.start), f"{field}__lt": after(scope.end)})


def open_on(start_field: str, end_field: str, day: datetime.date) -> Q:
    """A spell (plan, episode) running at the end of `day`: started by then, not ended by
    then (a plan ending on a day is no longer open at its end)."""
    return Q(**{f"{start_field}__lte": day}) & (
        Q(**{f"{end_field}__isnull": True}) | Q(**{f"{end_field}__gt": day})
    )


def for_team(scope: Scope, path: str) -> Q:
    """Narrow to the scope's team through `path` (a team id field), if it names one."""
    return Q(**{path: scope.team_id}) if scope.team_id is not None else Q()


def for_agency(scope: Scope, *paths: str) -> Q:
    """Narrow to the scope's agency through any of `paths` (agency id fields)."""
    if scope.agency_id is None:
        return Q()
    condition = Q()
    for path in paths:
        condition |= Q(**{path: scope.agency_id})
    return condition


def child_population(on: datetime.date) -> Decimal | None:
    """The children living in the authority in `on`'s year (the ONS mid-year estimate);
    None when nobody has entered that year's, so a rate shows as not available rather than
    as an estimate from another year."""
    children = ChildPopulation.objects.filter(year=on.year).values_list("children", flat=True).first()
    return Decimal(children) if children is not None else None


def child_populations(years: Iterable[int]) -> dict[int, Decimal]:
    """`child_population` for several years in one query (a trend's months)."""
    found = ChildPopulation.objects.filter(year__in=set(years)).values_list("year", "children")
    return {year: Decimal(children) for year, children in found}


def month_ends(scope: Scope, months: list[datetime.date]) -> list[datetime.date]:
    """The last day of each month of a monthly form's range (the range's end for its last
    month): the day a figure at a moment is counted on, as `compute` counts it."""
    ends = []
    for first in months:
        following = datetime.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
        ends.append(min(following - datetime.timedelta(days=1), scope.end))
    return ends


def month_of(value: datetime.date | datetime.datetime) -> datetime.date:
    """The first day of the month a grouped row belongs to (TruncMonth gives a date for a
    date field and an aware date-time for a date-time field)."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.replace(day=1)


def by_month(qs: QuerySet[Any], field: str, months: list[datetime.date]) -> QuerySet[Any]:
    """`qs` with its rows' month (`month`, the month's first day) for grouping.

    The month is found by comparing the field with each month's bounds (a CASE the database
    evaluates itself) rather than with TruncMonth, which SQLite can only answer by calling
    back into Python for every row (and, for a date-time, converting its time zone there).
    `months` are the first days of the months the rows fall in; a row outside them has none.
    """
    output = qs.query.resolve_ref(field).output_field
    moments = isinstance(output, DateTimeField)

    def bound(day: datetime.date) -> datetime.date | datetime.datetime:
        return day_start(day) if moments else day

    whens = [
        When(
            **{f"{field}__gte": bound(month), f"{field}__lt": bound(next_month(month))},
            then=Value(month, output_field=DateField()),
        )
        for month in months
    ]
    grouped: QuerySet[Any] = qs.order_by().annotate(month=Case(*whens, output_field=DateField()))
    return grouped


def next_month(day: datetime.date) -> datetime.date:
    """The first day of the month after `day`'s."""
    return datetime.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def labelled(
    counts: Mapping[str, int | Decimal],
    labels: Iterable[tuple[str, str]],
    totals: Mapping[str, int | Decimal] | None = None,
    *,
    other: str = "Not recorded",
) -> tuple[tuple[str, Decimal, Decimal | None], ...]:
    """Breakdown rows in the order of `labels` (code, label), each with its count (and its
    own denominator from `totals`); codes with no row are left out, and codes outside the
    list are shown last under `other`."""
    rows: list[tuple[str, Decimal, Decimal | None]] = []
    known = dict(labels)
    for code, label in known.items():
        if code in counts or (totals is not None and code in totals):
            rows.append((label, dec(counts.get(code)), dec(totals.get(code)) if totals is not None else None))
    unknown = [code for code in set(counts) | set(totals or {}) if code not in known]
    if unknown:
        rows.append(
            (
                other,
                sum((dec(counts.get(c)) for c in unknown), ZERO),
                sum((dec((totals or {}).get(c)) for c in unknown), ZERO) if totals is not None else None,
            )
        )
    return tuple(rows)


def count_figure(
    counts: Mapping[str, int], labels: Iterable[tuple[str, str]], *, other: str = "Not recorded"
) -> Figure:
    """A count split by a coded field (a source, an outcome)."""
    total = sum(counts.values())
    return Figure(dec(total), None, Unit.COUNT, labelled(counts, labels, other=other))


def ratio(numerator: int | Decimal | None, denominator: int | Decimal | None, unit: Unit) -> Figure:
    return Figure(dec(numerator), dec(denominator), unit)


def later_than(field: str, due_field: str) -> Q:
    """Done after its due date (both date fields of the row)."""
    return Q(**{f"{field}__gt": F(due_field)})
