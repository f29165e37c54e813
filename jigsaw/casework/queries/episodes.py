"""Read-side of the episode of need: the episode page (assessments with their due dates,
child in need plans with their next review, looked-after and early help episodes, closure),
whether a referral is a re-referral, what stops an episode closing, and the sign-off lists
a team manager works through.

Every function takes a referral already fetched through `get_referral_for` (or a user, for
lists) and runs a fixed number of queries, whatever the number of records."""

from __future__ import annotations

import dataclasses
import datetime
import enum

from django.db.models import Q, QuerySet

from jigsaw.access.policy import AnyUser
from jigsaw.casework.models import (
    Assessment,
    AssessmentFactor,
    AssessmentOutcome,
    ChildInNeedPlan,
    ChildProtectionPlan,
    ClosureReason,
    EarlyHelpEpisode,
    LookedAfterEpisode,
    Referral,
)
from jigsaw.casework.queries import casework_visible_to
from jigsaw.casework.timescales import add_months, is_overdue
from jigsaw.partners.models import NamedProfessional, Practitioner

# The CIN census counts a referral as a re-referral if the child had another within the
# 12 months before it.
RE_REFERRAL_MONTHS = 12

# The closure reason that follows from an authorised assessment's outcome (DfE RC8, RC9).
CLOSURE_REASON_AFTER = {
    AssessmentOutcome.NO_FURTHER_ACTION: ClosureReason.RC8,
    AssessmentOutcome.EARLY_HELP: ClosureReason.RC9,
}


def is_re_referral(referral: Referral) -> bool:
    """Whether the child had another referral in the 12 months before this one (CIN
    census: a re-referral). A referral the same day but recorded earlier counts."""
    year_before = add_months(referral.referred_on, -RE_REFERRAL_MONTHS)
    return (
        Referral.objects.filter(person_id=referral.person_id)
        .exclude(pk=referral.pk)
        .filter(
            Q(referred_on__gte=year_before, referred_on__lt=referral.referred_on)
            | Q(referred_on=referral.referred_on, pk__lt=referral.pk)
        )
        .exists()
    )


def closure_blockers(referral: Referral) -> list[str]:
    """What must end before the episode may close: an open child protection plan, child
    in need plan or looked-after episode in it, each as the message the worker reads."""
    blockers: list[str] = []
    if ChildProtectionPlan.objects.filter(referral=referral, ended_on__isnull=True).exists():
        blockers.append("End the child protection plan before closing the episode")
    if ChildInNeedPlan.objects.filter(referral=referral, ended_on__isnull=True).exists():
        blockers.append("End the child in need plan before closing the episode")
    if LookedAfterEpisode.objects.filter(referral=referral, ended_on__isnull=True).exists():
        blockers.append("End the looked-after episode before closing the episode")
    return blockers


def closure_reason_after(assessment: Assessment | None) -> str:
    """The closure reason that follows from an authorised assessment's outcome (RC8 after
    no further action, RC9 after a step down to early help), or "" if none follows."""
    if assessment is None or assessment.authorised_at is None or not assessment.outcome:
        return ""
    return str(CLOSURE_REASON_AFTER.get(AssessmentOutcome(assessment.outcome), ""))


def latest_authorised_assessment(referral: Referral) -> Assessment | None:
    return (
        Assessment.objects.filter(referral=referral, authorised_at__isnull=False)
        .order_by("-completed_on", "-pk")
        .first()
    )


class ClosureStatus(enum.StrEnum):
    OPEN = "open"
    AWAITING_AUTHORISATION = "awaiting"
    CLOSED = "closed"


def closure_status(referral: Referral) -> ClosureStatus:
    if referral.closed_on is not None:
        return ClosureStatus.CLOSED
    if referral.closure_proposed_at is not None:
        return ClosureStatus.AWAITING_AUTHORISATION
    return ClosureStatus.OPEN


@dataclasses.dataclass(frozen=True)
class AssessmentRow:
    assessment: Assessment
    # "Overdue" (not completed, due date passed), "Late" (completed after it) or "".
    timeliness: str
    factor_labels: list[str]

    @property
    def awaiting_authorisation(self) -> bool:
        return self.assessment.completed_on is not None and self.assessment.authorised_at is None


def assessment_timeliness(assessment: Assessment, *, today: datetime.date) -> str:
    if not is_overdue(assessment.due_on, done_on=assessment.completed_on, today=today):
        return ""
    return "Late" if assessment.completed_on else "Overdue"


def factor_labels(codes: list[str]) -> list[str]:
    labels = dict(AssessmentFactor.choices)
    return [str(labels.get(code, code)) for code in codes]


def assessment_row(assessment: Assessment, *, today: datetime.date) -> AssessmentRow:
    return AssessmentRow(
        assessment, assessment_timeliness(assessment, today=today), factor_labels(list(assessment.factors))
    )


@dataclasses.dataclass(frozen=True)
class CinPlanRow:
    plan: ChildInNeedPlan
    review_overdue: bool


