"""What the dashboards show: the period chosen, each indicator's figure for it with its
target and RAG, its 12-month trend and its breakdown; and, behind a figure, the children
(through the access policy) or, for those who see no child, the figure by team and agency.

Every number comes from the indicator catalogue; nothing here computes a figure itself.
"""

from __future__ import annotations

import datetime
import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from jigsaw.access.policy import AnyUser, people_visible_to
from jigsaw.core.templatetags.jigsaw_tags import govuk_date
from jigsaw.partners.models import Agency, AgencyKind
from jigsaw.people.models import Person
from jigsaw.performance.indicators.base import (
    Direction,
    Figure,
    Group,
    Indicator,
    Scope,
    Unit,
    months_ending,
    scaled,
    summed,
    with_filters,
)
from jigsaw.performance.indicators.kept import KeptMonths, kept_months_for, kept_series
from jigsaw.performance.indicators.targets import target_for, targets_for
from jigsaw.workforce.models import Team

LAST_12_MONTHS = "last12"
QUARTERS_OFFERED = 8
YEARS_OFFERED = 3
# Within this share of the target (either side of it, on the wrong side) a figure is amber:
# close enough that a manager watches it rather than acts on it.
AMBER_TOLERANCE = Decimal("0.10")
_MONTH_KEY = re.compile(r"m([0-9]{4})-([0-9]{2})")


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    start: datetime.date
    end: datetime.date


def _financial_year_of(day: datetime.date) -> int:
    """The year the financial year (1 April to 31 March) containing `day` starts in."""
    return day.year if day.month >= 4 else day.year - 1


def _quarter(year: int, quarter: int, today: datetime.date) -> Period:
    month = 4 + 3 * (quarter - 1)
    start_year = year + (month > 12)
    month = (month - 1) % 12 + 1
    start = datetime.date(start_year, month, 1)
    following = datetime.date(start_year + (month + 3 > 12), (month + 2) % 12 + 1, 1)
    end = min(following - datetime.timedelta(days=1), today)
    label = f"Quarter {quarter} of {year} to {year + 1} ({start:%B} to {following - datetime.timedelta(days=1):%B %Y})"
    return Period(f"q{year}-{quarter}", label, start, end)


def _financial_year(year: int, today: datetime.date) -> Period:
    start = datetime.date(year, 4, 1)
    end = min(datetime.date(year + 1, 3, 31), today)
    suffix = " (so far)" if end == today and today != datetime.date(year + 1, 3, 31) else ""
    return Period(f"fy{year}", f"Financial year {year} to {year + 1}{suffix}", start, end)


def period_choices(today: datetime.date) -> list[Period]:
    """The periods a dashboard offers: the last 12 months (the default), the financial
    quarters of the last two years and the last three financial years, newest first."""
    months = months_ending(today, 12)
    choices = [
        Period(
            LAST_12_MONTHS,
            # Twelve calendar months, the current one so far, as the charts draw them.
            f"The last 12 months: this month so far and the 11 before "
            f"({govuk_date(months[0].start)} to {govuk_date(today)})",
            months[0].start,
            today,
        )
    ]
    year = _financial_year_of(today)
    quarter = (today.month - 4) % 12 // 3 + 1
    for _ in range(QUARTERS_OFFERED):
        choices.append(_quarter(year, quarter, today))
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    this_year = _financial_year_of(today)
    choices.extend(_financial_year(this_year - n, today) for n in range(YEARS_OFFERED))
    return choices


def month_period(start: datetime.date, today: datetime.date) -> Period:
    """One calendar month (to today, for this month): the period behind a month's figure."""
    following = datetime.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    end = min(following - datetime.timedelta(days=1), today)
    return Period(f"m{start:%Y-%m}", f"{start:%B %Y}", start, end)


def _month(key: str, today: datetime.date) -> Period | None:
    """A month's period from its key ("m2025-04"), if it is a real month not in the future."""
    match = _MONTH_KEY.fullmatch(key)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        return None
    start = datetime.date(int(match.group(1)), int(match.group(2)), 1)
    if start > today or start.year < 2000:
        return None
    return month_period(start, today)


def choose_period(key: str | None, today: datetime.date) -> tuple[Period, list[Period], str]:
    """The period a GET form asked for (one in the list, or a month a chart or table links
    to), the list to offer, and a message when the request could not be read."""
    choices = period_choices(today)
    if not key:
        return choices[0], choices, ""
    for period in choices:
        if period.key == key:
            return period, choices, ""
    month = _month(key, today)
    if month is not None:
        return month, [month, *choices], ""
    return choices[0], choices, "Choose a period from the list; the last 12 months are shown"


