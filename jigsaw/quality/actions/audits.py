"""The only code that changes case file audits.

Working Together asks safeguarding partners to assure themselves that their work keeps
children safe; a case file audit programme is how most do it: managers choose the cases by
criteria (all children on a plan aged under five; a sample of closed referrals), an auditor
grades each against a question set, a second auditor moderates, and findings become actions
for the child's worker and manager. Each action here checks permission, validates in the
user's words, writes in one transaction with its access-log row, and refuses a stale form
(the version column) on records people edit concurrently.
"""

from __future__ import annotations

import dataclasses
import datetime
import secrets

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import AnyUser, Permission, audit_cases_visible_to, has_permission
from jigsaw.casework.actions.common import EditConflict, acting_user, check_version
from jigsaw.casework.models import Referral
from jigsaw.partners.actions import notify
from jigsaw.partners.models import Agency
from jigsaw.people.models import Person
from jigsaw.quality.models.audits import (
    AgencyAuditPart,
    AuditAction,
    AuditActionFor,
    AuditAnswer,
    AuditCase,
    AuditFinding,
    AuditGrade,
    AuditProgramme,
    AuditQuestion,
    AuditStatus,
    PartStatus,
)
from jigsaw.quality.queries import audits as queries
from jigsaw.quality.queries.audits import Criteria

__all__ = [
    "Answer",
    "EditConflict",
    "Moderation",
    "add_case",
    "add_cases_by_criteria",
    "assign_case",
    "complete_action",
    "create_programme",
    "moderate_audit",
    "record_finding",
    "save_agency_part",
    "save_audit",
]


@dataclasses.dataclass(frozen=True)
class Answer:
    grade: str
    comment: str = ""


@dataclasses.dataclass(frozen=True)
class Moderation:
    grade: str
    reason: str = ""


def _user(actor: AnyUser) -> User:
    if not actor.is_authenticated:
        raise PermissionDenied
    assert isinstance(actor, User)
    return actor


@transaction.atomic
def create_programme(
    *,
    actor: AnyUser,
    title: str,
    purpose: str,
    period_start: datetime.date,
    period_end: datetime.date,
    multi_agency: bool = False,
) -> AuditProgramme:
    """Start an audit programme: what it is for and the period it looks at."""
    user = acting_user(actor, Permission.MANAGE_AUDITS)
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "Enter the programme's title"
    if not purpose.strip():
        errors["purpose"] = "Say what the programme is for"
    if period_end < period_start:
        errors["period_end"] = "The end of the period must be the same as or after its start"
    if errors:
        raise ValidationError(errors)
    programme = AuditProgramme.objects.create(
        title=title.strip(),
        purpose=purpose.strip(),
        period_start=period_start,
        period_end=period_end,
        multi_agency=multi_agency,
        created_by=user,
        created_at=timezone.now(),
    )
    record_access(
        user=user, action="create_audit_programme", record=programme, detail={"multi_agency": multi_agency}
    )
    return programme


def validate_criteria(criteria: Criteria) -> Criteria:
    """Check criteria and fill what is left to choose (a sample's seed). Raises
    ValidationError in the user's words."""
    errors: dict[str, str] = {}
    if criteria.kind not in queries.KINDS:
        errors["kind"] = "Choose how to choose the cases"
    elif criteria.kind in {"cp_plan", "characteristics"} and criteria.on_date is None:
        errors["on_date"] = "Enter the date the children must be open on"
    elif criteria.kind == "closed_referrals":
        if criteria.closed_from is None:
            errors["closed_from"] = "Enter the start of the period the referrals closed in"
        if criteria.closed_to is None:
            errors["closed_to"] = "Enter the end of the period the referrals closed in"
        if criteria.closed_from and criteria.closed_to and criteria.closed_to < criteria.closed_from:
            errors["closed_to"] = "The end of the period must be the same as or after its start"
        if not criteria.sample_size:
            errors["sample_size"] = "Enter how many referrals to sample"
    if criteria.under_age is not None and not 1 <= criteria.under_age <= 18:
        errors["under_age"] = "The age must be between 1 and 18"
    if criteria.age_from is not None and criteria.age_to is not None and criteria.age_to < criteria.age_from:
        errors["age_to"] = "The oldest age must be the same as or more than the youngest"
    if criteria.sample_size is not None and not 1 <= criteria.sample_size <= queries.MAX_SELECTION:
        errors["sample_size"] = f"The sample must be between 1 and {queries.MAX_SELECTION} cases"
    if criteria.agency_id and not Agency.objects.filter(pk=criteria.agency_id).exists():
        errors["agency"] = "Choose an agency from the list"
    if errors:
        raise ValidationError(errors)
    if criteria.sample_size and criteria.seed is None:
        # Recorded on the programme, so the same sample can be drawn again.
        criteria = dataclasses.replace(criteria, seed=secrets.randbelow(1_000_000))
    return criteria


