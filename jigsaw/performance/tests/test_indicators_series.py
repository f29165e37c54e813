"""series() answers the per-month indicators from one grouped query and agrees with
compute() month by month; the catalogue is complete and well formed."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jigsaw.performance.indicators import CATALOGUE, series, target_for
from jigsaw.performance.indicators.base import Direction, Scope, Unit, months_ending, with_filters
from jigsaw.performance.indicators.series import has_monthly
from jigsaw.performance.models import IndicatorTarget
from jigsaw.performance.tests.indicator_helpers import at
from tests.casework_factories import make_contact, make_referral
from tests.episode_factories import make_early_help
from tests.factories import make_person, persona
from tests.worklist_factories import make_assessment, make_section47, other_team

pytestmark = pytest.mark.django_db

D = datetime.date
ISSUE_LIST = {
    "contacts",
    "referrals",
    "re_referrals",
    "decisions_in_time",
    "assessments_in_time",
    "section47s",
    "initial_conferences_in_time",
    "children_on_plans",
    "plans_two_years",
    "second_plans",
    "plans_reviewed_on_time",
    "visits_in_time",
    "unallocated",
    "caseload_per_worker",
    "supervision_up_to_date",
    "agency_staff_rate",
    "vacancy_rate",
    "sickness_days",
    "turnover_rate",
    "conference_attendance",
    "escalations_raised",
    "escalation_resolution_days",
    "early_help_episodes",
    "early_help_lead_professionals",
    "training_takeup",
}


def test_every_indicator_the_issue_lists_is_defined_with_its_rule() -> None:
    assert set(CATALOGUE) >= ISSUE_LIST
    for indicator in CATALOGUE.values():
        assert indicator.name and indicator.definition and indicator.numerator and indicator.rule
        assert (indicator.denominator == "") == (
            indicator.unit is Unit.COUNT and indicator.key != "unallocated"
        )
        assert isinstance(indicator.direction, Direction)
        # A comparator is a published figure, always with its year.
        assert (indicator.comparator is None) == (indicator.comparator_label == "")
    groups = [i.group for i in CATALOGUE.values()]
    assert groups == sorted(groups, key=list(type(groups[0])).index)


def test_the_authoritys_own_target_overrides_the_catalogues() -> None:
    indicator = CATALOGUE["assessments_in_time"]
    assert target_for(indicator) is indicator.target
    IndicatorTarget.objects.create(indicator="assessments_in_time", target=90, reason="Agreed by the board")
    assert target_for(indicator) == 90


def _a_year_of_front_door_work() -> None:
    team_b = other_team()
    for n in range(14):
        day = D(2024, 3, 1) + datetime.timedelta(days=29 * n)
        person = make_person()
        decided = (
            {"decided_at": at(day, 12), "decision": "nfa", "decided_by": persona("team_manager")}
            if n % 2
            else {}
        )
        make_contact(
            person, received_at=at(day), source=("2A", "6", "3A")[n % 3], decision_due=day, **decided
        )
        referral = make_referral(
            person, referred_on=day, source=("2A", "6")[n % 2], team=team_b if n % 4 == 0 else None
        )
        if n % 2:
            make_referral(person, referred_on=day + datetime.timedelta(days=40))  # a re-referral next month
        make_assessment(
            referral,
            due_on=day + datetime.timedelta(days=60),
            completed_on=day + datetime.timedelta(days=20 + 25 * (n % 3)),
        )
        make_section47(
            referral, conference_due_on=day + datetime.timedelta(days=21), outcome=("conference", "")[n % 2]
        )
        make_early_help(make_person(), started_on=day, lead_professional=None)


@pytest.mark.parametrize(
    "key",
    [
        "contacts",
        "referrals",
        "re_referrals",
        "decisions_in_time",
        "assessments_in_time",
        "section47s",
        "early_help_episodes",
        "escalations_raised",
    ],
)
def test_series_agrees_with_compute_month_by_month_in_one_query(key: str) -> None:
    _a_year_of_front_door_work()
    indicator = CATALOGUE[key]
    assert has_monthly(indicator)
    periods = months_ending(D(2025, 3, 20), 12)  # the last month ends part-way through
    for filters in ({"team_id": None}, {"team_id": persona("team_manager").practitioner.team_id}):
        scoped = with_filters(periods, team_id=filters["team_id"], agency_id=None)
        if filters["team_id"] is not None and "team" not in indicator.scopes:
            continue
        with CaptureQueriesContext(connection) as queries:
            grouped = series(indicator, scoped)
        assert len(queries) <= 2
        assert grouped == [indicator.compute(p) for p in scoped]
    assert any(f.numerator for f in series(indicator, periods)) or key == "escalations_raised"


def test_series_falls_back_to_compute_for_periods_that_are_not_months() -> None:
    _a_year_of_front_door_work()
    quarters = [Scope(D(2024, 4, 1), D(2024, 6, 30)), Scope(D(2024, 7, 1), D(2024, 9, 30))]
    indicator = CATALOGUE["referrals"]
    assert series(indicator, quarters) == [indicator.compute(q) for q in quarters]
    snapshot = CATALOGUE["children_on_plans"]
    months = months_ending(D(2025, 3, 31), 3)
    assert series(snapshot, months) == [snapshot.compute(m) for m in months]


def test_the_demo_population_makes_the_rates_per_10000_available() -> None:
    from jigsaw.core.demo_performance import delete_child_population, write_child_population
    from jigsaw.performance.models import ChildPopulation

    assert write_child_population(children=20_000, today=D(2026, 5, 1)) == 3
    assert dict(ChildPopulation.objects.values_list("year", "children")) == {
        2024: 19_841,
        2025: 19_920,
        2026: 20_000,
    }
    assert write_child_population(children=0, today=D(2026, 5, 1)) == 0
    delete_child_population()
    assert not ChildPopulation.objects.exists()
