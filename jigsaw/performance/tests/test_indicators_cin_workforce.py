"""Children in need, visits, allocation and the workforce indicators, on hand-built data."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jigsaw.casework.models import Allocation, Referral, Visit
from jigsaw.performance.indicators import CATALOGUE, Scope
from jigsaw.performance.indicators.common import shared_work
from jigsaw.performance.models import ChildPopulation
from jigsaw.performance.tests.indicator_helpers import assert_series_agrees, at, month, records_of
from jigsaw.quality.models.supervision import CaseSupervision
from jigsaw.workforce.models import Absence, Appointment, Post
from tests.casework_factories import make_referral
from tests.factories import persona
from tests.worklist_factories import make_cp_plan, make_worker, other_team

pytestmark = pytest.mark.django_db

D = datetime.date
MARCH = month(2025, 3)


def _allocate(referral_worker: tuple[Referral, User], on: datetime.date) -> None:
    referral, worker = referral_worker
    Allocation.objects.create(
        referral=referral, worker=worker, allocated_by=persona("team_manager"), allocated_at=at(on)
    )


def test_children_in_need_and_unallocated_episodes_at_the_end_of_the_period() -> None:
    ChildPopulation.objects.create(year=2025, children=10_000, source="test")
    worker = make_worker()
    held = make_referral(referred_on=D(2025, 2, 3))
    _allocate((held, worker), D(2025, 2, 4))
    waiting = make_referral(referred_on=D(2025, 3, 10))
    _allocate((waiting, worker), D(2025, 4, 2))  # allocated only after the period
    make_referral(
        referred_on=D(2025, 1, 6), closed_on=D(2025, 3, 31), closure_reason="RC7"
    )  # closed on the day

    children = CATALOGUE["children_in_need"].compute(MARCH)
    unallocated = CATALOGUE["unallocated"].compute(MARCH)

    assert (children.numerator, children.value) == (Decimal(2), Decimal("2.0"))
    assert (unallocated.numerator, unallocated.denominator) == (Decimal(1), Decimal(2))
    assert list(records_of("unallocated", MARCH).values_list("pk", flat=True)) == [waiting.pk]

    # The dashboard's trend (the grouped monthly form) agrees with compute() month by month.
    assert_series_agrees(
        "children_in_need", D(2025, 6, 15), team_id=persona("team_manager").practitioner.team_id
    )
    assert_series_agrees("unallocated", D(2025, 6, 15), team_id=persona("team_manager").practitioner.team_id)


def test_visits_within_10_working_days_restart_only_when_the_child_is_seen_and_skip_bank_holidays() -> None:
    referral = make_referral(referred_on=D(2025, 2, 3))
    plan = make_cp_plan(referral, started_on=D(2025, 3, 3))
    worker = persona("social_worker")

    def visit(on: datetime.date, seen: bool = True) -> None:
        Visit.objects.create(referral=referral, plan=plan, visited_on=on, child_seen=seen, visited_by=worker)

    visit(D(2025, 3, 14))  # 9 working days after the plan began: in time
    visit(D(2025, 3, 20), seen=False)  # not seen: not counted, and the clock runs on
    visit(D(2025, 3, 31))  # due 28 March (10 working days after the 14th): late
    visit(D(2025, 4, 11))
    visit(D(2025, 4, 29))  # 10 working days after 11 April, Good Friday and Easter Monday out

    march = CATALOGUE["visits_in_time"].compute(MARCH)
    april = CATALOGUE["visits_in_time"].compute(month(2025, 4))

    assert (march.numerator, march.denominator) == (Decimal(1), Decimal(2))
    assert (april.numerator, april.denominator) == (Decimal(2), Decimal(2))

    # The dashboard's trend (the grouped monthly form) agrees with compute() month by month;
    # the policy and its visit interval are read first (two small queries), then the range's
    # visits and each plan's last visit before the range.
    assert_series_agrees(
        "visits_in_time", D(2025, 6, 15), team_id=persona("team_manager").practitioner.team_id, max_queries=4
    )


def test_visits_on_the_same_day_run_from_the_day_before_and_another_teams_visit_restarts_the_clock() -> None:
    team_id = persona("team_manager").practitioner.team_id
    referral = make_referral(referred_on=D(2025, 1, 6))
    elsewhere = make_referral(referred_on=D(2025, 1, 6), team=other_team())
    plan = make_cp_plan(referral, started_on=D(2025, 1, 13))
    worker = persona("social_worker")

    def visit(on: datetime.date, by: Referral = referral) -> Visit:
        return Visit.objects.create(referral=by, plan=plan, visited_on=on, child_seen=True, visited_by=worker)

    visit(D(2025, 2, 20))  # before the period: the clock for the first of March's visits
    first = visit(D(2025, 3, 6))  # 10 working days after 20 February: in time
    second = visit(D(2025, 3, 6))  # the same day: also from 20 February, not from itself
    visit(D(2025, 3, 18), by=elsewhere)  # another team's visit: not counted, restarts the clock
    last = visit(D(2025, 3, 28))  # 8 working days after the 18th; 16 after the 6th

    for_team = Scope(MARCH.start, MARCH.end, team_id=team_id)
    figure = CATALOGUE["visits_in_time"].compute(for_team)
    assert (figure.numerator, figure.denominator) == (Decimal(3), Decimal(3))
    assert set(records_of("visits_in_time", for_team).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
        last.pk,
    }
    whole = CATALOGUE["visits_in_time"].compute(MARCH)
    assert (whole.numerator, whole.denominator) == (Decimal(4), Decimal(4))

    # Within one page the year's visits are worked out once and answer March from them.
    year = Scope(D(2024, 4, 1), D(2025, 3, 31), team_id=team_id)
    with shared_work(), CaptureQueriesContext(connection) as queries:
        CATALOGUE["visits_in_time"].compute(year)
        asked = len(queries)
        again = CATALOGUE["visits_in_time"].compute(for_team)
        records = set(records_of("visits_in_time", for_team).values_list("pk", flat=True))
    assert again == figure
    assert records == {first.pk, second.pk, last.pk}
    assert len(queries) == asked + 1  # the records' own query alone

    # And the whole authority's visits answer a team's (the analyst's figures by team).
    with shared_work(), CaptureQueriesContext(connection) as queries:
        CATALOGUE["visits_in_time"].compute(Scope(D(2024, 4, 1), D(2025, 3, 31)))
        asked = len(queries)
        by_team = CATALOGUE["visits_in_time"].compute(for_team)
    assert by_team == figure and len(queries) == asked


def test_caseload_per_worker_counts_the_cases_held_at_the_end_by_the_workers_team() -> None:
    first, second = make_worker(), make_worker()
    away = make_worker(team=other_team())
    for worker, cases in ((first, 3), (second, 1), (away, 2)):
        for _ in range(cases):
            _allocate((make_referral(referred_on=D(2025, 1, 6)), worker), D(2025, 1, 7))
    make_referral(referred_on=D(2025, 1, 6))  # unallocated: in no caseload

    whole = CATALOGUE["caseload_per_worker"].compute(MARCH)
    team = CATALOGUE["caseload_per_worker"].compute(month(2025, 3, team_id=first.practitioner.team_id))

    assert (whole.numerator, whole.denominator, whole.value) == (Decimal(6), Decimal(3), Decimal("2.00"))
    assert (team.numerator, team.denominator, team.value) == (Decimal(4), Decimal(2), Decimal("2.00"))

    # The dashboard's trend (the grouped monthly form) agrees with compute() month by month.
    assert_series_agrees(
        "caseload_per_worker", D(2025, 6, 15), team_id=persona("team_manager").practitioner.team_id
    )


def test_supervision_up_to_date_is_the_supervision_pages_count() -> None:
    worker = make_worker()
    today = timezone.localdate()
    long_ago = today - datetime.timedelta(days=120)
    supervised = make_referral(referred_on=long_ago, worker=worker)
    make_referral(referred_on=long_ago, worker=worker)
    Allocation.objects.update(allocated_at=at(long_ago))
    CaseSupervision.objects.create(
        person=supervised.person,
        supervised_on=today - datetime.timedelta(days=3),
        supervisor=persona("team_manager"),
        worker=worker,
        discussion="Progress of the plan",
        decisions="Continue",
        recorded_at=timezone.now(),
    )

    figure = CATALOGUE["supervision_up_to_date"].compute(month(today.year, today.month))

    assert (figure.numerator, figure.denominator, figure.value) == (Decimal(1), Decimal(2), Decimal("50.0"))


def test_agency_staff_vacancies_sickness_and_turnover_come_from_the_workforce_figures() -> None:
    team = persona("team_manager").practitioner.team
    assert team is not None
    posts = [
        Post.objects.create(
            team=team,
            title=f"Social worker {n}",
            kind="qualified_social_worker",
            fte=Decimal("1.00"),
            established_on=D(2024, 1, 1),
        )
        for n in range(4)
    ]
    permanent, agency, leaver = make_worker(), make_worker(), make_worker()
    Appointment.objects.create(
        post=posts[0],
        practitioner=permanent.practitioner,
        contract="permanent",
        fte=Decimal("1.00"),
        started_on=D(2024, 1, 1),
    )
    Appointment.objects.create(
        post=posts[1],
        practitioner=agency.practitioner,
        contract="agency",
        fte=Decimal("1.00"),
        started_on=D(2024, 1, 1),
    )
    Appointment.objects.create(
        post=posts[2],
        practitioner=leaver.practitioner,
        contract="permanent",
        fte=Decimal("1.00"),
        started_on=D(2024, 1, 1),
        ended_on=D(2025, 3, 14),
        leaving_reason="resigned",
    )
    Absence.objects.create(
        practitioner=permanent.practitioner,
        kind="sickness",
        first_day=D(2025, 3, 10),
        last_day=D(2025, 3, 12),
        working_days=Decimal("3.0"),
        recorded_by=persona("team_manager"),
        recorded_at=timezone.now(),
    )

    agency_rate = CATALOGUE["agency_staff_rate"].compute(MARCH)
    vacancy = CATALOGUE["vacancy_rate"].compute(MARCH)
    turnover = CATALOGUE["turnover_rate"].compute(MARCH)
    sickness = CATALOGUE["sickness_days"].compute(MARCH)

    # On 31 March: the permanent and the agency worker in post (2 FTE, 1 agency); 4 posts
    # established, 1 filled by an employee; 1 permanent leaver over 1 permanent in post.
    assert (agency_rate.numerator, agency_rate.denominator, agency_rate.value) == (
        Decimal(1),
        Decimal(2),
        Decimal("50.0"),
    )
    assert (vacancy.numerator, vacancy.denominator, vacancy.value) == (
        Decimal(3),
        Decimal(4),
        Decimal("75.0"),
    )
    assert (turnover.numerator, turnover.denominator, turnover.value) == (
        Decimal(1),
        Decimal(1),
        Decimal("100.0"),
    )
    assert sickness.numerator == Decimal(3)
    assert sickness.value is not None and sickness.value > Decimal(1)

    # The dashboard's trend (the grouped monthly form) agrees with compute() month by month.
    assert_series_agrees(
        "agency_staff_rate", D(2025, 6, 15), team_id=persona("team_manager").practitioner.team_id
    )
    assert_series_agrees("vacancy_rate", D(2025, 6, 15), team_id=persona("team_manager").practitioner.team_id)
    assert_series_agrees(
        "turnover_rate", D(2025, 6, 15), team_id=persona("team_manager").practitioner.team_id
    )
    assert_series_agrees(
        "sickness_days", D(2025, 6, 15), team_id=persona("team_manager").practitioner.team_id
    )
