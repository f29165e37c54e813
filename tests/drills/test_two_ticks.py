"""Drill: two servers run `jigsaw tick` at the same moment (issue 10, item 5): the day's
count of the indicators is claimed by one, which counts; the other returns without
counting, and the months are written once.

Each tick runs in its own thread on its own database connection, released together. The
escalations part of the tick is raced the same way in
`jigsaw/escalation/tests/test_tick_concurrency.py`. SQLite has one writer at a time, so
the race cannot happen there and the drill is skipped (CI runs it on PostgreSQL).
"""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection, connections

from jigsaw.performance.models import IndicatorMonth, IndicatorRecount
from jigsaw.performance.recount import count_months, recount_if_due
from tests.casework_factories import make_referral
from tests.drills.helpers import put_back_reference_data

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime.datetime(2026, 3, 10, 2, 0, tzinfo=datetime.UTC)
SERVERS = 3


def test_ticks_at_the_same_moment_count_the_day_once() -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers: the race this guards against needs PostgreSQL")
    put_back_reference_data()
    for month in (10, 11, 12):
        make_referral(referred_on=datetime.date(2025, month, 6))

    barrier = threading.Barrier(SERVERS)
    results: list[IndicatorRecount | None] = []
    failures: list[BaseException] = []

    def tick() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(recount_if_due(NOW))
        except BaseException as error:  # reported to the test below
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tick) for _ in range(SERVERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not failures, failures
    counted = [result for result in results if result is not None]
    assert len(results) == SERVERS and len(counted) == 1
    day = IndicatorRecount.objects.get()
    assert day.pk == counted[0].pk and day.started_at == NOW and day.finished_at is not None
    fresh, _ = count_months(NOW.date())
    assert IndicatorMonth.objects.count() == day.figures == len(fresh)
    assert {(m.indicator, m.scope, m.month): m.figure for m in IndicatorMonth.objects.all()} == {
        (m.indicator, m.scope, m.month): m.figure for m in fresh
    }
