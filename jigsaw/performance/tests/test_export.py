"""CSV and XLSX export of an indicator over periods, with its definition."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from jigsaw.performance.export import indicator_csv, indicator_xlsx
from jigsaw.performance.indicators import CATALOGUE
from jigsaw.performance.indicators.base import months_ending, with_filters
from jigsaw.performance.models import IndicatorTarget
from tests.casework_factories import make_referral
from tests.factories import persona

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def referrals() -> None:
    make_referral(referred_on=D(2025, 2, 3), source="3A")
    make_referral(referred_on=D(2025, 3, 3), source="3A")
    make_referral(referred_on=D(2025, 3, 4), source="6")
    IndicatorTarget.objects.create(indicator="re_referrals", target=Decimal("20.00"))


def test_csv_has_the_definition_the_figures_and_the_breakdown(referrals: None) -> None:
    periods = months_ending(D(2025, 3, 31), 2)
    rows = list(csv.reader(io.StringIO(indicator_csv(CATALOGUE["referrals"], periods))))

    assert rows[0] == ["Indicator", "Referrals"]
    assert ["Direction", "Neither (a measure of demand)"] in rows
    header = rows.index(
        [
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
    )
    assert rows[header + 1][:6] == ["2025-02-01", "2025-02-28", "Whole authority", "1", "", "1"]
    assert rows[header + 2][:6] == ["2025-03-01", "2025-03-31", "Whole authority", "2", "", "2"]
    breakdown = rows.index(
        ["Period start", "Period end", "Scope", "Breakdown", "Numerator", "Denominator", "Value"]
    )
    assert rows[breakdown + 1 :] == [
        ["2025-02-01", "2025-02-28", "Whole authority", "Health: GP", "1", "", "1"],
        ["2025-03-01", "2025-03-31", "Whole authority", "Health: GP", "1", "", "1"],
        ["2025-03-01", "2025-03-31", "Whole authority", "Police", "1", "", "1"],
    ]


def test_csv_names_the_team_and_carries_the_target_and_comparator(referrals: None) -> None:
    team = persona("team_manager").practitioner.team
    assert team is not None
    periods = with_filters(months_ending(D(2025, 3, 31), 1), team_id=team.pk, agency_id=None)
    rows = list(csv.reader(io.StringIO(indicator_csv(CATALOGUE["re_referrals"], periods))))
    march = next(r for r in rows if r[:1] == ["2025-03-01"])
    assert march == [
        "2025-03-01",
        "2025-03-31",
        f"Team: {team.name}",
        "0",
        "2",
        "0.0",
        "per cent",
        "20.00",
        "22.4",
        "England 2023-24",
    ]


def test_xlsx_has_a_definition_sheet_and_numbers_as_numbers(referrals: None) -> None:
    periods = months_ending(D(2025, 3, 31), 2)
    book = load_workbook(io.BytesIO(indicator_xlsx(CATALOGUE["referrals"], periods)))

    assert book.sheetnames == ["Definition", "Figures", "Breakdown"]
    definition = {row[0]: row[1] for row in book["Definition"].iter_rows(values_only=True)}
    assert definition["Definition"] == CATALOGUE["referrals"].definition
    figures = list(book["Figures"].iter_rows(values_only=True))
    assert figures[2][:6] == ("2025-03-01", "2025-03-31", "Whole authority", 2, None, 2)
    assert len(list(book["Breakdown"].iter_rows(values_only=True))) == 4
