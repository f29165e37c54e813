"""Single-record matching latency: how fast is `match(record)` with N people in the index?

Issue 4, item 3: p99 under 25 ms at 1,000,000 people, on SQLite and on PostgreSQL.

Builds (or, with --reuse, reuses) an index of N synthetic people with the demo generator
(as bench/person_search.py does), then builds the matcher's own index over them
(`jigsaw.matching.index.rebuild`: each person's features and blocking keys; timed, since
bulk loads bypass the signals that keep it in step), then times
`jigsaw.matching.matcher.match` -- the function every path of the app calls: the record's
blocking keys looked up in the BlockingKey table, the candidates' stored features fetched,
each scored in Python with the active model.

Queries are records made from people really in the index, with the errors agencies make:
exact, a typo in the family name, day and month swapped, both, or a nickname for the given
name; and, whatever the error, the NHS number missing from some. Reported: p50/p95/p99 of
`match`, the recall (the true person first, and in the top five), and the mean number of
candidates scored per query (computed outside the timed calls). Optionally
(--memory-index) the same records through `MemoryIndex.match`, the same keys and scoring
over an in-process index, as a reference without a database.

Writes bench/results/matching_latency-<backend>-<N>.json. See bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import machine_info, summary
from person_search import sample_people, setup_django, swap_day_month, typo

if TYPE_CHECKING:
    from jigsaw.matching.records import MatchRecord

PROJECT_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = PROJECT_DIR / "bench" / "results"
TARGET_P99_MS = 25.0

# Share of queries with each kind of error.
VARIANTS: dict[str, float] = {
    "exact": 0.35,
    "family_name_typo": 0.25,
    "day_month_swapped": 0.15,
    "typo_and_swapped": 0.1,
    "nickname": 0.15,
}
# Share of queries whose NHS number is not known to the agency (police rarely have one).
NHS_MISSING = 0.3


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--people", type=int, default=1_000_000, help="people in the index (default 1,000,000)"
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="database to use (default: a SQLite file var/bench/matching_latency-<N>.sqlite3); "
        "e.g. postgres://postgres@127.0.0.1:5432/jigsaw_bench_matching (created if missing)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="use the people (and the matcher's index, if complete) already in the database",
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="with --reuse: rebuild the matcher's index all the same"
    )
    parser.add_argument("--seed", type=int, default=2009, help="generator seed (default 2009)")
    parser.add_argument("--queries", type=int, default=1000, help="timed queries (default 1000)")
    parser.add_argument("--warmup", type=int, default=50, help="untimed queries first (default 50)")
    parser.add_argument(
        "--memory-index",
        action="store_true",
        help="also time MemoryIndex.match on the same records (loads every person into memory)",
    )
    parser.add_argument(
        "--no-prewarm",
        dest="prewarm",
        action="store_false",
        help="do not read the matcher's tables into memory before timing (measure a cold cache)",
    )
    parser.add_argument("--explain", action="store_true", help="print the SQL and query plans of one match")
    parser.add_argument(
        "--profile", action="store_true", help="print a cProfile of the timed queries (run again, untimed)"
    )
    return parser.parse_args(argv)


def ensure_database(database_url: str) -> None:
    """Create the SQLite file's folder, or the PostgreSQL database if it does not exist."""
    if database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
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
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            admin.execute(f'CREATE DATABASE "{name}"')


def _timed_rebuild(total: int, timings: list[float]) -> Callable[..., int]:
    """`index.rebuild` with a progress bar, its seconds appended to `timings`."""
    from tqdm import tqdm

    from jigsaw.matching import index

    rebuild = index.rebuild

    def timed(**kwargs: Any) -> int:
        started = time.perf_counter()
        with tqdm(total=total, unit=" people", unit_scale=True, mininterval=10, file=sys.stderr) as bar:

            def advance(done: int) -> None:
                bar.update(done)

            indexed = rebuild(progress=advance, **kwargs)
        timings.append(time.perf_counter() - started)
        return indexed

    return timed


