"""Reading section 11 self-assessment: rounds and their returns, one return with its
answers and action plan, the comparison of agencies within a round and of one agency
across rounds, and what is overdue."""

from __future__ import annotations

import dataclasses
import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from jigsaw.access.policy import AnyUser, Permission, has_permission, section11_returns_visible_to
from jigsaw.partners.models import Agency
from jigsaw.quality.models.section11 import (
    RATING_POINTS,
    Rating,
    ReturnStatus,
    RoundStandard,
    RoundStatus,
    Section11Answer,
    Section11GapAction,
    Section11Return,
    Section11Round,
    Section11Standard,
)

ROUNDS_PER_PAGE = 25


def standards() -> QuerySet[Section11Standard]:
    return Section11Standard.objects.order_by("number")


def rounds() -> QuerySet[Section11Round]:
    """Every round, newest first, with how many returns it has and how many are in."""
    return Section11Round.objects.annotate(
        # distinct: the agencies' join repeats each return once per agency.
        return_count=Count("returns", distinct=True),
        submitted_count=Count("returns", filter=Q(returns__status=ReturnStatus.SUBMITTED), distinct=True),
        agency_count=Count("agencies", distinct=True),
    ).order_by("-opens_on", "-pk")


def get_round(pk: int) -> Section11Round:
    round_ = Section11Round.objects.filter(pk=pk).first()
    if round_ is None:
        raise Http404("No such round")
    return round_


def returns_of(round_: Section11Round) -> QuerySet[Section11Return]:
    return round_.returns.select_related("agency", "submitted_by").order_by("agency__name")


def is_overdue(section11_return: Section11Return, today: datetime.date) -> bool:
    return section11_return.status != ReturnStatus.SUBMITTED and section11_return.round.due_on < today


def overdue_returns(today: datetime.date, limit: int = 100) -> QuerySet[Section11Return]:
    """Returns not submitted by their round's due date, longest overdue first."""
    return (
        Section11Return.objects.filter(round__status=RoundStatus.SENT, round__due_on__lt=today)
        .exclude(status=ReturnStatus.SUBMITTED)
        .select_related("round", "agency")
        .order_by("round__due_on", "agency__name")[:limit]
    )


def returns_for(user: AnyUser) -> QuerySet[Section11Return]:
    """The returns a user answers for: their own agency's, newest round first."""
    if not has_permission(user, Permission.ANSWER_SECTION11):
        return Section11Return.objects.none()
    practitioner = getattr(user, "practitioner", None)
    if practitioner is None:
        return Section11Return.objects.none()
    return (
        Section11Return.objects.filter(agency_id=practitioner.agency_id, round__status=RoundStatus.SENT)
        .select_related("round", "agency")
        .order_by("-round__opens_on", "-round_id")[:50]
    )


