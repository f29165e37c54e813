"""Drill: the server counting the day's indicators dies (SIGKILL) part-way through (issue 10,
item 5). `jigsaw tick`'s claimed work is Jigsaw's only "task worker's job".

A real `jigsaw tick` process is killed once it has written the new months inside its
transaction and before that commits. Then: the day's claim is left unfinished and the
dashboards still read yesterday's months whole; a tick within the hour leaves the claim to
its (dead) owner; a tick after the hour takes it over and finishes it, and the months it
keeps are every month and scope, equal to a fresh count.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from jigsaw.performance.models import IndicatorMonth, IndicatorRecount
from jigsaw.performance.recount import count_months, recount
from tests.casework_factories import make_referral
from tests.drills.helpers import (
    killed_at_marker,
    put_back_reference_data,
    run_wrapped,
    share_database,
    take_back,
)

pytestmark = pytest.mark.django_db(transaction=True)

UTC = datetime.UTC
YESTERDAY_NIGHT = datetime.datetime(2026, 3, 9, 2, 0, tzinfo=UTC)
TODAY_FIRST_TICK = datetime.datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
TODAY = TODAY_FIRST_TICK.date()


def kept() -> dict[tuple[str, str, datetime.date], Any]:
    return {(m.indicator, m.scope, m.month): m.figure for m in IndicatorMonth.objects.all()}


def fresh_count() -> dict[tuple[str, str, datetime.date], Any]:
    rows, _ = count_months(TODAY)
    return {(m.indicator, m.scope, m.month): m.figure for m in rows}


def test_a_count_killed_part_way_is_taken_over_after_an_hour_and_finished(tmp_path: Path) -> None:
    put_back_reference_data()
    for month in (10, 11, 12):
        make_referral(referred_on=datetime.date(2025, month, 6))
    recount(now=YESTERDAY_NIGHT)
    last_nights = kept()
    # Referrals recorded late, in months already counted: today's count differs from yesterday's.
    for month in (11, 12, 1, 2):
        make_referral(referred_on=datetime.date(2025 + (month < 3), month, 20))
    database = share_database(tmp_path)

    with killed_at_marker(
        database, ["tick", "--at", TODAY_FIRST_TICK.isoformat()], tmp_path / "counting"
    ) as note:
        written_before_the_kill = int(note)
    take_back(database)

    assert written_before_the_kill == len(fresh_count())  # it had written every new month
    claim = IndicatorRecount.objects.get(day=TODAY)
    assert claim.started_at == TODAY_FIRST_TICK and claim.finished_at is None
    assert kept() == last_nights  # nothing of the dead count's writing is left

    within_the_hour = run_wrapped(database, ["tick", "--at", "2026-03-10T02:45:00+00:00"])
    assert within_the_hour.returncode == 0, within_the_hour.stderr
    assert "Indicators counted" not in within_the_hour.stdout
    take_back(database)
    claim.refresh_from_db()
    assert claim.started_at == TODAY_FIRST_TICK and claim.finished_at is None
    assert kept() == last_nights

    after_the_hour = run_wrapped(database, ["tick", "--at", "2026-03-10T03:01:00+00:00"])
    assert after_the_hour.returncode == 0, after_the_hour.stderr
    assert "Indicators counted for the closed months" in after_the_hour.stdout
    take_back(database)
    claim.refresh_from_db()
    assert claim.finished_at is not None and claim.started_at > TODAY_FIRST_TICK
    assert claim.figures == IndicatorMonth.objects.count()
    assert kept() == fresh_count() != last_nights
