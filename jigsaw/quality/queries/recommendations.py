"""Reading recommendations: the sets, each recommendation's status (derived from its actions
unless the partnership set it), the actions a user owns, and the scrutiny report.

A status is derived so that nobody has to keep it by hand, and the page says how:
- an action past its due date and not done makes the recommendation red;
- a recommendation awaiting its response, or accepted with no action planned, is amber;
- every action done (or the recommendation not accepted, with nothing left to do) is complete;
- otherwise it is green: on track.

Lists cost a handful of queries whatever their size: the facts a status needs are counted
by the database (`annotate`), never by loading each action.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import Counter
from collections.abc import Iterable, Sequence

from django.core.paginator import Page, Paginator
from django.db.models import Count, Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from jigsaw.access.policy import AnyUser, Permission, has_permission, recommendation_actions_visible_to
from jigsaw.quality.models.recommendations import (
    ProgressEvidence,
    ProgressUpdate,
    Rag,
    Recommendation,
    RecommendationAction,
    RecommendationSet,
    Response,
)

SETS_PER_PAGE = 20
OWNED_SHOWN = 100
RAG_ORDER = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.COMPLETE)


def may_view(user: AnyUser) -> bool:
    return has_permission(user, Permission.VIEW_RECOMMENDATIONS) or has_permission(
        user, Permission.MANAGE_RECOMMENDATIONS
    )


def may_manage(user: AnyUser) -> bool:
    return has_permission(user, Permission.MANAGE_RECOMMENDATIONS)


@dataclasses.dataclass(frozen=True)
class Status:
    """A recommendation's status: the one shown, the one its actions give, and why."""

    rag: str
    derived: str
    reason: str
    set_by_partnership: bool

    @property
    def label(self) -> str:
        return Rag(self.rag).label

    @property
    def derived_label(self) -> str:
        return Rag(self.derived).label


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def derive(
    *,
    response: str,
    actions: int,
    open_actions: int,
    overdue: int,
    first_overdue: datetime.date | None = None,
) -> tuple[str, str]:
    """(status, why) from a recommendation's response and the counts of its actions."""
    if overdue:
        since = f", the first due {first_overdue.day} {first_overdue:%B %Y}" if first_overdue else ""
        return Rag.RED, f"{_plural(overdue, 'action')} past the due date and not done{since}"
    if response == Response.AWAITING:
        return Rag.AMBER, "the owning agency has not responded"
    if response == Response.NOT_ACCEPTED and not open_actions:
        return Rag.COMPLETE, "not accepted: nothing is left to do"
    if not actions:
        return Rag.AMBER, f"{Response(response).label.lower()}, but no action is planned"
    if not open_actions:
        return Rag.COMPLETE, f"every action is done ({actions})"
    return Rag.GREEN, f"on track: {_plural(open_actions, 'action')} open, none past its due date"


def with_status_facts(queryset: QuerySet[Recommendation], today: datetime.date) -> QuerySet[Recommendation]:
    """Recommendations with the counts their status needs, counted by the database."""
    open_ = Q(actions__completed_on__isnull=True)
    overdue = open_ & Q(actions__due_on__lt=today)
    return queryset.annotate(
        n_actions=Count("actions", distinct=True),
        n_open=Count("actions", filter=open_, distinct=True),
        n_overdue=Count("actions", filter=overdue, distinct=True),
        first_overdue=Min("actions__due_on", filter=overdue),
    )


def status_of(recommendation: Recommendation) -> Status:
    """The status of a recommendation fetched through `with_status_facts`."""
    derived, reason = derive(
        response=recommendation.response,
        actions=getattr(recommendation, "n_actions", 0),
        open_actions=getattr(recommendation, "n_open", 0),
        overdue=getattr(recommendation, "n_overdue", 0),
        first_overdue=getattr(recommendation, "first_overdue", None),
    )
    if recommendation.rag_set:
        return Status(recommendation.rag_set, derived, reason, True)
    return Status(derived, derived, reason, False)


@dataclasses.dataclass(frozen=True)
class Row:
    recommendation: Recommendation
    status: Status


