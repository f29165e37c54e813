"""The quarterly board report: managers, analysts and the partnership read it and write its
commentary (everyone who sees Performance); nobody else opens it. Starting a report is a
POST only."""

from __future__ import annotations

from django.utils import timezone

from jigsaw.people.models import Person
from jigsaw.performance.models import BoardReport
from tests.factories import persona

PERFORMANCE = frozenset({"team_manager", "analyst", "partnership_member"})


def _viewers(who: str) -> int:
    return 200 if who in PERFORMANCE else 403


def _report(_person: Person) -> list[object]:
    report, _ = BoardReport.objects.get_or_create(
        year=2026,
        quarter=1,
        defaults={"created_by": persona("team_manager"), "created_at": timezone.now()},
    )
    return [report.pk]


EXPECTED = {
    "performance:board_reports": _viewers,
    "performance:board_report_start": lambda who: 405 if who in PERFORMANCE else 403,
    "performance:board_report": _viewers,
    "performance:board_report_pdf": _viewers,
}

RECORDS = {
    "performance:board_report": _report,
    "performance:board_report_pdf": _report,
}
