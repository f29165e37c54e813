"""Time driven forward through every stage: an escalation nobody answers moves on by itself
when its stage's deadline passes (England's bank holidays skipped), everyone involved is
told, an urgent one starts with the team manager due the same day, and a second `tick`
never moves it twice."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from contextlib import AbstractContextManager
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from jigsaw.access.models import AccessLogEntry
from jigsaw.escalation.actions import escalate_overdue
from jigsaw.escalation.models import Escalation, EscalationStatus, EscalationStep, StepEnd
from jigsaw.escalation.tests.helpers import at, name_senior_holders, raise_nfa
from jigsaw.partners.models import Notification
from tests.factories import persona

pytestmark = pytest.mark.django_db

OnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def _tick(when: datetime.datetime, on_commit: OnCommit) -> int:
    with time_machine.travel(when, tick=False), on_commit(execute=True):
        return escalate_overdue()


def test_an_unanswered_escalation_climbs_every_stage_on_its_deadlines(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    holders = name_senior_holders()
    with time_machine.travel(at(2026, 3, 2), tick=False):  # a Monday
        escalation = raise_nfa()
    dsl, officer, manager = persona("school_dsl"), persona("front_door_officer"), persona("team_manager")
    assert escalation.stage.name == "Practitioner to practitioner"
    assert escalation.holder == officer  # who decided "no further action"
    assert escalation.stage_due_on == datetime.date(2026, 3, 4)  # 2 working days

    # (when the tick runs, stage it should then be at, its holder, its due date)
    climb = [
        (at(2026, 3, 4, 23, 59), "Practitioner to practitioner", officer, datetime.date(2026, 3, 4)),
        (at(2026, 3, 5, 0, 1), "Team manager", manager, datetime.date(2026, 3, 9)),
        (at(2026, 3, 9, 17), "Team manager", manager, datetime.date(2026, 3, 9)),
        (at(2026, 3, 10), "Service manager", holders[3], datetime.date(2026, 3, 17)),
        (at(2026, 3, 18), "Head of service", holders[4], datetime.date(2026, 3, 25)),
        # 10 working days from Thursday 26 March skip Good Friday and Easter Monday 2026.
        (at(2026, 3, 26), "Partnership chair", holders[5], datetime.date(2026, 4, 13)),
        (at(2026, 4, 13, 18), "Partnership chair", holders[5], datetime.date(2026, 4, 13)),
    ]
    for when, stage, holder, due in climb:
        _tick(when, django_capture_on_commit_callbacks)
        escalation.refresh_from_db()
        assert (escalation.stage.name, escalation.holder, escalation.stage_due_on) == (stage, holder, due), (
            when
        )

    steps = list(EscalationStep.objects.filter(escalation=escalation).order_by("stage__order"))
    assert [s.stage.order for s in steps] == [1, 2, 3, 4, 5]
    assert [s.ended_how for s in steps] == [StepEnd.DEADLINE_PASSED] * 4 + [""]
    assert escalation.status == EscalationStatus.AWAITING_RESPONSE
    moves = AccessLogEntry.objects.filter(action="escalate_automatically", record_id=str(escalation.pk))
    assert [m.detail["stage"] for m in moves.order_by("pk")] == [
        "Team manager",
        "Service manager",
        "Head of service",
        "Partnership chair",
    ]
    # Everyone involved was told of each move: the DSL, the holder before and the one after.
    told = Notification.objects.filter(subject__contains="is now at the Service manager stage")
    assert {n.recipient for n in told} == {dsl, officer, manager, holders[3]}
    assert Notification.objects.filter(recipient=dsl, subject__contains="is now at the").count() == 4

    # The last stage's deadline passes: everyone is told once, however often tick runs.
    assert _tick(at(2026, 4, 14), django_capture_on_commit_callbacks) == 0
    assert _tick(at(2026, 4, 14, 10, 1), django_capture_on_commit_callbacks) == 0
    passed = Notification.objects.filter(subject__contains="deadline has passed")
    assert sorted(n.recipient.username for n in passed) == sorted(
        {dsl.username, holders[5].username, officer.username}
    )
    escalation.refresh_from_db()
    assert escalation.stage.name == "Partnership chair"


def test_christmas_and_boxing_day_are_not_working_days(django_capture_on_commit_callbacks: OnCommit) -> None:
    with time_machine.travel(at(2026, 12, 24), tick=False):  # Christmas Eve, a Thursday
        escalation = raise_nfa()
    # Christmas Day (Friday), the weekend, Boxing Day observed (Monday 28th): two working
    # days are Tuesday 29th and Wednesday 30th.
    assert escalation.stage_due_on == datetime.date(2026, 12, 30)
    assert _tick(at(2026, 12, 29), django_capture_on_commit_callbacks) == 0
    assert _tick(at(2026, 12, 30, 22), django_capture_on_commit_callbacks) == 0
    assert _tick(at(2026, 12, 31, 9), django_capture_on_commit_callbacks) == 1
    escalation.refresh_from_db()
    assert escalation.stage.name == "Team manager"
    # New Year's Day is skipped too: Thursday 31st + 2 working days is Tuesday 5 January.
    assert escalation.stage_due_on == datetime.date(2027, 1, 5)


def test_an_urgent_escalation_starts_with_the_team_manager_due_the_same_day(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    name_senior_holders()
    with (
        time_machine.travel(at(2026, 3, 3, 11), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        escalation = raise_nfa(urgent=True)
    assert escalation.urgent
    assert escalation.stage.name == "Team manager"
    assert escalation.holder == persona("team_manager")
    assert escalation.stage_due_on == datetime.date(2026, 3, 3)
    assert Notification.objects.filter(
        recipient=persona("team_manager"), subject__startswith=f"Urgent escalation {escalation.reference}"
    ).exists()
    assert not EscalationStep.objects.filter(escalation=escalation, stage__order=1).exists()
    assert _tick(at(2026, 3, 3, 23, 30), django_capture_on_commit_callbacks) == 0  # still today
    assert _tick(at(2026, 3, 4, 0, 5), django_capture_on_commit_callbacks) == 1
    escalation.refresh_from_db()
    assert escalation.stage.name == "Service manager"
    assert escalation.stage_due_on == datetime.date(2026, 3, 11)


def test_an_urgent_escalation_raised_at_the_weekend_is_due_the_next_working_day() -> None:
    with time_machine.travel(at(2026, 4, 4, 15), tick=False):  # Easter Saturday
        escalation = raise_nfa(urgent=True)
    assert escalation.stage_due_on == datetime.date(2026, 4, 7)  # after Easter Monday


def test_a_second_tick_does_not_move_an_escalation_again(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    with time_machine.travel(at(2026, 3, 2), tick=False):
        escalation = raise_nfa()
    assert _tick(at(2026, 3, 5), django_capture_on_commit_callbacks) == 1
    assert _tick(at(2026, 3, 5, 10, 1), django_capture_on_commit_callbacks) == 0
    escalation.refresh_from_db()
    assert escalation.stage.name == "Team manager"
    assert escalation.version == 2
    assert EscalationStep.objects.filter(escalation=escalation).count() == 2
    assert (
        Notification.objects.filter(recipient=persona("school_dsl"), subject__contains="is now at").count()
        == 1
    )


def test_an_answered_escalation_is_not_moved_by_the_deadline(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    from jigsaw.escalation.actions import respond

    with time_machine.travel(at(2026, 3, 2), tick=False):
        escalation = raise_nfa()
        respond(
            actor=persona("front_door_officer"),
            escalation_id=escalation.pk,
            expected_version=escalation.version,
            response="We will visit the home this week",
            outcome="upheld",
            learning="Repeated hunger is a neglect indicator even when parents engage",
        )
    assert _tick(at(2026, 3, 10), django_capture_on_commit_callbacks) == 0
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.AWAITING_REPLY
    assert escalation.stage.order == 1


def test_the_tick_command_runs_the_escalation(django_capture_on_commit_callbacks: OnCommit) -> None:
    with time_machine.travel(at(2026, 3, 2), tick=False):
        escalation = raise_nfa()
    out = StringIO()
    with time_machine.travel(at(2026, 3, 5), tick=False), django_capture_on_commit_callbacks(execute=True):
        call_command("tick", stdout=out)
    moved, counted = out.getvalue().strip().splitlines()
    assert moved == "Escalations moved to their next stage: 1"
    assert counted.startswith("Indicators counted for the closed months:")  # the day's first tick
    assert Escalation.objects.get(pk=escalation.pk).stage.name == "Team manager"


def test_the_compare_and_set_leaves_alone_an_escalation_another_run_changed(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: OnCommit
) -> None:
    """Another run (or a response) changes the escalation between this run's read and its
    update: the update matches no row and nothing moves, nobody is told."""
    from django.db.models import F

    from jigsaw.escalation import stages

    with time_machine.travel(at(2026, 3, 2), tick=False):
        escalation = raise_nfa()
    real_next_stage = stages.next_stage

    def racing(stage: Any) -> Any:
        Escalation.objects.filter(pk=escalation.pk).update(version=F("version") + 1)
        return real_next_stage(stage)

    monkeypatch.setattr(stages, "next_stage", racing)
    assert _tick(at(2026, 3, 5), django_capture_on_commit_callbacks) == 0
    escalation.refresh_from_db()
    assert escalation.stage.order == 1 and escalation.version == 2
    assert EscalationStep.objects.filter(escalation=escalation).count() == 1
    assert not Notification.objects.filter(subject__contains="is now at").exists()
