"""The Performance page: the parts this user's role may use, each with what it is for."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from jigsaw.access.policy import Permission
from jigsaw.access.views import requires
from jigsaw.quality.views.home import Section

SECTIONS: tuple[Section, ...] = ()


@requires(Permission.VIEW_PERFORMANCE)
def home(request: HttpRequest) -> HttpResponse:
    sections = [
        {"title": s.title, "purpose": s.purpose, "url": url}
        for s in SECTIONS
        if (url := s.url_for(request.user)) is not None
    ]
    return render(request, "performance/home.html", {"sections": sections})


urlpatterns = [path("", home, name="home")]
