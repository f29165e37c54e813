"""Queries of case file audits: the query builder's criteria and the themes report."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jigsaw.casework.models import Assessment, LookedAfterEpisode
from jigsaw.quality.actions import audits as actions
from jigsaw.quality.queries import audits as queries
from jigsaw.quality.queries.audits import Criteria, default_questions
from jigsaw.quality.tests.audits_helpers import TODAY, assigned_case, child_on_plan, submitted_case
from tests.factories import persona

pytestmark = pytest.mark.django_db


def test_default_questions_are_created_once() -> None:
    first = default_questions()
    assert [q.theme for q in first] == [theme for theme, _ in queries.DEFAULT_QUESTIONS]
    assert default_questions() == first


def test_characteristics_choose_by_plan_category_factor_age_and_looked_after() -> None:
    neglected = child_on_plan(born=datetime.date(2016, 1, 1), category="NEG")
    child_on_plan(born=datetime.date(2016, 1, 1), category="PHY")
    by_category = queries.matching_cases(Criteria(kind="characteristics", on_date=TODAY, categories=("NEG",)))
    assert [p for p, _ in by_category] == [neglected.pk]

    referral = neglected.referrals.get()
    Assessment.objects.create(
        referral=referral,
        started_on=referral.referred_on,
        due_on=TODAY,
        factors=["3B", "16A"],
        started_by=persona("social_worker"),
    )
    assert [
        p
        for p, _ in queries.matching_cases(Criteria(kind="characteristics", on_date=TODAY, factors=("16A",)))
    ] == [neglected.pk]
    assert queries.matching_cases(Criteria(kind="characteristics", on_date=TODAY, factors=("6A",))) == []
    # Ten on the day: aged 9 to 11 matches both; 11 to 12 none.
    assert (
        len(queries.matching_cases(Criteria(kind="characteristics", on_date=TODAY, age_from=9, age_to=11)))
        == 2
    )
    assert (
        queries.matching_cases(Criteria(kind="characteristics", on_date=TODAY, age_from=11, age_to=12)) == []
    )
    LookedAfterEpisode.objects.create(
        person=neglected,
        referral=referral,
        started_on=TODAY - datetime.timedelta(days=5),
        legal_status="C2",
        placement="U1",
        recorded_by=persona("social_worker"),
    )
    assert [
        p
        for p, _ in queries.matching_cases(Criteria(kind="characteristics", on_date=TODAY, looked_after=True))
    ] == [neglected.pk]


def test_criteria_round_trip_through_json_and_describe_themselves() -> None:
    criteria = Criteria(kind="cp_plan", on_date=TODAY, under_age=5)
    assert Criteria.from_json(criteria.to_json()) == criteria
    assert criteria.describe() == "Children on a child protection plan aged under 5 on 2 March 2026"


def test_themes_report_counts_grades_before_and_after_moderation() -> None:
    case = submitted_case("good")
    questions = default_questions()
    decisions = {q.pk: actions.Moderation("good") for q in questions}
    decisions[questions[0].pk] = actions.Moderation("inadequate", "No direct work with the child")
    actions.moderate_audit(
        actor=persona("team_manager"),
        case_id=case.pk,
        expected_version=case.version,
        decisions=decisions,
        overall=actions.Moderation("requires_improvement", "Voice of the child missing"),
    )
    actions.record_finding(
        actor=persona("team_manager"),
        case_id=case.pk,
        theme_id=questions[0].pk,
        text="Direct work with the child is not recorded",
    )

    with CaptureQueriesContext(connection) as queries_run:
        report = queries.themes_report()
    assert len(queries_run) <= 5
    assert (report.audits, report.moderated) == (1, 1)
    assert report.overall.before["good"] == 1 and report.overall.after["requires_improvement"] == 1
    assert report.overall.changed == 1
    voice = report.questions[0]
    assert voice.label == "The child's voice"
    assert (voice.before["good"], voice.after["inadequate"], voice.changed, voice.moderated) == (1, 1, 1, 1)
    assert report.questions[1].changed == 0
    assert report.findings == [("The child's voice", ["Direct work with the child is not recorded"])]
    rows = queries.themes_csv_rows(report)
    assert ["The child's voice", "Inadequate", 0, 1, 1, 1] in rows


def test_themes_report_of_another_programme_is_empty() -> None:
    submitted_case()
    assert queries.themes_report([0]).audits == 0


def test_the_programme_list_costs_one_query_whatever_its_size() -> None:
    submitted_case()
    with CaptureQueriesContext(connection) as run:
        rows = list(queries.programmes())
    assert len(run) == 1
    # The counts are annotations (read through vars: the type checker knows only fields).
    assert [(vars(r)["total"], vars(r)["submitted"], vars(r)["done"]) for r in rows] == [(1, 1, 0)]


def test_a_restricted_childs_audit_opens_only_for_those_named_on_the_restriction() -> None:
    from jigsaw.access.policy import audit_cases_visible_to
    from tests.factories import restrict

    manager, member = persona("team_manager"), persona("partnership_member")
    case = assigned_case()
    assert audit_cases_visible_to(member).filter(pk=case.pk).exists()
    assert audit_cases_visible_to(persona("conference_chair")).filter(pk=case.pk).exists()
    restriction = restrict(case.person)
    restriction.permitted_users.add(manager)
    assert list(audit_cases_visible_to(member)) == []
    assert list(audit_cases_visible_to(persona("conference_chair"))) == []  # its auditor
    assert list(audit_cases_visible_to(manager)) == [case]
    assert list(queries.cases_of(case.programme, member)) == []
