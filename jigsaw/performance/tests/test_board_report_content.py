from __future__ import annotations

import datetime
import time
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from jigsaw.performance import actions
from jigsaw.performance.board_report import (
    Quarter,
    against_target,
    build,
    change_label,
    format_value,
    quarters_offered,
)
from jigsaw.performance.charts_svg import trend_svg
from jigsaw.performance.indicators import Figure, Indicator, Scope
from jigsaw.performance.indicators.base import Direction, Group, Unit
from jigsaw.performance.models import BoardReport, IndicatorTarget
from jigsaw.performance.tests.board_report_helpers import catalogue, contact_on  # noqa: F401
from tests.factories import persona

TODAY = datetime.date(2026, 5, 12)


def test_quarters_are_calendar_quarters_named_with_their_months() -> None:
    first = Quarter(2026, 1)

    assert (first.start, first.end) == (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    assert first.label == "Quarter 1 2026 (January to March 2026)"
    assert first.previous == Quarter(2025, 4) and first.a_year_before == Quarter(2025, 1)
    assert Quarter(2025, 4).end == datetime.date(2025, 12, 31)
    assert Quarter.last_complete(TODAY) == first
    assert quarters_offered(TODAY)[:3] == [Quarter(2026, 2), Quarter(2026, 1), Quarter(2025, 4)]
    assert len(quarters_offered(TODAY)) == 8
    with pytest.raises(ValueError, match="quarter from 1 to 4"):
        Quarter(2026, 0)


def test_figures_are_written_as_the_board_reads_them() -> None:
    assert format_value(Decimal("1234"), Unit.COUNT) == "1,234"
    assert format_value(Decimal("85.0"), Unit.PERCENT) == "85.0%"
    assert format_value(Decimal("42.1"), Unit.PER_10000) == "42.1 per 10,000"
    assert format_value(None, Unit.PERCENT) == "Not available"
    assert change_label(Decimal("85.0"), Decimal("80.5"), Direction.HIGHER_IS_BETTER) == "up 4.5, better"
    assert change_label(Decimal("85.0"), Decimal("80.5"), Direction.LOWER_IS_BETTER) == "up 4.5, worse"
    assert change_label(Decimal("12"), Decimal("20"), Direction.NEITHER) == "down 8"
    assert against_target(Decimal("79.9"), Decimal("80"), Direction.HIGHER_IS_BETTER) == "Not met"
    assert against_target(Decimal("15"), Decimal("20"), Direction.LOWER_IS_BETTER) == "Met"
    assert against_target(Decimal("15"), None, Direction.LOWER_IS_BETTER) == ""


@pytest.mark.django_db
def test_the_report_shows_each_indicator_for_the_quarter_the_one_before_and_a_year_before(
    catalogue: dict[str, Indicator],  # noqa: F811 - the fixture
) -> None:
    # Quarter 1 2026: four contacts, three with consent (75%); quarter 4 2025: two, both
    # with consent; quarter 1 2025: one, without. One in April 2026 is in no quarter shown.
    for day, given in [
        (datetime.date(2026, 1, 5), "given"),
        (datetime.date(2026, 2, 10), "given"),
        (datetime.date(2026, 3, 31), "given"),
        (datetime.date(2026, 3, 2), "refused"),
        (datetime.date(2025, 11, 3), "given"),
        (datetime.date(2025, 12, 1), "given"),
        (datetime.date(2025, 2, 14), "not_sought"),
        (datetime.date(2026, 4, 2), "given"),
    ]:
        contact_on(day, consent=given)
    report = BoardReport.objects.create(
        year=2026, quarter=1, created_by=persona("team_manager"), created_at=timezone.now()
    )
    actions.save_commentary(
        actor=persona("team_manager"),
        report_id=report.pk,
        indicator="test_consent",
        text="Below target: a refused consent in March.",
        expected_version=0,
    )

    content = build(report, today=TODAY)

    assert content.complete and content.authority == "Riverford City Council"
    assert [g.title for g in content.groups] == ["Contacts and referrals", "Assessments"]
    contacts, consent = content.groups[0].indicators[0], content.groups[1].indicators[0]
    assert (contacts.current_text, contacts.previous_text, contacts.last_year_text) == ("4", "2", "1")
    assert contacts.change_on_previous == "up 2"
    assert contacts.target_text == "None set" and contacts.target_status == ""
    assert (consent.current_text, consent.previous_text, consent.last_year_text) == (
        "75.0%",
        "100.0%",
        "0.0%",
    )
    assert consent.change_on_previous == "down 25, worse"
    assert consent.target_text == "80.0%" and consent.target_status == "Not met"
    assert consent.comparator_text == "75.0% (England 2024-25)"
    assert consent.direction_text == "Higher is better"
    assert consent.commentary is not None and consent.commentary.text.startswith("Below target")
    assert contacts.commentary is None and content.summary is None
    assert (content.indicator_count, content.written_count) == (2, 1)
    # The trend: the 12 months April 2025 to March 2026, one contact in each of November,
    # December, January and February, two in March.
    assert contacts.trend_labels[0] == "Apr 25" and contacts.trend_labels[-1] == "Mar 26"
    assert [int(v or 0) for v in contacts.trend_values] == [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2]
    assert contacts.chart.startswith("data:image/svg+xml;base64,")
    assert consent.chart_description == (
        "Contacts made with consent, month by month: 100.0% in Nov 25, 50.0% in Mar 26; target 80.0%."
    )


@pytest.mark.django_db
def test_a_quarter_under_way_runs_to_today_and_is_marked_provisional(
    catalogue: dict[str, Indicator],  # noqa: F811
) -> None:
    contact_on(datetime.date(2026, 4, 2))
    report = BoardReport.objects.create(
        year=2026, quarter=2, created_by=persona("team_manager"), created_at=timezone.now()
    )

    content = build(report, today=TODAY)

    assert not content.complete
    contacts = content.groups[0].indicators[0]
    assert contacts.current_text == "1"
    assert contacts.trend_labels[-1] == "May 26"


def test_a_chart_is_svg_with_the_target_dashed_and_quick_to_draw() -> None:
    labels = [f"M{i}" for i in range(12)]
    values: list[Decimal | None] = [Decimal(80 + i) for i in range(12)]
    values[4] = None  # a month with nothing to divide by is a gap, not a zero

    trend_svg(labels=labels, values=values, target=Decimal(90), percent=True)  # the first loads fonts
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        svg = trend_svg(labels=labels, values=values, target=Decimal(90), percent=True)
        timings.append(time.perf_counter() - started)

    text = svg.decode()
    assert text.startswith("<?xml") and "<svg" in text
    assert "stroke-dasharray" in text  # the target
    assert "M0" in text and "M10" in text  # every other month labelled
    # About 20 ms on an idle developer's machine; the margin is for a busy test runner.
    assert sorted(timings)[2] < 0.25
    assert svg == trend_svg(labels=labels, values=values, target=Decimal(90), percent=True)


def test_a_chart_needs_one_label_per_value() -> None:
    with pytest.raises(ValueError, match="one label per value"):
        trend_svg(labels=["Jan"], values=[])


@pytest.mark.django_db
def test_the_authoritys_own_target_is_the_one_reported(catalogue: dict[str, Indicator]) -> None:  # noqa: F811
    contact_on(datetime.date(2026, 2, 3))
    contact_on(datetime.date(2026, 2, 4))
    contact_on(datetime.date(2026, 2, 5), consent="refused")
    IndicatorTarget.objects.create(
        indicator="test_consent", target=Decimal("60"), reason="Agreed by the board"
    )
    report = BoardReport.objects.create(
        year=2026, quarter=1, created_by=persona("team_manager"), created_at=timezone.now()
    )

    consent = build(report, today=TODAY).groups[1].indicators[0]

    assert consent.current_text == "66.7%"
    assert consent.target_text == "60.0%" and consent.target_status == "Met"


@pytest.mark.django_db
def test_a_figure_kept_only_as_things_stand_is_shown_as_at_today_with_no_past(
    catalogue: dict[str, Indicator],  # noqa: F811
) -> None:
    asked: list[Scope] = []

    def in_date(scope: Scope) -> Figure:
        asked.append(scope)
        return Figure(Decimal(9), Decimal(10), Unit.PERCENT)

    current = Indicator(
        key="test_in_date",
        name="Training in date",
        definition="Learners in date, as the records stand.",
        numerator="Learners in date",
        denominator="Learners",
        direction=Direction.HIGHER_IS_BETTER,
        rule="Working Together 2023",
        unit=Unit.PERCENT,
        group=Group.PARTNERSHIP,
        compute=in_date,
        target=Decimal("95"),
        current_only=True,
    )
    catalogue[current.key] = current
    report = BoardReport.objects.create(
        year=2026, quarter=1, created_by=persona("team_manager"), created_at=timezone.now()
    )

    content = build(report, today=TODAY)

    section = content.groups[-1].indicators[0]
    # Computed once, for today: never for the quarter, the one before or a year before.
    assert asked == [Scope(TODAY, TODAY)]
    assert (section.previous, section.last_year, section.as_at) == (None, None, TODAY)
    assert section.current_text == "90.0%" and section.current_label == "As at 12 May 2026"
    assert (section.change_on_previous, section.change_on_last_year) == ("", "")
    assert section.trend_labels == () and section.chart == ""
    assert section.target_status == "Not met"

    html = render_to_string(
        "performance/board_report/report_pdf.html",
        {"content": content, "printed_at": timezone.localtime(), "printed_by": persona("team_manager")},
    )
    block = html[html.index('id="indicator-test_in_date"') :]
    block = block[: block.index('<div class="commentary">')]
    assert "As at 12 May 2026" in block and "whatever quarter the report is for" in block
    assert "Previous quarter" not in block and "A year before" not in block and "<img" not in block
    # The other indicators keep their comparisons and charts.
    other = html[html.index('id="indicator-test_contacts"') :]
    assert "Previous quarter" in other[: other.index('<div class="commentary">')]
