"""The partnership's report on what children and families say (figures only: see
`jigsaw.voice.queries.themes`). Team managers, analysts and the partnership read it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone

from jigsaw.access.policy import Permission
from jigsaw.access.views import requires
from jigsaw.voice.queries.themes import themes_report


@requires(Permission.VIEW_FEEDBACK_THEMES)
def report(request: HttpRequest) -> HttpResponse:
    return render(request, "voice/report.html", {"report": themes_report(today=timezone.localdate())})


urlpatterns: list[URLPattern] = [path("themes/", report, name="themes_report")]