def build_people(people: int, seed: int) -> tuple[float, float | None]:
    """The demo generator's people (`seed_demo --reset --no-matching-extras`: no planted
    duplicates, no model trained on them), and the seconds of the whole build and of the
    matcher's index within it (seed_demo rebuilds it after its bulk load, which sends no
    signals; timed here rather than done twice)."""
    from unittest import mock

    from django.core.management import call_command

    from jigsaw.matching import index

    timings: list[float] = []
    started = time.perf_counter()
    with mock.patch.object(index, "rebuild", _timed_rebuild(people, timings)):
        call_command("seed_demo", people=people, seed=seed, reset=True, matching_extras=False)
    return time.perf_counter() - started, timings[0] if timings else None


def rebuild_matching_index(total: int) -> float:
    """`index.rebuild` on the people already there; returns the seconds it took."""
    from django.db import connection

    timings: list[float] = []
    _timed_rebuild(total, timings)()
    # Fresh statistics for the new rows, as seed_demo leaves them; on PostgreSQL also the
    # visibility map, without which the key lookup cannot be an index-only scan (autovacuum
    # would set it on a database in service).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return timings[0]


def stale_index(people: Sequence[Any]) -> bool:
    """Whether the stored features or blocking keys of these people differ from what the
    code now gives (the index was built by an earlier version of the comparisons): timing
    the new code's keys against the old index would find other candidates."""
    from jigsaw.matching.features import blocking_keys, features
    from jigsaw.matching.index import indexed_features, person_records
    from jigsaw.matching.models import BlockingKey

    stored = indexed_features(p.pk for p in people)
    keys: dict[int, set[str]] = {}
    for person_id, key in BlockingKey.objects.filter(person_id__in=[p.pk for p in people]).values_list(
        "person_id", "key"
    ):
        keys.setdefault(person_id, set()).add(key)
    for record in person_records(people):
        person_id = int(record.record_id)
        now = features(record)
        if stored.get(person_id) != now or keys.get(person_id, set()) != set(blocking_keys(now)):
            print("the matcher's index was built by other code (features or keys differ)", flush=True)
            return True
    return False


def prewarm(vendor: str) -> float:
    """Read what `match` reads (the features and the blocking-key index) into memory, as on
    a server whose index is in use all day; returns the seconds it took. These machines
    reclaim idle page cache (DAMON), so without it the first run after a pause reads from
    disk and measures the disk."""
    from django.db import connection

    started = time.perf_counter()
    if vendor == "sqlite":
        with Path(str(connection.settings_dict["NAME"])).open("rb") as handle:
            while handle.read(16 * 1024 * 1024):
                pass
    else:
        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            for relation in (
                "matching_matchfeatures",
                "matching_matchfeatures_person_id_key",
                "blocking_key_lookup",
            ):
                cursor.execute("SELECT pg_prewarm(%s, 'read')", [relation])
    return time.perf_counter() - started


def nickname_of(rng: random.Random, given: str) -> str | None:
    """Another name from the given name's variant group (Bill for William), if it has one."""
    from jigsaw.matching.names import load_name_variants, name_groups

    groups = name_groups(given)
    if not groups:
        return None
    others = sorted(
        name for name, ids in load_name_variants().items() if ids & groups and name != given.upper()
    )
    return rng.choice(others).title() if others else None


