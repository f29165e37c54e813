"""The delegation report: how much administrative work social workers handed to business
support and social work assistants. Figures only, for managers and analysts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone

from jigsaw.access.policy import Permission
from jigsaw.access.views import requires
from jigsaw.support.forms.tasks import ReportPeriodForm
from jigsaw.support.queries.report import delegation_report


@requires(Permission.VIEW_SUPPORT_REPORT)
def report(request: HttpRequest) -> HttpResponse:
    form = ReportPeriodForm(request.GET or None)
    starts, ends = form.period(timezone.localdate())
    context = {"form": form, "report": delegation_report(starts=starts, ends=ends)}
    return render(request, "support/report.html", context)


urlpatterns: list[URLPattern] = [path("report", report, name="report")]