def _locked_programme(actor: AnyUser, programme_id: int) -> tuple[User, AuditProgramme]:
    user = acting_user(actor, Permission.MANAGE_AUDITS)
    try:
        return user, AuditProgramme.objects.select_for_update().get(pk=programme_id)
    except AuditProgramme.DoesNotExist:
        raise Http404("No such programme") from None


@transaction.atomic
def add_cases_by_criteria(
    *, actor: AnyUser, programme_id: int, criteria: Criteria, expected_version: int
) -> int:
    """Freeze the cases the criteria choose into the programme, one row each, skipping
    children already in it; the criteria (with a sample's seed) are kept on the programme.
    Returns how many were added."""
    user, programme = _locked_programme(actor, programme_id)
    check_version(programme, expected_version, "audit programme")
    criteria = validate_criteria(criteria)
    cases = queries.matching_cases(criteria)
    if not cases:
        raise ValidationError({"kind": "No cases match these criteria: nothing was added"})
    if len(cases) > queries.MAX_SELECTION:
        raise ValidationError(
            {
                "kind": f"{len(cases)} cases match: narrow the criteria or take a sample of "
                f"{queries.MAX_SELECTION} or fewer"
            }
        )
    already = set(programme.cases.values_list("person_id", flat=True))
    now = timezone.now()
    new = [
        AuditCase(
            programme=programme, person_id=person_id, referral_id=referral_id, added_by=user, added_at=now
        )
        for person_id, referral_id in cases
        if person_id not in already
    ]
    AuditCase.objects.bulk_create(new)
    programme.criteria = [
        *programme.criteria,
        criteria.to_json() | {"added": len(new), "at": now.isoformat()},
    ]
    programme.save()
    record_access(
        user=user,
        action="add_audit_cases",
        record=programme,
        detail={"criteria": criteria.to_json(), "matched": len(cases), "added": len(new)},
        subjects=[("people.person", str(person_id)) for person_id, _ in cases if person_id not in already],
    )
    return len(new)


@transaction.atomic
def add_case(*, actor: AnyUser, programme_id: int, person_id: int, expected_version: int) -> AuditCase:
    """Add one child's case to a programme by hand (their latest referral is the episode)."""
    user, programme = _locked_programme(actor, programme_id)
    check_version(programme, expected_version, "audit programme")
    person = Person.objects.filter(pk=person_id, merged_into__isnull=True).first()
    if person is None:
        raise ValidationError({"person": "There is no child with that Jigsaw number"})
    if programme.cases.filter(person=person).exists():
        raise ValidationError({"person": f"{person.full_name} is already in this programme"})
    referral = Referral.objects.filter(person=person).order_by("-referred_on", "-pk").first()
    if referral is None:
        raise ValidationError(
            {"person": f"{person.full_name} has never been referred: there is no case to audit"}
        )
    case = AuditCase.objects.create(
        programme=programme, person=person, referral=referral, added_by=user, added_at=timezone.now()
    )
    programme.save()
    record_access(user=user, action="add_audit_case", record=case, subjects=[person])
    return case


def _locked_case(actor: AnyUser, case_id: int) -> AuditCase:
    try:
        return (
            audit_cases_visible_to(actor)
            .select_for_update()
            .select_related("programme", "person")
            .get(pk=case_id)
        )
    except AuditCase.DoesNotExist:
        raise Http404("No such audit") from None