def rag_counts(statuses: Iterable[Status]) -> list[tuple[str, str, int]]:
    """(code, label, count) for each status, red first."""
    counted = Counter(s.rag for s in statuses)
    return [(rag.value, rag.label, counted.get(rag.value, 0)) for rag in RAG_ORDER]


@dataclasses.dataclass(frozen=True)
class SetSummary:
    recommendation_set: RecommendationSet
    total: int
    counts: list[tuple[str, str, int]]


def sets_page(user: AnyUser, number: str | int | None) -> tuple[Page[RecommendationSet], list[SetSummary]]:
    """A page of the sets, newest first, each with its count of recommendations by status
    (two queries for the page, whatever the number of sets)."""
    if not may_view(user):
        raise Http404("No such page")
    paginator = Paginator(RecommendationSet.objects.order_by("-source_date", "-pk"), SETS_PER_PAGE)
    page = paginator.get_page(number)
    sets = list(page.object_list)
    today = timezone.localdate()
    recommendations = with_status_facts(
        Recommendation.objects.filter(recommendation_set__in=[s.pk for s in sets]).only(
            "pk", "recommendation_set_id", "response", "rag_set"
        ),
        today,
    )
    by_set: dict[int, list[Status]] = {}
    for recommendation in recommendations:
        by_set.setdefault(recommendation.recommendation_set_id, []).append(status_of(recommendation))
    summaries = [SetSummary(s, len(by_set.get(s.pk, [])), rag_counts(by_set.get(s.pk, []))) for s in sets]
    return page, summaries


def get_set_for(user: AnyUser, pk: int) -> RecommendationSet:
    if not may_view(user):
        raise Http404("No such set of recommendations")
    found = RecommendationSet.objects.select_related("created_by").filter(pk=pk).first()
    if found is None:
        raise Http404("No such set of recommendations")
    return found


def rows_of(recommendation_set: RecommendationSet) -> list[Row]:
    """A set's recommendations in the report's order, each with its status."""
    recommendations = with_status_facts(
        Recommendation.objects.filter(recommendation_set=recommendation_set).select_related("agency"),
        timezone.localdate(),
    ).order_by("position", "pk")
    return [Row(r, status_of(r)) for r in recommendations]


