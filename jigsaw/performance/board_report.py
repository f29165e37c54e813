"""What the quarterly board report says: for each indicator of the catalogue, grouped as the
dashboards group them, the quarter's figure beside the previous quarter's and the same
quarter last year's, its target and comparator, which way is better, a trend of the last
12 months, and the managers' commentary.

Quarters are calendar quarters (January to March is quarter 1), named with their months
on every page so nobody mistakes them for the financial year's. The figures are computed
from the casework each time (nothing is re-keyed or stored); only the words are kept.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.utils import timezone

from jigsaw.core.templatetags.jigsaw_tags import govuk_date
from jigsaw.performance.charts_svg import data_uri, trend_svg
from jigsaw.performance.indicators import CATALOGUE, Figure, Indicator, Scope, series, targets_for
from jigsaw.performance.indicators.base import Direction, Group, Unit, months_ending
from jigsaw.performance.indicators.common import shared_work
from jigsaw.performance.indicators.series import has_monthly
from jigsaw.performance.models import BoardReport, Commentary

SUMMARY = ""  # the commentary key of the report's overall summary
TREND_MONTHS = 12
QUARTERS_OFFERED = 8  # the quarters the board reports page offers to start

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    quarter: int

    def __post_init__(self) -> None:
        if self.quarter not in (1, 2, 3, 4):
            raise ValueError("Choose a quarter from 1 to 4")
        if not 2000 <= self.year <= 2100:
            raise ValueError("Choose a year from 2000 to 2100")

    @classmethod
    def containing(cls, day: datetime.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def last_complete(cls, today: datetime.date | None = None) -> Quarter:
        return cls.containing(today or timezone.localdate()).previous

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> datetime.date:
        return self.following.start - datetime.timedelta(days=1)

    @property
    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.quarter == 1 else Quarter(self.year, self.quarter - 1)

    @property
    def following(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.quarter == 4 else Quarter(self.year, self.quarter + 1)

    @property
    def a_year_before(self) -> Quarter:
        return Quarter(self.year - 1, self.quarter)

    @property
    def months(self) -> str:
        return f"{_MONTHS[3 * self.quarter - 3]} to {_MONTHS[3 * self.quarter - 1]} {self.year}"

    @property
    def label(self) -> str:
        return f"Quarter {self.quarter} {self.year} ({self.months})"

    @property
    def short(self) -> str:
        return f"Q{self.quarter} {self.year}"

    def scope(self) -> Scope:
        return Scope(start=self.start, end=self.end)

    def is_complete(self, today: datetime.date | None = None) -> bool:
        return self.end < (today or timezone.localdate())


def quarter_of(report: BoardReport) -> Quarter:
    return Quarter(report.year, report.quarter)


def quarters_offered(today: datetime.date | None = None) -> list[Quarter]:
    """The quarter under way and the ones before it, newest first."""
    quarter = Quarter.containing(today or timezone.localdate())
    offered = [quarter]
    while len(offered) < QUARTERS_OFFERED:
        quarter = quarter.previous
        offered.append(quarter)
    return offered


def commentary_keys() -> frozenset[str]:
    """What a commentary box may be written on: the summary and each indicator."""
    return frozenset({SUMMARY, *CATALOGUE})


def format_value(value: Decimal | None, unit: Unit) -> str:
    """A figure as the board reads it."""
    if value is None:
        return "Not available"
    if unit is Unit.COUNT:
        return f"{value:,.0f}"
    if unit is Unit.PERCENT:
        return f"{value:.1f}%"
    if unit is Unit.PER_10000:
        return f"{value:,.1f} per 10,000"
    return f"{value:,.2f}"


DIRECTION_LABELS = {
    Direction.HIGHER_IS_BETTER: "Higher is better",
    Direction.LOWER_IS_BETTER: "Lower is better",
    Direction.NEITHER: "Neither: a measure of demand",
}


def change_label(now: Decimal | None, before: Decimal | None, direction: Direction) -> str:
    """How the figure moved since `before`, in words ("up 2.5, better")."""
    if now is None or before is None:
        return ""
    if now == before:
        return "no change"
    difference = now - before
    moved = f"{'up' if difference > 0 else 'down'} {abs(difference).normalize():f}"
    if direction is Direction.NEITHER:
        return moved
    better = (difference > 0) == (direction is Direction.HIGHER_IS_BETTER)
    return f"{moved}, {'better' if better else 'worse'}"


def against_target(value: Decimal | None, target: Decimal | None, direction: Direction) -> str:
    """ "Met", "Not met" or "" where there is no target or no figure."""
    if value is None or target is None or direction is Direction.NEITHER:
        return ""
    met = value >= target if direction is Direction.HIGHER_IS_BETTER else value <= target
    return "Met" if met else "Not met"


@dataclass(frozen=True)
class IndicatorSection:
    indicator: Indicator
    current: Figure
    # None for an indicator counted only as things stand (`as_at`): its records keep no
    # past, so there is no earlier quarter to set beside it and no trend.
    previous: Figure | None
    last_year: Figure | None
    target: Decimal | None
    trend_labels: tuple[str, ...]
    trend_values: tuple[Decimal | None, ...]
    commentary: Commentary | None
    as_at: datetime.date | None = None

    @property
    def key(self) -> str:
        return self.indicator.key

    @property
    def anchor(self) -> str:
        return f"indicator-{self.indicator.key}"

    @property
    def unit(self) -> Unit:
        return self.indicator.unit

    @property
    def current_text(self) -> str:
        return format_value(self.current.value, self.unit)

    @property
    def current_label(self) -> str:
        """The day an as-things-stand figure was counted ("" for a quarter's figure)."""
        return f"As at {govuk_date(self.as_at)}" if self.as_at is not None else ""

    @property
    def as_at_note(self) -> str:
        if self.as_at is None:
            return ""
        return (
            f"Counted as the records stand on {govuk_date(self.as_at)}, whatever quarter the report is for: "
            "the records keep only the current state, so there is no earlier quarter to compare and no trend."
        )

    @property
    def previous_text(self) -> str:
        return format_value(self.previous.value, self.unit) if self.previous is not None else "Not recorded"

    @property
    def last_year_text(self) -> str:
        return format_value(self.last_year.value, self.unit) if self.last_year is not None else "Not recorded"

    @property
    def target_text(self) -> str:
        return format_value(self.target, self.unit) if self.target is not None else "None set"

    @property
    def comparator_text(self) -> str:
        comparator = self.indicator.comparator
        if comparator is None:
            return "None published"
        label = f" ({self.indicator.comparator_label})" if self.indicator.comparator_label else ""
        return format_value(comparator, self.unit) + label

    @property
    def direction_text(self) -> str:
        return DIRECTION_LABELS[self.indicator.direction]

    @property
    def change_on_previous(self) -> str:
        if self.previous is None:
            return ""
        return change_label(self.current.value, self.previous.value, self.indicator.direction)

    @property
    def change_on_last_year(self) -> str:
        if self.last_year is None:
            return ""
        return change_label(self.current.value, self.last_year.value, self.indicator.direction)

    @property
    def target_status(self) -> str:
        return against_target(self.current.value, self.target, self.indicator.direction)

    @cached_property
    def chart(self) -> str:
        """The trend as an <img> source ("" with no trend to draw); drawn once a section."""
        if not self.trend_labels:
            return ""
        svg = trend_svg(
            labels=self.trend_labels,
            values=self.trend_values,
            target=self.target,
            percent=self.unit is Unit.PERCENT,
        )
        return data_uri(svg)

    @property
    def chart_description(self) -> str:
        """The chart in words, for its alt text."""
        known = [
            (label, v) for label, v in zip(self.trend_labels, self.trend_values, strict=True) if v is not None
        ]
        if not known:
            return f"{self.indicator.name}: no figures for the last {TREND_MONTHS} months."
        first, last = known[0], known[-1]
        words = (
            f"{self.indicator.name}, month by month: {format_value(first[1], self.unit)} in {first[0]}, "
            f"{format_value(last[1], self.unit)} in {last[0]}"
        )
        if self.target is not None:
            words += f"; target {format_value(self.target, self.unit)}"
        return words + "."


@dataclass(frozen=True)
class GroupSection:
    title: str
    indicators: tuple[IndicatorSection, ...]

    @property
    def anchor(self) -> str:
        return "group-" + "-".join(self.title.lower().split())


@dataclass(frozen=True)
class BoardReportContent:
    report: BoardReport
    quarter: Quarter
    authority: str
    groups: tuple[GroupSection, ...]
    summary: Commentary | None
    complete: bool  # the quarter has ended (a report of a quarter under way is provisional)

    @property
    def indicator_count(self) -> int:
        return sum(len(g.indicators) for g in self.groups)

    @property
    def written_count(self) -> int:
        return sum(1 for g in self.groups for i in g.indicators if i.commentary is not None)


def _month_label(scope: Scope) -> str:
    return f"{scope.start:%b %y}"


def _indicators_by_group(indicators: Iterable[Indicator]) -> list[tuple[Group, list[Indicator]]]:
    grouped: dict[Group, list[Indicator]] = {group: [] for group in Group}
    for indicator in indicators:
        grouped[indicator.group].append(indicator)
    return [(group, members) for group, members in grouped.items() if members]


def _figures(
    indicator: Indicator, quarter: Quarter, current: Scope
) -> tuple[Figure, Figure, Figure, list[Figure]]:
    """The quarter's figure, the previous quarter's, the same quarter's a year before and
    the 12 months' trend to the quarter's end.

    A figure at a moment (children on plans on the last day) is its last month's, so when
    the catalogue answers months together, the 15 months to the quarter's end give all four
    from one grouped query instead of three more."""
    months = months_ending(current.end, TREND_MONTHS + 3)
    if indicator.snapshot and has_monthly(indicator):
        by_month = dict(zip((m.start for m in months), series(indicator, months), strict=True))
        previous = by_month.get(quarter.previous.end.replace(day=1))
        last_year = by_month.get(quarter.a_year_before.end.replace(day=1))
        if previous is not None and last_year is not None:
            return by_month[months[-1].start], previous, last_year, list(by_month.values())[-TREND_MONTHS:]
    quarters = series(indicator, [current, quarter.previous.scope(), quarter.a_year_before.scope()])
    # Consecutive months: the catalogue answers them from one grouped query.
    trend = series(indicator, months[-TREND_MONTHS:])
    return quarters[0], quarters[1], quarters[2], trend


def build(report: BoardReport, *, today: datetime.date | None = None) -> BoardReportContent:
    """The report's content: every indicator of the catalogue for the report's quarter."""
    with shared_work():  # work several figures need is done once (visits on time)
        return _build(report, today=today)


def _build(report: BoardReport, *, today: datetime.date | None) -> BoardReportContent:
    quarter = quarter_of(report)
    written = {c.indicator: c for c in Commentary.objects.filter(report=report).select_related("written_by")}
    # A quarter still under way is shown to its last day so far, not to days to come.
    day = today or timezone.localdate()
    end = min(quarter.end, day) if quarter.start <= day else quarter.end
    current_scope = Scope(start=quarter.start, end=end)
    months = months_ending(end, TREND_MONTHS)
    targets = targets_for(CATALOGUE.values())  # the authority's own, else the catalogue's
    groups: list[GroupSection] = []
    for group, members in _indicators_by_group(CATALOGUE.values()):
        sections = []
        for indicator in members:
            if indicator.current_only:
                # As the dashboard's tile: today's figure alone, not a past it does not have.
                sections.append(
                    IndicatorSection(
                        indicator=indicator,
                        current=indicator.compute(Scope(start=day, end=day)),
                        previous=None,
                        last_year=None,
                        target=targets[indicator.key],
                        trend_labels=(),
                        trend_values=(),
                        commentary=written.get(indicator.key),
                        as_at=day,
                    )
                )
                continue
            current, previous, last_year, trend = _figures(indicator, quarter, current_scope)
            sections.append(
                IndicatorSection(
                    indicator=indicator,
                    current=current,
                    previous=previous,
                    last_year=last_year,
                    target=targets[indicator.key],
                    trend_labels=tuple(_month_label(m) for m in months),
                    trend_values=tuple(f.value for f in trend),
                    commentary=written.get(indicator.key),
                )
            )
        groups.append(GroupSection(title=group.value, indicators=tuple(sections)))
    return BoardReportContent(
        report=report,
        quarter=quarter,
        authority=settings.JIGSAW_AUTHORITY_NAME,
        groups=tuple(groups),
        summary=written.get(SUMMARY),
        complete=quarter.is_complete(day),
    )
