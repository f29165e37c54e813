"""Supervision up to date: per worker and per team, which cases are overdue and since
when, and the overdue actions a worker sees on My work."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from jigsaw.quality.actions.supervision import ActionDetails, SupervisionDetails, record_supervision
from jigsaw.quality.queries import supervision as queries
from tests.casework_factories import make_referral
from tests.factories import make_person, persona

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)


def _supervise(person_id: int, worker_id: int, *actions: ActionDetails) -> None:
    record_supervision(
        actor=persona("team_manager"),
        person_id=person_id,
        details=SupervisionDetails(
            supervised_on=timezone.localdate(),
            worker_id=worker_id,
            discussion="Progress against the plan",
            decisions="Carry on",
            actions=actions,
        ),
    )


def test_a_workers_cases_are_up_to_date_overdue_or_not_yet_due() -> None:
    worker = persona("social_worker")
    with time_machine.travel(START, tick=False):
        supervised = make_referral(worker=worker)
        never = make_referral(worker=worker)
        lapsed = make_referral(worker=worker)
    with time_machine.travel(START + datetime.timedelta(days=5), tick=False):
        _supervise(lapsed.person_id, worker.pk)
    with time_machine.travel(START + datetime.timedelta(days=30), tick=False):
        _supervise(supervised.person_id, worker.pk)
        fresh = make_referral(worker=worker)  # allocated today: not yet due
    with time_machine.travel(START + datetime.timedelta(days=40), tick=False):
        today = timezone.localdate()
        policy = queries.policy_in_force()
        [figures] = queries.worker_figures([worker.practitioner], today=today, policy=policy)
        assert (figures.open_cases, figures.supervised, figures.overdue, figures.not_yet_due) == (4, 1, 2, 1)
        assert not figures.up_to_date
        overdue = queries.overdue_cases([worker.pk], today=today, policy=policy)
    by_child = {case.person_id: case for case in overdue}
    assert set(by_child) == {never.person_id, lapsed.person_id}
    assert by_child[never.person_id].last_supervised is None
    assert by_child[never.person_id].allocated_on == START.date()
    assert by_child[never.person_id].due_on == START.date() + datetime.timedelta(days=28)
    assert by_child[lapsed.person_id].last_supervised == START.date() + datetime.timedelta(days=5)
    # The longest overdue comes first.
    assert overdue[0].person_id == never.person_id
    del fresh


def test_team_figures_count_every_team_without_naming_a_child() -> None:
    worker = persona("social_worker")
    with time_machine.travel(START, tick=False):
        make_referral(worker=worker)
        make_referral(worker=persona("team_manager"))
    with time_machine.travel(START + datetime.timedelta(days=60), tick=False):
        figures = queries.team_figures(today=timezone.localdate(), policy=queries.policy_in_force())
    [team] = figures
    assert worker.practitioner.team is not None
    assert (team.name, team.open_cases, team.overdue) == (worker.practitioner.team.name, 2, 2)


def test_a_closed_episode_is_not_counted() -> None:
    worker = persona("social_worker")
    with time_machine.travel(START, tick=False):
        make_referral(worker=worker, closed_on=START.date(), closure_reason="RC1")
    with time_machine.travel(START + datetime.timedelta(days=60), tick=False):
        [figures] = queries.worker_figures(
            [worker.practitioner], today=timezone.localdate(), policy=queries.policy_in_force()
        )
    assert figures.open_cases == 0 and figures.up_to_date


def test_the_overview_shows_a_manager_their_team_and_a_worker_their_own() -> None:
    worker, manager = persona("social_worker"), persona("team_manager")
    with time_machine.travel(START, tick=False):
        make_referral(worker=worker)
    with time_machine.travel(START + datetime.timedelta(days=60), tick=False):
        today = timezone.localdate()
        mine = queries.overview(worker, today=today)
        team = queries.overview(manager, today=today)
    assert mine.team == [] and mine.mine is not None and mine.mine.overdue == 1
    assert {f.name for f in team.team} >= {worker.practitioner.full_name, manager.practitioner.full_name}
    assert team.team_total is not None and team.team_total.overdue == 1 and len(team.overdue) == 1


def test_overdue_actions_surface_for_their_owner_only_once_past_due() -> None:
    worker = persona("social_worker")
    child = make_person()
    with time_machine.travel(START, tick=False):
        _supervise(
            child.pk, worker.pk, ActionDetails("Book a family group conference", worker.pk, START.date())
        )
        assert queries.overdue_actions_for(worker, today=timezone.localdate()) == []
    with time_machine.travel(START + datetime.timedelta(days=1), tick=False):
        [action] = queries.overdue_actions_for(worker, today=timezone.localdate())
        assert action.description == "Book a family group conference"
        assert queries.overdue_actions_for(persona("team_manager"), today=timezone.localdate()) == []
        assert queries.overdue_actions_for(persona("gp"), today=timezone.localdate()) == []


def test_the_history_and_the_allocated_worker() -> None:
    worker = persona("social_worker")
    referral = make_referral(worker=worker)
    _supervise(referral.person_id, worker.pk)
    assert queries.allocated_worker(referral.person) == worker
    [supervision] = queries.history(referral.person)
    assert supervision.worker == worker
