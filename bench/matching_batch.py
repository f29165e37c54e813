"""Batch linkage throughput: how long does `jigsaw.matching.batch.link` take to deduplicate N records?

Issue 4, targets: batch deduplication of 1,000,000 records in under 10 minutes on 2 cores.

Generates the hard synthetic corpus (`bench/matching_corpus.py`, about 2.15 records per
person) until it holds about N records, then times one deduplication with the shipped
default model (`matcher.default_model()`, the prior scaled to the job) at the threshold
`jigsaw link` uses by default (0.5), with the progress bar on -- the data officer's run.
The wall time is split into preparation (features, blocking keys, the Arrow table, term
frequencies) and Splink's blocking and scoring on DuckDB.

Outside the timed region: the blocked pairs (distinct pairs of records sharing at least
one blocking key: what Splink scores), counted with DuckDB from the same keys, with the
size of the largest blocks for each kind of key; and precision and recall against the
corpus truth at the threshold and at the auto-link threshold. Peak RSS is the process's
(DuckDB runs in it), read after the run, and once before it to show what the corpus holds.

Writes bench/results/matching_batch-<N>.json. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import duckdb
import pyarrow as pa
from benchlib import machine_info
from matching_corpus import hard_corpus
from matching_metrics import Pair, evaluate_at

from jigsaw.matching.records import MatchRecord

PROJECT_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = PROJECT_DIR / "bench" / "results"
# Records in the hard corpus come out at about this many per person (as in bench/matching.py).
RECORDS_PER_PERSON = 2.15
TARGET_SECONDS = {1_000_000: 600.0}
LARGEST_BLOCKS = 5


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--records", type=int, default=1_000_000, help="records to deduplicate, about (default 1,000,000)"
    )
    parser.add_argument("--seed", type=int, default=2009, help="corpus seed (default 2009)")
    parser.add_argument("--threshold", type=float, default=0.5, help="pairs kept at or above (default 0.5)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--out", type=Path, default=None, help="results file (default bench/results/...)")
    return parser.parse_args(argv)


def setup_django() -> None:
    # The matcher module (the shipped model) imports the app's models.
    os.environ.setdefault("JIGSAW_INSECURE_LOCAL", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jigsaw.settings")
    import django

    django.setup()


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def truth_pairs(entity_of: dict[str, int]) -> set[Pair]:
    members: dict[int, list[str]] = defaultdict(list)
    for record_id, entity in entity_of.items():
        members[entity].append(record_id)
    truth: set[Pair] = set()
    for ids in members.values():
        ids.sort()
        truth.update((a, b) for i, a in enumerate(ids) for b in ids[i + 1 :])
    return truth


def block_statistics(records: Sequence[MatchRecord]) -> dict[str, Any]:
    """The blocked pairs Splink scores (distinct pairs sharing a key) and, for each kind of
    key (its prefix), how many keys, the pairs they make before duplicates are removed, and
    the largest blocks."""
    from jigsaw.matching.features import blocking_keys, features

    keys = pa.table(
        {
            "record_id": pa.array([r.record_id for r in records], pa.string()),
            "block_keys": pa.array([blocking_keys(features(r)) for r in records], pa.list_(pa.string())),
        }
    )
    connection = duckdb.connect()
    try:
        connection.register("record_keys", keys)
        connection.execute(
            "create table exploded as select record_id, unnest(block_keys) as key from record_keys"
        )
        connection.execute(
            "create table blocks as select key, split_part(key, ':', 1) as prefix, count(*) as n "
            "from exploded group by key"
        )
        row = connection.execute(
            "select count(*) from (select distinct a.record_id, b.record_id from exploded a "
            "join exploded b on a.key = b.key and a.record_id < b.record_id)"
        ).fetchone()
        distinct_pairs = int(row[0]) if row else 0
        per_prefix: dict[str, Any] = {}
        summary = connection.execute(
            "select prefix, count(*), sum(n * (n - 1) // 2), max(n), "
            "quantile_cont(n, 0.99) from blocks group by prefix order by prefix"
        ).fetchall()
        for prefix, count, pairs, largest, p99 in summary:
            top = connection.execute(
                "select key, n from blocks where prefix = ? order by n desc, key limit ?",
                [prefix, LARGEST_BLOCKS],
            ).fetchall()
            per_prefix[str(prefix)] = {
                "keys": int(count),
                "pairs_with_duplicates": int(pairs),
                "largest_block": int(largest),
                "block_size_p99": round(float(p99), 1),
                "largest_blocks": [{"key": str(k), "records": int(n)} for k, n in top],
            }
    finally:
        connection.close()
    return {
        "blocked_pairs": distinct_pairs,
        "pairs_with_duplicates": sum(p["pairs_with_duplicates"] for p in per_prefix.values()),
        "by_key_prefix": per_prefix,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    setup_django()
    from jigsaw.matching.batch import CHUNK_RECORDS, LinkTimings, link
    from jigsaw.matching.matcher import default_model
    from jigsaw.matching.models import MatchModelVersion

    auto_link = float(MatchModelVersion._meta.get_field("auto_link_threshold").default)
    started = time.perf_counter()
    records, entity_of = hard_corpus(round(args.records / RECORDS_PER_PERSON), args.seed)
    generation_seconds = time.perf_counter() - started
    truth = truth_pairs(entity_of)
    print(f"corpus: {len(records):,} records, {len(truth):,} true pairs ({generation_seconds:.0f} s)")
    model = default_model()
    rss_before = peak_rss_mb()
    machine = machine_info(packages=("splink", "duckdb"))  # the load average as the run starts

    timings = LinkTimings()
    started = time.perf_counter()
    pairs = link(
        records, None, model, threshold=args.threshold, progress=not args.no_progress, timings=timings
    )
    wall = time.perf_counter() - started
    rss_after = peak_rss_mb()

    print("counting blocked pairs (untimed) ...", flush=True)
    blocks = block_statistics(records)
    at_threshold = evaluate_at(pairs, truth, args.threshold)
    at_auto = evaluate_at(pairs, truth, auto_link)
    target = TARGET_SECONDS.get(args.records)
    result: dict[str, Any] = {
        "benchmark": "matching_batch",
        "records": len(records),
        "true_pairs": len(truth),
        "seed": args.seed,
        "model": "shipped default (scale_prior=True)",
        "threshold": args.threshold,
        "auto_link_threshold": auto_link,
        "chunk_records": CHUNK_RECORDS,
        "corpus_generation_seconds": round(generation_seconds, 1),
        "wall_seconds": round(wall, 1),
        "prepare_seconds": round(timings.prepare_seconds, 1),
        "predict_seconds": round(timings.predict_seconds, 1),
        "records_per_second": round(len(records) / wall),
        "pairs_scored": blocks["blocked_pairs"],
        "pairs_above_threshold": len(pairs),
        "peak_rss_mb_before_link": rss_before,
        "peak_rss_mb": rss_after,
        "target_seconds": target,
        "meets_target": None if target is None else wall < target,
        "quality": {
            "at_threshold": at_threshold.as_dict(),
            "at_auto_link": at_auto.as_dict(),
        },
        "blocking": blocks,
        "machine": machine,
    }
    out = args.out or RESULTS_DIR / f"matching_batch-{args.records}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print_table(result)
    print(f"wrote {out.relative_to(PROJECT_DIR) if out.is_relative_to(PROJECT_DIR) else out}")
    return 0


def print_table(result: dict[str, Any]) -> None:
    q = result["quality"]
    print()
    print(
        f"{'records':>10} {'wall s':>8} {'prepare':>8} {'predict':>8} {'rec/s':>8} "
        f"{'pairs scored':>13} {'>= thr':>10} {'peak RSS':>9}"
    )
    print(
        f"{result['records']:>10,} {result['wall_seconds']:>8.1f} {result['prepare_seconds']:>8.1f} "
        f"{result['predict_seconds']:>8.1f} {result['records_per_second']:>8,} "
        f"{result['pairs_scored']:>13,} {result['pairs_above_threshold']:>10,} "
        f"{result['peak_rss_mb'] / 1024:>7.1f}GB"
    )
    for label, scores in (("threshold", q["at_threshold"]), ("auto-link", q["at_auto_link"])):
        print(
            f"  at {label} {scores['threshold']:<6g} precision {scores['precision']:.4f} "
            f"recall {scores['recall']:.4f} F1 {scores['f1']:.4f} "
            f"(TP {scores['true_positives']:,}, FP {scores['false_positives']:,}, "
            f"FN {scores['false_negatives']:,})"
        )
    print("  blocks by key prefix (keys, pairs before de-duplication, largest block):")
    for prefix, stats in result["blocking"]["by_key_prefix"].items():
        print(
            f"    {prefix:<3} {stats['keys']:>10,} {stats['pairs_with_duplicates']:>13,} "
            f"{stats['largest_block']:>7,}  {stats['largest_blocks'][0]['key']}"
        )
    if result["target_seconds"] is not None:
        verdict = "meets" if result["meets_target"] else "misses"
        print(f"  {verdict} the target of {result['target_seconds']:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
