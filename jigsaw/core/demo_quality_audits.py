"""Case file audits in the demo, made through the same actions as real use.

`write_audits` runs after the casework and the partners' network. It makes two programmes:

- "Children on a plan aged under five": every child on a child protection plan today aged
  under five (chosen by the query builder's criteria, as a manager would);
- a multi-agency thematic audit of neglect: a seeded sample of children on a plan for
  neglect, where the school, the GP practice, the police and health visiting each answer
  for their part of the same case.

Cases are audited by the conference chair and the team manager in turn, and moderated by
the other (or by the partnership's business manager), in every state: not started, draft,
submitted and moderated, with grades spread as real audits spread and findings that give
the child's worker and manager actions. Everything is synthetic.
"""

from __future__ import annotations

import dataclasses
import datetime
import random

from django.contrib.auth.models import User
from django.db import transaction

from jigsaw.quality.actions import audits as actions
from jigsaw.quality.models.audits import (
    AgencyAuditPart,
    AuditAction,
    AuditAnswer,
    AuditCase,
    AuditFinding,
    AuditGrade,
    AuditProgramme,
    AuditQuestion,
)
from jigsaw.quality.queries.audits import (
    MAX_SELECTION,
    Criteria,
    default_questions,
    matching_cases,
    worker_and_manager,
)

# How practice tends to grade in a service that "requires improvement": mostly good and
# requires improvement, a few outstanding and inadequate.
GRADE_WEIGHTS = [
    (AuditGrade.OUTSTANDING, 1),
    (AuditGrade.GOOD, 5),
    (AuditGrade.REQUIRES_IMPROVEMENT, 4),
    (AuditGrade.INADEQUATE, 1),
]

FINDINGS: dict[str, list[tuple[str, str]]] = {
    "The child's voice": [
        (
            "The child's wishes are described by the parent, not heard from the child.",
            "See the child alone at the next visit and record what they say in their words",
        ),
        (
            "Direct work with the child is planned but not recorded.",
            "Record the direct work sessions on the child's file",
        ),
    ],
    "Assessment of risk": [
        (
            "The assessment lists incidents but does not analyse the pattern of neglect.",
            "Update the assessment with an analysis of the chronology",
        ),
        (
            "Information from health visiting is missing from the assessment.",
            "Ask health visiting for its records and add them to the assessment",
        ),
    ],
    "Planning": [
        (
            "Plan outcomes are not specific or time-bound.",
            "Rewrite the plan's outcomes with who does what by when",
        ),
        ("Contingency planning is absent.", "Agree a contingency plan at the next core group"),
    ],
    "Multi-agency working": [
        (
            "The GP was not invited to core groups.",
            "Invite the GP to the next core group and send the minutes",
        ),
        (
            "School attendance concerns were not shared with social care.",
            "Agree with the school how attendance will be shared each week",
        ),
    ],
    "Management oversight": [
        (
            "Supervision is recorded but does not direct the work.",
            "Record management direction with actions and dates at the next supervision",
        ),
        (
            "Drift between review conferences went unchallenged.",
            "Review the case with the worker within two weeks",
        ),
    ],
    "Outcome for the child": [
        (
            "Home conditions improved for a time, then slipped back.",
            "Set measurable home-conditions goals with the family and review monthly",
        ),
    ],
}

PARTNER_SIGN_INS = ("partner_practitioner", "gp", "police_officer", "health_visitor")


@dataclasses.dataclass
class AuditActivity:
    programmes: int = 0
    cases: int = 0
    submitted: int = 0
    moderated: int = 0
    findings: int = 0
    actions: int = 0

    def summary(self) -> str:
        return (
            f"Case file audits: {self.programmes} programmes, {self.cases} cases ({self.submitted} awaiting "
            f"moderation, {self.moderated} moderated), {self.findings} findings giving {self.actions} actions."
        )


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, practitioner__isnull=False).first()


def _grade(rng: random.Random) -> str:
    grades, weights = zip(*GRADE_WEIGHTS, strict=True)
    return str(rng.choices(grades, weights=weights)[0])


def _answers(rng: random.Random, overall: str) -> dict[int, actions.Answer]:
    answers: dict[int, actions.Answer] = {}
    for question in default_questions():
        grade = overall if rng.random() < 0.6 else _grade(rng)
        answers[question.pk] = actions.Answer(
            grade, f"{question.theme}: {AuditGrade(grade).label.lower()} in this case."
        )
    return answers


