"""Contacts, referrals, re-referrals and front-door decisions, on hand-built data."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from jigsaw.casework.models import TimescaleKey
from jigsaw.casework.timescales import due_date
from jigsaw.partners.models import AgencyKind
from jigsaw.performance.indicators import CATALOGUE
from jigsaw.performance.indicators.base import Scope
from jigsaw.performance.tests.indicator_helpers import at, month, records_of
from tests.casework_factories import make_contact, make_referral
from tests.factories import make_agency, make_person, persona
from tests.worklist_factories import other_team

pytestmark = pytest.mark.django_db

MARCH = month(2025, 3)


def test_contacts_are_counted_by_source_within_the_month_and_by_the_referrers_agency() -> None:
    school = make_agency("Riverside Primary School", AgencyKind.SCHOOL)
    make_contact(received_at=at(datetime.date(2025, 3, 1), 0), source="2A", referrer_agency=school)
    make_contact(received_at=at(datetime.date(2025, 3, 31), 23), source="2A")
    make_contact(received_at=at(datetime.date(2025, 3, 12)), source="6")
    make_contact(received_at=at(datetime.date(2025, 2, 28), 23), source="6")  # the month before

    figure = CATALOGUE["contacts"].compute(MARCH)

    assert figure.value == Decimal(3)
    assert figure.breakdown == (("Schools", Decimal(2), None), ("Police", Decimal(1), None))
    by_school = CATALOGUE["contacts"].compute(month(2025, 3, agency_id=school.pk))
    assert by_school.numerator == Decimal(1)
    assert list(records_of("contacts", MARCH).order_by("received_at").values_list("source", flat=True)) == [
        "2A",
        "6",
        "2A",
    ]


def test_referrals_are_counted_by_source_and_narrowed_to_a_team() -> None:
    make_referral(referred_on=datetime.date(2025, 3, 3), source="3A")
    make_referral(referred_on=datetime.date(2025, 3, 4), source="3A")
    elsewhere = make_referral(referred_on=datetime.date(2025, 3, 5), source="1C", team=other_team())
    make_referral(referred_on=datetime.date(2025, 4, 1), source="1C")

    whole = CATALOGUE["referrals"].compute(MARCH)
    team = CATALOGUE["referrals"].compute(
        month(2025, 3, team_id=persona("team_manager").practitioner.team_id)
    )

    assert whole.value == Decimal(3)
    assert whole.breakdown == (("Individual: self", Decimal(1), None), ("Health: GP", Decimal(2), None))
    assert team.value == Decimal(2)
    assert elsewhere.team_id is not None


def test_a_re_referral_is_within_12_calendar_months_of_the_childs_previous_referral() -> None:
    again, late, exact = make_person(), make_person(), make_person()
    make_referral(
        again,
        referred_on=datetime.date(2024, 6, 10),
        closed_on=datetime.date(2024, 9, 1),
        closure_reason="RC7",
    )
    make_referral(again, referred_on=datetime.date(2025, 3, 5))  # 9 months later: a re-referral
    make_referral(
        late, referred_on=datetime.date(2024, 2, 1), closed_on=datetime.date(2024, 3, 1), closure_reason="RC8"
    )
    make_referral(late, referred_on=datetime.date(2025, 3, 2))  # 13 months later: not
    make_referral(
        exact,
        referred_on=datetime.date(2024, 3, 20),
        closed_on=datetime.date(2024, 5, 1),
        closure_reason="RC8",
    )
    make_referral(exact, referred_on=datetime.date(2025, 3, 20))  # exactly 12 months: counts
    make_referral(referred_on=datetime.date(2025, 3, 21))  # a first referral

    figure = CATALOGUE["re_referrals"].compute(MARCH)

    assert (figure.numerator, figure.denominator, figure.value) == (Decimal(2), Decimal(4), Decimal("50.0"))
    records = records_of("re_referrals", MARCH)
    assert sorted(records.values_list("person_id", flat=True)) == sorted([again.pk, exact.pk])


def test_decisions_within_one_working_day_count_bank_holidays_out() -> None:
    # Thursday 17 April 2025: Good Friday and Easter Monday follow, so the next working
    # day (the decision's due date, from the timescale policy) is Tuesday 22 April.
    thursday = datetime.date(2025, 4, 17)
    due = due_date(TimescaleKey.CONTACT_DECISION, thursday)
    assert due == datetime.date(2025, 4, 22)
    manager = persona("team_manager")
    make_contact(
        received_at=at(thursday), decision_due=due, decision="nfa", decided_by=manager, decided_at=at(due, 16)
    )
    make_contact(
        received_at=at(thursday),
        decision_due=due,
        decision="nfa",
        decided_by=manager,
        decided_at=at(datetime.date(2025, 4, 23), 9),
    )
    make_contact(received_at=at(thursday), decision_due=due)  # never decided, long past due

    figure = CATALOGUE["decisions_in_time"].compute(month(2025, 4))

    assert (figure.numerator, figure.denominator, figure.value) == (Decimal(1), Decimal(3), Decimal("33.3"))


def test_a_rate_with_nothing_to_divide_by_is_not_available() -> None:
    figure = CATALOGUE["decisions_in_time"].compute(
        Scope(datetime.date(2020, 1, 1), datetime.date(2020, 1, 31))
    )
    assert figure.denominator == Decimal(0)
    assert figure.value is None
