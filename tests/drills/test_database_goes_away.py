"""Drill: the database goes away in the middle of a request (issue 10, item 5).

A social worker records a case note through the real page. `add_case_note` writes the note,
then its chronology entry, then the access log line, in one transaction; the connection
dies after the note is written and before its chronology entry is. The user gets the plain
error page (no traceback, no SQL), nothing of the note is kept, and the next request works.

On PostgreSQL the request's server process is really terminated (`pg_terminate_backend`
from a second connection), so the next statement finds the connection gone; Django cannot
roll back, drops the connection, and opens a new one for the next query. The test database
on SQLite lives in memory and disappears with its last connection, so there the next
statement is interrupted instead (a progress handler: SQLite's own abort, `OperationalError`
"interrupted"), which makes SQLite roll the transaction back itself.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import OperationalError, connection, connections
from django.test import Client
from django.urls import reverse

from jigsaw.access.models import AccessLogEntry
from jigsaw.casework.actions.common import add_to_chronology
from jigsaw.casework.models import CaseNote, ChronologyEntry
from tests.casework_factories import make_referral
from tests.drills.helpers import put_back_reference_data
from tests.factories import make_person

pytestmark = pytest.mark.django_db(transaction=True)

RECORDED = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=datetime.UTC)
NOTE = {
    "kind": "phone_call",
    "occurred_on_day": "10",
    "occurred_on_month": "3",
    "occurred_on_year": "2026",
    "occurred_time": "08:15",
    "text": "Mother rang: Anna is off school with a cold.",
}


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("select pg_backend_pid()")
        return int(cursor.fetchone()[0])


def terminate_this_connection() -> int:
    """End the server process behind Django's connection, from a second connection, and
    wait until it has gone; its process ID."""
    pid = backend_pid()
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("select pg_terminate_backend(%s)", [pid])
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                cursor.execute("select count(*) from pg_stat_activity where pid = %s", [pid])
                if cursor.fetchone()[0] == 0:
                    return pid
                time.sleep(0.05)
        raise AssertionError("the terminated server process did not go away")
    finally:
        other.close()


def interrupt_the_next_statement() -> None:
    """SQLite: abort the next statement on this connection (once)."""
    raw = connection.connection
    interrupted = False

    def progress() -> int:
        nonlocal interrupted
        if interrupted:
            return 0
        interrupted = True
        return 1

    raw.set_progress_handler(progress, 1)


def dying_after_the_note(
    add_to_chronology: Callable[..., Any], failed: list[Exception], terminated: list[int]
) -> Callable[..., Any]:
    """The action's next step, run on a connection that has just died: what it raised is
    kept in `failed` (so the test knows the 500 came from the database going away), and on
    PostgreSQL the ended server process's ID in `terminated`."""

    def wrapped(**kwargs: Any) -> Any:
        assert CaseNote.objects.count() == 1  # the note is written, inside the transaction
        if connection.vendor == "postgresql":
            terminated.append(terminate_this_connection())
        else:
            interrupt_the_next_statement()
        try:
            return add_to_chronology(**kwargs)
        except Exception as error:
            failed.append(error)
            raise

    return wrapped


@time_machine.travel(RECORDED, tick=False)
def test_a_request_whose_database_goes_away_shows_the_error_page_and_keeps_nothing(
    social_worker: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    put_back_reference_data()
    child = make_person()
    make_referral(child, worker=social_worker)
    client = Client(raise_request_exception=False)
    client.force_login(social_worker)
    url = reverse("casework:new_case_note", args=[child.pk])

    failed: list[Exception] = []
    terminated: list[int] = []
    monkeypatch.setattr(
        "jigsaw.casework.actions.notes.add_to_chronology",
        dying_after_the_note(add_to_chronology, failed, terminated),
    )
    response = client.post(url, NOTE)
    monkeypatch.undo()
    if connection.vendor == "sqlite":
        connection.connection.set_progress_handler(None, 1)

    assert [type(error) for error in failed] == [OperationalError], failed
    assert response.status_code == 500
    page = response.content.decode()
    assert '<h1 class="govuk-heading-l">Sorry, there is a problem with Jigsaw</h1>' in page
    assert "Nothing you were saving has been half-saved" in page  # and the rest of this test checks it
    for leak in ("Traceback", "OperationalError", "INSERT", "SELECT", "casework_", "psycopg", "sqlite"):
        assert leak not in page
    assert not CaseNote.objects.exists()
    assert not ChronologyEntry.objects.filter(source_type="casework.casenote").exists()
    assert not AccessLogEntry.objects.filter(action="add_case_note").exists()

    again = client.post(url, NOTE)
    if connection.vendor == "postgresql":
        assert terminated and backend_pid() not in terminated  # a new connection, opened by Django itself
    note = CaseNote.objects.get()
    assert again.status_code == 302 and again["Location"] == reverse("casework:case_note", args=[note.pk])
    assert (
        ChronologyEntry.objects.filter(source_type="casework.casenote", source_id=str(note.pk)).count() == 1
    )
