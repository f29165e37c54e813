"""The quarterly board report in the demo: the report for the last complete quarter, started
by the team manager, with an overall summary and commentary on a few indicators, as a
manager would write it before the board meets (the rest of the boxes are left empty, as
they would be a week before the papers go out).

The commentary quotes the quarter's own figures, computed from the demo's casework, so
the words and the numbers beside them agree. Every word is made up for Riverford.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from jigsaw.core.templatetags.jigsaw_tags import govuk_date
from jigsaw.performance.board_report import SUMMARY, Quarter, change_label, format_value
from jigsaw.performance.indicators import CATALOGUE, Scope, series
from jigsaw.performance.models import BoardReport, Commentary

# (indicator key, what the manager adds after the figures), in the report's order.
PLANNED: tuple[tuple[str, str], ...] = (
    (
        "referrals",
        "Schools and the police made most referrals, as in earlier quarters. The front door has "
        "had one extra officer since the middle of the quarter to keep decisions within a "
        "working day.",
    ),
    (
        "assessments_in_time",
        "Assessments out of time were mostly in Assessment Team 2, which carried two "
        "vacancies; the team manager now reviews every assessment at day 35.",
    ),
    (
        "initial_conferences_in_time",
        "Conferences are booked at the strategy discussion; a second chair now covers leave in "
        "the school holidays, so that none is rebooked for want of a chair.",
    ),
    (
        "conference_attendance",
        "GP attendance remains the lowest of the partners. The designated doctor has written to "
        "every practice, and reports by GPs are accepted in writing where a GP cannot attend.",
    ),
)


@dataclasses.dataclass
class BoardReportActivity:
    reports: int = 0
    commentaries: int = 0
    quarter: str = ""

    def summary(self) -> str:
        return f"Board report: {self.quarter}, with {self.commentaries} commentaries written."


def _figures_sentence(key: str, quarter: Quarter, today: datetime.date) -> str:
    """The quarter's figure against the one before, in words; for a figure the records
    keep only as things stand, today's alone, as the report shows it."""
    indicator = CATALOGUE[key]
    if indicator.current_only:
        value = indicator.compute(Scope(start=today, end=today)).value
        return (
            f"{format_value(value, indicator.unit)} as at {govuk_date(today)} (the records keep only the "
            "current state, so there is no earlier quarter to compare)."
        )
    now, before = (f.value for f in series(indicator, [quarter.scope(), quarter.previous.scope()]))
    if now is None:
        return "no figure this quarter (nothing to count it over)."
    this_quarter = f"{format_value(now, indicator.unit)} this quarter"
    if before is None:
        return f"{this_quarter}, with no figure the quarter before to compare."
    moved = change_label(now, before, indicator.direction)
    return f"{this_quarter} against {format_value(before, indicator.unit)} the quarter before ({moved})."


def write_board_report(*, today: datetime.date) -> BoardReportActivity:
    """The last complete quarter's report. Nothing is written without the demo's team
    manager (a database without the demo's staff) or if the quarter already has a report."""
    activity = BoardReportActivity()
    manager = User.objects.filter(username="team_manager", practitioner__isnull=False).first()
    quarter = Quarter.last_complete(today)
    if manager is None or BoardReport.objects.filter(year=quarter.year, quarter=quarter.quarter).exists():
        return activity
    zone = timezone.get_current_timezone()
    # Started a week into the next quarter, written over the following days.
    started = datetime.datetime.combine(
        quarter.end + datetime.timedelta(days=7), datetime.time(9, 30), tzinfo=zone
    )
    written_at = min(started + datetime.timedelta(days=2), timezone.now())
    with transaction.atomic():
        report = BoardReport.objects.create(
            year=quarter.year,
            quarter=quarter.quarter,
            created_by=manager,
            created_at=min(started, written_at),
        )
        activity.reports = 1
        activity.quarter = quarter.label
        written: list[tuple[str, str]] = []
        for key, words in PLANNED:
            if key in CATALOGUE:
                written.append(
                    (key, f"{CATALOGUE[key].name}: {_figures_sentence(key, quarter, today)} {words}")
                )
        summary = (
            f"This report covers {quarter.months}. Demand at the front door and the service's "
            "timescales are set out below, with what is being done where a timescale was missed. "
            "The board is asked to note the figures and to ask the health partners to report on "
            "GP attendance at conferences next quarter."
        )
        written.append((SUMMARY, summary))
        Commentary.objects.bulk_create(
            Commentary(report=report, indicator=key, text=text, written_by=manager, written_at=written_at)
            for key, text in written
        )
        activity.commentaries = len(written)
    return activity


def delete_board_reports() -> None:
    """Before a demo reset: the reports protect the staff's users who wrote them."""
    BoardReport.objects.all().delete()
