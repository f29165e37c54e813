"""Can an authority with 400,000 children in need make its statutory returns in a minute?

Issue 8's target: the children in need census (`write_cin_census`) and Ofsted's Annex A
(`write_annex_a`) each in under 60 seconds, in under 2 GB, for a demo authority whose census
year holds 400,000 children in need (all of England's in a year).

Building (once; `--reuse` times again on the database built before):

1. `seed_demo --children 100000` with casework for all of them (no matching extras), as
   the oversight benchmark builds: eighteen months of a children's service at English
   rates, about 2,400 children in need in the census year.
2. Those children and all their casework copied with new keys by `INSERT ... SELECT`
   (`bench/casework_copies.py`) until the census year holds `--children-in-need`
   (400,000): about 170 copies. Generating 17 million children with the demo's Python to
   get the same casework would take hours; copying in SQL takes minutes, and every copy is
   the demo's own realistic casework with its foreign keys kept consistent (checked by the
   module's tests).
3. `ANALYZE` (PostgreSQL: `VACUUM ANALYZE`).

Timing: each piece of work runs in a fresh Python process (`--run-one`: Django set up, then
one call writing to a file): the census writer, the census validation, the census command's
work (`write_validated_cin_census`: validating while writing, in one pass, as `jigsaw
cin_census` and the page's download do) and Annex A. The process reports the call's wall seconds and its peak resident
memory (VmHWM). The parent then counts what was written (the census's `<Child>` elements;
Annex A's rows on each list) and prints a table against the targets. Results go to
bench/results/returns-<sqlite|postgresql>.json with the machine and its load average
before and after each return.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import importlib
import json
import math
import os
import subprocess  # nosec B404 - runs this script again, with fixed arguments
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import fresh_database, machine_info, setup_django

PROJECT_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = PROJECT_DIR / "bench" / "results"
BENCH_DIR = PROJECT_DIR / "var" / "bench"
DEFAULT_SQLITE = BENCH_DIR / "returns.sqlite3"
TARGET_SECONDS = 60.0
TARGET_PEAK_MB = 2048.0
# "cin_command" is what `jigsaw cin_census` does: validate and write in one pass.
RETURNS = ("cin_census", "cin_validation", "cin_command", "annex_a")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help=f"database (default: SQLite {DEFAULT_SQLITE.relative_to(PROJECT_DIR)}); e.g. "
        "postgres://postgres@127.0.0.1:5432/jigsaw_bench_returns (dropped and created afresh)",
    )
    parser.add_argument("--children", type=int, default=100_000, help="children in the seeded demo")
    parser.add_argument(
        "--children-in-need",
        type=int,
        default=400_000,
        help="children in need in the census year after copying (default 400,000)",
    )
    parser.add_argument("--year", type=int, default=None, help="census year (default: the latest ended)")
    parser.add_argument("--as-at", default=None, help="Annex A's date, YYYY-MM-DD (default today)")
    parser.add_argument("--seed", type=int, default=2009, help="generator seed (default 2009)")
    parser.add_argument("--reuse", action="store_true", help="time the database already built")
    parser.add_argument(
        "--base",
        default=None,
        help="start from a copy of this database, already seeded with the same demo (e.g. "
        "sqlite:///var/bench/dashboards.sqlite3, built by bench/dashboards.py) instead of seeding",
    )
    parser.add_argument("--build-only", action="store_true", help="build, time nothing")
    parser.add_argument("--only", choices=RETURNS, default=None, help="time one return")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile each return and list its slowest queries"
    )
    parser.add_argument("--run-one", choices=RETURNS, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--out", default=None, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def latest_census_year(today: datetime.date) -> int:
    """The census year (ending 31 March) most recently ended."""
    return today.year if today >= datetime.date(today.year, 3, 31) else today.year - 1


# --- Building ----------------------------------------------------------------------------


def build(args: argparse.Namespace, year: int) -> dict[str, Any]:
    from casework_copies import children_in_need, copy_children_in_need, plan_copies
    from django.core.management import call_command
    from django.db import connection

    built: dict[str, Any] = {"children": args.children, "seed": args.seed, "year": year}
    started = time.perf_counter()
    if args.base:
        # The dashboards benchmark's database is this same demo: copied, not seeded again.
        built["base"] = args.base
        # Tables added by migrations since the base was built (empty there, so no copies).
        call_command("migrate", verbosity=0, interactive=False)
        base_build = _build_file(args.base)
        if base_build.exists():
            built["base_built"] = json.loads(base_build.read_text(encoding="utf-8"))
    else:
        call_command("migrate", verbosity=0, interactive=False)
        call_command(
            "seed_demo",
            children=args.children,
            casework_children=args.children,
            matching_extras=False,
            seed=args.seed,
            quiet=True,
        )
    built["seed_demo_seconds"] = round(time.perf_counter() - started, 1)
    base = children_in_need(year)
    copies = max(0, math.ceil(args.children_in_need / base) - 1) if base else 0
    print(
        f"seeded in {built['seed_demo_seconds']:.0f}s: {base:,} children in need in {year}; "
        f"{copies} copies to come",
        flush=True,
    )

    def progress(k: int) -> None:
        if k % 10 == 0 or k == copies:
            print(f"  copy {k}/{copies} ({time.perf_counter() - started:.0f}s)", flush=True)

    built["demo_children_in_need"] = base
    built["copied"] = copy_children_in_need(copies, plan=plan_copies(), progress=progress)
    analyze_started = time.perf_counter()
    vacuum = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
    built["analyze_seconds"] = round(time.perf_counter() - analyze_started, 1)
    built["children_in_need"] = children_in_need(year)
    built["seconds"] = round(time.perf_counter() - started, 1)
    return built


def _build_file(database_url: str) -> Path:
    """What a build took, kept beside its database for --reuse."""
    name = database_url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".sqlite3")
    return BENCH_DIR / f"{name}.build.json"


def copy_database(base_url: str, database_url: str) -> None:
    """Start from a copy of an already seeded demo (the dashboards benchmark's)."""
    if database_url.startswith("sqlite:///"):
        import sqlite3

        source = Path(base_url.removeprefix("sqlite:///"))
        target = Path(database_url.removeprefix("sqlite:///"))
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        return
    import psycopg

    url = urlparse(database_url)
    base = urlparse(base_url).path.lstrip("/")
    with psycopg.connect(
        host=url.hostname,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        dbname="postgres",
        autocommit=True,
        connect_timeout=5,
    ) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{url.path.lstrip("/")}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{url.path.lstrip("/")}" TEMPLATE "{base}"')


def database_size() -> int | None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")
        else:
            cursor.execute("SELECT pg_database_size(current_database())")
        row = cursor.fetchone()
    return int(row[0]) if row else None


# --- One return, in its own process ------------------------------------------------------


def _vm_hwm_kb() -> int:
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _call(name: str, out: Path, *, year: int, as_at: datetime.date) -> Any:
    """One return's work, as the command that makes it does it; returns its summary."""
    if name == "cin_validation":
        from jigsaw.performance.returns.cin_validation import validate_cin_census

        failures = validate_cin_census(year=year)
        by_code: dict[str, int] = {}
        for failure in failures:
            by_code[failure.code] = by_code.get(failure.code, 0) + 1
        out.write_text(json.dumps(by_code, indent=1) + "\n", encoding="utf-8")
        return {"failures": len(failures), "failures_by_rule": by_code}
    if name == "cin_command":
        from jigsaw.performance.returns.cin_validation import write_validated_cin_census

        with out.open("wb") as f:
            summary, failures = write_validated_cin_census(f, year=year)
        return {"children": summary.children, "episodes": summary.episodes, "failures": len(failures)}
    with out.open("wb") as f:
        if name == "cin_census":
            from jigsaw.performance.returns.cin_census import write_cin_census

            return write_cin_census(f, year=year)
        from jigsaw.performance.returns.annex_a import write_annex_a

        return write_annex_a(f, as_at=as_at)


def _summary_json(summary: Any) -> Any:
    if dataclasses.is_dataclass(summary) and not isinstance(summary, type):
        found = dataclasses.asdict(summary)
        for extra in ("rows", "total"):  # AnnexASummary's properties
            if hasattr(summary, extra):
                found[extra] = getattr(summary, extra)
        return json.loads(json.dumps(found, default=str))
    return summary


def run_one(args: argparse.Namespace, database_url: str) -> int:
    """Child process: one return's work, writing to a file; a JSON line on stdout."""
    setup_django(database_url)
    out = Path(args.out)
    as_at = datetime.date.fromisoformat(args.as_at)
    module = {
        "cin_census": "cin_census",
        "cin_validation": "cin_validation",
        "cin_command": "cin_validation",
        "annex_a": "annex_a",
    }[args.run_one]
    try:
        importlib.import_module(f"jigsaw.performance.returns.{module}")
    except ImportError as exc:
        print(json.dumps({"available": False, "error": str(exc)}))
        return 0
    hwm_before = _vm_hwm_kb()
    profiler = None
    captured = None
    if args.profile:
        import cProfile

        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        captured = CaptureQueriesContext(connection)
        captured.__enter__()
        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    summary = _call(args.run_one, out, year=args.year, as_at=as_at)
    seconds = time.perf_counter() - started
    if profiler is not None and captured is not None:
        import pstats

        profiler.disable()
        captured.__exit__(None, None, None)
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(40)
        queries = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
        total = sum(float(q["time"]) for q in queries)
        print(f"{len(queries)} queries, {total:.2f}s in the database; the slowest:", file=sys.stderr)
        for q in queries[:15]:
            print(f"  {q['time']}s  {q['sql'][:600]}", file=sys.stderr)
    print(
        json.dumps(
            {
                "available": True,
                "seconds": round(seconds, 2),
                "peak_rss_mb": round(_vm_hwm_kb() / 1024, 1),
                "peak_rss_before_call_mb": round(hwm_before / 1024, 1),
                "summary": _summary_json(summary),
            }
        )
    )
    return 0


def time_return(
    name: str, args: argparse.Namespace, database_url: str, year: int, as_at: datetime.date
) -> dict[str, Any]:
    out_dir = BENCH_DIR / "returns-out"
    out_dir.mkdir(parents=True, exist_ok=True)
    out = (
        out_dir
        / {
            "cin_census": f"cin-{year}.xml",
            "cin_validation": f"cin-{year}-failures.json",
            "cin_command": f"cin-{year}-checked.xml",
            "annex_a": f"annex_a-{as_at}.xlsx",
        }[name]
    )
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--run-one",
        name,
        "--database-url",
        database_url,
        "--out",
        str(out),
        "--year",
        str(year),
        "--as-at",
        as_at.isoformat(),
    ] + (["--profile"] if args.profile else [])
    load_before = os.getloadavg()
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 - this script  # nosec B603
    process_seconds = time.perf_counter() - started
    load_after = os.getloadavg()
    if args.profile:
        print(done.stderr[-20000:], file=sys.stderr)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        return {
            "available": True,
            "failed": True,
            "returncode": done.returncode,
            "stderr": done.stderr[-4000:],
        }
    result: dict[str, Any] = json.loads(lines[-1])
    if not result.get("available"):
        return result
    result["process_seconds"] = round(process_seconds, 2)
    result["output_bytes"] = out.stat().st_size
    result["output"] = str(out.relative_to(PROJECT_DIR))
    result["load_average"] = {
        "before": [round(x, 2) for x in load_before],
        "after": [round(x, 2) for x in load_after],
    }
    if name in ("cin_census", "cin_command"):
        result.update(count_cin(out))
    elif name == "annex_a":
        result.update(count_annex_a(out))
    result["meets_target"] = result["seconds"] < TARGET_SECONDS and result["peak_rss_mb"] < TARGET_PEAK_MB
    return result


