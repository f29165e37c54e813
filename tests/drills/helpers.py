"""What the failure drills share: the reference data a transactional test's flush removes,
a database another process can open, and `jigsaw` commands run in a real process that the
drill kills with SIGKILL at a moment it chooses.

A drill needs a moment to kill at: this module is also the drills' wrapper script
(`python -m tests.drills.helpers ...`), which runs the real command with one function
wrapped to touch a marker file and wait there. Production code has no test hooks.

On PostgreSQL the other process opens the test database itself (the drills run in real
transactions, so it sees what the test wrote). On SQLite the test database lives in memory,
so it is copied to a file for the other process and copied back afterwards (SQLite's
online backup: a whole, consistent copy in milliseconds, with no migrating).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import signal
import sqlite3
import subprocess  # nosec B404 - our own Python, with arguments we choose
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any
from unittest import mock

PROJECT_DIR = Path(__file__).resolve().parents[2]
# How long the wrapper waits at the chosen moment: far longer than a drill takes to kill it.
WAIT_TO_BE_KILLED = 120.0
# How long a drill waits for the process to reach that moment.
REACH_WITHIN = 45.0

# The data migrations' rows (a transactional test starts from an emptied database).
DATA_MIGRATIONS = [
    ("jigsaw.casework.migrations.0002_default_timescales", "add"),
    ("jigsaw.access.migrations.0006_default_retention_schedule", "add_defaults"),
    ("jigsaw.workforce.migrations.0003_default_caseload_weights", "add_defaults"),
    ("jigsaw.escalation.migrations.0002_default_escalation_policy", "add"),
]


def put_back_reference_data() -> None:
    from importlib import import_module

    from django.apps import apps

    for module, function in DATA_MIGRATIONS:
        getattr(import_module(module), function)(apps, None)


def on_postgresql() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def postgresql_test_database_url() -> str:
    from django.db import connection

    settings = connection.settings_dict
    user = settings.get("USER") or "postgres"
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{settings['NAME']}"


def share_database(folder: Path) -> str:
    """A DATABASE_URL at which another process finds what this test has written so far."""
    from django.db import connection

    if on_postgresql():
        return postgresql_test_database_url()
    path = folder / "drill.sqlite3"
    connection.ensure_connection()
    with contextlib.closing(sqlite3.connect(path)) as copy:
        connection.connection.backup(copy)
    return f"sqlite:///{path}"


def take_back(database_url: str) -> None:
    """Make this test's database what the other process left (SQLite: copy the file back)."""
    from django.db import connection

    if not database_url.startswith("sqlite:///"):
        return
    connection.ensure_connection()
    with contextlib.closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as copy:
        copy.backup(connection.connection)


def child_environment(database_url: str) -> dict[str, str]:
    return os.environ | {
        "DATABASE_URL": database_url,
        "JIGSAW_INSECURE_LOCAL": "1",
        "DJANGO_SETTINGS_MODULE": "jigsaw.settings",
        "PYTHONPATH": str(PROJECT_DIR),
    }


def run_wrapped(database_url: str, arguments: Sequence[str]) -> subprocess.CompletedProcess[str]:
    """Run the wrapper to the end and return what it printed."""
    return subprocess.run(  # noqa: S603 - our own Python and module  # nosec B603
        [sys.executable, "-m", "tests.drills.helpers", *arguments],
        cwd=PROJECT_DIR,
        env=child_environment(database_url),
        capture_output=True,
        text=True,
        timeout=REACH_WITHIN,
        check=False,
    )


