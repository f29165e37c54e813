"""What every benchmark shares: the machine it ran on, and latency summaries.

Figures from a shared 2-core machine are only comparable within one run, so each result
carries the machine, its load average when the run started, and the library versions.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import os
import platform
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse


def _proc_field(path: str, prefix: str) -> str:
    try:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def _database_version(vendor: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("select sqlite_version()" if vendor == "sqlite" else "select version()")
        row = cursor.fetchone()
    return str(row[0]) if row else ""


def machine_info(vendor: str | None = None, packages: Sequence[str] = ()) -> dict[str, Any]:
    """The machine, and (given a database vendor, with Django set up) the database's version."""
    memory = _proc_field("/proc/meminfo", "MemTotal")
    info: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "cpu_model": _proc_field("/proc/cpuinfo", "model name"),
        "memory_gb": round(int(memory.split()[0]) / 1024 / 1024, 1) if memory else None,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    if vendor is not None:
        info["database"] = vendor
        info["database_version"] = _database_version(vendor)
    if packages:
        versions: dict[str, str] = {}
        for package in packages:
            try:
                versions[package] = str(importlib.import_module(package).__version__)
            except (ImportError, AttributeError):
                versions[package] = "missing"
        info["packages"] = versions
    return info


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, round(p / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summary(latencies_ms: Sequence[float]) -> dict[str, float]:
    ordered = sorted(latencies_ms)
    return {
        "count": len(ordered),
        "p50_ms": round(percentile(ordered, 50), 2),
        "p95_ms": round(percentile(ordered, 95), 2),
        "p99_ms": round(percentile(ordered, 99), 2),
        "max_ms": round(ordered[-1], 2) if ordered else float("nan"),
        "mean_ms": round(sum(ordered) / len(ordered), 2) if ordered else float("nan"),
    }


# --- Pages timed through Django's test client (chronology, oversight) ---------------


def page_bench_parser(
    description: str | None, *, default_sqlite: Path, example_database: str
) -> argparse.ArgumentParser:
    """The argument parser every page benchmark starts from: which database to build in."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help=f"database to use (default: a new SQLite file {default_sqlite}); e.g. "
        f"postgres://postgres@127.0.0.1:5432/{example_database} (dropped and created afresh)",
    )
    return parser


def fresh_database(database_url: str) -> None:
    """Start from nothing: remove the SQLite file, or drop and create the PostgreSQL database."""
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    url = urlparse(database_url)
    name = url.path.lstrip("/")
    with psycopg.connect(
        host=url.hostname,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        dbname="postgres",
        autocommit=True,
        connect_timeout=5,
    ) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("JIGSAW_INSECURE_LOCAL", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jigsaw.settings")
    # One connection for the whole run, as a web worker keeps one between requests
    # (the settings keep SQLite at one connection per request, as in service).
    os.environ.setdefault("CONN_MAX_AGE", "600")
    import django

    # Not setup_test_environment(): its instrumented template rendering would slow the
    # pages down. The test client's host, "testserver", is in the default ALLOWED_HOSTS.
    django.setup()


def time_page(client: Any, url: str, runs: int, warmup: int) -> tuple[list[float], int]:
    """Warm up, then time `runs` GETs; returns the latencies (ms) and the page size."""
    size = 0
    for _ in range(warmup):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        size = len(response.content)
    latencies = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        latencies.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return latencies, size


def profile(client: Any, url: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    print(f"  {len(captured.captured_queries)} queries for {url}")
    for q in captured.captured_queries:
        print(f"    {q['time']}s  {q['sql'][:160]}")
