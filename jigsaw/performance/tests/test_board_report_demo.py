from __future__ import annotations

import datetime

import pytest

from jigsaw.core.demo_performance_board import delete_board_reports, write_board_report
from jigsaw.performance.indicators import CATALOGUE
from jigsaw.performance.models import BoardReport, Commentary
from tests.factories import persona

pytestmark = pytest.mark.django_db


def test_the_demo_has_the_last_complete_quarters_report_with_commentary_quoting_its_figures() -> None:
    manager = persona("team_manager")  # the demo's sign-in has the same username

    activity = write_board_report(today=datetime.date(2026, 5, 12))

    report = BoardReport.objects.get()
    assert (report.year, report.quarter, report.created_by) == (2026, 1, manager)
    assert activity.quarter == "Quarter 1 2026 (January to March 2026)"
    written = {c.indicator: c.text for c in Commentary.objects.filter(report=report)}
    assert activity.commentaries == len(written) >= 2
    assert written[""].startswith("This report covers January to March 2026.")
    assert "referrals" in CATALOGUE
    # No casework here: the figures it quotes are the quarter's, none.
    assert written["referrals"].startswith(
        "Referrals: 0 this quarter against 0 the quarter before (no change). Schools and the police"
    )
    assert all(key == "" or key in CATALOGUE for key in written)


def test_the_demo_report_is_written_once_and_goes_with_a_reset() -> None:
    persona("team_manager")
    write_board_report(today=datetime.date(2026, 5, 12))

    again = write_board_report(today=datetime.date(2026, 5, 13))

    assert again.reports == 0 and BoardReport.objects.count() == 1
    delete_board_reports()
    assert not BoardReport.objects.exists() and not Commentary.objects.exists()


def test_without_the_demo_staff_no_report_is_written() -> None:
    assert write_board_report(today=datetime.date(2026, 5, 12)).reports == 0
    assert not BoardReport.objects.exists()