def write_audits(*, seed: int, today: datetime.date) -> AuditActivity:
    """The two demo programmes, with cases in every state."""
    activity = AuditActivity()
    manager, chair, member = _user("team_manager"), _user("conference_chair"), _user("partnership_member")
    if manager is None or chair is None or member is None:
        return activity
    rng = random.Random(seed * 7919 + 11)  # noqa: S311  # synthetic demo data  # nosec B311
    questions = {q.theme: q for q in default_questions()}
    partners = [u for u in (_user(name) for name in PARTNER_SIGN_INS) if u is not None]
    # One practitioner per agency (the demo's partner sign-ins are each of a different agency).
    by_agency: dict[int, User] = {}
    for partner in partners:
        by_agency.setdefault(partner.practitioner.agency_id, partner)

    with transaction.atomic():
        under_fives = actions.create_programme(
            actor=manager,
            title="Children on a plan aged under five",
            purpose="Every child under five on a child protection plan: are the youngest children seen, heard "
            "and safer because of the plan?",
            period_start=today - datetime.timedelta(days=90),
            period_end=today,
        )
        neglect = actions.create_programme(
            actor=member,
            title="Neglect: a multi-agency thematic audit",
            purpose="How well do agencies together recognise and respond to neglect, and does the plan "
            "change the child's daily life?",
            period_start=today - datetime.timedelta(days=180),
            period_end=today,
            multi_agency=True,
        )
        activity.programmes = 2
        selections = [
            (under_fives, manager, Criteria(kind="cp_plan", on_date=today, under_age=5)),
            (
                neglect,
                member,
                Criteria(
                    kind="characteristics", on_date=today, categories=("NEG",), sample_size=12, seed=seed
                ),
            ),
        ]
        for programme, owner, criteria in selections:
            matched = len(matching_cases(criteria))
            if matched == 0:
                continue
            if matched > MAX_SELECTION:
                criteria = dataclasses.replace(criteria, sample_size=MAX_SELECTION, seed=seed)
            activity.cases += actions.add_cases_by_criteria(
                actor=owner, programme_id=programme.pk, criteria=criteria, expected_version=programme.version
            )
        pairs = [(chair, manager), (manager, chair), (manager, member)]
        for programme in (under_fives, neglect):
            for index, case in enumerate(programme.cases.order_by("pk")):
                auditor, moderator = pairs[index % len(pairs)]
                case = actions.assign_case(
                    actor=manager,
                    case_id=case.pk,
                    expected_version=case.version,
                    auditor_id=auditor.pk,
                    moderator_id=moderator.pk,
                    agency_practitioner_ids=tuple(u.pk for u in by_agency.values())
                    if programme.multi_agency
                    else (),
                )
                _advance(case, index % 4, auditor, moderator, rng, questions, today, activity)
    return activity


def _advance(
    case: AuditCase,
    state: int,
    auditor: User,
    moderator: User,
    rng: random.Random,
    questions: dict[str, AuditQuestion],
    today: datetime.date,
    activity: AuditActivity,
) -> None:
    """State 0: not started; 1: draft; 2: submitted; 3: moderated. Agencies' parts follow."""
    for n, part in enumerate(case.parts.order_by("agency__name")):
        if (state + n) % 3 == 0:
            continue
        grade = _grade(rng)
        actions.save_agency_part(
            actor=part.practitioner,
            part_id=part.pk,
            expected_version=part.version,
            answers=_answers(rng, grade),
            overall_grade=grade,
            summary="What we knew, what we shared and what we would do differently for this child.",
            submit=(state + n) % 3 == 2,
        )
    if state == 0:
        return
    overall = _grade(rng)
    case = actions.save_audit(
        actor=auditor,
        case_id=case.pk,
        expected_version=case.version,
        answers=_answers(rng, overall),
        overall_grade=overall,
        summary="The plan is known to the family; the work that makes the most difference is described above.",
        submit=state >= 2,
    )
    if state == 1:
        return
    activity.submitted += state == 2
    worker, manager = worker_and_manager(case)
    theme_names = [name for name in FINDINGS if name in questions]
    for name in rng.sample(theme_names, k=min(len(theme_names), rng.randint(1, 2))):
        text, todo = rng.choice(FINDINGS[name])
        for_worker = worker is not None
        for_manager = manager is not None and (worker is None or rng.random() < 0.4)
        finding = actions.record_finding(
            actor=auditor,
            case_id=case.pk,
            theme_id=questions[name].pk,
            text=text,
            action=todo if for_worker or for_manager else "",
            due_on=today + datetime.timedelta(days=rng.randint(7, 42)),
            for_worker=for_worker,
            for_manager=for_manager,
        )
        activity.findings += 1
        activity.actions += finding.actions.count()
    if state == 3:
        decisions: dict[int, actions.Moderation] = {}
        for answer in AuditAnswer.objects.filter(case=case, part__isnull=True).select_related("question"):
            if rng.random() < 0.2:
                changed = _grade(rng)
                reason = "" if changed == answer.grade else "The evidence on file supports a different grade."
                decisions[answer.question_id] = actions.Moderation(changed, reason)
            else:
                decisions[answer.question_id] = actions.Moderation(answer.grade)
        moderated_overall = case.overall_grade if rng.random() < 0.7 else _grade(rng)
        actions.moderate_audit(
            actor=moderator,
            case_id=case.pk,
            expected_version=case.version,
            decisions=decisions,
            overall=actions.Moderation(
                moderated_overall,
                ""
                if moderated_overall == case.overall_grade
                else "Moderation found the impact on the child differs.",
            ),
        )
        activity.moderated += 1


def delete_audits() -> None:
    """Before a demo reset: audited cases protect the people and referrals they concern."""
    AuditAction.objects.all().delete()
    AuditFinding.objects.all().delete()
    AuditAnswer.objects.all().delete()
    AgencyAuditPart.objects.all().delete()
    AuditCase.objects.all().delete()
    AuditProgramme.objects.all().delete()
