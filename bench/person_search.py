"""Person search at scale: how fast is "find a person" with N people in the index?

Builds (or, with --reuse, reuses) an index of N synthetic people with the demo generator,
then times `search_people` -- the code the "find a person" page runs -- as a social worker:

- name and date of birth, taken from real people in the index with the errors people make
  (a typo in the family name, day and month swapped), and the recall: how often the true
  person is in the top five;
- NHS number lookups.

Writes bench/results/person_search-<backend>-<N>.json. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import string
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import machine_info, summary

PROJECT_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = PROJECT_DIR / "bench" / "results"

# Share of name + date-of-birth queries with each kind of error.
VARIANTS: dict[str, float] = {
    "exact": 0.4,
    "family_name_typo": 0.3,
    "day_month_swapped": 0.2,
    "typo_and_swapped": 0.1,
}


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
        help="database to use (default: a SQLite file var/bench/person_search-<N>.sqlite3); "
        "e.g. postgres://postgres@127.0.0.1:5432/jigsaw_bench",
    )
    parser.add_argument("--reuse", action="store_true", help="use the people already in the database")
    parser.add_argument("--seed", type=int, default=2009, help="generator seed (default 2009)")
    parser.add_argument("--queries", type=int, default=1000, help="queries of each kind (default 1000)")
    parser.add_argument(
        "--explain", action="store_true", help="print the query plan of one name + DOB search"
    )
    return parser.parse_args(argv)


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("JIGSAW_INSECURE_LOCAL", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jigsaw.settings")
    # One connection for the whole run, as a web worker keeps one between requests.
    os.environ.setdefault("CONN_MAX_AGE", "600")
    import django

    django.setup()


def typo(rng: random.Random, name: str) -> str:
    """One slip of the keyboard, never on the first letter (people rarely get that wrong)."""
    if len(name) < 3:
        return name + rng.choice(string.ascii_lowercase)
    i = rng.randrange(1, len(name))
    op = rng.choice(["substitute", "delete", "transpose", "insert"])
    letter = rng.choice(string.ascii_lowercase)
    if op == "substitute":
        return name[:i] + letter + name[i + 1 :]
    if op == "delete":
        return name[:i] + name[i + 1 :]
    if op == "transpose" and i < len(name) - 1:
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    return name[:i] + letter + name[i:]


def swap_day_month(day: datetime.date) -> datetime.date | None:
    if day.day > 12 or day.day == day.month:
        return None
    return day.replace(month=day.day, day=day.month)


def build_index(people: int, seed: int) -> float:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("seed_demo", people=people, seed=seed, reset=True)
    return time.perf_counter() - started


def sample_people(rng: random.Random, count: int) -> list[Any]:
    """People with an exact date of birth and a given name, chosen at random by id."""
    from django.db.models import Max, Min

    from jigsaw.people.models import BirthDatePrecision, Person

    bounds = Person.objects.aggregate(low=Min("pk"), high=Max("pk"))
    low, high = int(bounds["low"]), int(bounds["high"])
    chosen: dict[int, Any] = {}
    while len(chosen) < count:
        ids = [rng.randint(low, high) for _ in range(count * 2)]
        for person in Person.objects.filter(
            pk__in=ids, birth_date_precision=BirthDatePrecision.EXACT, date_of_birth__isnull=False
        ).exclude(given_names=""):
            chosen.setdefault(person.pk, person)
    ordered = sorted(chosen.values(), key=lambda p: p.pk)
    rng.shuffle(ordered)
    return ordered[:count]


def name_dob_queries(rng: random.Random, people: list[Any]) -> list[tuple[str, Any, int]]:
    """(variant, SearchQuery, true person id) for each sampled person."""
    from jigsaw.people.queries import SearchQuery

    names = list(VARIANTS)
    weights = list(VARIANTS.values())
    queries = []
    for person in people:
        variant = rng.choices(names, weights=weights)[0]
        family = person.family_name
        dob = person.date_of_birth
        if variant in {"day_month_swapped", "typo_and_swapped"}:
            swapped = swap_day_month(dob)
            if swapped is None:
                variant = "family_name_typo" if variant == "typo_and_swapped" else "exact"
            else:
                dob = swapped
        if variant in {"family_name_typo", "typo_and_swapped"}:
            family = typo(rng, family)
        # The first given name only: middle names are often not known to the person asking.
        given = person.given_names.split()[0]
        queries.append((variant, SearchQuery(name=f"{given} {family}", date_of_birth=dob), person.pk))
    return queries


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    database_url = (
        args.database_url
        or f"sqlite:///{PROJECT_DIR / 'var' / 'bench' / f'person_search-{args.people}.sqlite3'}"
    )
    if database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    setup_django(database_url)

    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection

    from jigsaw.people.models import Person
    from jigsaw.people.normalise import format_nhs_number
    from jigsaw.people.queries import SearchQuery, search_people

    vendor = connection.vendor
    print(f"database: {vendor} ({database_url})", flush=True)
    call_command("migrate", verbosity=0, interactive=False)

    build_seconds: float | None = None
    if args.reuse and Person.objects.exists():
        print("reusing the people already in the database", flush=True)
    else:
        print(f"building an index of {args.people:,} people (seed {args.seed})", flush=True)
        build_seconds = build_index(args.people, args.seed)
        print(f"built in {build_seconds:.0f}s", flush=True)
    total_people = Person.objects.count()

    user = User.objects.select_related("practitioner").get(username="social_worker")
    rng = random.Random(args.seed + 1)
    sampled = sample_people(rng, args.queries)
    name_queries = name_dob_queries(rng, sampled)
    with_nhs = [p for p in sample_people(rng, args.queries * 2) if p.nhs_number][: args.queries]
    nhs_queries = [(SearchQuery(nhs_number=format_nhs_number(p.nhs_number)), p.pk) for p in with_nhs]

    if args.explain:
        _, query, _ = name_queries[0]
        from django.db import reset_queries
        from django.test.utils import CaptureQueriesContext

        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            search_people(user, query)
        for q in captured.captured_queries:
            print(q["sql"], flush=True)
            with connection.cursor() as cursor:
                prefix = "EXPLAIN QUERY PLAN " if vendor == "sqlite" else "EXPLAIN ANALYZE "
                cursor.execute(prefix + q["sql"])
                for row in cursor.fetchall():
                    print("   ", row, flush=True)

    # Warm up: the first queries load pages and indexes into memory, as on a live server.
    for _, query, _ in name_queries[:50]:
        search_people(user, query)
    for query, _ in nhs_queries[:50]:
        search_people(user, query)

    name_latencies: list[float] = []
    found: dict[str, list[bool]] = {v: [] for v in VARIANTS}
    for variant, query, true_id in name_queries:
        started = time.perf_counter()
        results = search_people(user, query)
        name_latencies.append((time.perf_counter() - started) * 1000)
        found[variant].append(any(r.person.pk == true_id for r in results[:5]))

    nhs_latencies: list[float] = []
    nhs_found: list[bool] = []
    for query, true_id in nhs_queries:
        started = time.perf_counter()
        results = search_people(user, query)
        nhs_latencies.append((time.perf_counter() - started) * 1000)
        nhs_found.append(bool(results) and results[0].person.pk == true_id)

    all_found = [hit for hits in found.values() for hit in hits]
    report = {
        "benchmark": "person_search",
        "people_requested": args.people,
        "people_in_index": total_people,
        "seed": args.seed,
        "build_seconds": round(build_seconds, 1) if build_seconds is not None else None,
        "name_and_dob": {
            **summary(name_latencies),
            "recall_top5": round(sum(all_found) / len(all_found), 4) if all_found else None,
            "recall_top5_by_variant": {
                v: {"count": len(hits), "recall": round(sum(hits) / len(hits), 4) if hits else None}
                for v, hits in found.items()
            },
        },
        "nhs_number": {
            **summary(nhs_latencies),
            "found_first": round(sum(nhs_found) / len(nhs_found), 4) if nhs_found else None,
        },
        "machine": machine_info(vendor),
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"person_search-{vendor}-{args.people}.json"
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")

    print(f"people in index: {total_people:,}")
    for label, key in [("name + date of birth", "name_and_dob"), ("NHS number", "nhs_number")]:
        s = report[key]
        assert isinstance(s, dict)
        print(
            f"{label:>22}: p50 {s['p50_ms']:.1f} ms  p95 {s['p95_ms']:.1f} ms  p99 {s['p99_ms']:.1f} ms  (n={s['count']})"
        )
    name_report = report["name_and_dob"]
    assert isinstance(name_report, dict)
    print(f"{'recall (top 5)':>22}: {name_report['recall_top5']:.1%}")
    for v, r in name_report["recall_top5_by_variant"].items():
        if r["count"]:
            print(f"{'':>24}{v}: {r['recall']:.1%} of {r['count']}")
    print(f"results: {out.relative_to(PROJECT_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