class Rag(enum.StrEnum):
    GREEN = "On target"
    AMBER = "Close to target"
    RED = "Off target"

    @property
    def tag(self) -> str:
        return {"On target": "green", "Close to target": "yellow", "Off target": "red"}[self.value]


def rag_for(value: Decimal | None, target: Decimal | None, direction: Direction) -> Rag | None:
    """Red, amber or green against the target: green when it is met, amber when it is
    missed by no more than a tenth of the target, red otherwise; none when a figure has no
    target or no better direction."""
    if value is None or target is None or direction is Direction.NEITHER:
        return None
    met = value >= target if direction is Direction.HIGHER_IS_BETTER else value <= target
    if met:
        return Rag.GREEN
    return Rag.AMBER if abs(value - target) <= abs(target) * AMBER_TOLERANCE else Rag.RED


def shown(value: Decimal | None, unit: Unit) -> str:
    """A figure as people read it: 1,234; 87.5%; 41.2 per 10,000 children; 16.25."""
    if value is None:
        return "No figure"
    number = f"{value:,.0f}" if value == value.to_integral_value() and unit is Unit.COUNT else f"{value:,}"
    if unit is Unit.PERCENT:
        return f"{number}%"
    if unit is Unit.PER_10000:
        return f"{number} per 10,000 children"
    return number


DIRECTION_WORDS = {
    Direction.HIGHER_IS_BETTER: ("↑", "Higher is better"),
    Direction.LOWER_IS_BETTER: ("↓", "Lower is better"),
    Direction.NEITHER: ("", "Neither higher nor lower is better"),
}


@dataclass(frozen=True)
class Point:
    """One bar or one month: its label, its figure and what the figure is made of."""

    label: str
    numerator: Decimal
    denominator: Decimal | None
    value: Decimal | None
    text: str
    period_key: str = ""  # a month's period, for its link to the records behind it


def _point(label: str, numerator: Decimal, denominator: Decimal | None, unit: Unit, key: str = "") -> Point:
    """A month of the trend: its figure as the indicator gives it (none without a denominator)."""
    value = scaled(numerator, denominator, unit)
    return Point(label, numerator, denominator, value, shown(value, unit), key)


def _bar(label: str, numerator: Decimal, denominator: Decimal | None, unit: Unit) -> Point:
    # A breakdown row without a denominator is a plain count, whatever the indicator's unit.
    if denominator is None:
        return Point(label, numerator, None, numerator, shown(numerator, Unit.COUNT))
    return _point(label, numerator, denominator, unit)


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class Tile:
    """One indicator on a dashboard."""

    indicator: Indicator
    figure: Figure
    target: Decimal | None
    trend: tuple[Point, ...]
    bars: tuple[Point, ...]
    # What the figure is for when a team or agency was asked for but the indicator cannot
    # be narrowed to one ("" when it answers the question asked).
    wider_note: str
    # The day an indicator counted only as things stand was computed for (None otherwise).
    as_at: datetime.date | None = None

    @property
    def current_note(self) -> str:
        """Why a figure counted as things stand has no trend and ignores the period."""
        if self.as_at is None:
            return ""
        return (
            f"As at {govuk_date(self.as_at)}, whatever period is chosen: the records keep only the "
            "current state, so there is no history to show a trend or a past period from."
        )

    @property
    def value(self) -> Decimal | None:
        return self.figure.value

    @property
    def value_text(self) -> str:
        return shown(self.figure.value, self.indicator.unit)

    @property
    def missing_note(self) -> str:
        """Why a rate has no figure: nothing to divide by."""
        if self.figure.value is not None or not self.indicator.denominator:
            return ""
        return f"No figure: the denominator ({self.indicator.denominator.lower()}) is not known or is nil."

    @property
    def target_text(self) -> str:
        return shown(self.target, self.indicator.unit) if self.target is not None else ""

    @property
    def comparator_text(self) -> str:
        comparator = self.indicator.comparator
        return shown(comparator, self.indicator.unit) if comparator is not None else ""

    @property
    def rag(self) -> Rag | None:
        return rag_for(self.figure.value, self.target, self.indicator.direction)

    @property
    def arrow(self) -> str:
        return DIRECTION_WORDS[self.indicator.direction][0]

    @property
    def direction_words(self) -> str:
        return DIRECTION_WORDS[self.indicator.direction][1]

    @property
    def chart(self) -> dict[str, Any]:
        """What charts.js draws, passed with json_script."""
        return {
            "name": self.indicator.name,
            "unit": self.indicator.unit.value,
            "labels": [p.label for p in self.trend],
            "values": [_float(p.value) for p in self.trend],
            "periods": [p.period_key for p in self.trend],
            "target": _float(self.target),
            "comparator": _float(self.indicator.comparator),
            "comparatorLabel": self.indicator.comparator_label or "Comparator",
            "bars": {"labels": [b.label for b in self.bars], "values": [_float(b.value) for b in self.bars]},
        }