@transaction.atomic
def assign_case(
    *,
    actor: AnyUser,
    case_id: int,
    expected_version: int,
    auditor_id: int | None,
    moderator_id: int | None,
    agency_practitioner_ids: tuple[int, ...] = (),
) -> AuditCase:
    """Name the case's auditor and its moderator (a second auditor: never the same person),
    and in a multi-agency audit the practitioner answering for each agency."""
    user = acting_user(actor, Permission.MANAGE_AUDITS)
    case = _locked_case(user, case_id)
    check_version(case, expected_version, "audit")
    eligible = {p.user_id: p for p in queries.auditors()}
    errors: dict[str, str] = {}
    if auditor_id is None or auditor_id not in eligible:
        errors["auditor"] = "Choose the auditor from the list"
    if moderator_id is None or moderator_id not in eligible:
        errors["moderator"] = "Choose the moderator from the list"
    elif moderator_id == auditor_id:
        errors["moderator"] = "The moderator must be a different person from the auditor"
    if case.status != AuditStatus.NOT_STARTED and auditor_id != case.auditor_id:
        errors["auditor"] = "The audit has been started: its auditor cannot change"
    partners = {p.user_id: p for p in queries.agency_practitioners()}
    chosen = [partners.get(pid) for pid in agency_practitioner_ids]
    if agency_practitioner_ids and not case.programme.multi_agency:
        errors["agency_practitioners"] = "Only a multi-agency programme asks agencies for their part"
    elif any(p is None for p in chosen):
        errors["agency_practitioners"] = "Choose the agencies' practitioners from the list"
    else:
        agencies = [p.agency_id for p in chosen if p is not None]
        if len(agencies) != len(set(agencies)):
            errors["agency_practitioners"] = "Choose one practitioner for each agency"
    if errors:
        raise ValidationError(errors)
    case.auditor_id = auditor_id
    case.moderator_id = moderator_id
    case.save()
    existing = {p.agency_id: p for p in case.parts.select_for_update()}
    for practitioner in chosen:
        assert practitioner is not None and practitioner.user_id is not None
        part = existing.get(practitioner.agency_id)
        if part is None:
            AgencyAuditPart.objects.create(
                case=case, agency_id=practitioner.agency_id, practitioner_id=practitioner.user_id
            )
        elif part.practitioner_id != practitioner.user_id and part.status == PartStatus.NOT_STARTED:
            part.practitioner_id = practitioner.user_id
            part.version += 1
            part.save()
    record_access(
        user=user,
        action="assign_audit",
        record=case,
        detail={"auditor": auditor_id, "moderator": moderator_id, "agencies": list(agency_practitioner_ids)},
        subjects=[case.person],
    )
    return case


def _check_answers(
    answers: dict[int, Answer], questions: list[AuditQuestion], *, complete: bool
) -> dict[str, str]:
    errors: dict[str, str] = {}
    for question in questions:
        answer = answers.get(question.pk)
        if answer is not None and answer.grade and answer.grade not in AuditGrade.values:
            errors[f"grade_{question.pk}"] = f"Choose a grade for {question.theme.lower()} from the list"
        elif complete and (answer is None or not answer.grade):
            errors[f"grade_{question.pk}"] = f"Choose a grade for {question.theme.lower()}"
    return errors


def _write_answers(
    case: AuditCase, part: AgencyAuditPart | None, answers: dict[int, Answer], questions: list[AuditQuestion]
) -> None:
    existing = {a.question_id: a for a in AuditAnswer.objects.filter(case=case, part=part)}
    for question in questions:
        given = answers.get(question.pk, Answer(""))
        row = existing.get(question.pk) or AuditAnswer(case=case, part=part, question=question)
        row.grade = given.grade
        row.comment = given.comment.strip()
        row.save()


