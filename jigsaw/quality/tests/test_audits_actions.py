"""Actions of case file audits: choosing cases, assigning, the audit form, moderation,
findings and their actions, agencies' parts; each refused and conflicting case, and the
access-log row each writes."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from jigsaw.access.models import AccessLogEntry
from jigsaw.access.policy import audit_cases_visible_to, audit_parts_visible_to
from jigsaw.casework.actions.common import EditConflict
from jigsaw.quality.actions import audits as actions
from jigsaw.quality.models.audits import AuditAction, AuditCase, AuditStatus, PartStatus
from jigsaw.quality.queries.audits import Criteria, default_questions
from jigsaw.quality.tests.audits_helpers import (
    TODAY,
    all_good,
    assigned_case,
    child_on_plan,
    closed_referral,
    programme,
    submitted_case,
    under_fives,
)
from tests.factories import persona

pytestmark = pytest.mark.django_db


def _last_log(action: str) -> AccessLogEntry:
    return AccessLogEntry.objects.filter(action=action).latest("pk")


def test_only_managers_of_audits_create_programmes() -> None:
    with pytest.raises(PermissionDenied):
        actions.create_programme(
            actor=persona("social_worker"),
            title="T",
            purpose="P",
            period_start=TODAY,
            period_end=TODAY,
        )
    with pytest.raises(ValidationError) as error:
        actions.create_programme(
            actor=persona("partnership_member"),
            title=" ",
            purpose="P",
            period_start=TODAY,
            period_end=TODAY - datetime.timedelta(days=1),
        )
    assert error.value.message_dict == {
        "title": ["Enter the programme's title"],
        "period_end": ["The end of the period must be the same as or after its start"],
    }


def test_criteria_freeze_the_under_fives_on_a_plan_into_the_programme() -> None:
    young = child_on_plan(born=datetime.date(2022, 1, 1))
    child_on_plan(born=datetime.date(2019, 1, 1))  # seven: not chosen
    prog = programme()

    added = actions.add_cases_by_criteria(
        actor=persona("team_manager"), programme_id=prog.pk, criteria=under_fives(), expected_version=1
    )

    assert added == 1
    case = AuditCase.objects.get()
    assert case.referral is not None
    assert (case.person, case.status, case.referral.person) == (young, AuditStatus.NOT_STARTED, young)
    prog.refresh_from_db()
    assert prog.version == 2
    assert prog.criteria[0]["kind"] == "cp_plan" and prog.criteria[0]["under_age"] == 5
    assert prog.criteria[0]["added"] == 1
    log = _last_log("add_audit_cases")
    assert log.user == persona("team_manager")
    assert log.record_id == str(prog.pk)
    assert log.detail["matched"] == 1
    assert f"people.person:{young.pk}" in log.detail["subjects"]


def test_adding_the_same_criteria_again_adds_nobody_twice_and_a_stale_form_is_refused() -> None:
    child_on_plan(born=datetime.date(2022, 1, 1))
    prog = programme()
    manager = persona("team_manager")
    actions.add_cases_by_criteria(
        actor=manager, programme_id=prog.pk, criteria=under_fives(), expected_version=1
    )

    with pytest.raises(EditConflict):
        actions.add_cases_by_criteria(
            actor=manager, programme_id=prog.pk, criteria=under_fives(), expected_version=1
        )
    assert (
        actions.add_cases_by_criteria(
            actor=manager, programme_id=prog.pk, criteria=under_fives(), expected_version=2
        )
        == 0
    )
    assert AuditCase.objects.count() == 1


def test_a_sample_of_closed_referrals_is_seeded_recorded_and_repeatable() -> None:
    for day in range(1, 11):
        closed_referral(datetime.date(2026, 1, day))
    closed_referral(datetime.date(2025, 6, 1))  # outside the period
    criteria = Criteria(
        kind="closed_referrals",
        closed_from=datetime.date(2026, 1, 1),
        closed_to=datetime.date(2026, 1, 31),
        sample_size=4,
    )
    prog = programme()

    actions.add_cases_by_criteria(
        actor=persona("team_manager"), programme_id=prog.pk, criteria=criteria, expected_version=1
    )

    prog.refresh_from_db()
    seed = prog.criteria[0]["seed"]
    chosen = set(prog.cases.values_list("person_id", flat=True))
    assert len(chosen) == 4
    again = programme()
    actions.add_cases_by_criteria(
        actor=persona("team_manager"),
        programme_id=again.pk,
        criteria=Criteria.from_json(prog.criteria[0]),
        expected_version=1,
    )
    assert set(again.cases.values_list("person_id", flat=True)) == chosen
    again.refresh_from_db()
    assert again.criteria[0]["seed"] == seed


def test_criteria_with_no_match_or_missing_dates_are_refused_in_words() -> None:
    prog = programme()
    with pytest.raises(ValidationError) as error:
        actions.add_cases_by_criteria(
            actor=persona("team_manager"),
            programme_id=prog.pk,
            criteria=Criteria(kind="cp_plan"),
            expected_version=1,
        )
    assert error.value.message_dict == {"on_date": ["Enter the date the children must be open on"]}
    with pytest.raises(ValidationError) as error:
        actions.add_cases_by_criteria(
            actor=persona("team_manager"), programme_id=prog.pk, criteria=under_fives(), expected_version=1
        )
    assert error.value.message_dict == {"kind": ["No cases match these criteria: nothing was added"]}
    assert not AuditCase.objects.exists()


def test_the_moderator_must_not_be_the_auditor() -> None:
    case = assigned_case()
    with pytest.raises(ValidationError) as error:
        actions.assign_case(
            actor=persona("team_manager"),
            case_id=case.pk,
            expected_version=case.version,
            auditor_id=persona("conference_chair").pk,
            moderator_id=persona("conference_chair").pk,
        )
    assert error.value.message_dict == {
        "moderator": ["The moderator must be a different person from the auditor"]
    }
    log = _last_log("assign_audit")
    assert log.detail["auditor"] == persona("conference_chair").pk


def test_a_partner_cannot_audit_and_agencies_are_only_asked_in_a_multi_agency_programme() -> None:
    case = assigned_case()
    with pytest.raises(ValidationError) as error:
        actions.assign_case(
            actor=persona("team_manager"),
            case_id=case.pk,
            expected_version=case.version,
            auditor_id=persona("gp").pk,
            moderator_id=persona("team_manager").pk,
            agency_practitioner_ids=(persona("school_dsl").pk,),
        )
    assert error.value.message_dict == {
        "auditor": ["Choose the auditor from the list"],
        "agency_practitioners": ["Only a multi-agency programme asks agencies for their part"],
    }


def test_the_auditor_saves_a_draft_then_submits_and_a_stale_form_is_refused() -> None:
    case = assigned_case()
    chair = persona("conference_chair")
    first = default_questions()[0]

    draft = actions.save_audit(
        actor=chair,
        case_id=case.pk,
        expected_version=case.version,
        answers={first.pk: actions.Answer("good", "Seen alone at every visit")},
        overall_grade="",
        summary="",
        submit=False,
    )
    assert draft.status == AuditStatus.DRAFT
    assert _last_log("save_audit_draft").record_id == str(case.pk)

    with pytest.raises(EditConflict):
        actions.save_audit(
            actor=chair,
            case_id=case.pk,
            expected_version=case.version,
            answers=all_good(),
            overall_grade="good",
            summary="S",
            submit=True,
        )
    with pytest.raises(ValidationError) as error:
        actions.save_audit(
            actor=chair,
            case_id=case.pk,
            expected_version=draft.version,
            answers={},
            overall_grade="",
            summary="",
            submit=True,
        )
    assert error.value.message_dict[f"grade_{first.pk}"] == ["Choose a grade for the child's voice"]
    assert error.value.message_dict["overall_grade"] == ["Choose the overall grade"]

    done = actions.save_audit(
        actor=chair,
        case_id=case.pk,
        expected_version=draft.version,
        answers=all_good(),
        overall_grade="good",
        summary="Clear plan",
        submit=True,
    )
    assert done.status == AuditStatus.SUBMITTED and done.submitted_at is not None
    log = _last_log("submit_audit")
    assert (log.user, log.record_type, log.detail["overall_grade"]) == (chair, "quality.auditcase", "good")
    assert f"people.person:{case.person_id}" in log.detail["subjects"]


def test_only_the_auditor_completes_the_audit() -> None:
    case = assigned_case()
    with pytest.raises(PermissionDenied):
        actions.save_audit(
            actor=persona("team_manager"),
            case_id=case.pk,
            expected_version=case.version,
            answers=all_good(),
            overall_grade="good",
            summary="S",
            submit=True,
        )
    with pytest.raises(Http404):
        actions.save_audit(
            actor=persona("social_worker"),
            case_id=case.pk,
            expected_version=case.version,
            answers=all_good(),
            overall_grade="good",
            summary="S",
            submit=True,
        )


def test_moderation_changes_a_grade_only_with_a_reason_and_is_the_grade_reported() -> None:
    case = submitted_case("good")
    manager = persona("team_manager")
    questions = default_questions()
    decisions = {q.pk: actions.Moderation("good") for q in questions}
    decisions[questions[0].pk] = actions.Moderation("requires_improvement")

    with pytest.raises(ValidationError) as error:
        actions.moderate_audit(
            actor=manager,
            case_id=case.pk,
            expected_version=case.version,
            decisions=decisions,
            overall=actions.Moderation("good"),
        )
    assert error.value.message_dict == {
        f"reason_{questions[0].pk}": ["Say why you changed the grade for the child's voice"]
    }

    decisions[questions[0].pk] = actions.Moderation(
        "requires_improvement", "The child's views are not recorded"
    )
    moderated = actions.moderate_audit(
        actor=manager,
        case_id=case.pk,
        expected_version=case.version,
        decisions=decisions,
        overall=actions.Moderation("requires_improvement", "The voice of the child is missing"),
    )
    assert moderated.status == AuditStatus.MODERATED
    assert moderated.reported_grade == "requires_improvement"
    log = _last_log("moderate_audit")
    assert log.detail["grades_changed"] == 1 and log.detail["was"] == "good"
    with pytest.raises(EditConflict):
        actions.moderate_audit(
            actor=manager,
            case_id=case.pk,
            expected_version=case.version,
            decisions=decisions,
            overall=actions.Moderation("good"),
        )


def test_the_auditor_cannot_moderate_their_own_audit() -> None:
    case = submitted_case()
    with pytest.raises(PermissionDenied):
        actions.moderate_audit(
            actor=persona("conference_chair"),
            case_id=case.pk,
            expected_version=case.version,
            decisions={},
            overall=actions.Moderation("good"),
        )


def test_a_finding_gives_the_worker_and_manager_an_action_they_mark_done() -> None:
    case = submitted_case()
    theme = default_questions()[0]
    due = timezone.localdate() + datetime.timedelta(days=14)

    finding = actions.record_finding(
        actor=persona("conference_chair"),
        case_id=case.pk,
        theme_id=theme.pk,
        text="The child's wishes are not recorded after visits.",
        action="Record the child's views at each visit",
        due_on=due,
        for_worker=True,
        for_manager=True,
    )

    owners = {a.owner_is: a.owner for a in finding.actions.all()}
    assert owners == {"worker": persona("social_worker"), "manager": persona("team_manager")}
    log = _last_log("record_audit_finding")
    assert log.detail["theme"] == "The child's voice" and len(log.detail["actions"]) == 2
    action = AuditAction.objects.get(owner_is="worker")
    with pytest.raises(Http404):
        actions.complete_action(actor=persona("gp"), action_id=action.pk, expected_version=1, note="x")
    with pytest.raises(ValidationError):
        actions.complete_action(
            actor=persona("social_worker"), action_id=action.pk, expected_version=1, note=" "
        )
    done = actions.complete_action(
        actor=persona("social_worker"),
        action_id=action.pk,
        expected_version=1,
        note="Views recorded at two visits",
    )
    assert done.done_by == persona("social_worker") and done.version == 2
    assert _last_log("complete_audit_action").record_id == str(action.pk)
    with pytest.raises(EditConflict):
        actions.complete_action(
            actor=persona("social_worker"), action_id=action.pk, expected_version=1, note="Again"
        )


def test_a_finding_needs_a_due_date_for_its_action_and_only_the_auditor_or_moderator_records_one() -> None:
    case = submitted_case()
    theme = default_questions()[0]
    with pytest.raises(ValidationError) as error:
        actions.record_finding(
            actor=persona("conference_chair"),
            case_id=case.pk,
            theme_id=theme.pk,
            text="Gap",
            action="Do it",
            for_worker=True,
        )
    assert error.value.message_dict == {"due_on": ["Enter the date the action is due"]}
    with pytest.raises(Http404):
        actions.record_finding(
            actor=persona("front_door_officer"), case_id=case.pk, theme_id=theme.pk, text="Gap"
        )


def test_an_agency_answers_only_its_own_part_of_a_multi_agency_audit() -> None:
    case = assigned_case(multi_agency=True)
    part = case.parts.get()
    dsl = persona("school_dsl")
    assert part.practitioner == dsl and part.agency == dsl.practitioner.agency
    # The partner opens their agency's part, not the whole audit.
    assert list(audit_cases_visible_to(dsl)) == []
    assert list(audit_parts_visible_to(dsl)) == [part]
    assert list(audit_parts_visible_to(persona("gp"))) == []
    assert list(audit_parts_visible_to(persona("conference_chair"))) == [part]

    with pytest.raises(Http404):
        actions.save_agency_part(
            actor=persona("gp"),
            part_id=part.pk,
            expected_version=1,
            answers=all_good(),
            overall_grade="good",
            summary="S",
            submit=True,
        )
    done = actions.save_agency_part(
        actor=dsl,
        part_id=part.pk,
        expected_version=1,
        answers=all_good("requires_improvement"),
        overall_grade="requires_improvement",
        summary="We did not share attendance worries",
        submit=True,
    )
    assert done.status == PartStatus.SUBMITTED
    assert _last_log("submit_agency_audit_part").detail["agency"] == dsl.practitioner.agency_id
    with pytest.raises(ValidationError):
        actions.save_agency_part(
            actor=dsl,
            part_id=part.pk,
            expected_version=done.version,
            answers=all_good(),
            overall_grade="good",
            summary="S",
            submit=True,
        )
