"""Read side of case file audits: the query builder that finds the cases matching a
programme's criteria, the default question set, the lists on the landing and programme
pages, and the themes report (grades and findings, no child named)."""

from __future__ import annotations

import dataclasses
import datetime
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from jigsaw.access.policy import (
    AnyUser,
    Permission,
    audit_cases_visible_to,
    audit_parts_visible_to,
    has_permission,
)
from jigsaw.access.roles import SOCIAL_CARE_ROLES, Role
from jigsaw.casework.models import ChildProtectionPlan, LookedAfterEpisode, Referral
from jigsaw.casework.models.codes import AbuseCategory
from jigsaw.partners.models import NamedProfessional, Practitioner
from jigsaw.quality.models.audits import (
    AgencyAuditPart,
    AuditAction,
    AuditAnswer,
    AuditCase,
    AuditFinding,
    AuditGrade,
    AuditProgramme,
    AuditQuestion,
    AuditStatus,
)

# The default question set, created by code the first time an audit form needs it.
DEFAULT_QUESTIONS: tuple[tuple[str, str], ...] = (
    (
        "The child's voice",
        "Is the child seen, heard and helped to understand what is happening, and "
        "do their wishes and feelings shape the plan?",
    ),
    (
        "Assessment of risk",
        "Does the assessment analyse the risks and strengths, using the history and what every agency knows?",
    ),
    (
        "Planning",
        "Is the plan specific, with outcomes for the child, who does what and by when, and is it reviewed?",
    ),
    (
        "Multi-agency working",
        "Do the agencies share information, attend meetings and carry out their parts of the plan?",
    ),
    (
        "Management oversight",
        "Is there regular, recorded supervision and management direction that moves the case on?",
    ),
    (
        "Outcome for the child",
        "Is the child's situation better, or are they safer, because of the work done?",
    ),
)

KINDS = {
    "cp_plan": "Children on a child protection plan",
    "characteristics": "Children with given characteristics",
    "closed_referrals": "Referrals closed in a period (a random sample)",
}
PREVIEW = 25
PAGE_SIZE = 50
# A programme audits tens of cases, at most a few hundred: a selection larger than this
# is refused (narrow the criteria or take a sample).
MAX_SELECTION = 500


