"""The statutory returns page: the children in need census for a year, its validation
against the DfE's rules (each failure linking to the record to put right, the child named
only by LAchildID), and the XML download (refused while errors remain, unless the user
confirms). The download discloses many children's records, so it writes one access log row."""

from __future__ import annotations

import tempfile
from collections import Counter

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import Permission
from jigsaw.access.views import requires
from jigsaw.performance.returns.cin_validation import validate_cin_census, write_validated_cin_census
from jigsaw.performance.returns.common import collection_period, latest_complete_year

YEARS_OFFERED = 5
# Failures listed on the page at once (a large authority's first run can have thousands).
SHOWN = 500


def _years() -> list[int]:
    latest = latest_complete_year()
    # The year in progress too: its records can be put right before it ends.
    return list(range(latest + 1, latest - YEARS_OFFERED, -1))


def _chosen_year(request: HttpRequest) -> tuple[int, str]:
    """The year asked for, or the latest complete one with a message saying why."""
    years = _years()
    raw = request.GET.get("year", "")
    if not raw:
        return latest_complete_year(), ""
    if raw.isdigit() and int(raw) in years:
        return int(raw), ""
    return latest_complete_year(), "Choose a collection year from the list"


@requires(Permission.RUN_RETURNS)
def cin_census(request: HttpRequest) -> HttpResponse:
    year, year_error = _chosen_year(request)
    failures = validate_cin_census(year=year)
    errors = sum(1 for f in failures if f.is_error)
    by_rule = Counter((f.code, f.message, f.severity.value) for f in failures)
    context = {
        "year": year,
        "years": [(y, str(collection_period(y))) for y in _years()],
        "period": collection_period(year),
        "year_error": year_error,
        "errors": errors,
        "queries": len(failures) - errors,
        "by_rule": sorted(by_rule.items(), key=lambda item: (item[0][2] != "error", -item[1], item[0][0])),
        "failures": failures[:SHOWN],
        "more": max(0, len(failures) - SHOWN),
    }
    return render(request, "performance/returns/cin_census.html", context)


def _refused(request: HttpRequest, *, year: int, errors: int, year_error: str) -> HttpResponse:
    context = {"year": year, "errors": errors, "year_error": year_error, "period": collection_period(year)}
    return render(request, "performance/returns/cin_census_refused.html", context, status=409)


@requires(Permission.RUN_RETURNS)
def cin_census_download(request: HttpRequest) -> HttpResponseBase:
    year, year_error = _chosen_year(request)
    if year_error:
        return _refused(request, year=year, errors=0, year_error=year_error)
    # Written and validated in one pass, spooled to disk past a few megabytes so a large
    # return is never held in memory; thrown away if errors remain and are not confirmed.
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
    summary, failures = write_validated_cin_census(spool, year=year)
    errors = sum(1 for f in failures if f.is_error)
    if errors and request.GET.get("confirm") != "yes":
        spool.close()
        return _refused(request, year=year, errors=errors, year_error="")
    spool.seek(0)
    record_access(
        user=request.user,
        action="export_cin_census",
        record_type="performance.cin_census",
        record_id=str(year),
        detail={"children": summary.children, "episodes": summary.episodes, "errors": errors},
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(
        spool, as_attachment=True, filename=f"cin-census-{year}-{stamp}.xml", content_type="application/xml"
    )


urlpatterns = [
    path("returns/cin-census", cin_census, name="cin_census"),
    path("returns/cin-census/download", cin_census_download, name="cin_census_download"),
]
