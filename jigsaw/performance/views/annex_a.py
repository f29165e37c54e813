"""Ofsted ILACS Annex A: choose the as-at date, see how many rows each list has, download
the workbook. The download discloses many children's records, so it writes one access log
row (the page's counts name nobody)."""

from __future__ import annotations

import datetime
import tempfile
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import Permission
from jigsaw.access.views import requires
from jigsaw.core.forms import DateField, GovukForm
from jigsaw.performance.returns.annex_a import MONTHS, count_annex_a, write_annex_a

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class AsAtForm(GovukForm):
    as_at = DateField(
        label="As-at date",
        help_text="Usually the day the inspection was announced. For example, 31 3 2026",
        error_messages={"required": "Enter the as-at date"},
    )

    def clean_as_at(self) -> datetime.date:
        as_at: datetime.date = self.cleaned_data["as_at"]
        if as_at > timezone.localdate():
            raise ValidationError("The as-at date must be today or in the past")
        return as_at


def _as_at(raw: str) -> datetime.date | None:
    """The download's as-at date (YYYY-MM-DD, as the page links it), if it is a usable one."""
    try:
        as_at = datetime.date.fromisoformat(raw)
    except ValueError:
        return None
    return as_at if as_at <= timezone.localdate() else None


@requires(Permission.RUN_RETURNS)
def annex_a(request: HttpRequest) -> HttpResponse:
    chosen = "as_at_day" in request.GET
    form = AsAtForm(request.GET if chosen else None, initial={"as_at": timezone.localdate()})
    summary = count_annex_a(as_at=form.cleaned_data["as_at"]) if chosen and form.is_valid() else None
    download = None
    if summary is not None:
        query = urlencode({"as_at": summary.as_at.isoformat()})
        download = f"{reverse('performance:annex_a_download')}?{query}"
    context = {"form": form, "summary": summary, "download": download, "months": MONTHS}
    return render(request, "performance/returns/annex_a.html", context)


@requires(Permission.RUN_RETURNS)
def annex_a_download(request: HttpRequest) -> HttpResponseBase:
    as_at = _as_at(request.GET.get("as_at", ""))
    if as_at is None:
        # Only the page links here; without a usable date, choose one there.
        return redirect("performance:annex_a")
    # Spooled to disk past a few megabytes, so a large return is never held in memory.
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
    summary = write_annex_a(spool, as_at=as_at)
    spool.seek(0)
    record_access(
        user=request.user,
        action="export_annex_a",
        record_type="performance.annex_a",
        record_id=as_at.isoformat(),
        detail={
            "what": "Ofsted ILACS Annex A",
            "as_at": as_at.isoformat(),
            "rows": {f"List {n}": rows for n, rows in summary.rows.items()},
        },
    )
    return FileResponse(
        spool, as_attachment=True, filename=f"annex-a-{as_at:%Y-%m-%d}.xlsx", content_type=XLSX
    )


urlpatterns = [
    path("returns/annex-a", annex_a, name="annex_a"),
    path("returns/annex-a/download", annex_a_download, name="annex_a_download"),
]
