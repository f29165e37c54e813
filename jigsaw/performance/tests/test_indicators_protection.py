"""Assessments and child protection indicators, on hand-built data."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from jigsaw.casework.models import ChildProtectionConference, ConferenceChild, TimescaleKey
from jigsaw.casework.timescales import due_date
from jigsaw.performance.indicators import CATALOGUE
from jigsaw.performance.models import ChildPopulation
from jigsaw.performance.tests.indicator_helpers import assert_series_agrees, month, records_of
from tests.casework_factories import make_referral
from tests.factories import make_person, persona
from tests.worklist_factories import (
    hold_initial_conference,
    make_assessment,
    make_cp_plan,
    make_section47,
    other_team,
)

pytestmark = pytest.mark.django_db

MARCH = month(2025, 3)
D = datetime.date


def test_assessments_within_45_working_days_read_the_due_date_over_christmas() -> None:
    referred = D(2024, 11, 15)
    due = due_date(TimescaleKey.ASSESSMENT, referred)
    # 45 working days from 15 November, with Christmas Day, Boxing Day and New Year's Day out.
    assert due == D(2025, 1, 22)
    on_time = make_referral(referred_on=referred)
    late = make_referral(referred_on=referred)
    elsewhere = make_referral(referred_on=referred, team=other_team())
    make_assessment(on_time, due_on=due, completed_on=due)
    make_assessment(late, due_on=due, completed_on=D(2025, 1, 23))
    make_assessment(elsewhere, due_on=due, completed_on=D(2025, 1, 2))
    make_assessment(make_referral(referred_on=referred), due_on=due, completed_on=D(2025, 2, 1))

    whole = CATALOGUE["assessments_in_time"].compute(month(2025, 1))
    team = CATALOGUE["assessments_in_time"].compute(month(2025, 1, team_id=on_time.team_id))

    assert (whole.numerator, whole.denominator) == (Decimal(2), Decimal(3))
    assert (team.numerator, team.denominator, team.value) == (Decimal(1), Decimal(2), Decimal("50.0"))


def test_section47_enquiries_are_counted_by_outcome() -> None:
    make_section47(
        make_referral(referred_on=D(2025, 2, 20)), conference_due_on=D(2025, 3, 25), outcome="conference"
    )
    make_section47(make_referral(referred_on=D(2025, 2, 20)), conference_due_on=D(2025, 3, 26))
    make_section47(
        make_referral(referred_on=D(2025, 2, 1)), conference_due_on=D(2025, 2, 10)
    )  # started in January

    figure = CATALOGUE["section47s"].compute(MARCH)

    assert figure.value == Decimal(2)
    assert figure.breakdown == (
        ("Concerns substantiated: initial child protection conference", Decimal(1), None),
        ("Under way", Decimal(1), None),
    )


def test_initial_conferences_within_15_working_days_of_the_strategy_discussion() -> None:
    prompt = make_section47(make_referral(referred_on=D(2025, 2, 20)), conference_due_on=D(2025, 3, 20))
    slow = make_section47(make_referral(referred_on=D(2025, 2, 20)), conference_due_on=D(2025, 3, 20))
    hold_initial_conference(prompt, on=D(2025, 3, 20))
    hold_initial_conference(slow, on=D(2025, 3, 21))

    figure = CATALOGUE["initial_conferences_in_time"].compute(MARCH)

    assert (figure.numerator, figure.denominator, figure.value) == (Decimal(1), Decimal(2), Decimal("50.0"))
    assert CATALOGUE["initial_conferences_in_time"].comparator_label.startswith("England")

    # The dashboard's trend (the grouped monthly form) agrees with compute() month by month.
    assert_series_agrees(
        "initial_conferences_in_time", D(2025, 6, 15), team_id=persona("team_manager").practitioner.team_id
    )


def test_children_on_plans_per_10000_at_the_end_of_the_period_by_category() -> None:
    ChildPopulation.objects.create(year=2025, children=20_000, source="test")
    for category in ("NEG", "NEG", "PHY"):
        make_cp_plan(make_referral(referred_on=D(2025, 1, 6)), category=category, started_on=D(2025, 2, 3))
    ended = make_cp_plan(make_referral(referred_on=D(2025, 1, 6)), started_on=D(2025, 2, 3))
    ended.ended_on, ended.end_reason = D(2025, 3, 31), "not_at_risk"
    ended.save()
    make_cp_plan(make_referral(referred_on=D(2025, 1, 6)), started_on=D(2025, 4, 1))  # not yet

    figure = CATALOGUE["children_on_plans"].compute(MARCH)

    assert (figure.numerator, figure.denominator, figure.value) == (
        Decimal(3),
        Decimal(20_000),
        Decimal("1.5"),
    )
    assert [(label, n) for label, n, _ in figure.breakdown] == [
        ("Neglect", Decimal(2)),
        ("Physical abuse", Decimal(1)),
    ]
    # No population entered for 2024: the rate is not available, not estimated.
    earlier = CATALOGUE["children_on_plans"].compute(month(2024, 12))
    assert earlier.denominator is None and earlier.value is None

    # The dashboard's trend (the grouped monthly form) agrees with compute() month by month.
    assert_series_agrees(
        "children_on_plans", D(2025, 6, 15), team_id=persona("team_manager").practitioner.team_id
    )


def test_plans_lasting_two_years_or_more_of_those_ended() -> None:
    long = make_cp_plan(make_referral(referred_on=D(2023, 2, 1)), started_on=D(2023, 3, 1))
    short = make_cp_plan(make_referral(referred_on=D(2023, 2, 1)), started_on=D(2023, 3, 2))
    for plan in (long, short):
        plan.ended_on, plan.end_reason = D(2025, 3, 1), "not_at_risk"
        plan.save()

    figure = CATALOGUE["plans_two_years"].compute(MARCH)

    assert (figure.numerator, figure.denominator) == (Decimal(1), Decimal(2))
    assert list(records_of("plans_two_years", MARCH).values_list("pk", flat=True)) == [long.pk]

    # The dashboard's trend (the grouped monthly form) agrees with compute() month by month.
    assert_series_agrees(
        "plans_two_years", D(2025, 6, 15), team_id=persona("team_manager").practitioner.team_id
    )


def test_second_or_later_plans_of_those_started() -> None:
    child = make_person()
    first = make_cp_plan(make_referral(child, referred_on=D(2023, 1, 2)), started_on=D(2023, 1, 20))
    first.ended_on, first.end_reason = D(2024, 1, 20), "not_at_risk"
    first.save()
    again = make_cp_plan(make_referral(child, referred_on=D(2025, 3, 1)), started_on=D(2025, 3, 10))
    make_cp_plan(make_referral(referred_on=D(2025, 3, 1)), started_on=D(2025, 3, 11))

    figure = CATALOGUE["second_plans"].compute(MARCH)

    assert (figure.numerator, figure.denominator, figure.value) == (Decimal(1), Decimal(2), Decimal("50.0"))
    assert list(records_of("second_plans", MARCH).values_list("pk", flat=True)) == [again.pk]

    # The dashboard's trend (the grouped monthly form) agrees with compute() month by month.
    assert_series_agrees("second_plans", D(2025, 6, 15), team_id=persona("team_manager").practitioner.team_id)


def test_plans_reviewed_on_time_read_the_review_conferences_due_date() -> None:
    def review(held_on: datetime.date, due: datetime.date | None) -> None:
        referral = make_referral(referred_on=D(2024, 10, 1))
        plan = make_cp_plan(referral, started_on=D(2024, 12, 1))
        conference = ChildProtectionConference.objects.create(
            kind="review", date=held_on, due_on=due, held=True, scheduled_by=persona("social_worker")
        )
        ConferenceChild.objects.create(
            conference=conference, referral=referral, plan=plan, decision="continue", category="NEG"
        )

    review(D(2025, 3, 3), D(2025, 3, 3))
    review(D(2025, 3, 4), D(2025, 3, 3))
    review(D(2025, 3, 5), None)

    figure = CATALOGUE["plans_reviewed_on_time"].compute(MARCH)

    assert (figure.numerator, figure.denominator) == (Decimal(1), Decimal(3))

    # The dashboard's trend (the grouped monthly form) agrees with compute() month by month.
    assert_series_agrees(
        "plans_reviewed_on_time", D(2025, 6, 15), team_id=persona("team_manager").practitioner.team_id
    )
