"""The load benchmark's machinery works end to end: gunicorn started over a tiny demo,
every kind of simulated user signed in and doing its work, nothing failing.

bench/load.py runs in its own process, as it is used: Locust patches the standard library
for gevent when imported, which must not happen inside the test run. Its gunicorn serves
this test's database: on PostgreSQL the test database itself, on SQLite a file copy of the
in-memory test database (another process cannot open that one).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection

PROJECT_DIR = Path(__file__).resolve().parents[2]

# Every request the mix makes: each role's pages and both forms that write (a flag check,
# a case note), with the pages they lead to.
EXPECTED_REQUESTS = {
    "sign in (form)",
    "sign in (POST)",
    "front door queue",
    "contact",
    "flag check (form)",
    "flag check (POST)",
    "flag check answer",
    "my work",
    "referral",
    "chronology",
    "case note (form)",
    "case note (POST)",
    "case note",
    "team page",
    "service dashboard",
    "service dashboard (all teams)",
    "indicator",
    "partnership dashboard",
}


def served_database_url(tmp_path: Path) -> str:
    """A URL another process can open for the data of this test's database."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        copy = tmp_path / "load.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(copy) as target:
            connection.connection.backup(target)
        return f"sqlite:///{copy}"
    password = f":{quote(settings['PASSWORD'])}" if settings["PASSWORD"] else ""
    return (
        f"postgres://{quote(settings['USER'])}{password}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


@pytest.mark.django_db(transaction=True)
def test_a_short_load_makes_every_kind_of_request_without_failures(tmp_path: Path) -> None:
    call_command("seed_demo", children=300, matching_extras=False, quiet=True)
    out = tmp_path / "load.json"
    command = [
        sys.executable, "bench/load.py",
        "--database-url", served_database_url(tmp_path),
        # Enough users that the smallest weight (the analyst's) gets one.
        "--users", "20", "--spawn-rate", "20", "--seconds", "8",
        "--workers", "2", "--think", "0.2-0.6", "--flag-checks", "20",
        "--no-migrate", "--out", str(out),
    ]  # fmt: skip
    finished = subprocess.run(  # noqa: S603 - our own script
        command,
        cwd=PROJECT_DIR,
        env=os.environ | {"JIGSAW_INSECURE_LOCAL": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]

    report = json.loads(out.read_text(encoding="utf-8"))
    # Each user opens each of its usual pages once after signing in, so over the whole run
    # every kind of request was made; none failed.
    made = report["all_requests"]["requests"]
    assert set(made) == EXPECTED_REQUESTS
    assert all(figures["count"] > 0 for figures in made.values()), made
    assert report["failure_messages"] == {}
    assert made["sign in (POST)"]["count"] == report["sign_in"]["count"] == 20
    # And the measured window, after every user had signed in, saw the mix at work.
    run = report["run"]["overall"]
    assert run["count"] > 0 and run["failures"] == 0
