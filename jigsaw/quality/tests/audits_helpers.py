"""Test data for case file audits: children on plans and closed referrals, saved directly
(the audit actions under test go through the actions)."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.utils import timezone

from jigsaw.casework.models import ChildProtectionPlan, Referral
from jigsaw.people.models import Person
from jigsaw.quality.actions import audits as actions
from jigsaw.quality.models.audits import AuditCase, AuditProgramme
from jigsaw.quality.queries.audits import Criteria, default_questions
from tests.casework_factories import make_referral
from tests.factories import make_person, persona

TODAY = datetime.date(2026, 3, 2)


def child_on_plan(*, born: datetime.date, category: str = "NEG", worker: User | None = None) -> Person:
    """A child with an open referral (allocated to `worker`) and an open plan."""
    child = make_person(date_of_birth=born)
    referral = make_referral(child, worker=worker, referred_on=TODAY - datetime.timedelta(days=90))
    ChildProtectionPlan.objects.create(
        referral=referral,
        person=child,
        started_on=TODAY - datetime.timedelta(days=60),
        initial_category=category,
        latest_category=category,
    )
    return child


def closed_referral(closed_on: datetime.date) -> Referral:
    referral = make_referral(referred_on=closed_on - datetime.timedelta(days=40))
    Referral.objects.filter(pk=referral.pk).update(closed_on=closed_on, closure_reason="RC8")
    referral.refresh_from_db()
    return referral


def programme(*, multi_agency: bool = False) -> AuditProgramme:
    return actions.create_programme(
        actor=persona("team_manager"),
        title="Children on a plan aged under five",
        purpose="Are our youngest children on plans seen and safe?",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 3, 31),
        multi_agency=multi_agency,
    )


def under_fives() -> Criteria:
    return Criteria(kind="cp_plan", on_date=TODAY, under_age=5)


def assigned_case(*, multi_agency: bool = False) -> AuditCase:
    """One child under five on a plan, in a programme, assigned to the conference chair
    (auditor) and the team manager (moderator)."""
    child_on_plan(born=datetime.date(2023, 5, 1), worker=persona("social_worker"))
    prog = programme(multi_agency=multi_agency)
    actions.add_cases_by_criteria(
        actor=persona("team_manager"), programme_id=prog.pk, criteria=under_fives(), expected_version=1
    )
    case = prog.cases.get()
    return actions.assign_case(
        actor=persona("team_manager"),
        case_id=case.pk,
        expected_version=case.version,
        auditor_id=persona("conference_chair").pk,
        moderator_id=persona("team_manager").pk,
        agency_practitioner_ids=(persona("school_dsl").pk,) if multi_agency else (),
    )


def all_good(grade: str = "good") -> dict[int, actions.Answer]:
    return {q.pk: actions.Answer(grade, f"Seen {grade}") for q in default_questions()}


def submitted_case(grade: str = "good", **kwargs: bool) -> AuditCase:
    case = assigned_case(**kwargs)
    return actions.save_audit(
        actor=persona("conference_chair"),
        case_id=case.pk,
        expected_version=case.version,
        answers=all_good(grade),
        overall_grade=grade,
        summary="Planning is clear; the child is seen often.",
        submit=True,
    )


def now() -> datetime.datetime:
    return timezone.now()