@transaction.atomic
def save_audit(
    *,
    actor: AnyUser,
    case_id: int,
    expected_version: int,
    answers: dict[int, Answer],
    overall_grade: str,
    summary: str,
    submit: bool,
) -> AuditCase:
    """The auditor saves the audit form as a draft, or submits it for moderation (every
    question graded, an overall grade and a summary). A submitted audit no longer changes."""
    case = _locked_case(actor, case_id)
    user = _user(actor)
    if case.auditor_id != user.pk:
        raise PermissionDenied
    check_version(case, expected_version, "audit")
    if case.status not in {AuditStatus.NOT_STARTED, AuditStatus.DRAFT}:
        raise ValidationError("This audit has been submitted: it can no longer be changed")
    questions = queries.default_questions()
    errors = _check_answers(answers, questions, complete=submit)
    if overall_grade and overall_grade not in AuditGrade.values:
        errors["overall_grade"] = "Choose the overall grade from the list"
    if submit and not overall_grade:
        errors["overall_grade"] = "Choose the overall grade"
    if submit and not summary.strip():
        errors["summary"] = "Summarise the audit: what is working well and what needs to change"
    if errors:
        raise ValidationError(errors)
    _write_answers(case, None, answers, questions)
    case.overall_grade = overall_grade
    case.summary = summary.strip()
    case.status = AuditStatus.SUBMITTED if submit else AuditStatus.DRAFT
    case.submitted_at = timezone.now() if submit else None
    case.save()
    record_access(
        user=user,
        action="submit_audit" if submit else "save_audit_draft",
        record=case,
        detail={"overall_grade": overall_grade},
        subjects=[case.person],
    )
    return case


@transaction.atomic
def moderate_audit(
    *,
    actor: AnyUser,
    case_id: int,
    expected_version: int,
    decisions: dict[int, Moderation],
    overall: Moderation,
) -> AuditCase:
    """The moderator agrees or changes each grade and the overall grade; a change needs a
    reason. The moderated grade is the one reported."""
    case = _locked_case(actor, case_id)
    user = _user(actor)
    if case.moderator_id != user.pk:
        raise PermissionDenied
    check_version(case, expected_version, "audit")
    if case.status != AuditStatus.SUBMITTED:
        raise ValidationError("Only a submitted audit can be moderated")
    answers = list(AuditAnswer.objects.filter(case=case, part__isnull=True).select_related("question"))
    errors: dict[str, str] = {}
    for answer in answers:
        decision = decisions.get(answer.question_id)
        key = f"grade_{answer.question_id}"
        if decision is None or decision.grade not in AuditGrade.values:
            errors[key] = f"Choose the moderated grade for {answer.question.theme.lower()}"
        elif decision.grade != answer.grade and not decision.reason.strip():
            errors[f"reason_{answer.question_id}"] = (
                f"Say why you changed the grade for {answer.question.theme.lower()}"
            )
    if overall.grade not in AuditGrade.values:
        errors["overall_grade"] = "Choose the moderated overall grade"
    elif overall.grade != case.overall_grade and not overall.reason.strip():
        errors["overall_reason"] = "Say why you changed the overall grade"
    if errors:
        raise ValidationError(errors)
    for answer in answers:
        decision = decisions[answer.question_id]
        answer.moderated_grade = decision.grade
        answer.moderation_reason = decision.reason.strip()
        answer.save()
    case.moderated_grade = overall.grade
    case.moderation_reason = overall.reason.strip()
    case.moderated_at = timezone.now()
    case.status = AuditStatus.MODERATED
    case.save()
    changed = sum(1 for a in answers if a.moderated_grade != a.grade)
    record_access(
        user=user,
        action="moderate_audit",
        record=case,
        detail={"overall_grade": overall.grade, "was": case.overall_grade, "grades_changed": changed},
        subjects=[case.person],
    )
    return case


@transaction.atomic
def save_agency_part(
    *,
    actor: AnyUser,
    part_id: int,
    expected_version: int,
    answers: dict[int, Answer],
    overall_grade: str,
    summary: str,
    submit: bool,
) -> AgencyAuditPart:
    """An agency's practitioner answers for their agency's part of the same case: its own
    grades and comments, saved as a draft or submitted."""
    user = _user(actor)
    part = (
        AgencyAuditPart.objects.select_for_update()
        .select_related("case__person")
        .filter(pk=part_id, practitioner_id=user.pk)
        .first()
    )
    if part is None:
        raise Http404("No such audit")
    check_version(part, expected_version, "agency's part of the audit")
    if part.status == PartStatus.SUBMITTED:
        raise ValidationError("Your agency's part has been submitted: it can no longer be changed")
    questions = queries.default_questions()
    errors = _check_answers(answers, questions, complete=submit)
    if overall_grade and overall_grade not in AuditGrade.values:
        errors["overall_grade"] = "Choose the overall grade from the list"
    if submit and not overall_grade:
        errors["overall_grade"] = "Choose your agency's overall grade"
    if submit and not summary.strip():
        errors["summary"] = "Summarise your agency's part in the case"
    if errors:
        raise ValidationError(errors)
    _write_answers(part.case, part, answers, questions)
    part.overall_grade = overall_grade
    part.summary = summary.strip()
    part.status = PartStatus.SUBMITTED if submit else PartStatus.DRAFT
    part.submitted_at = timezone.now() if submit else None
    part.save()
    record_access(
        user=user,
        action="submit_agency_audit_part" if submit else "save_agency_audit_part",
        record=part,
        detail={"overall_grade": overall_grade, "agency": part.agency_id},
        subjects=[part.case.person],
    )
    return part


