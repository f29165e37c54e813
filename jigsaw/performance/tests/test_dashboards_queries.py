"""The dashboards' read side: the periods offered, RAG against a target, figures as text."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from jigsaw.performance.indicators.base import Direction, Unit
from jigsaw.performance.queries.dashboards import (
    LAST_12_MONTHS,
    Rag,
    choose_period,
    period_choices,
    rag_for,
    shown,
)

TODAY = datetime.date(2026, 2, 17)


def test_the_default_period_is_the_twelve_months_to_today() -> None:
    period, _, message = choose_period(None, TODAY)

    assert (period.key, period.start, period.end, message) == (
        LAST_12_MONTHS,
        datetime.date(2025, 3, 1),
        TODAY,
        "",
    )


def test_quarters_are_financial_quarters_newest_first_the_current_one_to_today() -> None:
    quarters = [p for p in period_choices(TODAY) if p.key.startswith("q")]

    assert len(quarters) == 8
    # February is in the fourth quarter of 2025 to 2026 (January to March 2026).
    assert (quarters[0].key, quarters[0].start, quarters[0].end) == (
        "q2025-4",
        datetime.date(2026, 1, 1),
        TODAY,
    )
    assert (quarters[1].key, quarters[1].start, quarters[1].end) == (
        "q2025-3",
        datetime.date(2025, 10, 1),
        datetime.date(2025, 12, 31),
    )
    assert (quarters[3].key, quarters[3].start, quarters[3].end) == (
        "q2025-1",
        datetime.date(2025, 4, 1),
        datetime.date(2025, 6, 30),
    )
    assert quarters[4].key == "q2024-4"
    assert quarters[0].label == "Quarter 4 of 2025 to 2026 (January to March 2026)"


def test_financial_years_run_april_to_march() -> None:
    years = [p for p in period_choices(TODAY) if p.key.startswith("fy")]

    assert [(p.key, p.start, p.end) for p in years] == [
        ("fy2025", datetime.date(2025, 4, 1), TODAY),
        ("fy2024", datetime.date(2024, 4, 1), datetime.date(2025, 3, 31)),
        ("fy2023", datetime.date(2023, 4, 1), datetime.date(2024, 3, 31)),
    ]
    assert years[0].label.endswith("(so far)")


def test_a_month_from_a_chart_is_a_period_of_its_own() -> None:
    period, offered, message = choose_period("m2025-11", TODAY)

    assert (period.start, period.end, period.label, message) == (
        datetime.date(2025, 11, 1),
        datetime.date(2025, 11, 30),
        "November 2025",
        "",
    )
    assert offered[0] == period


@pytest.mark.parametrize("key", ["q1999-9", "m2026-13", "m2030-01", "fy", "<script>"])
def test_a_period_not_offered_falls_back_to_the_default_with_a_message(key: str) -> None:
    period, _, message = choose_period(key, TODAY)

    assert period.key == LAST_12_MONTHS
    assert message == "Choose a period from the list; the last 12 months are shown"


@pytest.mark.parametrize(
    ("value", "target", "direction", "expected"),
    [
        ("95", "90", Direction.HIGHER_IS_BETTER, Rag.GREEN),
        ("90", "90", Direction.HIGHER_IS_BETTER, Rag.GREEN),
        ("81", "90", Direction.HIGHER_IS_BETTER, Rag.AMBER),  # within 9 of 90
        ("80", "90", Direction.HIGHER_IS_BETTER, Rag.RED),
        ("15", "18", Direction.LOWER_IS_BETTER, Rag.GREEN),
        ("19.8", "18", Direction.LOWER_IS_BETTER, Rag.AMBER),
        ("20", "18", Direction.LOWER_IS_BETTER, Rag.RED),
        ("20", "18", Direction.NEITHER, None),
        (None, "18", Direction.HIGHER_IS_BETTER, None),
        ("20", None, Direction.HIGHER_IS_BETTER, None),
    ],
)
def test_rag_against_the_target(
    value: str | None, target: str | None, direction: Direction, expected: Rag | None
) -> None:
    as_decimal = None if value is None else Decimal(value)
    assert rag_for(as_decimal, None if target is None else Decimal(target), direction) is expected


def test_figures_read_as_people_write_them() -> None:
    assert shown(Decimal(12345), Unit.COUNT) == "12,345"
    assert shown(Decimal("87.5"), Unit.PERCENT) == "87.5%"
    assert shown(Decimal("41.2"), Unit.PER_10000) == "41.2 per 10,000 children"
    assert shown(Decimal("16.25"), Unit.AVERAGE) == "16.25"
    assert shown(None, Unit.PERCENT) == "No figure"


def test_a_rate_with_nothing_to_divide_by_has_no_figure_in_any_month() -> None:
    from jigsaw.performance.queries.dashboards import _bar, _point

    month = _point("Jan 2026", Decimal(7), None, Unit.PER_10000, "m2026-01")
    assert (month.value, month.text) == (None, "No figure")
    # A breakdown row with no denominator is a count of its own.
    assert _bar("Neglect", Decimal(8), None, Unit.PER_10000).text == "8"
