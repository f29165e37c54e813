"""The only code that changes the quarterly board report: starting a quarter's report and
writing its commentary.

Working Together to Safeguard Children asks the safeguarding partners to scrutinise how
well children are safeguarded locally; the quarterly report is how the partnership board
sees the figures, with the managers' own account of each. The figures are never stored
(they are computed from the casework when the report is opened or printed); the report
keeps its quarter and the words.

Each action checks permission, validates in the user's words, writes in one transaction
with its access-log row, and refuses a stale commentary form (the version column) so one
manager never silently overwrites another's words.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import AnyUser, Permission
from jigsaw.casework.actions.common import EditConflict, acting_user, check_version
from jigsaw.performance.board_report import Quarter, commentary_keys
from jigsaw.performance.models import BoardReport, Commentary

__all__ = ["MAX_COMMENTARY", "EditConflict", "create_board_report", "save_commentary"]

# About two pages of A4: a board paper's commentary is a few paragraphs, not an essay.
MAX_COMMENTARY = 6000
# The version a commentary form carries when nothing has been written yet.
NOT_WRITTEN = 0


@transaction.atomic
def create_board_report(*, actor: AnyUser, year: int, quarter: int) -> BoardReport:
    """Start the report for a quarter that has ended or is under way: one per quarter (the
    database holds to it too, for two managers pressing the button at once)."""
    user = acting_user(actor, Permission.WRITE_COMMENTARY)
    try:
        chosen = Quarter(year, quarter)
    except ValueError as error:
        raise ValidationError({"quarter": str(error)}) from error
    if chosen.start > timezone.localdate():
        raise ValidationError({"quarter": f"{chosen.label} has not started yet"})
    if BoardReport.objects.filter(year=year, quarter=quarter).exists():
        raise ValidationError({"quarter": f"There is already a report for {chosen.label}: open it instead"})
    try:
        with transaction.atomic():  # a savepoint, so a lost race leaves the outer one usable
            report = BoardReport.objects.create(
                year=year, quarter=quarter, created_by=user, created_at=timezone.now()
            )
    except IntegrityError as error:
        raise ValidationError(
            {"quarter": f"There is already a report for {chosen.label}: open it instead"}
        ) from error
    record_access(
        user=user, action="create_board_report", record=report, detail={"year": year, "quarter": quarter}
    )
    return report


@transaction.atomic
def save_commentary(
    *, actor: AnyUser, report_id: int, indicator: str, text: str, expected_version: int
) -> Commentary | None:
    """Write (or rewrite) the commentary on one indicator, or the summary (indicator "").

    `expected_version` is the version the form was opened at (0 when nothing was written):
    if someone has saved since, the form is refused and nothing is overwritten. Emptying
    the box of a written commentary removes it (None is returned)."""
    user = acting_user(actor, Permission.WRITE_COMMENTARY)
    report = BoardReport.objects.select_for_update().filter(pk=report_id).first()
    if report is None:
        raise Http404("No such board report")
    if indicator not in commentary_keys():
        raise ValidationError({"text": "This report has no such indicator: reload the page"})
    words = text.strip()
    if len(words) > MAX_COMMENTARY:
        raise ValidationError({"text": f"Commentary must be {MAX_COMMENTARY:,} characters or fewer"})
    what = "commentary"
    found = Commentary.objects.select_for_update().filter(report=report, indicator=indicator).first()
    if found is None:
        # Nothing written yet: a form opened after someone else wrote carries their version.
        if expected_version != NOT_WRITTEN:
            raise EditConflict(_removed_message())
        if not words:
            raise ValidationError({"text": "Enter the commentary"})
        written = Commentary.objects.create(
            report=report, indicator=indicator, text=words, written_by=user, written_at=timezone.now()
        )
        record_access(
            user=user,
            action="write_board_commentary",
            record=written,
            detail={"report": report.pk, "indicator": indicator or "summary", "version": written.version},
        )
        return written
    check_version(found, expected_version, what)
    if not words:
        pk = found.pk
        found.delete()
        record_access(
            user=user,
            action="remove_board_commentary",
            record_type="performance.commentary",
            record_id=str(pk),
            detail={"report": report.pk, "indicator": indicator or "summary"},
        )
        return None
    found.text = words
    found.written_by = user
    found.written_at = timezone.now()
    found.save(update_fields=["text", "written_by", "written_at", "version"])
    record_access(
        user=user,
        action="change_board_commentary",
        record=found,
        detail={"report": report.pk, "indicator": indicator or "summary", "version": found.version},
    )
    return found


def _removed_message() -> str:
    return (
        "Someone else changed this commentary after you opened it. Yours has not been saved and "
        "is still in the box below: check theirs, then save again."
    )