@dataclass(frozen=True)
class Section:
    group: Group
    tiles: tuple[Tile, ...]

    @property
    def slug(self) -> str:
        return self.group.name.lower().replace("_", "-")


def _narrowed(
    indicator: Indicator, team_id: int | None, agency_id: int | None
) -> tuple[int | None, int | None, str]:
    """The filters this indicator can take, and a note when one asked for cannot apply."""
    team = team_id if "team" in indicator.scopes else None
    agency = agency_id if "agency" in indicator.scopes else None
    if team_id is not None and team is None:
        return team, agency, "For the whole authority: this indicator is not counted by team."
    if agency_id is not None and agency is None:
        return team, agency, "For the whole authority: this indicator is not counted by agency."
    return team, agency, ""


def month_label(scope: Scope) -> str:
    return f"{scope.start:%b %Y}"


def month_key(scope: Scope) -> str:
    return f"m{scope.start:%Y-%m}"


def as_things_stand(indicator: Indicator, scope: Scope, today: datetime.date | None = None) -> Scope:
    """The scope to compute: for an indicator the records can answer only for today
    (`current_only`), today with the scope's filters, whatever period was asked for."""
    if not indicator.current_only:
        return scope
    day = today or timezone.localdate()
    return Scope(day, day, team_id=scope.team_id, agency_id=scope.agency_id)


def tile(
    indicator: Indicator,
    *,
    period: Period,
    team_id: int | None = None,
    agency_id: int | None = None,
    targets: Mapping[str, Decimal | None] | None = None,
    kept: KeptMonths | None = None,
) -> Tile:
    """One indicator for the period: the figure, and the 12 months to the period's end.
    `targets` are a dashboard's, read in one query; without them the indicator's own is
    read. `kept` are the closed months the nightly count kept (read here when not given);
    the other months are computed together (`series`) as the page is opened.

    The period's figure is the last month's for a figure at a moment, the sum of the
    period's months for an additive one, and computed for the period otherwise. An
    indicator counted only as things stand now is computed once, for today, with no trend:
    its records keep no history to draw one from."""
    team, agency, note = _narrowed(indicator, team_id, agency_id)
    unit = indicator.unit
    target = targets[indicator.key] if targets is not None else target_for(indicator)
    if indicator.current_only:
        today = timezone.localdate()
        figure = indicator.compute(Scope(today, today, team_id=team, agency_id=agency))
        return Tile(
            indicator=indicator,
            figure=figure,
            target=target,
            trend=(),
            bars=tuple(_bar(label, n, d, unit) for label, n, d in figure.breakdown),
            wider_note=note,
            as_at=today,
        )
    months = with_filters(months_ending(period.end, 12), team_id=team, agency_id=agency)
    if kept is None:
        kept = kept_months_for([indicator], months, months[0].start, months[-1].start)
    monthly = kept_series(indicator, months, kept)
    if indicator.snapshot:
        # A figure at a moment depends only on its last day: the last month's is the period's.
        figure = monthly[-1]
    elif indicator.additive and period.start.day == 1 and period.start >= months[0].start:
        in_period = [f for s, f in zip(months, monthly, strict=True) if s.start >= period.start]
        figure = summed(in_period, unit, indicator.breakdown_order)
    else:
        figure = indicator.compute(Scope(period.start, period.end, team_id=team, agency_id=agency))
    return Tile(
        indicator=indicator,
        figure=figure,
        target=target,
        trend=tuple(
            _point(month_label(s), f.numerator, f.denominator, unit, month_key(s))
            for s, f in zip(months, monthly, strict=True)
        ),
        bars=tuple(_bar(label, n, d, unit) for label, n, d in figure.breakdown),
        wider_note=note,
    )


def kept_months(
    indicators: Iterable[Indicator],
    *,
    period: Period,
    team_id: int | None = None,
    agency_id: int | None = None,
) -> KeptMonths:
    """The kept months a dashboard of these indicators needs, in one query."""
    chosen = list(indicators)
    months = months_ending(period.end, 12)
    scopes = [Scope(period.start, period.end, *_narrowed(i, team_id, agency_id)[:2]) for i in chosen]
    return kept_months_for(chosen, scopes, months[0].start, months[-1].start)


