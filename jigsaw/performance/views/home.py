"""The Performance page: the parts this user's role may use, each with what it is for."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from jigsaw.access.policy import Permission
from jigsaw.access.views import requires
from jigsaw.quality.views.home import Section

SECTIONS: tuple[Section, ...] = (
    Section(
        "Quarterly board report",
        "The partnership board's quarterly performance report: the figures, their trends and "
        "the managers' commentary, as a PDF.",
        (("performance:board_reports", Permission.VIEW_PERFORMANCE),),
    ),
    Section(
        "Demand forecast",
        "Referrals, children on plans and children looked after 12 months ahead, with how sure "
        "the forecast is, how well it did on the past, and the social workers it needs.",
        (("performance:forecast", Permission.VIEW_PERFORMANCE),),
    ),
    Section(
        "Workforce",
        "Social worker posts by team: vacancies, agency staff, sickness absence, joiners, "
        "leavers and turnover, and experience since qualifying.",
        (("workforce:overview", Permission.VIEW_WORKFORCE),),
    ),
    Section(
        "Children in need census",
        "The DfE's children in need census for a year, checked against its validation rules, "
        "with each record to put right, and the XML file to send.",
        (("performance:cin_census", Permission.RUN_RETURNS),),
    ),
    Section(
        "Ofsted Annex A",
        "The lists Ofsted asks for at an inspection, contacts to children in care, as at a "
        "date: how many rows each has, and the workbook to send.",
        (("performance:annex_a", Permission.RUN_RETURNS),),
    ),
    Section(
        "Service dashboard",
        "Your team's indicators, or any team's, or the whole service's: each figure against its "
        "target, its trend over 12 months, and the children behind it.",
        # Team managers: the only role with performance figures that also works with children.
        (("performance:dashboard_service", Permission.VIEW_CASEWORK),),
    ),
    Section(
        "Partnership dashboard",
        "Every indicator for the whole authority or one agency, with targets, comparators and "
        "12-month trends, and each figure by team and agency; as CSV or XLSX.",
        (("performance:dashboard_partnership", Permission.VIEW_PERFORMANCE),),
    ),
)


@requires(Permission.VIEW_PERFORMANCE)
def home(request: HttpRequest) -> HttpResponse:
    sections = [
        {"title": s.title, "purpose": s.purpose, "url": url}
        for s in SECTIONS
        if (url := s.url_for(request.user)) is not None
    ]
    return render(request, "performance/home.html", {"sections": sections})


urlpatterns = [path("", home, name="home")]