@contextlib.contextmanager
def killed_at_marker(database_url: str, arguments: Sequence[str], marker: Path) -> Iterator[str]:
    """Start the wrapper, wait until it touches `marker` (it has reached the moment to die
    at), kill it with SIGKILL, and give the test what the marker says. The process is always
    gone when this returns."""
    process = subprocess.Popen(  # noqa: S603 - our own Python and module  # nosec B603
        [sys.executable, "-m", "tests.drills.helpers", *arguments, "--marker", str(marker)],
        cwd=PROJECT_DIR,
        env=child_environment(database_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + REACH_WITHIN
        while not marker.exists() or not marker.read_text(encoding="utf-8"):
            if process.poll() is not None:
                output = process.stdout.read() if process.stdout else ""
                raise AssertionError(f"the process ended before the moment to kill it:\n{output}")
            if time.monotonic() > deadline:
                raise AssertionError("the process did not reach the moment to kill it in time")
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=10) == -signal.SIGKILL
        yield marker.read_text(encoding="utf-8")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()


# --- The wrapper script: runs in the killed process ---------------------------------------


def _wait_here(marker: Path, note: str) -> None:
    """Say we are at the moment to be killed, then wait to be."""
    marker.write_text(note, encoding="utf-8")
    time.sleep(WAIT_TO_BE_KILLED)
    raise SystemExit("not killed: the drill should have killed this process")


def _stall_after(function: Callable[..., Any], marker: Path, note: Callable[[], str]) -> Callable[..., Any]:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        result = function(*args, **kwargs)
        _wait_here(marker, note())
        return result

    return wrapped


def _tick(options: argparse.Namespace) -> None:
    """`jigsaw tick` at a given time; with a marker, it waits (to be killed) once the new
    months are written inside the count's transaction, before that transaction commits."""
    import time_machine
    from django.core.management import call_command

    from jigsaw.performance.models import IndicatorMonth

    with contextlib.ExitStack() as stack:
        stack.enter_context(time_machine.travel(datetime.datetime.fromisoformat(options.at), tick=False))
        if options.marker:
            manager = IndicatorMonth.objects
            stall = _stall_after(
                manager.bulk_create, Path(options.marker), lambda: str(IndicatorMonth.objects.count())
            )
            stack.enter_context(mock.patch.object(manager, "bulk_create", stall))
        call_command("tick")


def _upload(options: argparse.Namespace) -> None:
    """`upload_events` of a CSV file as a user; with a marker, it waits (to be killed) once
    the file's events are written inside the upload's transaction, before it commits."""
    from django.contrib.auth.models import User

    from jigsaw.partners import ingest
    from jigsaw.partners.actions.feeds import upload_events
    from jigsaw.partners.models import PartnerEvent

    with contextlib.ExitStack() as stack:
        if options.marker:
            stall = _stall_after(
                ingest.household_children, Path(options.marker), lambda: str(PartnerEvent.objects.count())
            )
            stack.enter_context(mock.patch.object(ingest, "household_children", stall))
        upload_events(
            actor=User.objects.get(username=options.user),
            kind=options.kind,
            filename=Path(options.file).name,
            data=Path(options.file).read_bytes(),
        )


def _import_recommendations(options: argparse.Namespace) -> None:
    """`import_set` of a recommendations CSV file as a user; with a marker, it waits (to be
    killed) once the set, its recommendations, actions and access log line are written inside
    the import's transaction, before it commits."""
    from django.contrib.auth.models import User

    from jigsaw.access.log import record_access
    from jigsaw.quality.actions import recommendations
    from jigsaw.quality.models.recommendations import Recommendation, RecommendationAction

    with contextlib.ExitStack() as stack:
        if options.marker:
            stall = _stall_after(
                record_access,
                Path(options.marker),
                lambda: f"{Recommendation.objects.count()} {RecommendationAction.objects.count()}",
            )
            stack.enter_context(mock.patch(f"{recommendations.__name__}.record_access", stall))
        recommendations.import_set(
            actor=User.objects.get(username=options.user),
            details=recommendations.SetDetails(
                title=options.title, source="scrutiny_committee", reports_to="Scrutiny Committee"
            ),
            data=Path(options.file).read_bytes(),
        )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The failure drills' wrapper (tests only)")
    commands = parser.add_subparsers(dest="command", required=True)
    tick = commands.add_parser("tick")
    tick.add_argument("--at", required=True, help="the time to run at, ISO 8601")
    tick.add_argument("--marker", default="")
    upload = commands.add_parser("upload")
    upload.add_argument("--file", required=True)
    upload.add_argument("--user", required=True)
    upload.add_argument("--kind", required=True)
    upload.add_argument("--marker", default="")
    recommendations = commands.add_parser("import-recommendations")
    recommendations.add_argument("--file", required=True)
    recommendations.add_argument("--user", required=True)
    recommendations.add_argument("--title", required=True)
    recommendations.add_argument("--marker", default="")
    options = parser.parse_args(argv)

    import django

    django.setup()
    run = {"tick": _tick, "upload": _upload, "import-recommendations": _import_recommendations}
    run[options.command](options)


if __name__ == "__main__":
    main()