def count_cin(path: Path) -> dict[str, Any]:
    """The census's children and all its elements, read as a stream."""
    from lxml import etree  # type: ignore[import-untyped]

    children = elements = 0
    for _event, element in etree.iterparse(str(path), events=("end",)):
        elements += 1
        if etree.QName(element).localname == "Child":
            children += 1
            element.clear()
    return {"children": children, "elements": elements}


def count_annex_a(path: Path) -> dict[str, Any]:
    """Annex A's rows on each list, below each sheet's header row: the `<row` elements of
    each worksheet counted in the stream (openpyxl takes minutes to read 400,000 children)."""
    import re
    import zipfile

    counted: dict[str, int] = {}
    with zipfile.ZipFile(path) as book:
        for name in sorted(book.namelist()):
            if not re.fullmatch(r"xl/worksheets/sheet\d+\.xml", name):
                continue
            rows, tail = 0, b""
            with book.open(name) as sheet:
                while chunk := sheet.read(1 << 20):
                    data = tail + chunk
                    rows += data.count(b"<row ") + data.count(b"<row>")
                    tail = data[-5:]
                    # A tag split across chunks is counted once: drop what the tail recounts.
                    rows -= tail.count(b"<row ") + tail.count(b"<row>")
                rows += tail.count(b"<row ") + tail.count(b"<row>")
            counted[name.rsplit("/", 1)[-1].removesuffix(".xml")] = max(0, rows - 1)
    return {"rows_by_sheet": counted, "rows": sum(counted.values())}


