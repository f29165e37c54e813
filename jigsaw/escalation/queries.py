"""Reading escalations, always through the access policy's `escalations_visible_to`: a
missing escalation and a forbidden one are both "not found"."""

from __future__ import annotations

import dataclasses
import datetime
from collections import Counter

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from jigsaw.access.policy import (
    AnyUser,
    Permission,
    escalations_visible_to,
    has_permission,
    people_visible_to,
)
from jigsaw.casework.timescales import working_days_between
from jigsaw.escalation import stages
from jigsaw.escalation.models import (
    Escalation,
    EscalationPolicy,
    EscalationStage,
    EscalationStatus,
    EscalationStep,
    HolderKind,
    StageHolder,
)

_RELATED = (
    "person",
    "stage",
    "raised_by__practitioner__agency",
    "holder",
    "raising_agency",
    "responding_agency",
)


def get_escalation_for(user: AnyUser, pk: int) -> Escalation:
    """Fetch and authorise in one step; missing and forbidden both raise Http404."""
    escalation = escalations_visible_to(user).select_related(*_RELATED).filter(pk=pk).first()
    if escalation is None:
        raise Http404("No such escalation")
    return escalation


def raised_by(user: AnyUser) -> QuerySet[Escalation]:
    return escalations_visible_to(user).filter(raised_by_id=user.pk).select_related(*_RELATED)


def awaiting_response_from(user: AnyUser) -> QuerySet[Escalation]:
    """Escalations waiting for this user's response: they hold the stage, or nobody does
    and they manage a team in the agency that answers it."""
    profile = getattr(user, "practitioner", None)
    condition = Q(holder_id=user.pk)
    if profile is not None and profile.role == "team_manager":
        condition |= Q(holder__isnull=True, responding_agency_id=profile.agency_id)
    return (
        escalations_visible_to(user)
        .filter(condition, status=EscalationStatus.AWAITING_RESPONSE)
        .exclude(raised_by_id=user.pk)
        .select_related(*_RELATED)
        .order_by("stage_due_on", "pk")
    )


def steps_of(escalation: Escalation) -> list[EscalationStep]:
    return list(
        escalation.steps.select_related("stage", "holder", "responded_by").order_by("started_at", "pk")
    )


def current_step(escalation: Escalation) -> EscalationStep | None:
    return escalation.steps.filter(stage_id=escalation.stage_id).select_related("responded_by").first()


def may_see_child(user: AnyUser, escalation: Escalation) -> bool:
    return people_visible_to(user).filter(pk=escalation.person_id).exists()


