"""The episode of need's actions and queries: assessments with their due dates and sign-off,
child in need plans, early help, looked-after episodes and closure."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from time_machine import travel

from jigsaw.access.models import AccessLogEntry
from jigsaw.casework.actions import episodes as actions
from jigsaw.casework.actions.common import EditConflict
from jigsaw.casework.models import (
    Allocation,
    Assessment,
    ChildInNeedPlan,
    ChildProtectionPlan,
    ChronologyEntry,
    EarlyHelpEpisode,
    Referral,
    TimescalePolicy,
)
from jigsaw.casework.queries import episodes as queries
from jigsaw.partners.models import NamedProfessional, Practitioner
from jigsaw.people.models import Person
from tests.casework_factories import make_referral
from tests.episode_factories import (
    another_manager,
    make_assessment,
    make_cin_plan,
    make_early_help,
    make_looked_after,
)
from tests.factories import make_agency, make_person, persona, restrict

pytestmark = pytest.mark.django_db

LONDON = datetime.timezone(datetime.timedelta(0))
D = datetime.date
# A Monday in late November 2026: assessments run over Christmas.
REFERRED = D(2026, 11, 23)
TODAY = datetime.datetime(2026, 12, 1, 10, tzinfo=LONDON)


def _chronology(source: object) -> list[str]:
    return list(
        ChronologyEntry.objects.filter(
            source_type=source._meta.label_lower,  # type: ignore[attr-defined]
            source_id=str(source.pk),  # type: ignore[attr-defined]
        )
        .order_by("pk")
        .values_list("summary", flat=True)
    )


def _logged(action: str, record: object) -> AccessLogEntry:
    return AccessLogEntry.objects.get(action=action, record_id=str(record.pk))  # type: ignore[attr-defined]


def _completed(
    worker: User, referral: Referral, *, outcome: str = "nfa", factors: list[str] | None = None
) -> Assessment:
    assessment = actions.start_assessment(
        actor=worker, referral_id=referral.pk, started_on=referral.referred_on
    )
    return actions.update_assessment(
        actor=worker,
        assessment_id=assessment.pk,
        expected_version=assessment.version,
        child_seen_on=referral.referred_on,
        seen_alone=True,
        factors=factors or ["21"],
        analysis="Home conditions good; the child is well cared for.",
        outcome=outcome,
        complete_on=referral.referred_on,
    )


# --- Assessments -----------------------------------------------------------------------


@travel(TODAY, tick=False)
def test_an_assessment_is_due_45_working_days_from_the_referral(social_worker: User) -> None:
    referral = make_referral(referred_on=REFERRED, worker=social_worker)
    assessment = actions.start_assessment(
        actor=social_worker, referral_id=referral.pk, started_on=D(2026, 11, 30)
    )
    # Counted from the referral (23 November), not the start, over Christmas.
    assert assessment.due_on == D(2027, 1, 28)
    assert (assessment.started_by, assessment.version) == (social_worker, 1)
    assert _chronology(assessment) == ["Assessment started (due by 28/01/2027)"]
    assert _logged("start_assessment", assessment).user == social_worker


@travel(TODAY, tick=False)
def test_under_the_2009_policy_the_initial_assessment_timescale_applies(social_worker: User) -> None:
    TimescalePolicy.objects.update(in_force=False)
    TimescalePolicy.objects.filter(name="Working Together 2006 (2009 practice)").update(in_force=True)
    referral = make_referral(referred_on=REFERRED)
    assessment = actions.start_assessment(actor=social_worker, referral_id=referral.pk, started_on=REFERRED)
    assert assessment.due_on == D(2026, 12, 2)  # 7 working days


@travel(TODAY, tick=False)
def test_an_assessment_starts_neither_before_the_referral_nor_in_the_future(social_worker: User) -> None:
    referral = make_referral(referred_on=REFERRED)
    with pytest.raises(ValidationError) as early:
        actions.start_assessment(actor=social_worker, referral_id=referral.pk, started_on=D(2026, 11, 20))
    assert early.value.message_dict == {
        "started_on": ["The assessment cannot start before the referral was made"]
    }
    with pytest.raises(ValidationError, match="must be today or in the past"):
        actions.start_assessment(actor=social_worker, referral_id=referral.pk, started_on=D(2026, 12, 2))
    assert not Assessment.objects.exists()
    assert not ChronologyEntry.objects.exists()


def test_one_assessment_at_a_time(social_worker: User) -> None:
    referral = make_referral()
    actions.start_assessment(actor=social_worker, referral_id=referral.pk, started_on=referral.referred_on)
    with pytest.raises(ValidationError, match="already in progress"):
        actions.start_assessment(
            actor=social_worker, referral_id=referral.pk, started_on=referral.referred_on
        )
    assert Assessment.objects.count() == 1


def test_who_may_start_an_assessment(
    front_door_officer: User, conference_chair: User, school_dsl: User, team_manager: User
) -> None:
    referral = make_referral()
    for user in (front_door_officer, conference_chair, school_dsl):
        with pytest.raises(PermissionDenied):
            actions.start_assessment(actor=user, referral_id=referral.pk, started_on=referral.referred_on)
    assert (
        actions.start_assessment(
            actor=team_manager, referral_id=referral.pk, started_on=referral.referred_on
        ).started_by
        == team_manager
    )


def test_a_closed_episode_takes_no_more_work(social_worker: User) -> None:
    referral = make_referral(closed_on=timezone.localdate(), closure_reason="RC7")
    for start in (actions.start_cin_plan, actions.start_assessment):
        with pytest.raises(ValidationError, match="This episode is closed"):
            start(actor=social_worker, referral_id=referral.pk, started_on=referral.referred_on)
    left_open = make_assessment(referral)
    with pytest.raises(ValidationError, match="This episode is closed"):
        actions.update_assessment(
            actor=social_worker,
            assessment_id=left_open.pk,
            expected_version=1,
            child_seen_on=None,
            seen_alone=None,
            factors=[],
            analysis="Too late",
            outcome="",
        )


def test_no_factors_identified_stands_alone(social_worker: User) -> None:
    referral = make_referral()
    assessment = make_assessment(referral)
    with pytest.raises(ValidationError) as raised:
        actions.update_assessment(
            actor=social_worker,
            assessment_id=assessment.pk,
            expected_version=1,
            child_seen_on=None,
            seen_alone=None,
            factors=["21", "3B"],
            analysis="",
            outcome="",
        )
    assert raised.value.message_dict["factors"] == [
        "“21 No factors identified” cannot be chosen with other factors: untick it or untick the others"
    ]
    with pytest.raises(ValidationError, match="Choose the factors from the list"):
        actions.update_assessment(
            actor=social_worker,
            assessment_id=assessment.pk,
            expected_version=1,
            child_seen_on=None,
            seen_alone=None,
            factors=["99Z"],
            analysis="",
            outcome="",
        )
    assessment.refresh_from_db()
    assert (assessment.factors, assessment.version) == ([], 1)


@travel(TODAY, tick=False)
def test_assessment_dates_in_the_wrong_order_are_refused(social_worker: User) -> None:
    referral = make_referral(referred_on=REFERRED)
    assessment = make_assessment(referral, started_on=D(2026, 11, 25))

    def update(**dates: datetime.date | None) -> dict[str, list[str]]:
        with pytest.raises(ValidationError) as raised:
            actions.update_assessment(
                actor=social_worker,
                assessment_id=assessment.pk,
                expected_version=1,
                seen_alone=None,
                factors=["16A"],
                analysis="",
                outcome="cin_plan",
                child_seen_on=dates.get("child_seen_on"),
                complete_on=dates.get("complete_on"),
            )
        return raised.value.message_dict

    assert update(child_seen_on=D(2026, 11, 24)) == {
        "child_seen_on": ["The child cannot have been seen for the assessment before it started"]
    }
    assert update(child_seen_on=D(2026, 12, 2)) == {
        "child_seen_on": ["The date the child was seen must be today or in the past"]
    }
    assert update(complete_on=D(2026, 11, 24)) == {
        "completed_on": ["The assessment cannot be completed before it started"]
    }
    assert update(child_seen_on=D(2026, 11, 30), complete_on=D(2026, 11, 27)) == {
        "completed_on": ["The assessment cannot be completed before the child was seen"]
    }
    assert update(complete_on=D(2026, 12, 5)) == {
        "completed_on": ["The date completed must be today or in the past"]
    }
    assessment.refresh_from_db()
    assert (assessment.completed_on, assessment.child_seen_on, assessment.version) == (None, None, 1)


def test_completing_needs_an_outcome_and_the_factors(social_worker: User) -> None:
    assessment = make_assessment(make_referral())
    with pytest.raises(ValidationError) as raised:
        actions.update_assessment(
            actor=social_worker,
            assessment_id=assessment.pk,
            expected_version=1,
            child_seen_on=None,
            seen_alone=None,
            factors=[],
            analysis="",
            outcome="",
            complete_on=assessment.started_on,
        )
    assert raised.value.message_dict == {
        "outcome": ["Choose the outcome before completing the assessment"],
        "factors": [
            "Choose the factors identified before completing the assessment, or “21 No factors identified”"
        ],
    }


def test_two_workers_saving_one_assessment_the_second_is_told(
    social_worker: User, team_manager: User
) -> None:
    assessment = make_assessment(make_referral())

    def save(actor: User, analysis: str) -> Assessment:
        return actions.update_assessment(
            actor=actor,
            assessment_id=assessment.pk,
            expected_version=1,
            child_seen_on=None,
            seen_alone=None,
            factors=["3B", "1B"],
            analysis=analysis,
            outcome="",
        )

    save(social_worker, "Mine")
    with pytest.raises(EditConflict, match="Someone else saved changes to this assessment"):
        save(team_manager, "Theirs")
    assessment.refresh_from_db()
    # The first save stands, factors kept in the DfE order.
    assert (assessment.analysis, assessment.factors, assessment.version) == ("Mine", ["1B", "3B"], 2)


def test_complete_then_authorised_by_a_manager(social_worker: User, team_manager: User) -> None:
    referral = make_referral(worker=social_worker)
    assessment = _completed(social_worker, referral, outcome="cin_plan", factors=["3B", "16A"])
    assert (assessment.completed_by, assessment.completed_on) == (social_worker, referral.referred_on)
    with pytest.raises(ValidationError, match="completed and can no longer change"):
        actions.update_assessment(
            actor=social_worker,
            assessment_id=assessment.pk,
            expected_version=assessment.version,
            child_seen_on=None,
            seen_alone=None,
            factors=[],
            analysis="",
            outcome="",
        )
    with pytest.raises(PermissionDenied):
        actions.authorise_assessment(actor=social_worker, assessment_id=assessment.pk)

    actions.authorise_assessment(actor=team_manager, assessment_id=assessment.pk)

    assessment.refresh_from_db()
    assert assessment.authorised_by == team_manager and assessment.authorised_at is not None
    assert _chronology(assessment) == [
        "Assessment started (due by " + f"{assessment.due_on:%d/%m/%Y})",
        "Child seen for the assessment, alone",
        "Assessment completed: Child in need plan (awaiting authorisation)",
        "Assessment authorised by Team Manager Persona: Child in need plan",
    ]
    entry = ChronologyEntry.objects.get(summary__startswith="Assessment authorised")
    assert entry.detail == "Factors: 3B Domestic abuse: a parent or carer; 16A Neglect"
    assert _logged("authorise_assessment", assessment).user == team_manager
    assert list(queries.assessments_awaiting_authorisation(team_manager)) == []
    with pytest.raises(ValidationError, match="already authorised"):
        actions.authorise_assessment(actor=another_manager(), assessment_id=assessment.pk)


def test_a_manager_cannot_authorise_an_assessment_they_completed(team_manager: User) -> None:
    assessment = _completed(team_manager, make_referral())
    assert list(queries.assessments_awaiting_authorisation(team_manager)) == [assessment]
    with pytest.raises(ValidationError) as raised:
        actions.authorise_assessment(actor=team_manager, assessment_id=assessment.pk)
    assert raised.value.messages == ["You completed this assessment: another manager must authorise it"]
    # The database refuses it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.filter(pk=assessment.pk).update(authorised_by=team_manager)
    actions.authorise_assessment(actor=another_manager(), assessment_id=assessment.pk)


def test_an_assessment_in_progress_cannot_be_authorised(team_manager: User) -> None:
    assessment = make_assessment(make_referral())
    with pytest.raises(ValidationError, match="must be completed before it can be authorised"):
        actions.authorise_assessment(actor=team_manager, assessment_id=assessment.pk)


def test_nobody_reaches_an_assessment_of_a_child_hidden_from_them(
    school_dsl: User, team_manager: User
) -> None:
    referral = make_referral()
    assessment = make_assessment(referral, completed_by=persona("social_worker"))
    with pytest.raises(PermissionDenied):
        actions.authorise_assessment(actor=school_dsl, assessment_id=assessment.pk)
    restrict(referral.person)
    with pytest.raises(Http404):
        actions.authorise_assessment(actor=team_manager, assessment_id=assessment.pk)
    assessment.refresh_from_db()
    assert assessment.authorised_at is None


def test_authorised_early_help_opens_early_help_and_suggests_rc9(
    social_worker: User, team_manager: User
) -> None:
    referral = make_referral(worker=social_worker)
    assessment = _completed(social_worker, referral, outcome="early_help")
    actions.authorise_assessment(actor=team_manager, assessment_id=assessment.pk)
    episode = EarlyHelpEpisode.objects.get(person=referral.person)
    assert (episode.lead_professional, episode.ended_on) == (None, None)
    assert _chronology(episode) == [
        "Early help offered after assessment: a lead professional is to be agreed"
    ]
    page = queries.episode_page(referral, today=timezone.localdate())
    assert page.suggested_closure_reason == "RC9"
    assert page.open_early_help == episode


def test_authorised_no_further_action_suggests_rc8(social_worker: User, team_manager: User) -> None:
    referral = make_referral(worker=social_worker)
    assessment = _completed(social_worker, referral, outcome="nfa")
    assert queries.episode_page(referral, today=timezone.localdate()).suggested_closure_reason == ""
    actions.authorise_assessment(actor=team_manager, assessment_id=assessment.pk)
    assert queries.episode_page(referral, today=timezone.localdate()).suggested_closure_reason == "RC8"
    assert not EarlyHelpEpisode.objects.exists()


@travel(datetime.datetime(2027, 2, 1, 9, tzinfo=LONDON), tick=False)
def test_overdue_and_late_assessments() -> None:
    referral = make_referral(referred_on=REFERRED)
    open_ = make_assessment(referral, due_on=D(2027, 1, 28))
    late = make_assessment(
        referral,
        due_on=D(2027, 1, 28),
        completed_on=D(2027, 1, 29),
        completed_by=persona("social_worker"),
        outcome="nfa",
    )
    on_time = make_assessment(referral, due_on=D(2027, 1, 28), completed_on=D(2027, 1, 28), outcome="nfa")
    today = D(2027, 2, 1)
    assert [queries.assessment_row(a, today=today).timeliness for a in (open_, late, on_time)] == [
        "Overdue",
        "Late",
        "",
    ]


# --- Child in need plans ---------------------------------------------------------------


@travel(datetime.datetime(2027, 3, 1, 9, tzinfo=LONDON), tick=False)
def test_a_child_in_need_plan_is_reviewed_every_3_months_and_ends(social_worker: User) -> None:
    referral = make_referral(referred_on=REFERRED)
    plan = actions.start_cin_plan(actor=social_worker, referral_id=referral.pk, started_on=D(2026, 11, 30))
    assert plan.next_review_due == D(2027, 2, 28)
    with pytest.raises(ValidationError, match="already open"):
        actions.start_cin_plan(actor=social_worker, referral_id=referral.pk, started_on=D(2026, 11, 30))

    review = actions.review_cin_plan(
        actor=social_worker,
        plan_id=plan.pk,
        expected_version=1,
        reviewed_on=D(2027, 2, 26),
        summary="School attendance up to 95%; mother engaging with the family support worker.",
    )
    plan.refresh_from_db()
    assert (review.recorded_by, plan.next_review_due, plan.version) == (social_worker, D(2027, 5, 26), 2)
    assert queries.cin_plan_row(plan, today=D(2027, 3, 1)).review_overdue is False

    with pytest.raises(EditConflict):
        actions.end_cin_plan(actor=social_worker, plan_id=plan.pk, expected_version=1, ended_on=D(2027, 3, 1))
    with pytest.raises(ValidationError) as raised:
        actions.end_cin_plan(
            actor=social_worker, plan_id=plan.pk, expected_version=2, ended_on=D(2026, 11, 29)
        )
    assert raised.value.message_dict == {"ended_on": ["The plan cannot end before it started"]}
    with pytest.raises(ValidationError, match="cannot end before its last review"):
        actions.end_cin_plan(actor=social_worker, plan_id=plan.pk, expected_version=2, ended_on=D(2027, 2, 1))

    actions.end_cin_plan(actor=social_worker, plan_id=plan.pk, expected_version=2, ended_on=D(2027, 3, 1))
    ended = ChildInNeedPlan.objects.get(pk=plan.pk)
    assert (ended.ended_on, ended.next_review_due, ended.version) == (D(2027, 3, 1), None, 3)
    assert _chronology(plan) == [
        "Child in need plan started (first review due by 28/02/2027)",
        "Child in need plan reviewed (next review due by 26/05/2027)",
        "Child in need plan ended",
    ]
    assert _logged("end_cin_plan", plan).user == social_worker


@travel(datetime.datetime(2027, 3, 1, 9, tzinfo=LONDON), tick=False)
def test_cin_plan_reviews_in_the_wrong_order_are_refused(social_worker: User) -> None:
    plan = make_cin_plan(make_referral(referred_on=REFERRED))
    with pytest.raises(ValidationError) as raised:
        actions.review_cin_plan(
            actor=social_worker, plan_id=plan.pk, expected_version=1, reviewed_on=D(2026, 11, 1), summary=""
        )
    assert raised.value.message_dict == {
        "reviewed_on": ["The review cannot be before the plan started"],
        "summary": ["Summarise the review: what has changed and what happens next"],
    }
    assert queries.cin_plan_row(plan, today=D(2027, 3, 1)).review_overdue  # due 21 February


# --- Early help ------------------------------------------------------------------------


def _health_visitor(person: Person) -> Practitioner:
    practitioner = Practitioner.objects.create(
        full_name="Grace Okafor",
        agency=make_agency("Riverford Health Visiting", "health_visiting"),
        role="partner_practitioner",
        job_title="Health visitor",
    )
    NamedProfessional.objects.create(person=person, practitioner=practitioner, involvement="Health visitor")
    return practitioner


@travel(TODAY, tick=False)
def test_early_help_with_a_lead_professional_from_any_agency(social_worker: User) -> None:
    person = make_person()
    visitor = _health_visitor(person)
    episode = actions.start_early_help(
        actor=social_worker, person_id=person.pk, started_on=D(2026, 11, 30), lead_professional_id=None
    )
    with pytest.raises(ValidationError, match="already has an open early help episode"):
        actions.start_early_help(
            actor=social_worker, person_id=person.pk, started_on=D(2026, 11, 30), lead_professional_id=None
        )
    actions.update_early_help(
        actor=social_worker,
        episode_id=episode.pk,
        expected_version=1,
        lead_professional_id=visitor.pk,
        assessment_completed_on=D(2026, 12, 1),
    )
    episode.refresh_from_db()
    assert (episode.lead_professional, episode.assessment_completed_on) == (visitor, D(2026, 12, 1))
    with pytest.raises(EditConflict):
        actions.end_early_help(
            actor=social_worker,
            episode_id=episode.pk,
            expected_version=1,
            ended_on=D(2026, 12, 1),
            end_reason="needs_met",
        )
    with pytest.raises(ValidationError) as raised:
        actions.end_early_help(
            actor=social_worker,
            episode_id=episode.pk,
            expected_version=2,
            ended_on=D(2026, 11, 29),
            end_reason="x",
        )
    assert raised.value.message_dict == {
        "ended_on": ["Early help cannot end before it started"],
        "end_reason": ["Choose why early help ended"],
    }
    actions.end_early_help(
        actor=social_worker,
        episode_id=episode.pk,
        expected_version=2,
        ended_on=D(2026, 12, 1),
        end_reason="needs_met",
    )
    assert _chronology(episode) == [
        "Early help started: lead professional to be agreed",
        "Lead professional for early help: Grace Okafor (Riverford Health Visiting)",
        "Early help assessment completed",
        "Early help ended: Needs met",
    ]
    assert _logged("update_early_help", episode).user == social_worker


@travel(TODAY, tick=False)
def test_early_help_dates_and_lead_are_checked(social_worker: User) -> None:
    episode = make_early_help(make_person(), started_on=D(2026, 11, 30))
    with pytest.raises(ValidationError) as raised:
        actions.update_early_help(
            actor=social_worker,
            episode_id=episode.pk,
            expected_version=1,
            lead_professional_id=999_999,
            assessment_completed_on=D(2026, 11, 1),
        )
    assert raised.value.message_dict == {
        "lead_professional": ["Choose the lead professional from the list"],
        "assessment_completed_on": [
            "The early help assessment cannot be completed before early help started"
        ],
    }


def test_lead_professionals_already_named_for_the_child_come_first() -> None:
    person = make_person()
    persona("gp")
    visitor = _health_visitor(person)
    groups = queries.lead_professional_choices(person.pk)
    assert groups[0] == (
        "Already working with this child",
        [(visitor.pk, "Grace Okafor, Health visitor (Riverford Health Visiting)")],
    )
    assert groups[1][0] == "All practitioners"
    assert any("Canal Street Surgery" in label for _, label in groups[1][1])


# --- Looked after ----------------------------------------------------------------------


@travel(TODAY, tick=False)
def test_looked_after_starts_and_ends_in_order(social_worker: User) -> None:
    referral = make_referral(referred_on=REFERRED)
    with pytest.raises(ValidationError) as raised:
        actions.start_looked_after(
            actor=social_worker,
            referral_id=referral.pk,
            started_on=D(2026, 11, 1),
            legal_status="ZZ",
            placement="",
        )
    assert raised.value.message_dict == {
        "started_on": ["The child cannot become looked after in this episode before the referral"],
        "legal_status": ["Choose the legal status"],
        "placement": ["Choose the placement"],
    }
    episode = actions.start_looked_after(
        actor=social_worker,
        referral_id=referral.pk,
        started_on=D(2026, 11, 27),
        legal_status="C1",
        placement="U4",
    )
    with pytest.raises(ValidationError, match="already looked after, since 27 November 2026"):
        actions.start_looked_after(
            actor=social_worker,
            referral_id=referral.pk,
            started_on=D(2026, 11, 28),
            legal_status="C1",
            placement="U4",
        )
    with pytest.raises(ValidationError) as wrong:
        actions.end_looked_after(
            actor=social_worker,
            episode_id=episode.pk,
            expected_version=1,
            ended_on=D(2026, 11, 26),
            reason_ended="Home",
        )
    assert wrong.value.message_dict == {"ended_on": ["The episode cannot end before it started"]}
    actions.end_looked_after(
        actor=social_worker,
        episode_id=episode.pk,
        expected_version=1,
        ended_on=D(2026, 12, 1),
        reason_ended="Returned home to mother",
    )
    with pytest.raises(ValidationError, match="already ended"):
        actions.end_looked_after(
            actor=social_worker,
            episode_id=episode.pk,
            expected_version=2,
            ended_on=D(2026, 12, 1),
            reason_ended="x",
        )
    assert _chronology(episode) == [
        "Became looked after: C1 Interim care order; U4 Foster placement with another carer, long-term",
        "Stopped being looked after: Returned home to mother",
    ]


# --- Closure ---------------------------------------------------------------------------


def _propose(
    actor: User,
    referral: Referral,
    *,
    closed_on: datetime.date | None = None,
    reason: str = "RC8",
    summary: str = "Assessment found no further action needed; family supported by the school.",
) -> Referral:
    return actions.propose_closure(
        actor=actor,
        referral_id=referral.pk,
        expected_version=referral.version,
        closed_on=closed_on or referral.referred_on,
        reason=reason,
        summary=summary,
    )


def test_an_episode_closes_only_when_another_manager_authorises(
    social_worker: User, team_manager: User
) -> None:
    referral = make_referral(worker=social_worker)
    _propose(social_worker, referral)
    referral.refresh_from_db()
    assert referral.closed_on is None and referral.allocated_worker == social_worker
    assert queries.closure_status(referral) == queries.ClosureStatus.AWAITING_AUTHORISATION
    assert list(queries.closures_awaiting_authorisation(team_manager)) == [referral]
    with pytest.raises(PermissionDenied):
        actions.authorise_closure(actor=social_worker, referral_id=referral.pk)

    actions.authorise_closure(actor=team_manager, referral_id=referral.pk)

    closed = Referral.objects.get(pk=referral.pk)
    assert (closed.closed_on, closed.closure_reason, closed.closure_authorised_by) == (
        referral.referred_on,
        "RC8",
        team_manager,
    )
    assert closed.allocated_worker is None
    assert Allocation.objects.get(referral=referral).ended_at is not None
    assert queries.closure_status(closed) == queries.ClosureStatus.CLOSED
    assert list(queries.closures_awaiting_authorisation(team_manager)) == []
    assert _chronology(referral)[-2:] == [
        "Closure proposed (RC8 Closed after assessment: no further action), awaiting authorisation",
        "Episode of need closed: RC8 Closed after assessment: no further action "
        "(authorised by Team Manager Persona)",
    ]
    assert _logged("authorise_closure", referral).user == team_manager
    assert _logged("propose_closure", referral).user == social_worker
    with pytest.raises(ValidationError, match="already closed"):
        actions.authorise_closure(actor=another_manager(), referral_id=referral.pk)


def test_a_manager_cannot_authorise_their_own_closure(team_manager: User) -> None:
    referral = _propose(team_manager, make_referral())
    with pytest.raises(ValidationError) as raised:
        actions.authorise_closure(actor=team_manager, referral_id=referral.pk)
    assert raised.value.messages == ["You proposed this closure: another manager must authorise it"]
    with pytest.raises(ValidationError, match="Nobody has proposed"):
        actions.authorise_closure(actor=team_manager, referral_id=make_referral().pk)
    actions.authorise_closure(actor=another_manager(), referral_id=referral.pk)


def test_closure_is_refused_while_plans_are_open(social_worker: User, team_manager: User) -> None:
    referral = make_referral()
    ChildProtectionPlan.objects.create(
        referral=referral,
        person=referral.person,
        started_on=referral.referred_on,
        initial_category="NEG",
        latest_category="NEG",
    )
    make_cin_plan(referral)
    make_looked_after(referral)
    with pytest.raises(ValidationError) as raised:
        _propose(social_worker, referral)
    assert raised.value.message_dict == {
        "closed_on": [
            "End the child protection plan before closing the episode",
            "End the child in need plan before closing the episode",
            "End the looked-after episode before closing the episode",
        ]
    }
    referral.refresh_from_db()
    assert (referral.closure_proposed_at, referral.version) == (None, 1)


def test_closure_refused_at_authorisation_if_a_plan_opened_since(
    social_worker: User, team_manager: User
) -> None:
    referral = _propose(social_worker, make_referral())
    make_cin_plan(referral)
    with pytest.raises(ValidationError, match="End the child in need plan before closing the episode"):
        actions.authorise_closure(actor=team_manager, referral_id=referral.pk)
    referral.refresh_from_db()
    assert referral.closed_on is None


@travel(TODAY, tick=False)
def test_closure_dates_and_reason_are_checked(social_worker: User) -> None:
    referral = make_referral(referred_on=REFERRED)
    with pytest.raises(ValidationError) as raised:
        _propose(social_worker, referral, closed_on=D(2026, 11, 22), reason="RC0", summary=" ")
    assert raised.value.message_dict == {
        "closed_on": ["The episode cannot close before the referral date"],
        "reason": ["Choose the reason for closing the episode"],
        "summary": ["Summarise why the episode is closing: the manager authorising it reads this"],
    }
    with pytest.raises(ValidationError, match="The closure date must be today or in the past"):
        _propose(social_worker, referral, closed_on=D(2026, 12, 2))


def test_two_workers_proposing_closure_the_second_is_told(social_worker: User, team_manager: User) -> None:
    referral = make_referral()
    _propose(social_worker, referral)
    with pytest.raises(EditConflict, match="Someone else saved changes to this episode"):
        _propose(team_manager, referral, reason="RC7")
    referral.refresh_from_db()
    assert (referral.closure_reason, referral.closure_proposed_by) == ("RC8", social_worker)


# --- Queries ---------------------------------------------------------------------------


def test_a_referral_within_12_months_of_another_is_a_re_referral() -> None:
    person = make_person()
    first = make_referral(person, referred_on=D(2025, 12, 1), closed_on=D(2026, 1, 5), closure_reason="RC8")
    second = make_referral(person, referred_on=D(2026, 11, 30))
    third = make_referral(person, referred_on=D(2028, 1, 1))
    other_child = make_referral(referred_on=D(2026, 12, 1))
    assert [queries.is_re_referral(r) for r in (first, second, third, other_child)] == [
        False,
        True,
        False,
        False,
    ]
    # 12 months to the day still counts; a day more does not.
    year_ago = make_person()
    make_referral(year_ago, referred_on=D(2025, 12, 1), closed_on=D(2025, 12, 1), closure_reason="RC8")
    assert queries.is_re_referral(make_referral(year_ago, referred_on=D(2026, 12, 1))) is True
    longer_ago = make_person()
    make_referral(longer_ago, referred_on=D(2025, 11, 30), closed_on=D(2025, 12, 1), closure_reason="RC8")
    assert queries.is_re_referral(make_referral(longer_ago, referred_on=D(2026, 12, 1))) is False


def test_sign_off_lists_show_only_children_the_user_may_see(
    social_worker: User, team_manager: User, school_dsl: User
) -> None:
    referral = make_referral()
    assessment = _completed(social_worker, referral)
    _propose(social_worker, make_referral())
    assert list(queries.assessments_awaiting_authorisation(team_manager)) == [assessment]
    assert queries.closures_awaiting_authorisation(team_manager).count() == 1
    assert not queries.assessments_awaiting_authorisation(school_dsl).exists()
    assert not queries.closures_awaiting_authorisation(school_dsl).exists()
