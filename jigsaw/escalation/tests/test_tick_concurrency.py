"""Two `jigsaw tick`s at once, on two database connections, never move an escalation twice
(PostgreSQL: row locks with SKIP LOCKED, then a compare-and-set on stage and version, and
a unique step per stage behind them). SQLite has one writer at a time, so the race cannot
happen there and the test is skipped."""

from __future__ import annotations

import threading
from collections import Counter
from importlib import import_module

import pytest
import time_machine
from django.apps import apps
from django.db import connection, connections

from jigsaw.escalation.actions import escalate_overdue
from jigsaw.escalation.models import Escalation, EscalationStep
from jigsaw.escalation.tests.helpers import at, raise_nfa
from jigsaw.partners.models import Notification
from tests.factories import make_person

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_ticks_at_once_move_each_escalation_once() -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers: the race this guards against needs PostgreSQL")
    # A transactional test may start from an emptied database: load the default policy.
    import_module("jigsaw.escalation.migrations.0002_default_escalation_policy").add(apps, None)
    with time_machine.travel(at(2026, 3, 2), tick=False):
        escalations = [raise_nfa(make_person()) for _ in range(12)]

    barrier = threading.Barrier(2)
    moved: list[int] = []
    failures: list[BaseException] = []

    def tick() -> None:
        try:
            barrier.wait(timeout=10)
            moved.append(escalate_overdue(now=at(2026, 3, 5, 9)))
        except BaseException as error:  # reported to the test below
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not failures, failures
    assert sum(moved) == len(escalations)
    for escalation in Escalation.objects.filter(pk__in=[e.pk for e in escalations]):
        assert escalation.stage.name == "Team manager"
        assert escalation.version == 2
    steps = Counter(EscalationStep.objects.values_list("escalation_id", flat=True))
    assert set(steps.values()) == {2}
    told = Counter(
        Notification.objects.filter(subject__contains="is now at the Team manager stage").values_list(
            "recipient_id", "subject"
        )
    )
    assert told and set(told.values()) == {1}  # nobody told twice of the same move
