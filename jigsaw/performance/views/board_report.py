"""The quarterly board report: the quarters with their reports (and a button to start one),
a report with every indicator and its commentary boxes, and the report as a PDF for the
partnership board's papers. Thin: parse, ask the policy, call an action, render."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from jigsaw.access.log import record_access
from jigsaw.access.policy import Permission, has_permission
from jigsaw.access.views import requires
from jigsaw.performance import actions
from jigsaw.performance.board_report import (
    SUMMARY,
    BoardReportContent,
    Quarter,
    build,
    quarter_of,
    quarters_offered,
)
from jigsaw.performance.models import BoardReport, Commentary

_NUMBER = re.compile(r"[0-9]{1,9}")


def _number(raw: object) -> int | None:
    text = str(raw or "")
    return int(text) if _NUMBER.fullmatch(text) else None


@dataclass
class Box:
    """A commentary box as the page shows it: what is written (or what the user typed,
    when their save was refused), the version the form carries and any error."""

    key: str
    field_id: str
    text: str
    version: int
    written: Commentary | None
    error: str = ""


def _box(key: str, written: Commentary | None) -> Box:
    return Box(
        key=key,
        field_id=f"commentary-{key or 'summary'}",
        text=written.text if written else "",
        version=written.version if written else actions.NOT_WRITTEN,
        written=written,
    )


def _quarter_rows(reports: list[BoardReport]) -> list[dict[str, Any]]:
    by_quarter = {quarter_of(r): r for r in reports}
    today = timezone.localdate()
    shown = quarters_offered(today)
    # Older reports stay listed after their quarter drops off the offer.
    shown += sorted((q for q in by_quarter if q not in shown), reverse=True)
    return [{"quarter": q, "report": by_quarter.get(q), "complete": q.is_complete(today)} for q in shown]


def _list_page(request: HttpRequest, error: str = "", status: int = 200) -> HttpResponse:
    reports = list(BoardReport.objects.select_related("created_by"))
    return render(
        request,
        "performance/board_report/list.html",
        {
            "rows": _quarter_rows(reports),
            "may_write": has_permission(request.user, Permission.WRITE_COMMENTARY),
            "error": error,
        },
        status=status,
    )


@requires(Permission.VIEW_PERFORMANCE)
def board_reports(request: HttpRequest) -> HttpResponse:
    return _list_page(request)


@requires(Permission.WRITE_COMMENTARY)
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    """Start the report for the quarter whose button was pressed."""
    year, quarter = _number(request.POST.get("year")), _number(request.POST.get("quarter"))
    if year is None or quarter is None:
        return _list_page(request, "Choose a quarter from the list", status=400)
    try:
        report = actions.create_board_report(actor=request.user, year=year, quarter=quarter)
    except ValidationError as error:
        return _list_page(request, " ".join(error.messages), status=400)
    messages.success(request, f"The report for {quarter_of(report).label} is started: write its commentary")
    return redirect("performance:board_report", pk=report.pk)


def _report_context(
    request: HttpRequest, content: BoardReportContent, refused: Box | None = None
) -> dict[str, Any]:
    def box_for(key: str, written: Commentary | None) -> Box:
        return refused if refused is not None and refused.key == key else _box(key, written)

    groups = [
        {"group": group, "items": [(s, box_for(s.key, s.commentary)) for s in group.indicators]}
        for group in content.groups
    ]
    return {
        "content": content,
        "groups": groups,
        "summary_box": box_for(SUMMARY, content.summary),
        "refused": refused,
        "may_write": has_permission(request.user, Permission.WRITE_COMMENTARY),
        "max_commentary": actions.MAX_COMMENTARY,
    }


@requires(Permission.VIEW_PERFORMANCE)
def board_report(request: HttpRequest, pk: int) -> HttpResponse:
    """A quarter's report: every indicator with its commentary box; a POST saves one box."""
    report = get_object_or_404(BoardReport, pk=pk)
    refused: Box | None = None
    if request.method == "POST":
        if not has_permission(request.user, Permission.WRITE_COMMENTARY):
            raise PermissionDenied
        key = str(request.POST.get("indicator", ""))
        text = str(request.POST.get("text", ""))
        version = _number(request.POST.get("version"))
        try:
            saved = actions.save_commentary(
                actor=request.user,
                report_id=report.pk,
                indicator=key,
                text=text,
                expected_version=version if version is not None else -1,
            )
        except actions.EditConflict as conflict:
            refused = Box(key, f"commentary-{key or 'summary'}", text, -1, None, str(conflict))
        except ValidationError as error:
            refused = Box(key, f"commentary-{key or 'summary'}", text, -1, None, " ".join(error.messages))
        else:
            messages.success(
                request, "The commentary is saved" if saved is not None else "The commentary is removed"
            )
            anchor = "summary" if key == SUMMARY else f"indicator-{key}"
            return redirect(f"{reverse('performance:board_report', args=[report.pk])}#{anchor}")
    content = build(report)
    if refused is not None:
        # The box keeps the user's words; its version is now the saved one's, so a second
        # save (after reading theirs) goes through.
        current = content.summary if refused.key == SUMMARY else _written(content, refused.key)
        refused.written = current
        refused.version = current.version if current else actions.NOT_WRITTEN
    record_access(
        user=request.user,
        action="view_board_report",
        record=report,
        detail={"year": report.year, "quarter": report.quarter, "indicators": content.indicator_count},
    )
    return render(
        request,
        "performance/board_report/report.html",
        _report_context(request, content, refused),
        status=200 if refused is None else 400,
    )


def _written(content: BoardReportContent, key: str) -> Commentary | None:
    for group in content.groups:
        for section in group.indicators:
            if section.key == key:
                return section.commentary
    return None


@require_GET
@requires(Permission.VIEW_PERFORMANCE)
def board_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The partnership's quarterly performance report as an A4 PDF; the export is logged."""
    from weasyprint import HTML

    report = get_object_or_404(BoardReport, pk=pk)
    content = build(report)
    record_access(
        user=request.user,
        action="export",
        record=report,
        detail={"what": "board report", "year": report.year, "quarter": report.quarter},
    )
    html = render_to_string(
        "performance/board_report/report_pdf.html",
        {"content": content, "printed_at": timezone.localtime(), "printed_by": request.user},
        request=request,
    )
    pdf: bytes = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    quarter: Quarter = content.quarter
    response["Content-Disposition"] = f'inline; filename="board-report-{quarter.year}-q{quarter.quarter}.pdf"'
    return response


urlpatterns: list[URLPattern] = [
    path("board-reports", board_reports, name="board_reports"),
    path("board-reports/start", start, name="board_report_start"),
    path("board-reports/<int:pk>", board_report, name="board_report"),
    path("board-reports/<int:pk>/report.pdf", board_report_pdf, name="board_report_pdf"),
]
