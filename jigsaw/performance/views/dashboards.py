"""The dashboards: the service's (team managers, by team) and the partnership's (the whole
authority, by agency); each indicator's page, with the children or the teams and agencies
behind its figure; and any indicator's figures as CSV or XLSX."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from jigsaw.access.log import SubjectKey, record_access
from jigsaw.access.policy import Permission, has_permission
from jigsaw.access.views import requires
from jigsaw.partners.models import Agency
from jigsaw.people.models import Person
from jigsaw.performance.indicators import CATALOGUE
from jigsaw.performance.indicators.base import Group, Indicator, Scope, months_ending, with_filters
from jigsaw.performance.indicators.common import shared_work
from jigsaw.performance.queries import dashboards as queries
from jigsaw.workforce.models import Team

CHILDREN_PER_PAGE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Attendance at conferences by agency, escalations between agencies and the training
# offer are the partnership's business; the service's dashboard leaves them out.
SERVICE_GROUPS = frozenset(Group) - {Group.PARTNERSHIP}
WHOLE = "all"


@dataclass(frozen=True)
class Choices:
    """What a dashboard or indicator page was asked to show, read from its GET form."""

    period: queries.Period
    periods: list[queries.Period]
    team: Team | None
    agency: Agency | None
    errors: list[str]

    @property
    def team_id(self) -> int | None:
        return self.team.pk if self.team else None

    @property
    def agency_id(self) -> int | None:
        return self.agency.pk if self.agency else None

    @property
    def filters(self) -> str:
        """The team and agency as GET parameters, for links to one month's figure."""
        params = {}
        if self.team is not None:
            params["team"] = str(self.team.pk)
        if self.agency is not None:
            params["agency"] = str(self.agency.pk)
        return urlencode(params)

    def query(self) -> str:
        """The GET parameters that show the same choices (for links and exports)."""
        return urlencode({"period": self.period.key}) + (f"&{self.filters}" if self.filters else "")

    def scope(self, indicator: Indicator) -> Scope:
        """The period, with the filters this indicator can take."""
        return Scope(
            self.period.start,
            self.period.end,
            team_id=self.team_id if "team" in indicator.scopes else None,
            agency_id=self.agency_id if "agency" in indicator.scopes else None,
        )


def _sharing(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The page's figures share their work (the trend, the period's figure and the records
    behind it ask the same questions), for this request only."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        with shared_work():
            return view(request, *args, **kwargs)

    return wrapped


def _choices(request: HttpRequest, *, default_team: Team | None = None) -> Choices:
    """Read the period, team and agency asked for; anything not in its list is reported
    and the default shown instead."""
    errors: list[str] = []
    period, periods, message = queries.choose_period(request.GET.get("period"), timezone.localdate())
    if message:
        errors.append(message)
    team: Team | None = default_team
    wanted = request.GET.get("team", "")
    if wanted == WHOLE:
        team = None
    elif wanted:
        team = queries.service_teams().filter(pk=wanted).first() if wanted.isdigit() else None
        if team is None:
            errors.append("Choose a team from the list; the whole service is shown")
    agency: Agency | None = None
    wanted = request.GET.get("agency", "")
    if wanted and wanted != WHOLE:
        agency = queries.partnership_agencies().filter(pk=wanted).first() if wanted.isdigit() else None
        if agency is None:
            errors.append("Choose an agency from the list; every agency is shown")
    return Choices(period, periods, team, agency, errors)


def _own_team(request: HttpRequest) -> Team | None:
    practitioner = getattr(request.user, "practitioner", None)
    team_id = getattr(practitioner, "team_id", None)
    return queries.service_teams().filter(pk=team_id).first() if team_id else None


def _render_dashboard(
    request: HttpRequest,
    *,
    template_context: dict[str, object],
    choices: Choices,
    indicators: Iterable[Indicator],
) -> HttpResponse:
    chosen = list(indicators)
    period, team_id, agency_id = choices.period, choices.team_id, choices.agency_id
    kept = queries.kept_months(chosen, period=period, team_id=team_id, agency_id=agency_id)
    sections = queries.dashboard(chosen, period=period, team_id=team_id, agency_id=agency_id, kept=kept)
    context = {
        "sections": sections,
        "choices": choices,
        "query": choices.query(),
        "counted_note": kept.note,
    } | template_context
    return render(request, "performance/dashboards/dashboard.html", context)


@requires(Permission.VIEW_PERFORMANCE)
@_sharing
def service(request: HttpRequest) -> HttpResponse:
    """The manager's dashboard: their own team by default, or any team, or the service."""
    # Managers of casework only: analysts and the partnership have the partnership's.
    if not has_permission(request.user, Permission.VIEW_CASEWORK):
        raise PermissionDenied
    choices = _choices(request, default_team=_own_team(request))
    where = choices.team.name if choices.team else "the whole service"
    return _render_dashboard(
        request,
        choices=choices,
        indicators=[i for i in CATALOGUE.values() if i.group in SERVICE_GROUPS],
        template_context={
            "title": "Service dashboard",
            "where": where,
            "teams": queries.service_teams(),
            "picker": "team",
        },
    )