def incoming_records(
    rng: random.Random, indexed: Sequence[MatchRecord]
) -> list[tuple[str, MatchRecord, int]]:
    """(variant, incoming record, true person id): each person as another agency would
    send them -- the first given name only, the current address, no other names, previous
    addresses or UPN -- with the variant's error, and sometimes no NHS number."""
    import dataclasses

    names = list(VARIANTS)
    weights = list(VARIANTS.values())
    out = []
    for number, person in enumerate(indexed):
        variant = rng.choices(names, weights=weights)[0]
        given = person.given_name.split()[0]
        family = person.family_name
        dob = person.dob
        assert dob is not None  # sampled with an exact date of birth
        if variant == "nickname":
            nickname = nickname_of(rng, given)
            if nickname is None:
                variant = "exact"
            else:
                given = nickname
        if variant in {"day_month_swapped", "typo_and_swapped"}:
            swapped = swap_day_month(dob)
            if swapped is None:
                variant = "family_name_typo" if variant == "typo_and_swapped" else "exact"
            else:
                dob = swapped
        if variant in {"family_name_typo", "typo_and_swapped"}:
            family = typo(rng, family)
        record = dataclasses.replace(
            person,
            record_id=f"incoming-{number}",
            given_name=given,
            family_name=family,
            other_names=(),
            dob=dob,
            previous_postcodes=(),
            previous_addresses=(),
            nhs_number="" if rng.random() < NHS_MISSING else person.nhs_number,
            upn="",
        )
        out.append((variant, record, int(person.record_id)))
    return out


def candidates_scored(record: MatchRecord) -> int:
    """How many people `match` scores for this record (its own steps, outside `match`)."""
    from jigsaw.matching.features import blocking_keys, features
    from jigsaw.matching.matcher import candidate_ids

    return len(candidate_ids(blocking_keys(features(record))))


def time_calls(
    call: Callable[[MatchRecord], list[Any]], queries: Sequence[tuple[str, MatchRecord, int]]
) -> tuple[list[float], dict[str, list[tuple[bool, bool]]]]:
    """Latency in ms of each call, and (first, in top five) per variant."""
    latencies: list[float] = []
    found: dict[str, list[tuple[bool, bool]]] = {v: [] for v in VARIANTS}
    for variant, record, true_id in queries:
        started = time.perf_counter()
        candidates = call(record)
        latencies.append((time.perf_counter() - started) * 1000)
        ids = [c.person_id for c in candidates[:5]]
        found[variant].append((bool(ids) and ids[0] == true_id, true_id in ids))
    return latencies, found


def recall(found: dict[str, list[tuple[bool, bool]]]) -> dict[str, Any]:
    def share(hits: list[bool]) -> float | None:
        return round(sum(hits) / len(hits), 4) if hits else None

    every = [hit for hits in found.values() for hit in hits]
    return {
        "recall_first": share([first for first, _ in every]),
        "recall_top5": share([top5 for _, top5 in every]),
        "by_variant": {
            v: {
                "count": len(hits),
                "recall_first": share([first for first, _ in hits]),
                "recall_top5": share([top5 for _, top5 in hits]),
            }
            for v, hits in found.items()
        },
    }