def cin_plan_row(plan: ChildInNeedPlan, *, today: datetime.date) -> CinPlanRow:
    overdue = (
        plan.ended_on is None
        and plan.next_review_due is not None
        and is_overdue(plan.next_review_due, done_on=None, today=today)
    )
    return CinPlanRow(plan, overdue)


@dataclasses.dataclass(frozen=True)
class EpisodePage:
    referral: Referral
    is_re_referral: bool
    closure_status: ClosureStatus
    assessments: list[AssessmentRow]
    cin_plans: list[CinPlanRow]
    looked_after: list[LookedAfterEpisode]
    early_help: list[EarlyHelpEpisode]
    closure_blockers: list[str]

    @property
    def assessment_in_progress(self) -> Assessment | None:
        return next((r.assessment for r in self.assessments if r.assessment.completed_on is None), None)

    @property
    def latest_authorised(self) -> Assessment | None:
        return max(
            (r.assessment for r in self.assessments if r.assessment.authorised_at is not None),
            key=lambda a: (a.completed_on or a.started_on, a.pk),
            default=None,
        )

    @property
    def suggested_closure_reason(self) -> str:
        return closure_reason_after(self.latest_authorised)

    @property
    def open_cin_plan(self) -> ChildInNeedPlan | None:
        return next((r.plan for r in self.cin_plans if r.plan.ended_on is None), None)

    @property
    def open_looked_after(self) -> LookedAfterEpisode | None:
        return next((e for e in self.looked_after if e.ended_on is None), None)

    @property
    def open_early_help(self) -> EarlyHelpEpisode | None:
        return next((e for e in self.early_help if e.ended_on is None), None)


def episode_page(referral: Referral, *, today: datetime.date) -> EpisodePage:
    """Everything the episode page shows besides child protection. `referral` must have
    been fetched through `get_referral_for(user, ...)`; the records below are its own, and
    the early help episodes are the child's (early help sits beside episodes of need)."""
    assessments = [
        assessment_row(a, today=today)
        for a in Assessment.objects.filter(referral=referral)
        .select_related("started_by", "completed_by", "authorised_by")
        .order_by("-started_on", "-pk")
    ]
    cin_plans = [
        cin_plan_row(p, today=today)
        for p in ChildInNeedPlan.objects.filter(referral=referral).order_by("-started_on", "-pk")
    ]
    looked_after = list(LookedAfterEpisode.objects.filter(referral=referral).order_by("-started_on", "-pk"))
    early_help = list(
        EarlyHelpEpisode.objects.filter(person_id=referral.person_id)
        .select_related("lead_professional__agency")
        .order_by("-started_on", "-pk")
    )
    return EpisodePage(
        referral=referral,
        is_re_referral=is_re_referral(referral),
        closure_status=closure_status(referral),
        assessments=assessments,
        cin_plans=cin_plans,
        looked_after=looked_after,
        early_help=early_help,
        closure_blockers=closure_blockers(referral) if referral.closed_on is None else [],
    )


def assessments_awaiting_authorisation(user: AnyUser) -> QuerySet[Assessment]:
    """Completed assessments no manager has authorised yet, oldest completed first, about
    children the user may see. A manager cannot authorise one they completed themselves
    (`completed_by`): the list shows them so they can ask a colleague."""
    return (
        casework_visible_to(user, Assessment.objects.all(), "referral__person")
        .filter(completed_on__isnull=False, authorised_at__isnull=True)
        .select_related("referral__person", "referral__team", "completed_by")
        .order_by("completed_on", "pk")
    )


def closures_awaiting_authorisation(user: AnyUser) -> QuerySet[Referral]:
    """Episodes whose closure has been proposed and not yet authorised, oldest proposal
    first, about children the user may see. The proposer (`closure_proposed_by`) may not
    authorise their own."""
    return (
        casework_visible_to(user, Referral.objects.all(), "person")
        .filter(closure_proposed_at__isnull=False, closed_on__isnull=True)
        .select_related("person", "team", "closure_proposed_by")
        .order_by("closure_proposed_at", "pk")
    )


def lead_professional_choices(person_id: int) -> list[tuple[str, list[tuple[int, str]]]]:
    """Practitioners of any agency to pick a lead professional from: those already named
    for the child first, then everyone else, each with their agency."""
    named_ids = set(
        NamedProfessional.objects.filter(person_id=person_id, ended__isnull=True).values_list(
            "practitioner_id", flat=True
        )
    )
    named: list[tuple[int, str]] = []
    others: list[tuple[int, str]] = []
    for pk, name, agency, title in Practitioner.objects.order_by("full_name", "pk").values_list(
        "pk", "full_name", "agency__name", "job_title"
    ):
        label = f"{name}, {title} ({agency})" if title else f"{name} ({agency})"
        (named if pk in named_ids else others).append((pk, label))
    groups: list[tuple[str, list[tuple[int, str]]]] = []
    if named:
        groups.append(("Already working with this child", named))
    groups.append(("All practitioners", others))
    return groups
