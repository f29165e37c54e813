"""Reading emerging concerns: the front door's list, one concern with all its evidence."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404

from jigsaw.access.policy import AnyUser, Permission, has_permission, people_visible_to
from jigsaw.partners.models import (
    ConcernChild,
    ConcernStatus,
    EmergingConcern,
    EmergingConcernStatus,
    PartnerEvent,
    RuleKind,
)


def emerging_concerns_visible_to(user: AnyUser) -> QuerySet[EmergingConcern]:
    """The emerging concerns this user may see: the front door's and team managers' (who
    decide contacts), about the children they may see; nobody else's."""
    if not has_permission(user, Permission.DECIDE_CONTACT):
        return EmergingConcern.objects.none()
    return EmergingConcern.objects.filter(person__in=people_visible_to(user))


def emerging_concerns(user: AnyUser, *, status: str = "") -> QuerySet[EmergingConcern]:
    """The list: open ones first, then the newest."""
    rows = emerging_concerns_visible_to(user).select_related("rule", "person", "handled_by")
    if status:
        rows = rows.filter(status=status)
    return rows.annotate(
        open_first=Case(
            When(status=EmergingConcernStatus.OPEN, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("open_first", "-raised_at", "-pk")


def get_emerging_concern(user: AnyUser, pk: int) -> EmergingConcern:
    """Fetch and authorise in one step: missing and forbidden are both 404."""
    return get_object_or_404(
        emerging_concerns_visible_to(user).select_related("rule", "person", "handled_by"), pk=pk
    )


@dataclass(frozen=True)
class CountedConcern:
    """A partner's concern the agencies rule counted."""

    reference: str
    agency: str
    submitted_at: datetime.datetime


def evidence_events(concern: EmergingConcern) -> QuerySet[PartnerEvent]:
    """Every event the rule fired on, oldest first, with its agency."""
    return concern.evidence.select_related("agency").order_by("occurred_at", "pk")


def counted_concerns(concern: EmergingConcern) -> list[CountedConcern]:
    """For an agencies rule: the partners' concerns about the child submitted in the rule's
    window up to when the concern was last handled (or now), which the rule counted."""
    if concern.rule.kind != RuleKind.AGENCIES:
        return []
    since = concern.raised_at - datetime.timedelta(days=concern.rule.window_days)
    rows = ConcernChild.objects.filter(
        Q(person_id=concern.person_id)
        | Q(person__isnull=True, matched_person_id=concern.person_id, match_outcome="link"),
        concern__status__in=(ConcernStatus.SUBMITTED, ConcernStatus.DECIDED),
        concern__submitted_at__gte=since,
    )
    if concern.handled_at is not None:
        rows = rows.filter(concern__submitted_at__lte=concern.handled_at)
    found: dict[int, CountedConcern] = {}
    for cc in rows.select_related("concern__agency").order_by("concern__submitted_at", "pk"):
        c = cc.concern
        assert c.submitted_at is not None
        found.setdefault(c.pk, CountedConcern(c.reference or "", c.agency.name, c.submitted_at))
    return list(found.values())