@transaction.atomic
def record_finding(
    *,
    actor: AnyUser,
    case_id: int,
    theme_id: int,
    text: str,
    action: str = "",
    due_on: datetime.date | None = None,
    for_worker: bool = False,
    for_manager: bool = False,
) -> AuditFinding:
    """The auditor or moderator records a finding under a theme; an action for the child's
    worker and/or their manager, with a due date, is created with it and they are told."""
    case = _locked_case(actor, case_id)
    user = _user(actor)
    if user.pk not in {case.auditor_id, case.moderator_id}:
        raise PermissionDenied
    errors: dict[str, str] = {}
    theme = AuditQuestion.objects.filter(pk=theme_id).first()
    if theme is None:
        errors["theme"] = "Choose the theme of the finding"
    if not text.strip():
        errors["text"] = "Say what the audit found"
    owners: list[tuple[str, User]] = []
    if for_worker or for_manager:
        worker, manager = queries.worker_and_manager(case)
        if not action.strip():
            errors["action"] = "Say what needs to be done"
        if due_on is None:
            errors["due_on"] = "Enter the date the action is due"
        elif due_on < timezone.localdate():
            errors["due_on"] = "The due date must be today or in the future"
        if for_worker:
            if worker is None:
                errors["for_worker"] = "The case has no allocated worker to give the action to"
            else:
                owners.append((AuditActionFor.WORKER, worker))
        if for_manager:
            if manager is None:
                errors["for_manager"] = "The worker's team has no manager who signs in to give the action to"
            else:
                owners.append((AuditActionFor.MANAGER, manager))
    elif action.strip():
        errors["for_worker"] = "Choose who the action is for"
    if errors:
        raise ValidationError(errors)
    assert theme is not None
    finding = AuditFinding.objects.create(
        case=case, theme=theme, text=text.strip(), recorded_by=user, recorded_at=timezone.now()
    )
    created = []
    for owner_is, owner in owners:
        assert due_on is not None
        created.append(
            AuditAction.objects.create(
                finding=finding, owner=owner, owner_is=owner_is, description=action.strip(), due_on=due_on
            )
        )
    record_access(
        user=user,
        action="record_audit_finding",
        record=finding,
        detail={"case": case.pk, "theme": theme.theme, "actions": [a.pk for a in created]},
        subjects=[case.person],
    )
    recipients = [a.owner for a in created if a.owner.pk != user.pk]
    if recipients:
        assert due_on is not None
        notify(
            recipients=recipients,
            subject=f"An audit action for you, due {due_on.day} {due_on:%B %Y}",
            body=action.strip(),
            link=reverse("quality:audits"),
        )
    return finding


@transaction.atomic
def complete_action(*, actor: AnyUser, action_id: int, expected_version: int, note: str = "") -> AuditAction:
    """The owner (or a manager of audits) marks an audit action done, saying what was done."""
    user = _user(actor)
    action = (
        AuditAction.objects.select_for_update()
        .select_related("finding__case__person")
        .filter(pk=action_id)
        .first()
    )
    if action is None or (action.owner_id != user.pk and not has_permission(user, Permission.MANAGE_AUDITS)):
        raise Http404("No such action")
    check_version(action, expected_version, "audit action")
    if action.done_at is not None:
        raise ValidationError("This action is already done")
    if not note.strip():
        raise ValidationError({"note": "Say what was done"})
    action.done_at = timezone.now()
    action.done_by = user
    action.done_note = note.strip()
    action.save()
    record_access(
        user=user, action="complete_audit_action", record=action, subjects=[action.finding.case.person]
    )
    return action