def is_overdue(escalation: Escalation, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return escalation.status == EscalationStatus.AWAITING_RESPONSE and escalation.stage_due_on < today


# --- The published procedure -----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ProcedureStage:
    order: int
    name: str
    working_days: int
    urgent_start: bool
    holder: str
    description: str
    named: list[tuple[str, str]]  # (for which agency, who and how to reach them)


HOLDER_WORDS = {
    HolderKind.PRACTITIONER: "the practitioner who made the decision or holds the case",
    HolderKind.TEAM_MANAGER: "their team manager",
    HolderKind.NAMED: "the person named below for the agency concerned",
}
# What happens when the policy names nobody for a stage (the actions' rule, in words).
NOBODY_NAMED = "If nobody is named, a team manager of the agency concerned responds."


def procedure(policy: EscalationPolicy | None = None) -> tuple[EscalationPolicy, list[ProcedureStage]]:
    """The policy in force as the published procedure: every stage, its deadline, who holds
    it and how to reach the people it names. Read from the same rows the actions use."""
    policy = policy or stages.policy_in_force()
    result: list[ProcedureStage] = []
    for stage in EscalationStage.objects.filter(policy=policy).order_by("order"):
        named = [
            (
                str(h.agency or "Every agency"),
                ", ".join(
                    part
                    for part in (
                        h.practitioner.full_name,
                        h.practitioner.job_title,
                        h.practitioner.phone,
                        h.practitioner.secure_email,
                    )
                    if part
                ),
            )
            for h in StageHolder.objects.filter(stage=stage).select_related("agency", "practitioner")
        ]
        result.append(
            ProcedureStage(
                order=stage.order,
                name=stage.name,
                working_days=stage.working_days,
                urgent_start=stage.urgent_start,
                holder=(
                    HOLDER_WORDS[HolderKind(stage.holder_kind)]
                    if named or stage.holder_kind != HolderKind.NAMED
                    # The actions' fallback, said where it applies.
                    else "a team manager of the agency concerned, until somebody is named for this stage"
                ),
                description=stage.description,
                named=named,
            )
        )
    return policy, result


# --- Oversight ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ReportRow:
    escalation_id: int
    reference: str
    may_open: bool
    person_id: int | None  # only when the reader may see the child
    raised_on: datetime.date
    raising_agency: str
    responding_agency: str
    kind: str
    urgent: bool
    stage_reached: str
    stage_order: int
    status: str
    outcome: str
    closed_on: datetime.date | None
    working_days_to_resolution: int | None
    overdue: bool


REPORT_HEADER = [
    "Reference",
    "Raised on",
    "Raised by agency",
    "Agency responding",
    "What was escalated",
    "Urgent",
    "Stage reached",
    "Status",
    "Outcome",
    "Closed on",
    "Working days to resolution",
]


def report(user: AnyUser) -> list[ReportRow]:
    """Every escalation, for those who oversee them: by agency, stage reached, outcome and
    time to resolution. It names no child; the child's record is one click away only for
    those the access policy lets see it."""
    if not has_permission(user, Permission.VIEW_ESCALATION_REPORT):
        return []
    visible_people = set(
        people_visible_to(user)
        .filter(pk__in=Escalation.objects.values("person_id"))
        .values_list("pk", flat=True)
    )
    openable = set(escalations_visible_to(user).values_list("pk", flat=True))
    today = timezone.localdate()
    rows: list[ReportRow] = []
    for e in Escalation.objects.select_related("stage", "raising_agency", "responding_agency").order_by(
        "-raised_at", "-pk"
    ):
        raised_on = timezone.localdate(e.raised_at)
        closed_on = timezone.localdate(e.closed_at) if e.closed_at else None
        rows.append(
            ReportRow(
                escalation_id=e.pk,
                reference=e.reference,
                may_open=e.pk in openable,
                person_id=e.person_id if e.person_id in visible_people else None,
                raised_on=raised_on,
                raising_agency=e.raising_agency.name,
                responding_agency=e.responding_agency.name,
                kind=e.get_kind_display(),
                urgent=e.urgent,
                stage_reached=e.stage.name,
                stage_order=e.stage.order,
                status=e.get_status_display(),
                outcome=e.get_outcome_display() if e.outcome else "",
                closed_on=closed_on,
                working_days_to_resolution=working_days_between(raised_on, closed_on) if closed_on else None,
                overdue=is_overdue(e, today),
            )
        )
    return rows


def report_csv_rows(rows: list[ReportRow]) -> list[list[object]]:
    return [
        [
            r.reference,
            r.raised_on.isoformat(),
            r.raising_agency,
            r.responding_agency,
            r.kind,
            "Yes" if r.urgent else "No",
            r.stage_reached,
            r.status,
            r.outcome,
            r.closed_on.isoformat() if r.closed_on else "",
            "" if r.working_days_to_resolution is None else r.working_days_to_resolution,
        ]
        for r in rows
    ]


@dataclasses.dataclass(frozen=True)
class ReportSummary:
    total: int
    open: int
    overdue: int
    by_agency: list[tuple[str, int]]
    by_stage: list[tuple[str, int]]
    by_outcome: list[tuple[str, int]]
    median_working_days: float | None


def summarise(rows: list[ReportRow]) -> ReportSummary:
    days = sorted(r.working_days_to_resolution for r in rows if r.working_days_to_resolution is not None)
    median: float | None = None
    if days:
        middle = len(days) // 2
        median = float(days[middle]) if len(days) % 2 else (days[middle - 1] + days[middle]) / 2
    return ReportSummary(
        total=len(rows),
        open=sum(1 for r in rows if not r.closed_on),
        overdue=sum(1 for r in rows if r.overdue),
        by_agency=sorted(Counter(r.raising_agency for r in rows).items()),
        by_stage=[
            (name, count)
            for (_, name), count in sorted(Counter((r.stage_order, r.stage_reached) for r in rows).items())
        ],
        by_outcome=sorted(Counter(r.outcome or "Not yet closed" for r in rows).items()),
        median_working_days=median,
    )