def get_return_for(user: AnyUser, pk: int) -> Section11Return:
    """Fetch and authorise in one step: a missing return and another agency's both 404."""
    found = (
        section11_returns_visible_to(user)
        .select_related("round", "agency", "submitted_by")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404("No such return")
    return found


def answers_of(section11_return: Section11Return) -> list[Section11Answer]:
    """The return's answers in standard order, each with its actions."""
    return list(
        section11_return.answers.select_related("standard")
        .prefetch_related(Prefetch("actions", queryset=Section11GapAction.objects.order_by("due_on", "pk")))
        .order_by("standard__number")
    )


@dataclasses.dataclass(frozen=True)
class GridColumn:
    agency: Agency
    section11_return: Section11Return
    counts: dict[str, int]
    points: int
    rated: int

    @property
    def average(self) -> float | None:
        return round(self.points / self.rated, 1) if self.rated else None


@dataclasses.dataclass(frozen=True)
class GridRow:
    standard: RoundStandard
    ratings: list[str]  # one per column, "" when not rated (or not submitted)
    counts: dict[str, int]


@dataclasses.dataclass(frozen=True)
class Grid:
    columns: list[GridColumn]
    rows: list[GridRow]
    submitted_only: bool

    def by_agency(self) -> list[tuple[GridColumn, list[str]]]:
        """The grid turned round, one line per agency (a round may go to hundreds of schools:
        they read down the page, the standards across)."""
        return [(column, [row.ratings[i] for row in self.rows]) for i, column in enumerate(self.columns)]


def round_grid(round_: Section11Round, *, submitted_only: bool = True) -> Grid:
    """Standards down, agencies across, each cell the agency's rating; totals of each rating
    per agency (with its points, 4 for fully met to 1 for not met) and per standard. Only
    submitted returns count unless `submitted_only` is False (drafts are not yet the
    agency's word)."""
    returns = list(returns_of(round_))
    if submitted_only:
        returns = [r for r in returns if r.status == ReturnStatus.SUBMITTED]
    round_standards = list(round_.standards.order_by("number"))
    ratings: dict[tuple[int, int], str] = {
        (return_id, standard_id): rating
        for return_id, standard_id, rating in Section11Answer.objects.filter(
            section11_return__in=[r.pk for r in returns]
        ).values_list("section11_return_id", "standard_id", "rating")
    }
    columns = []
    for r in returns:
        counts = dict.fromkeys(Rating.values, 0)
        points = rated = 0
        for s in round_standards:
            rating = ratings.get((r.pk, s.pk), "")
            if rating:
                counts[rating] += 1
                points += RATING_POINTS[Rating(rating)]
                rated += 1
        columns.append(GridColumn(r.agency, r, counts, points, rated))
    rows = []
    for s in round_standards:
        cells = [ratings.get((r.pk, s.pk), "") for r in returns]
        counts = {value: sum(1 for c in cells if c == value) for value in Rating.values}
        rows.append(GridRow(s, cells, counts))
    return Grid(columns, rows, submitted_only)


def grid_csv(round_: Section11Round, grid: Grid) -> tuple[list[str], list[list[object]]]:
    """The grid as a spreadsheet: one row per standard and agency, with evidence."""
    header = ["Round", "Standard", "Title", "Agency", "Rating", "Points", "Evidence", "Actions"]
    answers = (
        Section11Answer.objects.filter(section11_return__in=[c.section11_return.pk for c in grid.columns])
        .select_related("standard", "section11_return__agency")
        .annotate(action_count=Count("actions"))
        .order_by("standard__number", "section11_return__agency__name")
    )
    rows: list[list[object]] = []
    for a in answers:
        rows.append(
            [
                round_.title,
                a.standard.number,
                a.standard.title,
                a.section11_return.agency.name,
                a.get_rating_display() if a.rating else "",
                RATING_POINTS[Rating(a.rating)] if a.rating else "",
                a.evidence,
                getattr(a, "action_count", 0),
            ]
        )
    return header, rows


@dataclasses.dataclass(frozen=True)
class HistoryRow:
    number: int
    title: str
    ratings: list[str]  # one per round, "" when the standard was not in it or not rated
    trend: str  # "improved", "worse", "same" or "" (first to last rating)


def agency_history(agency: Agency) -> tuple[list[Section11Return], list[HistoryRow]]:
    """One agency's submitted returns across rounds, oldest first, and each standard's rating
    in each (standards followed by the standard they were copied from, else by number)."""
    returns = list(
        Section11Return.objects.filter(agency=agency, status=ReturnStatus.SUBMITTED)
        .select_related("round")
        .order_by("round__opens_on", "round_id")[:12]
    )
    answers = (
        Section11Answer.objects.filter(section11_return__in=[r.pk for r in returns])
        .select_related("standard")
        .order_by("section11_return__round__opens_on", "section11_return__round_id")
    )
    by_key: dict[tuple[str, int], dict[int, str]] = {}
    titles: dict[tuple[str, int], tuple[int, str]] = {}
    for a in answers:
        key = (
            ("standard", a.standard.standard_id) if a.standard.standard_id else ("number", a.standard.number)
        )
        by_key.setdefault(key, {})[a.section11_return_id] = a.rating
        titles[key] = (a.standard.number, a.standard.title)  # the newest wording wins below
    rows = []
    for key, (number, title) in sorted(titles.items(), key=lambda item: item[1][0]):
        cells = [by_key[key].get(r.pk, "") for r in returns]
        rated = [RATING_POINTS[Rating(c)] for c in cells if c]
        trend = ""
        if len(rated) >= 2:
            trend = "improved" if rated[-1] > rated[0] else "worse" if rated[-1] < rated[0] else "same"
        rows.append(HistoryRow(number, title, cells, trend))
    return returns, rows


def agencies_with_returns() -> QuerySet[Agency]:
    return Agency.objects.filter(section11_returns__isnull=False).distinct().order_by("name")


def return_of_action(user: AnyUser, gap_action_id: int) -> int:
    """The return an action of an agency's plan belongs to, if the user may open it."""
    return_id = (
        Section11GapAction.objects.filter(
            pk=gap_action_id, answer__section11_return__in=section11_returns_visible_to(user)
        )
        .values_list("answer__section11_return_id", flat=True)
        .first()
    )
    if return_id is None:
        raise Http404("No such action")
    return int(return_id)