@requires(Permission.VIEW_PERFORMANCE)
@_sharing
def partnership(request: HttpRequest) -> HttpResponse:
    """The partnership's dashboard: the whole authority, or one agency's share of the
    indicators that are counted by agency."""
    choices = _choices(request)
    if choices.team is not None:
        choices = Choices(choices.period, choices.periods, None, choices.agency, choices.errors)
    return _render_dashboard(
        request,
        choices=choices,
        indicators=CATALOGUE.values(),
        template_context={
            "title": "Partnership dashboard",
            "where": choices.agency.name if choices.agency else "the whole authority",
            "agencies": queries.partnership_agencies(),
            "picker": "agency",
        },
    )


def _indicator(key: str) -> Indicator:
    try:
        return CATALOGUE[key]
    except KeyError:
        raise Http404("No such indicator") from None


def _logged(children: Iterable[Person]) -> list[SubjectKey]:
    label = Person._meta.label_lower
    return [(label, str(child.pk)) for child in children]


@requires(Permission.VIEW_PERFORMANCE)
@_sharing
def indicator(request: HttpRequest, key: str) -> HttpResponse:
    """An indicator's definition, its monthly figures and what is behind its figure: the
    children, for those who may open children's records; otherwise the figure by team and
    by agency, naming no child."""
    ind = _indicator(key)
    choices = _choices(request)
    period, team_id, agency_id = choices.period, choices.team_id, choices.agency_id
    kept = queries.kept_months([ind], period=period, team_id=team_id, agency_id=agency_id)
    tile = queries.tile(ind, period=period, team_id=team_id, agency_id=agency_id, kept=kept)
    context: dict[str, object] = {
        "ind": ind,
        "tile": tile,
        "counted_note": kept.note,
        "choices": choices,
        "query": choices.query(),
        "teams": queries.service_teams() if "team" in ind.scopes else None,
        "agencies": queries.partnership_agencies() if "agency" in ind.scopes else None,
    }
    behind = None
    if has_permission(request.user, Permission.VIEW_CASEWORK):
        behind = queries.children_behind(user=request.user, indicator=ind, scope=choices.scope(ind))
    if behind is not None:
        page = Paginator(behind.visible, CHILDREN_PER_PAGE).get_page(request.GET.get("page"))
        children = list(page.object_list)
        if children:
            # A list of children read is a read of each child's record, as a work list is.
            record_access(
                user=request.user,
                action="view_indicator_children",
                record_type="performance.indicator",
                record_id=ind.key,
                detail={"period": choices.period.key, "team": choices.team_id, "agency": choices.agency_id},
                subjects=_logged(children),
            )
        context |= {"behind": behind, "page": page, "children": children}
    else:
        if not ind.records_person or ind.records is None:
            why = "These figures are not about individual children, so they are shown by team and by agency."
        elif has_permission(request.user, Permission.VIEW_CASEWORK):
            why = "The records behind this figure are shown by team and by agency."
        else:
            why = (
                "Your role works with figures, not with individual children, so no child is named here: "
                "the figure is shown by team and by agency instead."
            )
        context |= {
            "why": why,
            "by_team": queries.by_team(ind, choices.period),
            "by_agency": queries.by_agency(ind, choices.period),
        }
    return render(request, "performance/dashboards/indicator.html", context)


def _export_periods(ind: Indicator, choices: Choices) -> list[Scope]:
    """The 12 months to the chosen period's end, with the filters the indicator can take;
    for an indicator counted only as things stand, today alone (it has no history)."""
    scope = choices.scope(ind)
    if ind.current_only:
        return [queries.as_things_stand(ind, scope)]
    return with_filters(
        months_ending(choices.period.end, 12), team_id=scope.team_id, agency_id=scope.agency_id
    )


def _export(request: HttpRequest, key: str, kind: str) -> HttpResponse:
    # Imported here: openpyxl is only needed by a download, not by every page of the app.
    from jigsaw.performance.export import indicator_csv as csv_of
    from jigsaw.performance.export import indicator_xlsx as xlsx_of

    ind = _indicator(key)
    choices = _choices(request)
    periods = _export_periods(ind, choices)
    record_access(
        user=request.user,
        action="export_indicator",
        record_type="performance.indicator",
        record_id=ind.key,
        detail={
            "format": kind,
            "period": choices.period.key,
            "team": choices.team_id,
            "agency": choices.agency_id,
        },
    )
    filename = f"{ind.key}-{choices.period.key}.{kind}"
    if kind == "csv":
        response = HttpResponse(csv_of(ind, periods), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(xlsx_of(ind, periods), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@requires(Permission.VIEW_PERFORMANCE)
@_sharing
def indicator_csv(request: HttpRequest, key: str) -> HttpResponse:
    return _export(request, key, "csv")


@requires(Permission.VIEW_PERFORMANCE)
@_sharing
def indicator_xlsx(request: HttpRequest, key: str) -> HttpResponse:
    return _export(request, key, "xlsx")


urlpatterns = [
    path("dashboard/service", service, name="dashboard_service"),
    path("dashboard/partnership", partnership, name="dashboard_partnership"),
    path("indicators/<slug:key>", indicator, name="indicator"),
    path("indicators/<slug:key>.csv", indicator_csv, name="indicator_csv"),
    path("indicators/<slug:key>.xlsx", indicator_xlsx, name="indicator_xlsx"),
]
