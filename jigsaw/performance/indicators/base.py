"""The shape of an indicator: defined once, with its definition, numerator, denominator,
direction and the statutory rule it reflects, and computed for any period, team and agency.

Every indicator module registers its indicators with `register`; the catalogue
(`jigsaw.performance.indicators.CATALOGUE`) is every registered indicator in the order the
modules list them. Dashboards, exports and the board report read only this catalogue.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet


class Direction(enum.StrEnum):
    HIGHER_IS_BETTER = "higher"
    LOWER_IS_BETTER = "lower"
    # A count of demand (referrals a month) is neither good nor bad.
    NEITHER = "neither"


class Unit(enum.StrEnum):
    COUNT = "count"  # the numerator alone
    PERCENT = "percent"  # 100 * numerator / denominator
    PER_10000 = "per_10000"  # 10,000 * numerator / denominator (children in the population)
    AVERAGE = "average"  # numerator / denominator (cases per worker, days per person)


class Group(enum.StrEnum):
    """Where an indicator sits on a dashboard."""

    FRONT_DOOR = "Contacts and referrals"
    ASSESSMENT = "Assessments"
    PROTECTION = "Child protection"
    CHILDREN_IN_NEED = "Children in need and visits"
    WORKFORCE = "Workforce"
    PARTNERSHIP = "Partnership"
    EARLY_HELP = "Early help"


@dataclass(frozen=True)
class Scope:
    """What to compute an indicator for: a period (both days included) and, optionally, one
    team of the children's social care service or one agency of the partnership.

    An indicator that cannot be narrowed to a team or to an agency says so in
    `Indicator.scopes`; asked for one anyway, it answers for the whole authority.
    """

    start: datetime.date
    end: datetime.date
    team_id: int | None = None
    agency_id: int | None = None

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("A period cannot end before it starts.")


@dataclass(frozen=True)
class Figure:
    """One indicator's result for one scope.

    `breakdown` splits the numerator (referrals by source, plans by category, attendance by
    agency) as (label, numerator, denominator or None) rows, in the order to show them.
    """

    numerator: Decimal
    denominator: Decimal | None
    unit: Unit
    breakdown: tuple[tuple[str, Decimal, Decimal | None], ...] = ()

    @property
    def value(self) -> Decimal | None:
        """The figure to show: None when a ratio has nothing to divide by."""
        return scaled(self.numerator, self.denominator, self.unit)


def scaled(numerator: Decimal, denominator: Decimal | None, unit: Unit) -> Decimal | None:
    if unit is Unit.COUNT:
        return numerator
    if denominator is None or denominator == 0:
        return None
    ratio = numerator / denominator
    if unit is Unit.PERCENT:
        return (ratio * 100).quantize(Decimal("0.1"))
    if unit is Unit.PER_10000:
        return (ratio * 10000).quantize(Decimal("0.1"))
    return ratio.quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str
    definition: str
    numerator: str
    denominator: str  # "" for a count
    direction: Direction
    rule: str  # the statutory rule or guidance it reflects
    unit: Unit
    group: Group
    compute: Callable[[Scope], Figure]
    # The records behind the numerator (children, referrals, plans...), for those allowed
    # to see them: the dashboard's drill-down filters this through the access policy.
    records: Callable[[Scope], QuerySet[Any]] | None = None
    # The path from one of those records to the child it concerns ("person" for a referral,
    # "referral__person" for an assessment), so the drill-down can keep to the children the
    # reader may see; "" when the records are not about a child (workers, learners).
    records_person: str = "person"
    # For records found in Python rather than by a query (visits on time): the ids of the
    # children behind the figure, so the drill-down filters by a few children rather than
    # by a long list of records.
    children: Callable[[Scope], Collection[int]] | None = None
    scopes: frozenset[str] = field(default_factory=lambda: frozenset({"team"}))
    target: Decimal | None = None
    comparator: Decimal | None = None
    comparator_label: str = ""  # e.g. "England 2024-25"
    # A figure at a moment (children on plans on the last day) rather than over a period.
    snapshot: bool = False
    # Its numerator and denominator over a period are the sums of theirs over the period's
    # months (each counts events in the period, one by one: referrals, visits, reviews), so
    # a period's figure can be added up from its months; its breakdown rows add up too.
    # Not so for a figure at a moment, or one over an average or an end-of-period count.
    additive: bool = False
    # The order of the breakdown's rows, as a sort key on a row's label (`listed` or
    # `alphabetical`), so that rows added up from several months come in the order the
    # period's own figure gives them.
    breakdown_order: Callable[[str], Any] | None = None
    # The records keep only the current state (who is in date with training now, which
    # cases are overdue supervision now), so the figure can only be "as things stand
    # today": no trend and no past period, rather than a history the records cannot give.
    current_only: bool = False


def listed(labels: Iterable[str]) -> Callable[[str], Any]:
    """Breakdown rows in the order of `labels`; any other (the "Not recorded" row) after."""
    place = {label: index for index, label in enumerate(labels)}
    return lambda label: place.get(label, len(place))


def alphabetical(*, last: str = "") -> Callable[[str], Any]:
    """Breakdown rows by name (agencies), with `last` (nobody) at the end."""
    return lambda label: (label == last, label)


def summed(figures: Sequence[Figure], unit: Unit, order: Callable[[str], Any] | None = None) -> Figure:
    """The figure of an `additive` indicator over several periods, from each period's own:
    numerators, denominators and breakdown rows added up, the rows sorted by `order` (the
    indicator's `breakdown_order`; else in the order they first come)."""
    numerator = sum((f.numerator for f in figures), Decimal(0))
    denominators = [f.denominator for f in figures if f.denominator is not None]
    denominator = sum(denominators, Decimal(0)) if denominators else None
    rows: dict[str, tuple[Decimal, Decimal | None]] = {}
    for figure in figures:
        for label, part, whole in figure.breakdown:
            kept_part, kept_whole = rows.get(label, (Decimal(0), None))
            rows[label] = (
                kept_part + part,
                kept_whole if whole is None else (kept_whole or Decimal(0)) + whole,
            )
    labels = sorted(rows, key=order) if order is not None else list(rows)
    return Figure(numerator, denominator, unit, tuple((label, *rows[label]) for label in labels))


_REGISTRY: dict[str, Indicator] = {}


def register(indicator: Indicator) -> Indicator:
    if indicator.key in _REGISTRY:
        raise ValueError(f"Indicator {indicator.key!r} is defined twice.")
    _REGISTRY[indicator.key] = indicator
    return indicator


def registered() -> dict[str, Indicator]:
    return dict(_REGISTRY)


def months_ending(last_day: datetime.date, count: int) -> list[Scope]:
    """The `count` calendar months up to and including the month of `last_day`, oldest
    first, each a whole month (the last one ends on `last_day`)."""
    scopes: list[Scope] = []
    year, month = last_day.year, last_day.month
    for _ in range(count):
        start = datetime.date(year, month, 1)
        following = datetime.date(year + (month == 12), month % 12 + 1, 1)
        end = min(following - datetime.timedelta(days=1), last_day)
        scopes.append(Scope(start=start, end=end))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(scopes))


def with_filters(periods: Sequence[Scope], *, team_id: int | None, agency_id: int | None) -> list[Scope]:
    return [Scope(p.start, p.end, team_id=team_id, agency_id=agency_id) for p in periods]
