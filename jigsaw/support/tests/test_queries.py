"""The queue's order, a requester's list, and the delegation report's figures on known data."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine

from jigsaw.support.actions import tasks as actions
from jigsaw.support.models import DelegatedTask, TaskKind
from jigsaw.support.queries.report import delegation_report
from jigsaw.support.queries.tasks import my_requests, queue
from jigsaw.support.tests.helpers import ask, open_episode
from tests.factories import make_agency, make_team, persona

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def test_the_queue_is_by_date_needed_with_the_overdue_first() -> None:
    with time_machine.travel(datetime.datetime(2026, 5, 1, 9, 0, tzinfo=UTC), tick=False):
        late = ask(due_in_days=3, details="late")  # needed by 4 May
        later_late = ask(due_in_days=10, details="also late")  # needed by 11 May
    with time_machine.travel(datetime.datetime(2026, 5, 20, 9, 0, tzinfo=UTC), tick=False):
        soon = ask(due_in_days=1, details="soon")
        next_week = ask(due_in_days=7, details="next week")
        taken = ask(due_in_days=2, details="taken")
        actions.take_task(actor=persona("social_work_assistant"), task_id=taken.pk, expected_version=1)
        done = ask(due_in_days=1, details="done")
        actions.take_task(actor=persona("business_support"), task_id=done.pk, expected_version=1)
        actions.complete_task(
            actor=persona("business_support"), task_id=done.pk, expected_version=2, note="ok", booked="Room 3"
        )
        elsewhere = open_episode()
        elsewhere.team = make_team(make_agency(), "Assessment Team 2")
        elsewhere.save()
        other_team = ask(elsewhere, due_in_days=1, details="other team")
        rows = queue(persona("business_support"), today=datetime.date(2026, 5, 20))
    assert [r.task.pk for r in rows] == [late.pk, later_late.pk, soon.pk, taken.pk, next_week.pk]
    assert [r.overdue for r in rows] == [True, True, False, False, False]
    assert other_team.pk not in {r.task.pk for r in rows}


def test_a_requester_sees_open_requests_and_what_closed_since_they_looked() -> None:
    with time_machine.travel(datetime.datetime(2026, 5, 20, 9, 0, tzinfo=UTC), tick=False) as clock:
        waiting = ask(due_in_days=4)
        done = ask(due_in_days=2)
        actions.take_task(actor=persona("business_support"), task_id=done.pk, expected_version=1)
        actions.complete_task(
            actor=persona("business_support"), task_id=done.pk, expected_version=2, note="ok", booked="Room 3"
        )
        listed = my_requests(persona("social_worker"), today=datetime.date(2026, 5, 20))
        assert [r.task.pk for r in listed.open] == [waiting.pk]
        assert [(r.task.pk, r.new) for r in listed.closed] == [(done.pk, True)]
        clock.shift(datetime.timedelta(minutes=1))
        actions.note_requests_seen(actor=persona("social_worker"))
        again = my_requests(persona("social_worker"), today=datetime.date(2026, 5, 20))
    assert [(r.task.pk, r.new) for r in again.closed] == [(done.pk, False)]
    assert my_requests(persona("team_manager"), today=datetime.date(2026, 5, 20)).open == []


def _task(
    kind: str,
    *,
    requested: datetime.datetime,
    due: datetime.date,
    closed: datetime.datetime | None = None,
    status: str = "done",
    team: str = "Assessment Team 1",
) -> DelegatedTask:
    referral = open_episode()
    referral.team = make_team(make_agency(), team)
    referral.save()
    return DelegatedTask.objects.create(
        person=referral.person,
        referral=referral,
        kind=kind,
        details="Known data",
        due_on=due,
        team=referral.team,
        status=status,
        requested_by=persona("social_worker"),
        requested_at=requested,
        taken_by=persona("business_support") if status in ("taken", "done") else None,
        taken_at=requested if status in ("taken", "done") else None,
        closed_by=persona("business_support") if closed else None,
        closed_at=closed,
        closing_note="Done" if closed else "",
    )


def test_the_report_counts_kinds_teams_months_median_on_time_and_hours_saved() -> None:
    day = datetime.datetime
    # March: minutes (done in 1 day, on time), room (done in 3 days, late), video (still open).
    _task(
        TaskKind.TAKE_MINUTES,
        requested=day(2026, 3, 2, 9, tzinfo=UTC),
        due=datetime.date(2026, 3, 4),
        closed=day(2026, 3, 3, 9, tzinfo=UTC),
    )
    _task(
        TaskKind.BOOK_ROOM,
        requested=day(2026, 3, 10, 9, tzinfo=UTC),
        due=datetime.date(2026, 3, 11),
        closed=day(2026, 3, 13, 9, tzinfo=UTC),
        team="Assessment Team 2",
    )
    _task(
        TaskKind.BOOK_VIDEO_LINK,
        requested=day(2026, 3, 20, 9, tzinfo=UTC),
        due=datetime.date(2026, 3, 25),
        status="requested",
    )
    # April: arranging a conference (done in 2 days, on time), and one cancelled.
    _task(
        TaskKind.ARRANGE_MEETING,
        requested=day(2026, 4, 1, 9, tzinfo=UTC),
        due=datetime.date(2026, 4, 10),
        closed=day(2026, 4, 3, 9, tzinfo=UTC),
    )
    _task(
        TaskKind.CHASE_REPORT,
        requested=day(2026, 4, 2, 9, tzinfo=UTC),
        due=datetime.date(2026, 4, 10),
        closed=day(2026, 4, 2, 12, tzinfo=UTC),
        status="cancelled",
    )
    # Outside the period: not counted.
    _task(
        TaskKind.TAKE_MINUTES,
        requested=day(2026, 2, 27, 9, tzinfo=UTC),
        due=datetime.date(2026, 3, 1),
        closed=day(2026, 2, 28, 9, tzinfo=UTC),
    )

    report = delegation_report(starts=datetime.date(2026, 3, 1), ends=datetime.date(2026, 4, 30))

    total = report.total
    assert (total.requested, total.done, total.done_on_time, total.on_time_percent) == (5, 3, 2, 67)
    # Minutes 120 + room 20 + arranging 90 = 230 minutes.
    assert total.hours_saved == Decimal("3.8")
    assert report.median_days_to_done == Decimal("2.0")
    assert (report.still_open, report.returned, report.cancelled) == (1, 0, 1)
    assert [(r.label, r.requested, r.done) for r in report.by_kind] == [
        ("Arrange a conference or meeting and send the invitations", 1, 1),
        ("Take the minutes", 1, 1),
        ("Chase a partner's report", 1, 0),
        ("Book a room", 1, 1),
        ("Book a video link", 1, 0),
    ]
    assert [(r.label, r.requested, r.done, r.done_on_time) for r in report.by_team] == [
        ("Assessment Team 1", 4, 2, 2),
        ("Assessment Team 2", 1, 1, 0),
    ]
    assert [(r.label, r.requested, r.done, str(r.hours_saved)) for r in report.by_month] == [
        ("March 2026", 3, 2, "2.3"),
        ("April 2026", 2, 1, "1.5"),
    ]


def test_an_empty_period_reports_nothing_done() -> None:
    report = delegation_report(starts=datetime.date(2026, 1, 1), ends=datetime.date(2026, 1, 31))
    assert (report.total.requested, report.median_days_to_done, report.total.on_time_percent) == (
        0,
        None,
        None,
    )
    assert [r.label for r in report.by_month] == ["January 2026"]
