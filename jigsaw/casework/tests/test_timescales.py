from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction

from jigsaw.casework.models import TimescaleKey, TimescalePolicy
from jigsaw.casework.timescales import (
    add_months,
    add_working_days,
    due_date,
    is_overdue,
    is_working_day,
    working_days_between,
)

D = datetime.date


def test_bank_holidays_and_weekends_are_not_working_days() -> None:
    assert not is_working_day(D(2026, 12, 25))  # Christmas Day
    assert not is_working_day(D(2026, 12, 28))  # Boxing Day, observed on the Monday
    assert not is_working_day(D(2026, 8, 31))  # late summer bank holiday
    assert not is_working_day(D(2026, 11, 21))  # a Saturday
    assert is_working_day(D(2026, 11, 23))


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (D(2026, 11, 20), 1, D(2026, 11, 23)),  # a Friday contact: decided by Monday
        (D(2026, 12, 24), 1, D(2026, 12, 29)),  # over Christmas and Boxing Day observed
        (D(2026, 4, 2), 1, D(2026, 4, 7)),  # over Good Friday and Easter Monday
        (D(2026, 11, 23), 45, D(2027, 1, 28)),  # an assessment over Christmas
        (D(2026, 11, 23), 0, D(2026, 11, 23)),
    ],
)
def test_working_days(start: datetime.date, days: int, due: datetime.date) -> None:
    assert add_working_days(start, days) == due
    assert working_days_between(start, due) == days


def test_months_keep_to_the_end_of_a_short_month() -> None:
    assert add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)
    assert add_months(D(2026, 8, 31), 6) == D(2027, 2, 28)
    assert add_months(D(2026, 1, 15), 12) == D(2027, 1, 15)


@pytest.mark.django_db
def test_due_dates_follow_the_policy_in_force() -> None:
    strategy = D(2026, 11, 23)
    assert due_date(TimescaleKey.INITIAL_CONFERENCE, strategy) == D(2026, 12, 14)
    assert due_date(TimescaleKey.FIRST_REVIEW, D(2026, 12, 14)) == D(2027, 3, 14)
    assert due_date(TimescaleKey.CORE_GROUP_INTERVAL, D(2026, 12, 14)) == D(2027, 1, 11)


@pytest.mark.django_db
def test_the_2009_rules_are_a_policy_too() -> None:
    old = TimescalePolicy.objects.get(name="Working Together 2006 (2009 practice)")
    referral = D(2009, 3, 2)
    assert due_date(TimescaleKey.INITIAL_ASSESSMENT, referral, policy=old) == D(2009, 3, 11)
    # 35 working days from 11 March 2009, over Good Friday and Easter Monday.
    assert due_date(TimescaleKey.CORE_ASSESSMENT, D(2009, 3, 11), policy=old) == D(2009, 5, 1)


@pytest.mark.django_db
def test_only_one_policy_is_in_force() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        TimescalePolicy.objects.filter(in_force=False).update(in_force=True)


def test_overdue() -> None:
    due = D(2026, 11, 23)
    assert not is_overdue(due, done_on=None, today=due)
    assert is_overdue(due, done_on=None, today=D(2026, 11, 24))
    assert is_overdue(due, done_on=D(2026, 11, 24), today=D(2026, 12, 1))
    assert not is_overdue(due, done_on=D(2026, 11, 20), today=D(2026, 12, 1))