def get_recommendation_for(user: AnyUser, pk: int) -> Row:
    if not may_view(user):
        raise Http404("No such recommendation")
    found = (
        with_status_facts(Recommendation.objects.all(), timezone.localdate())
        .select_related("agency", "recommendation_set", "responded_by", "rag_set_by")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404("No such recommendation")
    return Row(found, status_of(found))


def _latest(field: str) -> Subquery:
    return Subquery(
        ProgressUpdate.objects.filter(action=OuterRef("pk")).order_by("-written_at", "-pk").values(field)[:1]
    )


def with_latest_progress(queryset: QuerySet[RecommendationAction]) -> QuerySet[RecommendationAction]:
    """Actions with their latest progress note and when it was written."""
    return queryset.annotate(latest_note=_latest("note"), latest_at=_latest("written_at"))


def actions_of(recommendation: Recommendation) -> list[RecommendationAction]:
    return list(
        with_latest_progress(recommendation.actions.select_related("owner__agency")).order_by("due_on", "pk")
    )


@dataclasses.dataclass(frozen=True)
class OwnedAction:
    action: RecommendationAction
    overdue: bool


def actions_owned_by(user: AnyUser) -> tuple[list[OwnedAction], int]:
    """The actions this user owns, open ones first with the overdue among them first, then
    those done most recently; and how many open ones there are in all."""
    if not user.is_authenticated:
        return [], 0
    today = timezone.localdate()
    mine = RecommendationAction.objects.filter(owner__user_id=user.pk)
    open_count = mine.filter(completed_on__isnull=True).count()
    open_ = list(
        with_latest_progress(
            mine.filter(completed_on__isnull=True).select_related("recommendation__recommendation_set")
        ).order_by("due_on", "pk")[:OWNED_SHOWN]
    )
    done = list(
        with_latest_progress(
            mine.filter(completed_on__isnull=False).select_related("recommendation__recommendation_set")
        ).order_by("-completed_on", "-pk")[: max(0, min(10, OWNED_SHOWN - len(open_)))]
    )
    return [OwnedAction(a, a.due_on < today) for a in open_] + [
        OwnedAction(a, False) for a in done
    ], open_count


def get_action_for(user: AnyUser, pk: int) -> RecommendationAction:
    """Fetch and authorise in one step: missing and forbidden both 404."""
    found = (
        recommendation_actions_visible_to(user)
        .select_related(
            "owner__agency", "owner__user", "recommendation__agency", "recommendation__recommendation_set"
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404("No such action")
    return found


def updates_of(action: RecommendationAction) -> list[ProgressUpdate]:
    """Newest first, with the name and size of any evidence (never the file itself)."""
    evidence = ProgressEvidence.objects.only("pk", "update_id", "name", "size", "content_type")
    return list(
        action.updates.select_related("written_by")
        .prefetch_related(Prefetch("evidence", queryset=evidence))
        .order_by("-written_at", "-pk")
    )


def get_evidence_for(user: AnyUser, pk: int) -> ProgressEvidence:
    """The evidence file, for those who may open its action."""
    visible = recommendation_actions_visible_to(user).values("pk")
    found = (
        ProgressEvidence.objects.select_related("update").filter(pk=pk, update__action__in=visible).first()
    )
    if found is None:
        raise Http404("No such file")
    return found


def has_evidence(update: ProgressUpdate) -> bool:
    return hasattr(update, "evidence")


# --- The scrutiny report -------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ReportItem:
    recommendation: Recommendation
    status: Status
    actions: Sequence[RecommendationAction]
    today: datetime.date


@dataclasses.dataclass(frozen=True)
class ReportSection:
    recommendation_set: RecommendationSet
    items: list[ReportItem]
    counts: list[tuple[str, str, int]]


@dataclasses.dataclass(frozen=True)
class Report:
    title: str
    body: str
    sections: list[ReportSection]
    counts: list[tuple[str, str, int]]
    total: int
    today: datetime.date


def bodies() -> list[str]:
    """The bodies sets report to, for choosing a report."""
    return list(
        RecommendationSet.objects.order_by("reports_to").values_list("reports_to", flat=True).distinct()
    )


def report(user: AnyUser, *, set_id: int | None = None, body: str = "") -> Report:
    """Every recommendation of one set, or of every set reporting to one body: its response
    and comment, its actions with their owners, due dates and latest progress, and its
    status, with a count by status. Four queries, however many recommendations."""
    if not may_view(user):
        raise Http404("No such report")
    sets = RecommendationSet.objects.order_by("-source_date", "-pk")
    if set_id is not None:
        sets = sets.filter(pk=set_id)
    elif body:
        sets = sets.filter(reports_to=body)
    else:
        raise Http404("Choose a set or a body")
    set_list = list(sets)
    if not set_list:
        raise Http404("No such set of recommendations")
    today = timezone.localdate()
    actions = with_latest_progress(RecommendationAction.objects.select_related("owner__agency")).order_by(
        "due_on", "pk"
    )
    recommendations = (
        with_status_facts(
            Recommendation.objects.filter(recommendation_set__in=[s.pk for s in set_list]).select_related(
                "agency"
            ),
            today,
        )
        .prefetch_related(Prefetch("actions", queryset=actions, to_attr="report_actions"))
        .order_by("position", "pk")
    )
    by_set: dict[int, list[ReportItem]] = {}
    for recommendation in recommendations:
        by_set.setdefault(recommendation.recommendation_set_id, []).append(
            ReportItem(recommendation, status_of(recommendation), recommendation.report_actions, today)
        )
    sections = [
        ReportSection(s, by_set.get(s.pk, []), rag_counts(i.status for i in by_set.get(s.pk, [])))
        for s in set_list
    ]
    statuses = [item.status for section in sections for item in section.items]
    title = set_list[0].title if set_id is not None else f"Recommendations reported to {body}"
    return Report(
        title=title,
        body=set_list[0].reports_to if set_id is not None else body,
        sections=sections,
        counts=rag_counts(statuses),
        total=len(statuses),
        today=today,
    )