def explain(record: MatchRecord, vendor: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jigsaw.matching.matcher import match

    with CaptureQueriesContext(connection) as captured:
        match(record)
    for query in captured.captured_queries:
        print(query["sql"][:600], flush=True)
        print(f"    ({query['time']} s)", flush=True)
        with connection.cursor() as cursor:
            prefix = "EXPLAIN QUERY PLAN " if vendor == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
            cursor.execute(prefix + query["sql"])
            for row in cursor.fetchall():
                print("   ", row, flush=True)


def profile(call: Callable[[MatchRecord], list[Any]], records: Sequence[MatchRecord]) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for record in records:
        call(record)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
    print(out.getvalue(), flush=True)


def memory_index_latency(
    queries: Sequence[tuple[str, MatchRecord, int]], warmup: Sequence[MatchRecord]
) -> dict[str, Any]:
    """The same records through `MemoryIndex.match`, holding every person in the index."""
    from tqdm import tqdm

    from jigsaw.matching.index import person_records
    from jigsaw.matching.matcher import active_version
    from jigsaw.matching.memory_index import MemoryIndex
    from jigsaw.matching.scorer import TrainedModel
    from jigsaw.people.models import Person

    version = active_version()
    memory = MemoryIndex(TrainedModel(version.parameters, version.term_frequencies, version.training_records))
    started = time.perf_counter()
    people = Person.objects.filter(merged_into__isnull=True).order_by("pk")
    last = 0
    with tqdm(total=people.count(), unit=" people", unit_scale=True, mininterval=5, file=sys.stderr) as bar:
        while True:
            batch = list(people.filter(pk__gt=last)[:5000])
            if not batch:
                break
            for record in person_records(batch):
                memory.add(record)
            last = batch[-1].pk
            bar.update(len(batch))
    load_seconds = time.perf_counter() - started

    # In the memory index a record id is the order of adding, so the true person is found
    # through the record id (the person's pk) of the candidate's features.
    def call(record: MatchRecord) -> list[Any]:
        return memory.match(record, exclude_self=False)

    for record in warmup:
        call(record)
    latencies: list[float] = []
    found: dict[str, list[tuple[bool, bool]]] = {v: [] for v in VARIANTS}
    for variant, record, true_id in queries:
        started = time.perf_counter()
        candidates = call(record)
        latencies.append((time.perf_counter() - started) * 1000)
        ids = [int(c.record_id) for c in candidates[:5]]
        found[variant].append((bool(ids) and ids[0] == true_id, true_id in ids))
    return {"load_seconds": round(load_seconds, 1), **summary(latencies), **recall(found)}


def earlier_build(out: Path, people_in_index: int) -> dict[str, Any] | None:
    """The build times of the run that built the index being reused (from the results it
    left, if they are of an index of the same size), so the results keep them."""
    try:
        earlier = json.loads(out.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if earlier.get("people_in_index") != people_in_index:
        return None
    if earlier.get("build_seconds") is None and earlier.get("matcher_index_build_seconds") is None:
        found: dict[str, Any] | None = earlier.get("earlier_build")
        return found
    return {
        "date": earlier.get("machine", {}).get("date"),
        "build_seconds": earlier.get("build_seconds"),
        "matcher_index_build_seconds": earlier.get("matcher_index_build_seconds"),
    }


def open_index(
    name: str, args: argparse.Namespace, *, environ: dict[str, str] | None = None
) -> tuple[str, float | None, float | None]:
    """The benchmark's database (by default var/bench/<name>-<people>.sqlite3), migrated,
    with an index of `args.people` people built, or reused with --reuse. Returns the
    vendor and the build's seconds and the matcher index's within it (None when reused).
    `environ` is set before Django starts (for settings a benchmark needs)."""
    database_url = (
        args.database_url or f"sqlite:///{PROJECT_DIR / 'var' / 'bench' / f'{name}-{args.people}.sqlite3'}"
    )
    ensure_database(database_url)
    for key, value in (environ or {}).items():
        os.environ.setdefault(key, value)
    setup_django(database_url)

    from django.core.management import call_command
    from django.db import connection

    from jigsaw.people.models import Person

    print(f"database: {connection.vendor} ({database_url})", flush=True)
    call_command("migrate", verbosity=0, interactive=False)
    if args.reuse and Person.objects.exists():
        print("reusing the people already in the database", flush=True)
        return connection.vendor, None, None
    print(f"building an index of {args.people:,} people (seed {args.seed})", flush=True)
    build_seconds, rebuild_seconds = build_people(args.people, args.seed)
    print(f"built in {build_seconds:.0f}s (matcher's index {rebuild_seconds or 0:.0f}s of it)", flush=True)
    return connection.vendor, build_seconds, rebuild_seconds


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    vendor, build_seconds, rebuild_seconds = open_index("matching_latency", args)

    from jigsaw.matching.index import person_records
    from jigsaw.matching.matcher import active_scorer, match
    from jigsaw.matching.models import MatchFeatures
    from jigsaw.people.models import Person

    total_people = Person.objects.filter(merged_into__isnull=True).count()
    if build_seconds is None and abs(total_people - args.people) > args.people / 100:
        # The results file is named by --people: it must describe an index of that size.
        print(
            f"the database holds {total_people:,} people, not {args.people:,}: run without --reuse "
            "or give the database of that size",
            file=sys.stderr,
        )
        return 2

    rng = random.Random(args.seed + 2)
    sampled = sample_people(rng, args.queries + args.warmup)

    if rebuild_seconds is not None:
        print(f"matcher's index built in {rebuild_seconds:.0f}s (within the build)", flush=True)
    elif args.rebuild or MatchFeatures.objects.count() != total_people or stale_index(sampled[:50]):
        print(f"building the matcher's index of {total_people:,} people", flush=True)
        rebuild_seconds = rebuild_matching_index(total_people)
        print(f"matcher's index built in {rebuild_seconds:.0f}s", flush=True)
    else:
        print("reusing the matcher's index already in the database", flush=True)
    queries = incoming_records(rng, person_records(sampled))
    warmup, timed = queries[: args.warmup], queries[args.warmup :]

    prewarm_seconds = prewarm(vendor) if args.prewarm else None
    # The first call loads the active model (installing the shipped default on a new
    # database) and compiles its scorer; a running server has done that long before.
    active_scorer()
    if args.explain:
        explain(timed[0][1], vendor)
    for _, record, _ in warmup:
        match(record)

    load_before = os.getloadavg()
    latencies, found = time_calls(match, timed)
    load_after = os.getloadavg()
    counts = [candidates_scored(record) for _, record, _ in timed]

    memory: dict[str, Any] | None = None
    if args.memory_index:
        print("loading every person into a MemoryIndex", flush=True)
        memory = memory_index_latency(timed, [r for _, r, _ in warmup])

    if args.profile:
        profile(match, [r for _, r, _ in timed])

    report: dict[str, Any] = {
        "benchmark": "matching_latency",
        "people_requested": args.people,
        "people_in_index": total_people,
        "seed": args.seed,
        "build_seconds": round(build_seconds, 1) if build_seconds is not None else None,
        "matcher_index_build_seconds": round(rebuild_seconds, 1) if rebuild_seconds is not None else None,
        "target_p99_ms": TARGET_P99_MS,
        "prewarm_seconds": round(prewarm_seconds, 1) if prewarm_seconds is not None else None,
        "match": {
            **summary(latencies),
            **recall(found),
            "mean_candidates_scored": round(sum(counts) / len(counts), 1) if counts else None,
            "max_candidates_scored": max(counts) if counts else None,
        },
        "memory_index": memory,
        "earlier_build": None,
        # The machines are shared: latencies measured under load are not comparable.
        "load_average": {
            "before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in load_after],
        },
        "machine": machine_info(vendor),
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"matching_latency-{vendor}-{args.people}.json"
    if build_seconds is None and rebuild_seconds is None:
        report["earlier_build"] = earlier_build(out, total_people)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")

    print(f"people in index: {total_people:,}")
    if build_seconds is not None:
        print(f"people built in {build_seconds:.0f}s")
    if rebuild_seconds is not None:
        print(f"matcher's index built in {rebuild_seconds:.0f}s")
    if report["earlier_build"]:
        print(f"built by an earlier run: {report['earlier_build']}")
    rows: list[tuple[str, dict[str, Any]]] = [("match(record)", report["match"])]
    if memory is not None:
        rows.append(("MemoryIndex.match", memory))
    for label, s in rows:
        print(
            f"{label:>20}: p50 {s['p50_ms']:.1f} ms  p95 {s['p95_ms']:.1f} ms  p99 {s['p99_ms']:.1f} ms  "
            f"(n={s['count']}; target p99 < {TARGET_P99_MS:.0f} ms)"
        )
        print(f"{'recall':>20}: first {s['recall_first']:.1%}, top 5 {s['recall_top5']:.1%}")
        for v, r in s["by_variant"].items():
            if r["count"]:
                print(
                    f"{'':>22}{v}: first {r['recall_first']:.1%}, top 5 {r['recall_top5']:.1%} of {r['count']}"
                )
    match_report: dict[str, Any] = report["match"]
    print(
        f"{'candidates scored':>20}: mean {match_report['mean_candidates_scored']}, "
        f"max {match_report['max_candidates_scored']}"
    )
    print(f"load average while timing: {report['load_average']} (nproc {os.cpu_count()})")
    print(f"results: {out.relative_to(PROJECT_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
