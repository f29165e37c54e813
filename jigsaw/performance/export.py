"""Any indicator over a list of periods as CSV or XLSX: the definition first (a header
block in the CSV, its own sheet in the workbook), then one row per period (period, scope,
numerator, denominator, value, unit, target, comparator), then the breakdown rows.

The figures come from `series`, so an export and the dashboard's trend never disagree.
Text cells that a spreadsheet would read as a formula are made safe, as every Jigsaw CSV's."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from jigsaw.core.csv_export import safe_cell
from jigsaw.partners.models import Agency
from jigsaw.performance.indicators.base import Figure, Indicator, Scope, Unit
from jigsaw.performance.indicators.series import series
from jigsaw.performance.indicators.targets import target_for
from jigsaw.workforce.models import Team

UNIT_WORDS = {
    Unit.COUNT: "count",
    Unit.PERCENT: "per cent",
    Unit.PER_10000: "per 10,000 children",
    Unit.AVERAGE: "average",
}
DIRECTION_WORDS = {
    "higher": "Higher is better",
    "lower": "Lower is better",
    "neither": "Neither (a measure of demand)",
}
FIGURE_HEADER = [
    "Period start",
    "Period end",
    "Scope",
    "Numerator",
    "Denominator",
    "Value",
    "Unit",
    "Target",
    "Comparator",
    "Comparator label",
]
BREAKDOWN_HEADER = ["Period start", "Period end", "Scope", "Breakdown", "Numerator", "Denominator", "Value"]

Cell = str | Decimal | None


def definition_rows(indicator: Indicator) -> list[list[str]]:
    return [
        ["Indicator", indicator.name],
        ["Key", indicator.key],
        ["Definition", indicator.definition],
        ["Numerator", indicator.numerator],
        ["Denominator", indicator.denominator or "None (a count)"],
        ["Direction", DIRECTION_WORDS[indicator.direction.value]],
        ["Statutory rule", indicator.rule],
        ["Unit", UNIT_WORDS[indicator.unit]],
        ["Group", indicator.group.value],
        [
            "At a moment",
            "Yes: figures are on each period's last day" if indicator.snapshot else "No: over each period",
        ],
    ]


def _scope_names(periods: Sequence[Scope]) -> dict[tuple[int | None, int | None], str]:
    teams = dict(
        Team.objects.filter(pk__in={p.team_id for p in periods if p.team_id}).values_list("pk", "name")
    )
    agencies = dict(
        Agency.objects.filter(pk__in={p.agency_id for p in periods if p.agency_id}).values_list("pk", "name")
    )
    names = {}
    for p in periods:
        parts = []
        if p.team_id is not None:
            parts.append(f"Team: {teams.get(p.team_id, p.team_id)}")
        if p.agency_id is not None:
            parts.append(f"Agency: {agencies.get(p.agency_id, p.agency_id)}")
        names[(p.team_id, p.agency_id)] = "; ".join(parts) or "Whole authority"
    return names


def _rows(indicator: Indicator, periods: Sequence[Scope]) -> tuple[list[list[Cell]], list[list[Cell]]]:
    figures: list[Figure] = series(indicator, periods)
    target = target_for(indicator)
    names = _scope_names(periods)
    unit = UNIT_WORDS[indicator.unit]
    main: list[list[Cell]] = []
    breakdown: list[list[Cell]] = []
    for period, figure in zip(periods, figures, strict=True):
        scope = names[(period.team_id, period.agency_id)]
        start, end = period.start.isoformat(), period.end.isoformat()
        main.append(
            [
                start,
                end,
                scope,
                figure.numerator,
                figure.denominator,
                figure.value,
                unit,
                target,
                indicator.comparator,
                indicator.comparator_label,
            ]
        )
        for label, numerator, denominator in figure.breakdown:
            value = Figure(
                numerator, denominator, indicator.unit if denominator is not None else Unit.COUNT
            ).value
            breakdown.append([start, end, scope, label, numerator, denominator, value])
    return main, breakdown


def indicator_csv(indicator: Indicator, periods: Sequence[Scope]) -> str:
    """The indicator as CSV text: the definition block, a blank line, the figures, a blank
    line and the breakdown."""
    main, breakdown = _rows(indicator, periods)
    out = io.StringIO()
    writer = csv.writer(out)
    for row in definition_rows(indicator):
        writer.writerow([safe_cell(v) for v in row])
    writer.writerow([])
    writer.writerow(FIGURE_HEADER)
    for cells in main:
        writer.writerow([safe_cell(v) for v in cells])
    if breakdown:
        writer.writerow([])
        writer.writerow(BREAKDOWN_HEADER)
        for cells in breakdown:
            writer.writerow([safe_cell(v) for v in cells])
    return out.getvalue()


def _xlsx_value(value: Cell) -> str | float | None:
    # Numbers stay numbers in the workbook, so an analyst can chart them at once.
    if isinstance(value, Decimal):
        return float(value)
    return safe_cell(value) if value is not None else None


def indicator_xlsx(indicator: Indicator, periods: Sequence[Scope]) -> bytes:
    """The indicator as an XLSX workbook: sheets Definition, Figures and Breakdown."""
    main, breakdown = _rows(indicator, periods)
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has its first sheet  # nosec B101
    sheet.title = "Definition"
    for row in definition_rows(indicator):
        sheet.append([safe_cell(v) for v in row])
    for cell in sheet["A"]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 100
    for title, header, rows in (("Figures", FIGURE_HEADER, main), ("Breakdown", BREAKDOWN_HEADER, breakdown)):
        data = book.create_sheet(title)
        data.append(header)
        for cell in data[1]:
            cell.font = Font(bold=True)
        for cells in rows:
            data.append([_xlsx_value(v) for v in cells])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
