"""Due dates from the timescale policy in force, counting working days in England.

Bank holidays come from the `holidays` package (England's, which are England and Wales's
but for Wales-only days none of the current calendars have). Day 0 is the day the clock
starts; "within 1 working day" of a Friday contact is the following Monday.
"""

from __future__ import annotations

import calendar
import datetime
from functools import lru_cache

import holidays

from jigsaw.casework.models import Timescale, TimescaleKey, TimescalePolicy, TimescaleUnit


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date `days` working days after `start` (start itself is not counted)."""
    day = start
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end` (negative if end is earlier)."""
    if end < start:
        return -working_days_between(end, start)
    return sum(
        1 for n in range(1, (end - start).days + 1) if is_working_day(start + datetime.timedelta(days=n))
    )


def add_months(start: datetime.date, months: int) -> datetime.date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return start.replace(year=year, month=month, day=min(start.day, calendar.monthrange(year, month)[1]))


def policy_in_force() -> TimescalePolicy:
    policy = TimescalePolicy.objects.filter(in_force=True).first()
    if policy is None:
        raise TimescalePolicy.DoesNotExist(
            "No timescale policy is in force: an administrator must choose one"
        )
    return policy


def due_date(
    key: TimescaleKey, start: datetime.date, *, policy: TimescalePolicy | None = None
) -> datetime.date:
    """When a step whose clock started on `start` is due, by the policy in force."""
    rule = Timescale.objects.get(policy=policy or policy_in_force(), key=key)
    return apply(rule.amount, TimescaleUnit(rule.unit), start)


def apply(amount: int, unit: TimescaleUnit, start: datetime.date) -> datetime.date:
    if unit == TimescaleUnit.WORKING_DAYS:
        return add_working_days(start, amount)
    if unit == TimescaleUnit.DAYS:
        return start + datetime.timedelta(days=amount)
    if unit == TimescaleUnit.WEEKS:
        return start + datetime.timedelta(weeks=amount)
    return add_months(start, amount)


def is_overdue(due: datetime.date, *, done_on: datetime.date | None, today: datetime.date) -> bool:
    """Late if done after the due date, or not done and the due date has passed."""
    return (done_on or today) > due