def dashboard(
    indicators: Iterable[Indicator],
    *,
    period: Period,
    team_id: int | None = None,
    agency_id: int | None = None,
    kept: KeptMonths | None = None,
) -> list[Section]:
    """The indicators as tiles, in sections by group, each group in the catalogue's order."""
    chosen = list(indicators)
    targets = targets_for(chosen)
    if kept is None:
        kept = kept_months(chosen, period=period, team_id=team_id, agency_id=agency_id)
    by_group: dict[Group, list[Tile]] = {}
    for indicator in chosen:
        by_group.setdefault(indicator.group, []).append(
            tile(indicator, period=period, team_id=team_id, agency_id=agency_id, targets=targets, kept=kept)
        )
    return [Section(group, tuple(by_group[group])) for group in Group if group in by_group]


def service_teams() -> QuerySet[Team]:
    """The teams of the children's social care service, for the manager's team picker."""
    return Team.objects.filter(agency__kind=AgencyKind.CHILDRENS_SOCIAL_CARE).order_by("name")


def partnership_agencies() -> QuerySet[Agency]:
    return Agency.objects.order_by("name")


# --- Behind a figure ---------------------------------------------------------------------


@dataclass(frozen=True)
class ChildrenBehind:
    """The children behind a figure that this user may see, and how many there are in all
    (the figure counts restricted children too; they are not listed)."""

    visible: QuerySet[Person]
    total: int
    visible_count: int

    @property
    def hidden(self) -> int:
        return self.total - self.visible_count


def children_behind(*, user: AnyUser, indicator: Indicator, scope: Scope) -> ChildrenBehind | None:
    """The children behind the figure, through the access policy; None when the indicator
    has no records or its records are not about children."""
    if indicator.records is None or not indicator.records_person:
        return None
    scope = as_things_stand(indicator, scope)
    about: QuerySet[Any] | list[int]
    if indicator.children is not None:
        about = sorted(indicator.children(scope))
    else:
        about = indicator.records(scope).values(indicator.records_person)
    # Ids given are of children who exist (taken from their records): counted as they are.
    total = len(about) if isinstance(about, list) else Person.objects.filter(pk__in=about).count()
    visible = people_visible_to(user).filter(pk__in=about).order_by("family_name", "given_names", "pk")
    return ChildrenBehind(visible=visible, total=total, visible_count=visible.count())


@dataclass(frozen=True)
class Part:
    """One team's or agency's share of a figure, naming no child."""

    name: str
    numerator: Decimal
    denominator: Decimal | None
    text: str


def _parts(indicator: Indicator, units: Sequence[tuple[str, Scope]]) -> list[Part]:
    today = timezone.localdate()
    figures = period_figures(indicator, [as_things_stand(indicator, scope, today) for _, scope in units])
    return [
        Part(name, figure.numerator, figure.denominator, shown(figure.value, indicator.unit))
        for (name, _), figure in zip(units, figures, strict=True)
    ]


def _months_of(scope: Scope) -> list[Scope] | None:
    """The calendar months making up a period that starts on a month's first day (the last
    one to the period's end), with its filters; None for any other period."""
    if scope.start.day != 1:
        return None
    count = (scope.end.year - scope.start.year) * 12 + scope.end.month - scope.start.month + 1
    return with_filters(months_ending(scope.end, count), team_id=scope.team_id, agency_id=scope.agency_id)


def period_figures(indicator: Indicator, scopes: Sequence[Scope]) -> list[Figure]:
    """Each scope's figure for its period. An additive indicator over whole months is added
    up from its months, the closed ones kept by the nightly count (read for every scope in
    one query), as the dashboard's tiles are; any other is computed for the period."""
    months = [_months_of(scope) for scope in scopes]
    if not indicator.additive or not scopes or any(m is None for m in months):
        return [indicator.compute(scope) for scope in scopes]
    runs = [m for m in months if m is not None]
    every = [month for run in runs for month in run]
    kept = kept_months_for([indicator], every, min(m.start for m in every), max(m.start for m in every))
    return [
        summed(kept_series(indicator, run, kept), indicator.unit, indicator.breakdown_order) for run in runs
    ]


def by_team(indicator: Indicator, period: Period) -> list[Part]:
    """The figure for each team of the service (empty when it is not counted by team)."""
    if "team" not in indicator.scopes:
        return []
    return _parts(
        indicator,
        [(t.name, Scope(period.start, period.end, team_id=t.pk)) for t in service_teams()],
    )


def by_agency(indicator: Indicator, period: Period) -> list[Part]:
    """The figure for each agency that has a share of it (empty when it is not counted by
    agency)."""
    if "agency" not in indicator.scopes:
        return []
    parts = _parts(
        indicator,
        [(a.name, Scope(period.start, period.end, agency_id=a.pk)) for a in partnership_agencies()],
    )
    return [p for p in parts if p.numerator or p.denominator]
