"""The flag check at scale: how fast does a partner get an answer with N people in the index?

Issue 5, item 3: flag-check p99 under 50 ms at 1,000,000 people.

Builds (or, with --reuse, reuses) an index of N synthetic people with the demo generator and
the matcher's index over them (as bench/matching_latency.py does: `seed_demo --reset
--no-matching-extras`, with the demo's casework for the first 20,000 children, so that some
children are on child protection plans and some are looked after), then times
`jigsaw.partners.actions.flags.check_flag` end to end -- the action the flag-check page
calls, with everything it writes and commits: the rate-limit count, the NHS-number lookup
or the matcher and its decision, the FlagCheck row, the hash-chained access-log row, the
disclosure and the worker's notification.

The checks, asked by partner practitioners at a hospital (each asks at most 15, under the
hourly limit, so no check is refused):
- half by NHS number (written with spaces, as on a letter), a tenth of those numbers valid
  but held by nobody; half by first given name, family name and date of birth, a fifth of
  those with a typo in the family name, seven in ten with the child's postcode;
- a third about children on a plan or looked after, the rest about anyone in the index.

Writes bench/results/partners_flags_<sqlite|postgresql>.json at 1,000,000 people (and
partners_flags_<backend>-<N>.json at other sizes, so a quick run never overwrites the
target's figures). See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import machine_info, summary
from matching_latency import earlier_build, open_index, prewarm, rebuild_matching_index
from person_search import sample_people, typo

PROJECT_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = PROJECT_DIR / "bench" / "results"
TARGET_P99_MS = 50.0
TARGET_PEOPLE = 1_000_000
CHECKS_PER_ASKER = 15
FLAGGED_SHARE = 1 / 3
NHS_SHARE = 0.5
UNKNOWN_NHS_SHARE = 0.1
NAME_TYPO_SHARE = 0.2
# Share of name checks that give the postcode too (a hospital usually has the address).
NAME_POSTCODE_SHARE = 0.7


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--people", type=int, default=TARGET_PEOPLE, help="people in the index (default 1,000,000)"
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="database to use (default: a SQLite file var/bench/partners_flags-<N>.sqlite3); "
        "e.g. postgres://postgres@127.0.0.1:5432/jigsaw_bench_flags",
    )
    parser.add_argument("--reuse", action="store_true", help="use the people already in the database")
    parser.add_argument("--seed", type=int, default=2009, help="generator seed (default 2009)")
    parser.add_argument("--checks", type=int, default=1000, help="timed flag checks (default 1000)")
    parser.add_argument("--warmup", type=int, default=50, help="untimed checks first (default 50)")
    parser.add_argument(
        "--no-prewarm",
        dest="prewarm",
        action="store_false",
        help="do not read the database into memory before timing (measure a cold cache)",
    )
    return parser.parse_args(argv)


def flagged_people(rng: random.Random, count: int) -> list[Any]:
    """Children on an open child protection plan or looked after, at random."""
    from django.db.models import Q

    from jigsaw.casework.models import ChildProtectionPlan, LookedAfterEpisode
    from jigsaw.people.models import Person

    ids = set(ChildProtectionPlan.objects.filter(ended_on__isnull=True).values_list("person_id", flat=True))
    ids |= set(LookedAfterEpisode.objects.filter(ended_on__isnull=True).values_list("person_id", flat=True))
    chosen = rng.sample(sorted(ids), min(count, len(ids)))
    return list(
        Person.objects.filter(pk__in=chosen, merged_into__isnull=True)
        .filter(~Q(given_names=""), date_of_birth__isnull=False)
        .order_by("pk")
    )


def unknown_nhs_number(rng: random.Random) -> str:
    """A valid NHS number (check digit right) that nobody in the index holds."""
    from nhs_number.validate import calculate_checksum

    from jigsaw.people.models import Person

    while True:
        stem = f"{rng.randrange(400_000_000, 900_000_000):09d}"
        check = calculate_checksum(stem)
        if check is None or check > 9:
            continue
        number = f"{stem}{check}"
        if not Person.objects.filter(nhs_number=number).exists():
            return number


def make_checks(
    rng: random.Random, flagged: list[Any], anyone: list[Any], total: int
) -> list[dict[str, Any]]:
    """The keyword arguments of each check, with the kind of check for the report."""
    from jigsaw.matching.index import person_records
    from jigsaw.people.normalise import format_nhs_number

    postcodes = {int(r.record_id): r.postcode for r in person_records([*flagged, *anyone])}
    checks: list[dict[str, Any]] = []
    for i in range(total):
        pool = flagged if flagged and rng.random() < FLAGGED_SHARE else anyone
        person = pool[i % len(pool)] if pool is flagged else rng.choice(pool)
        base = {
            "reason": "Attended A&E with a head injury; checking before discharge",
            "where_seen": "St Mary's A&E",
        }
        if rng.random() < NHS_SHARE:
            if rng.random() < UNKNOWN_NHS_SHARE or not person.nhs_number:
                number = unknown_nhs_number(rng)
                checks.append({"kind": "nhs_unknown", **base, "nhs_number": format_nhs_number(number)})
            else:
                kind = "nhs_flagged" if pool is flagged else "nhs"
                checks.append({"kind": kind, **base, "nhs_number": format_nhs_number(person.nhs_number)})
        else:
            family = person.family_name
            kind = "name_flagged" if pool is flagged else "name"
            if rng.random() < NAME_TYPO_SHARE:
                family = typo(rng, family)
                kind += "_typo"
            postcode = ""
            if postcodes.get(person.pk) and rng.random() < NAME_POSTCODE_SHARE:
                postcode = postcodes[person.pk]
                kind += "_postcode"
            checks.append(
                {
                    "kind": kind,
                    **base,
                    "given_name": person.given_names.split()[0],
                    "family_name": family,
                    "date_of_birth": person.date_of_birth,
                    "postcode": postcode,
                }
            )
    return checks


def make_askers(count: int, run: str) -> list[Any]:
    """Hospital clinicians who may ask (new ones each run: the old ones' checks stay)."""
    from django.contrib.auth.models import User

    from jigsaw.access.roles import Role
    from jigsaw.partners.models import Agency, AgencyKind, Practitioner

    hospital, _ = Agency.objects.get_or_create(
        name="St Mary's Hospital (benchmark)",
        defaults={"kind": AgencyKind.ACUTE_HEALTH, "phone": "01632 960500"},
    )
    askers = []
    for i in range(count):
        user = User.objects.create(
            username=f"bench-flags-{run}-{i}", first_name="Bench", last_name=f"Clinician {i}"
        )
        Practitioner.objects.create(
            user=user,
            full_name=f"Dr Bench Clinician {i}",
            agency=hospital,
            role=Role.PARTNER_PRACTITIONER,
            job_title="Emergency department doctor",
        )
        askers.append(User.objects.select_related("practitioner__agency").get(pk=user.pk))
    return askers


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    vendor, build_seconds, rebuild_seconds = open_index("partners_flags", args)

    from django.conf import settings
    from django.utils import timezone

    from jigsaw.casework.models import Referral
    from jigsaw.core.demo_casework import write_casework
    from jigsaw.matching.matcher import active_scorer
    from jigsaw.matching.models import MatchFeatures
    from jigsaw.partners.actions.flags import check_flag
    from jigsaw.people.models import Person

    total_people = Person.objects.filter(merged_into__isnull=True).count()
    casework_seconds: float | None = None
    if build_seconds is None and not Referral.objects.exists():
        # A build stopped after the people were written (the casework and the matcher's
        # index come after them): finish it rather than start again.
        print("writing the demo's casework (the database has people but no casework)", flush=True)
        started = time.perf_counter()
        write_casework(seed=args.seed, today=timezone.localdate())
        casework_seconds = time.perf_counter() - started
        print(f"casework written in {casework_seconds:.0f}s", flush=True)
    if build_seconds is None and MatchFeatures.objects.count() != total_people:
        print(f"building the matcher's index of {total_people:,} people", flush=True)
        rebuild_seconds = rebuild_matching_index(total_people)
        print(f"matcher's index built in {rebuild_seconds:.0f}s", flush=True)

    rng = random.Random(args.seed + 3)
    total = args.checks + args.warmup
    flagged = flagged_people(rng, total)
    anyone = sample_people(rng, total)
    checks = make_checks(rng, flagged, anyone, total)
    per_asker = min(CHECKS_PER_ASKER, settings.JIGSAW_FLAG_CHECKS_PER_HOUR - 1)
    askers = make_askers(-(-total // per_asker), run=str(int(time.time())))

    prewarm_seconds = prewarm(vendor) if args.prewarm else None
    active_scorer()  # the model loaded and its scorer compiled, as on a running server

    latencies: dict[str, list[float]] = {}
    answers: Counter[str] = Counter()
    answers_by_kind: dict[str, Counter[str]] = {}
    load_before = os.getloadavg()
    for i, check in enumerate(checks):
        kind = check.pop("kind")
        actor = askers[i // per_asker]
        started = time.perf_counter()
        result = check_flag(actor=actor, **check)
        elapsed = (time.perf_counter() - started) * 1000
        if i < args.warmup:
            continue
        latencies.setdefault(kind, []).append(elapsed)
        answers[str(result.answer)] += 1
        answers_by_kind.setdefault(kind, Counter())[str(result.answer)] += 1
    load_after = os.getloadavg()

    every = [ms for values in latencies.values() for ms in values]
    nhs = [ms for kind, values in latencies.items() if kind.startswith("nhs") for ms in values]
    names = [ms for kind, values in latencies.items() if kind.startswith("name") for ms in values]
    overall = summary(every)
    report: dict[str, Any] = {
        "benchmark": "partners_flags",
        "people_requested": args.people,
        "people_in_index": total_people,
        "seed": args.seed,
        "build_seconds": round(build_seconds, 1) if build_seconds is not None else None,
        "matcher_index_build_seconds": round(rebuild_seconds, 1) if rebuild_seconds is not None else None,
        "casework_seconds": round(casework_seconds, 1) if casework_seconds is not None else None,
        "prewarm_seconds": round(prewarm_seconds, 1) if prewarm_seconds is not None else None,
        "target_p99_ms": TARGET_P99_MS,
        "meets_target": overall["p99_ms"] < TARGET_P99_MS,
        "check_flag": overall,
        "nhs_number": summary(nhs),
        "name_and_date_of_birth": summary(names),
        "by_kind": {kind: summary(values) for kind, values in sorted(latencies.items())},
        "answers": dict(sorted(answers.items())),
        "answers_by_kind": {kind: dict(sorted(c.items())) for kind, c in sorted(answers_by_kind.items())},
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "machine": machine_info(vendor, packages=("django",)),
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    suffix = "" if args.people == TARGET_PEOPLE else f"-{args.people}"
    out = RESULTS_DIR / f"partners_flags_{vendor}{suffix}.json"
    if build_seconds is None and rebuild_seconds is None and casework_seconds is None:
        report["earlier_build"] = earlier_build(out, total_people)
    out.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")

    print(f"people in index: {total_people:,}; load average {load_before[0]:.2f} -> {load_after[0]:.2f}")
    for label, key in [
        ("all checks", "check_flag"),
        ("NHS number", "nhs_number"),
        ("name + date of birth", "name_and_date_of_birth"),
    ]:
        s = report[key]
        print(
            f"{label:>22}: p50 {s['p50_ms']:.1f} ms  p95 {s['p95_ms']:.1f} ms  p99 {s['p99_ms']:.1f} ms  "
            f"max {s['max_ms']:.1f} ms  (n={s['count']})"
        )
    print(f"{'answers':>22}: {dict(sorted(answers.items()))}")
    print(f"target p99 < {TARGET_P99_MS:.0f} ms: {'met' if report['meets_target'] else 'NOT met'}")
    print(f"results: {out.relative_to(PROJECT_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