def default_questions() -> list[AuditQuestion]:
    """The active questions, creating the standard set when there are none."""
    questions = list(AuditQuestion.objects.filter(active=True))
    if questions:
        return questions
    for order, (theme, text) in enumerate(DEFAULT_QUESTIONS, start=1):
        AuditQuestion.objects.get_or_create(theme=theme, defaults={"text": text, "order": order})
    return list(AuditQuestion.objects.filter(active=True))


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@dataclasses.dataclass(frozen=True)
class Criteria:
    """How a programme chooses its cases; stored on the programme as `to_json()`."""

    kind: str
    on_date: datetime.date | None = None
    under_age: int | None = None
    categories: tuple[str, ...] = ()
    factors: tuple[str, ...] = ()
    age_from: int | None = None
    age_to: int | None = None
    looked_after: bool = False
    agency_id: int | None = None
    closed_from: datetime.date | None = None
    closed_to: datetime.date | None = None
    sample_size: int | None = None
    seed: int | None = None

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        for key in ("on_date", "closed_from", "closed_to"):
            if data[key] is not None:
                data[key] = data[key].isoformat()
        data["categories"] = list(self.categories)
        data["factors"] = list(self.factors)
        return {k: v for k, v in data.items() if v not in (None, [], False)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Criteria:
        fields = {f.name for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {k: v for k, v in data.items() if k in fields}
        for key in ("on_date", "closed_from", "closed_to"):
            if values.get(key):
                values[key] = datetime.date.fromisoformat(values[key])
        values["categories"] = tuple(values.get("categories", ()))
        values["factors"] = tuple(values.get("factors", ()))
        return cls(**values)

    def describe(self) -> str:
        """The criteria in a sentence, as the programme page shows them."""
        if self.kind == "cp_plan":
            text = "Children on a child protection plan"
            if self.under_age is not None:
                text += f" aged under {self.under_age}"
            return text + (f" on {_day(self.on_date)}" if self.on_date else "")
        if self.kind == "closed_referrals":
            text = f"Referrals closed from {_day(self.closed_from)} to {_day(self.closed_to)}"
            if self.sample_size:
                text += f": a random sample of {self.sample_size} (seed {self.seed})"
            return text
        parts = []
        if self.categories:
            labels = [str(AbuseCategory(c).label).lower() for c in self.categories]
            parts.append("on a plan for " + " or ".join(labels))
        if self.factors:
            parts.append("with factors " + ", ".join(self.factors) + " at assessment")
        if self.age_from is not None or self.age_to is not None:
            parts.append(f"aged {self.age_from or 0} to {self.age_to if self.age_to is not None else 17}")
        if self.looked_after:
            parts.append("looked after")
        if self.agency_id:
            parts.append("known to an agency chosen")
        return (
            "Children open to social care"
            + (" " + "; ".join(parts) if parts else "")
            + (f" on {_day(self.on_date)}" if self.on_date else "")
        )


def _day(day: datetime.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else "(no date)"


def _open_on(day: datetime.date) -> Q:
    return Q(referred_on__lte=day) & (Q(closed_on__isnull=True) | Q(closed_on__gte=day))


def matching_cases(criteria: Criteria) -> list[tuple[int, int]]:
    """(person id, referral id) of every case the criteria choose, one per child (their
    latest matching referral), in a stable order; a sample is drawn with the recorded seed
    so the same criteria always choose the same cases."""
    day = criteria.on_date
    referrals: QuerySet[Referral]
    if criteria.kind == "cp_plan":
        assert day is not None
        plans = ChildProtectionPlan.objects.filter(started_on__lte=day).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=day)
        )
        if criteria.under_age is not None:
            plans = plans.filter(person__date_of_birth__gt=_years_before(day, criteria.under_age))
        referrals = Referral.objects.filter(pk__in=plans.values("referral_id"))
    elif criteria.kind == "characteristics":
        assert day is not None
        referrals = Referral.objects.filter(_open_on(day))
        if criteria.categories:
            plans = ChildProtectionPlan.objects.filter(
                referral=OuterRef("pk"), started_on__lte=day, latest_category__in=criteria.categories
            ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
            referrals = referrals.filter(Exists(plans))
        if criteria.factors:
            # Factors are kept as a JSON list of DfE codes; a quoted code matches one element.
            any_factor = Q()
            for code in criteria.factors:
                any_factor |= Q(assessments__factors__icontains=f'"{code}"')
            referrals = referrals.filter(any_factor)
        if criteria.age_from is not None:
            referrals = referrals.filter(person__date_of_birth__lte=_years_before(day, criteria.age_from))
        if criteria.age_to is not None:
            referrals = referrals.filter(person__date_of_birth__gt=_years_before(day, criteria.age_to + 1))
        if criteria.looked_after:
            looked_after = LookedAfterEpisode.objects.filter(
                person=OuterRef("person"), started_on__lte=day
            ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
            referrals = referrals.filter(Exists(looked_after))
        if criteria.agency_id:
            named = NamedProfessional.objects.filter(
                person=OuterRef("person"), practitioner__agency_id=criteria.agency_id, ended__isnull=True
            )
            referrals = referrals.filter(Exists(named))
    elif criteria.kind == "closed_referrals":
        referrals = Referral.objects.filter(
            closed_on__gte=criteria.closed_from, closed_on__lte=criteria.closed_to
        )
    else:
        raise ValueError(f"unknown criteria {criteria.kind}")
    rows = referrals.order_by("person_id", "-referred_on", "-pk").values_list("person_id", "pk").distinct()
    chosen: dict[int, int] = {}
    for person_id, referral_id in rows:
        chosen.setdefault(person_id, referral_id)
    cases = sorted(chosen.items())
    if criteria.sample_size and len(cases) > criteria.sample_size:
        # Not for security: a seeded, repeatable sample the programme records.
        cases = sorted(random.Random(criteria.seed).sample(cases, criteria.sample_size))  # noqa: S311  # nosec B311
    return cases


def preview(cases: Sequence[tuple[int, int]]) -> list[Referral]:
    """The first cases of a selection, with the child, for the manager to check."""
    ids = [referral_id for _, referral_id in cases[:PREVIEW]]
    by_id = Referral.objects.select_related("person", "team", "allocated_worker").in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


# --- Fetching, with the access rule -------------------------------------------------


def get_case_for(user: AnyUser, pk: int) -> AuditCase:
    """An audit the user may open; missing and forbidden both 404."""
    try:
        return (
            audit_cases_visible_to(user)
            .select_related(
                "programme", "person", "referral__team", "referral__allocated_worker", "auditor", "moderator"
            )
            .get(pk=pk)
        )
    except AuditCase.DoesNotExist:
        raise Http404("No such audit") from None


def get_part_for(user: AnyUser, pk: int) -> AgencyAuditPart:
    try:
        return (
            audit_parts_visible_to(user)
            .select_related("case__programme", "case__person", "case__referral", "agency", "practitioner")
            .get(pk=pk)
        )
    except AgencyAuditPart.DoesNotExist:
        raise Http404("No such audit") from None


def get_programme_for(user: AnyUser, pk: int) -> AuditProgramme:
    if not has_permission(user, Permission.MANAGE_AUDITS):
        raise Http404("No such programme")
    try:
        return AuditProgramme.objects.select_related("created_by").get(pk=pk)
    except AuditProgramme.DoesNotExist:
        raise Http404("No such programme") from None


# --- Lists ---------------------------------------------------------------------------


def assigned_to(user: AnyUser) -> dict[str, list[Any]]:
    """Audits waiting for this user: to complete, to moderate, and agencies' parts."""
    if not user.is_authenticated:
        return {"to_complete": [], "to_moderate": [], "parts": []}
    base = (
        audit_cases_visible_to(user)
        .select_related("programme", "person")
        .order_by("programme__period_start", "pk")
    )
    return {
        "to_complete": list(
            base.filter(auditor_id=user.pk, status__in=[AuditStatus.NOT_STARTED, AuditStatus.DRAFT])[:100]
        ),
        "to_moderate": list(base.filter(moderator_id=user.pk, status=AuditStatus.SUBMITTED)[:100]),
        "parts": list(
            AgencyAuditPart.objects.filter(practitioner_id=user.pk)
            .exclude(status="submitted")
            .select_related("case__programme", "case__person", "agency")
            .order_by("case__programme__period_start", "pk")[:100]
        ),
    }


def actions_for(user: AnyUser) -> list[AuditAction]:
    """The audit actions this user owns that are not done, soonest first."""
    if not user.is_authenticated:
        return []
    return list(
        AuditAction.objects.filter(owner_id=user.pk, done_at__isnull=True)
        .select_related("finding__theme", "finding__case__programme", "finding__case__person")
        .order_by("due_on", "pk")[:100]
    )


def programmes() -> QuerySet[AuditProgramme]:
    """Every programme with its counts by status (one query, however many cases)."""
    return AuditProgramme.objects.annotate(
        total=Count("cases"),
        done=Count("cases", filter=Q(cases__status=AuditStatus.MODERATED)),
        submitted=Count("cases", filter=Q(cases__status=AuditStatus.SUBMITTED)),
    ).order_by("-period_start", "-pk")


def cases_of(programme: AuditProgramme, user: AnyUser) -> QuerySet[AuditCase]:
    """The programme's cases this user may see (a restricted child's only by the restriction)."""
    return (
        audit_cases_visible_to(user)
        .filter(programme=programme)
        .select_related("person", "referral__allocated_worker", "auditor", "moderator")
        .annotate(part_count=Count("parts"))
        .order_by("person__family_name", "person__given_names", "pk")
    )


def auditors() -> QuerySet[Practitioner]:
    """Who may audit or moderate: social care staff and partnership members who sign in."""
    return (
        Practitioner.objects.filter(
            user__isnull=False,
            user__is_active=True,
            role__in=[*SOCIAL_CARE_ROLES, Role.PARTNERSHIP_MEMBER],
        )
        .select_related("agency", "user")
        .order_by("full_name", "pk")
    )


def agency_practitioners() -> QuerySet[Practitioner]:
    """Partner practitioners who sign in, who may answer for their agency."""
    return (
        Practitioner.objects.filter(user__isnull=False, user__is_active=True, role=Role.PARTNER_PRACTITIONER)
        .select_related("agency", "user")
        .order_by("agency__name", "full_name")
    )


def answers_by_question(case: AuditCase, part: AgencyAuditPart | None = None) -> dict[int, AuditAnswer]:
    answers = AuditAnswer.objects.filter(case=case, part=part)
    return {a.question_id: a for a in answers}


def parts_side_by_side(case: AuditCase) -> dict[str, Any]:
    """Every agency's part of a case, and for each question each agency's grade and comment."""
    parts = list(case.parts.select_related("agency", "practitioner").order_by("agency__name"))
    answers = AuditAnswer.objects.filter(case=case, part__isnull=False).select_related("question")
    by_question: dict[int, dict[int, AuditAnswer]] = defaultdict(dict)
    for answer in answers:
        assert answer.part_id is not None
        by_question[answer.question_id][answer.part_id] = answer
    rows = [
        {"question": q, "cells": [by_question[q.pk].get(p.pk) for p in parts]}
        for q in AuditQuestion.objects.filter(pk__in=by_question.keys()).order_by("order", "pk")
    ]
    return {"parts": parts, "rows": rows}


def findings_of(case: AuditCase) -> list[AuditFinding]:
    return list(
        case.findings.select_related("theme", "recorded_by").prefetch_related("actions__owner").order_by("pk")
    )


def worker_and_manager(case: AuditCase) -> tuple[User | None, User | None]:
    """The child's worker (allocated on the audited episode) and their team's manager."""
    referral = case.referral
    worker = referral.allocated_worker if referral is not None else None
    team_id = referral.team_id if referral is not None else None
    if team_id is None and worker is not None:
        team_id = Practitioner.objects.filter(user=worker).values_list("team_id", flat=True).first()
    manager = None
    if team_id is not None:
        profile = (
            Practitioner.objects.filter(
                team_id=team_id, role=Role.TEAM_MANAGER, user__isnull=False, user__is_active=True
            )
            .select_related("user")
            .order_by("full_name", "pk")
            .first()
        )
        manager = profile.user if profile is not None else None
    return worker, manager


# --- The themes report ---------------------------------------------------------------

GRADES = list(AuditGrade)


@dataclasses.dataclass
class GradeRow:
    """One question (or the overall grade): the auditors' grades, the reported grades (the
    moderator's where moderated), and how often moderation changed the grade."""

    label: str
    before: Counter[str] = dataclasses.field(default_factory=Counter)
    after: Counter[str] = dataclasses.field(default_factory=Counter)
    moderated: int = 0
    changed: int = 0

    def add(self, grade: str, moderated_grade: str, was_moderated: bool) -> None:
        if not grade:
            return
        self.before[grade] += 1
        self.after[moderated_grade or grade] += 1
        if was_moderated:
            self.moderated += 1
            if moderated_grade and moderated_grade != grade:
                self.changed += 1

    @property
    def total(self) -> int:
        return sum(self.before.values())

    def cells(self) -> list[dict[str, int]]:
        return [{"before": self.before[g], "after": self.after[g]} for g in GRADES]


@dataclasses.dataclass
class ThemesReport:
    audits: int
    moderated: int
    overall: GradeRow
    questions: list[GradeRow]
    findings: list[tuple[str, list[str]]]


def themes_report(programme_ids: Iterable[int] | None = None) -> ThemesReport:
    """Grades by question and overall, before and after moderation, and findings by theme,
    across the programmes given (all when None). Only submitted or moderated audits count.
    A handful of queries, whatever the number of audits."""
    cases = AuditCase.objects.filter(status__in=[AuditStatus.SUBMITTED, AuditStatus.MODERATED])
    if programme_ids is not None:
        cases = cases.filter(programme_id__in=list(programme_ids))
    overall = GradeRow("Overall")
    audits = moderated = 0
    for grade, moderated_grade, status in cases.values_list("overall_grade", "moderated_grade", "status"):
        audits += 1
        moderated += status == AuditStatus.MODERATED
        overall.add(grade, moderated_grade, status == AuditStatus.MODERATED)
    rows: dict[int, GradeRow] = {}
    questions = {q.pk: q for q in AuditQuestion.objects.order_by("order", "pk")}
    answers = AuditAnswer.objects.filter(case__in=cases, part__isnull=True).values_list(
        "question_id", "grade", "moderated_grade", "case__status"
    )
    for question_id, grade, moderated_grade, status in answers:
        row = rows.setdefault(question_id, GradeRow(questions[question_id].theme))
        row.add(grade, moderated_grade, status == AuditStatus.MODERATED)
    ordered = [rows[q] for q in questions if q in rows]
    findings: dict[str, list[str]] = defaultdict(list)
    found = AuditFinding.objects.filter(case__in=cases).select_related("theme").order_by("theme__order", "pk")
    for finding in found.only("text", "theme__theme", "theme__order"):
        findings[finding.theme.theme].append(finding.text)
    return ThemesReport(audits, moderated, overall, ordered, list(findings.items()))


THEMES_HEADER = [
    "Question",
    "Grade",
    "Auditors' grades",
    "Reported (after moderation)",
    "Moderated",
    "Changed",
]


def themes_csv_rows(report: ThemesReport) -> list[list[object]]:
    rows: list[list[object]] = []
    for row in [*report.questions, report.overall]:
        for grade in GRADES:
            rows.append(
                [row.label, grade.label, row.before[grade], row.after[grade], row.moderated, row.changed]
            )
    for theme, texts in report.findings:
        for text in texts:
            rows.append([theme, "Finding", text, "", "", ""])
    return rows