# --- Main ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    database_url = args.database_url or f"sqlite:///{DEFAULT_SQLITE}"
    if args.run_one:
        return run_one(args, database_url)
    vendor = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    if args.base and "://" not in args.base:
        args.base = f"sqlite:///{Path(args.base).resolve()}"
    build_file = _build_file(database_url)
    if not args.reuse:
        fresh_database(database_url)
        if args.base:
            copy_database(args.base, database_url)
    setup_django(database_url)
    from django.utils import timezone

    today = timezone.localdate()
    year = args.year or latest_census_year(today)
    as_at = datetime.date.fromisoformat(args.as_at) if args.as_at else today
    print(f"database: {vendor} ({database_url}){'' if args.reuse else ', fresh'}", flush=True)
    if args.reuse:
        built = json.loads(build_file.read_text(encoding="utf-8")) if build_file.exists() else {}
        # Tables added by migrations since the build (empty: re-build to fill them).
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
    else:
        built = build(args, year)
        built["database_bytes"] = database_size()
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        build_file.write_text(json.dumps(built, indent=2) + "\n", encoding="utf-8")
        print(
            f"built in {built['seconds']:.0f}s: {built['children_in_need']:,} children in need in {year}",
            flush=True,
        )
    if args.build_only:
        return 0
    from casework_copies import children_in_need

    in_need = children_in_need(year)
    from django.db import connections

    connections.close_all()  # the children open their own

    results: dict[str, Any] = {}
    for name in RETURNS:
        if args.only and name != args.only:
            continue
        results[name] = r = time_return(name, args, database_url, year, as_at)
        if not r.get("available", True):
            print(f"{name:>14}: not available ({r.get('error')})", flush=True)
        elif r.get("failed"):
            print(f"{name:>14}: FAILED (exit {r['returncode']})\n{r['stderr']}", flush=True)
        else:
            if name in ("cin_census", "cin_command"):
                written = f"{r.get('children', 0):,} children"
            elif name == "cin_validation":
                written = f"{r['summary']['failures']:,} failures"
            else:
                written = f"{r.get('rows', 0):,} rows"
            verdict = "meets" if r["meets_target"] else "MISSES"
            print(
                f"{name:>14}: {r['seconds']:6.1f} s (process {r['process_seconds']:.1f} s)  "
                f"peak {r['peak_rss_mb']:7.1f} MB  {written}  {r['output_bytes'] / 1e6:.1f} MB written  "
                f"load {r['load_average']['before'][0]}  ({verdict})",
                flush=True,
            )
    report = {
        "benchmark": "returns",
        "what": "each return's writer (and the census's validation) called once in a fresh process, "
        "writing to a file: wall seconds of the call and the process's peak resident memory (VmHWM)",
        "year": year,
        "as_at": as_at.isoformat(),
        "children_in_need": in_need,
        "built": built,
        "targets": {"seconds": TARGET_SECONDS, "peak_rss_mb": TARGET_PEAK_MB},
        "returns": results,
        "machine": machine_info(vendor, packages=("lxml", "openpyxl", "django")),
    }
    if not args.only and not args.profile:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        out = RESULTS_DIR / f"returns-{vendor}.json"
        out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"results: {out.relative_to(PROJECT_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
