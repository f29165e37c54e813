"""Matching quality, side by side: Jigsaw's matchers against stock Splink and recordlinkage.

For each corpus -- FEBRL3 (deduplication), FEBRL4 (linkage of two files), and the hard
synthetic corpus of children and families (`bench/matching_corpus.py`) both as one file to
deduplicate and as two agency files to link -- every matcher scores record pairs, and the
script prints precision, recall and F1 at Jigsaw's auto-link threshold and at each
matcher's best threshold, the recall counting the review band, and how many pairs of twins
(different children) each would auto-link. Writes bench/results/matching.json
(matching-quick.json with --quick). See bench/README.md.

Matchers:
- jigsaw single-record: `MemoryIndex` holding every record (the left file when linking),
  each record (each right record) matched against it, the candidates' probabilities taken
  as scored pairs -- the code path of the front door's "search before create";
- jigsaw single-record + policy: the same, with the decision policy's pairwise rules
  (`policy.must_review`: possible twins and the like go to review, never auto-link);
- jigsaw batch: `jigsaw.matching.batch.link`, Splink on DuckDB with Jigsaw's model;
- splink (stock) and recordlinkage (stock): `bench/matching_baselines.py`.
Both Jigsaw rows use one model per corpus, trained unsupervised on that corpus's records
(`jigsaw.matching.training.train`). A Jigsaw module that does not import yet is reported as
unavailable and the other matchers still run.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import logging
import math
import os
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchlib import machine_info
from matching_baselines import recordlinkage_pairs, splink_pairs
from matching_corpus import HEALTH, SOCIAL_CARE, febrl, generate_hard
from matching_metrics import (
    Pair,
    ScoredPair,
    best_threshold,
    evaluate_at,
    evaluate_with_review,
    pairs_at_or_above,
)

from jigsaw.matching.records import MatchRecord

PROJECT_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = PROJECT_DIR / "bench" / "results"

# Records in the hard corpus come out at about this many per person (1 to 4 agencies each).
RECORDS_PER_PERSON = 2.15
DEFAULT_SIZE = 20_000
QUICK_SIZE = 4_000
# Used only while jigsaw.matching.policy does not exist: "more likely than not" for both.
FALLBACK_AUTO_LINK, FALLBACK_REVIEW = 0.5, 0.5
# The batch linkage keeps pairs at or above this; far below any threshold that matters.
BATCH_SCORE_FLOOR = 0.001
SINGLE_RECORD_LIMIT = 10


@dataclasses.dataclass(frozen=True)
class Corpus:
    name: str
    description: str
    left: list[MatchRecord]
    right: list[MatchRecord] | None  # None: deduplicate `left`
    truth: set[Pair]
    twins: set[Pair] = dataclasses.field(default_factory=set)  # pairs of different people
    details: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def ordered(self) -> bool:
        return self.right is not None

    @property
    def records(self) -> list[MatchRecord]:
        return self.left + (self.right or [])


@dataclasses.dataclass
class Run:
    matcher: str
    pairs: list[ScoredPair] = dataclasses.field(default_factory=list)
    seconds: float = 0.0
    details: dict[str, Any] = dataclasses.field(default_factory=dict)
    unavailable: str = ""
    error: str = ""


# --- Jigsaw (imported when present) ---------------------------------------------------------


def _import(module: str) -> Any:
    """A Jigsaw module, or the ImportError; imported by name so this script type-checks
    (and runs the baselines) before the module exists."""
    return importlib.import_module(module)


def quiet_splink() -> None:
    """Splink's warnings (a level not observed in EM, untrained parameters) are for an
    analyst fitting one model; here they would bury the table. Errors still show."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.ERROR)
    splink_logger = logging.getLogger("splink")
    splink_logger.addHandler(handler)
    splink_logger.propagate = False


def setup_django() -> None:
    os.environ.setdefault("JIGSAW_INSECURE_LOCAL", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jigsaw.settings")
    import django

    django.setup()


def thresholds() -> tuple[float, float, str]:
    """(auto-link, review, where they came from): the policy's constants, else the defaults
    a new model version gets, else "more likely than not"."""
    try:
        policy = _import("jigsaw.matching.policy")
        return float(policy.AUTO_LINK_THRESHOLD), float(policy.REVIEW_THRESHOLD), "jigsaw.matching.policy"
    except (ImportError, AttributeError):
        pass
    try:
        version = _import("jigsaw.matching.models").MatchModelVersion
        auto = version._meta.get_field("auto_link_threshold").default
        review = version._meta.get_field("review_threshold").default
        return float(auto), float(review), "MatchModelVersion defaults"
    except (ImportError, AttributeError, LookupError) as exc:
        return FALLBACK_AUTO_LINK, FALLBACK_REVIEW, f"fallback ({exc})"


class JigsawModels:
    """One trained model per corpus, shared by both Jigsaw rows (trained once, timed once)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._models: dict[str, tuple[Any, float]] = {}

    def model(self, corpus: Corpus) -> tuple[Any, float]:
        if corpus.name not in self._models:
            training = _import("jigsaw.matching.training")
            started = time.perf_counter()
            model = training.train(corpus.records, seed=self.seed)
            self._models[corpus.name] = (model, time.perf_counter() - started)
        return self._models[corpus.name]


def jigsaw_single_record(corpus: Corpus, models: JigsawModels, *, auto: float | None = None) -> Run:
    """The single-record matcher's candidates as scored pairs. With `auto`, the decision
    policy's pairwise rules apply too (`policy.must_review`: possible twins, conflicting
    identifiers, a different date of birth): a pair they stop from linking by itself keeps
    its place in the review band, scored just under the auto-link threshold. The policy's
    "second candidate" rule is left out: in the person index duplicates are merged, but here
    a child's three agency records are all in the index at once, so a second candidate is
    the same child, not a reason for doubt."""
    run = Run("jigsaw single-record" + (" + policy" if auto is not None else ""))
    memory_index = _import("jigsaw.matching.memory_index")
    must_review: Callable[[Any, Any, Any], Any] | None = None
    features: Callable[[MatchRecord], Any] | None = None
    if auto is not None:
        must_review = _import("jigsaw.matching.policy").must_review
        features = _import("jigsaw.matching.features").features
    below_auto = math.nextafter(auto, 0.0) if auto is not None else 0.0
    model, train_seconds = models.model(corpus)
    started = time.perf_counter()
    index = memory_index.MemoryIndex(model)
    for record in corpus.left:
        index.add(record)
    built = time.perf_counter()
    queries = corpus.right if corpus.right is not None else corpus.left
    latencies: list[float] = []
    held_for_review = 0
    for record in queries:
        t = time.perf_counter()
        # One extra: the record itself may be in the index when deduplicating.
        candidates = index.match(record, limit=SINGLE_RECORD_LIMIT + 1)
        latencies.append((time.perf_counter() - t) * 1000)
        found = [c for c in candidates if str(c.record_id) != record.record_id][:SINGLE_RECORD_LIMIT]
        mine = features(record) if features is not None else None
        for candidate in found:
            probability = float(candidate.probability)
            if (
                must_review is not None
                and auto is not None
                and probability >= auto
                and must_review(mine, candidate.features, candidate.levels) is not None
            ):
                probability = below_auto
                held_for_review += 1
            if corpus.right is None:
                run.pairs.append((record.record_id, str(candidate.record_id), probability))
            else:
                run.pairs.append((str(candidate.record_id), record.record_id, probability))
    run.seconds = time.perf_counter() - started
    latencies.sort()
    run.details = {
        "train_seconds": round(train_seconds, 2),
        "index_seconds": round(built - started, 2),
        "queries": len(queries),
        "match_ms_p50": round(latencies[len(latencies) // 2], 3) if latencies else None,
        "match_ms_p99": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 3)
        if latencies
        else None,
        "limit": SINGLE_RECORD_LIMIT,
    }
    if auto is not None:
        run.details["pairs_held_for_review_by_policy"] = held_for_review
    return run


def jigsaw_batch(corpus: Corpus, models: JigsawModels) -> Run:
    run = Run("jigsaw batch")
    batch = _import("jigsaw.matching.batch")
    model, train_seconds = models.model(corpus)
    started = time.perf_counter()
    pairs = batch.link(corpus.left, corpus.right, model, threshold=BATCH_SCORE_FLOOR)
    run.seconds = time.perf_counter() - started
    run.pairs = [(str(a), str(b), float(p)) for a, b, p in pairs]
    run.details = {"train_seconds": round(train_seconds, 2), "score_floor": BATCH_SCORE_FLOOR}
    return run


def splink_stock(corpus: Corpus, seed: int) -> Run:
    started = time.perf_counter()
    pairs = splink_pairs(corpus.left, corpus.right, seed=seed)
    return Run("splink (stock)", pairs=pairs, seconds=time.perf_counter() - started)


def recordlinkage_stock(corpus: Corpus) -> Run:
    started = time.perf_counter()
    pairs = recordlinkage_pairs(corpus.left, corpus.right)
    return Run("recordlinkage (stock)", pairs=pairs, seconds=time.perf_counter() - started)


# --- Corpora ----------------------------------------------------------------------------------


def build_corpora(size: int, seed: int, only: Sequence[str]) -> list[Corpus]:
    corpora: list[Corpus] = []
    if "febrl3" in only:
        f3 = febrl("febrl3")
        corpora.append(Corpus("febrl3", "FEBRL3, deduplication", f3.left, None, f3.truth))
    if "febrl4" in only:
        f4 = febrl("febrl4")
        corpora.append(Corpus("febrl4", "FEBRL4, linkage A-B", f4.left, f4.right, f4.truth))
    if "hard" in only or "hard-link" in only:
        hard = generate_hard(max(2, round(size / RECORDS_PER_PERSON)), seed)
        details = {
            "people": len(hard.people),
            "families": hard.families,
            "pairs_of_twins": len(hard.twin_entities),
            "records_by_agency": dict(sorted(Counter(hard.agency_of.values()).items())),
            "corruptions": dict(sorted(hard.corruptions.items())),
        }
        if "hard" in only:
            corpora.append(
                Corpus(
                    "hard",
                    f"hard synthetic, deduplication ({len(hard.people):,} people in {hard.families:,} families, "
                    f"{len(hard.twin_entities):,} pairs of twins)",
                    hard.records,
                    None,
                    hard.truth_pairs(),
                    hard.twin_pairs(),
                    details,
                )
            )
        if "hard-link" in only:
            left, right, truth, twins = hard.link_split(SOCIAL_CARE, HEALTH)
            corpora.append(
                Corpus(
                    "hard-link",
                    "hard synthetic, linkage social care -> health",
                    left,
                    right,
                    truth,
                    twins,
                    details,
                )
            )
    return corpora


# --- Evaluation and report --------------------------------------------------------------------


def evaluate(run: Run, corpus: Corpus, auto: float, review: float) -> dict[str, Any]:
    result: dict[str, Any] = {
        "matcher": run.matcher,
        "seconds": round(run.seconds, 2),
        **run.details,
    }
    if run.unavailable:
        return {**result, "unavailable": run.unavailable}
    if run.error:
        return {**result, "error": run.error}
    ordered = corpus.ordered
    at_auto = evaluate_at(run.pairs, corpus.truth, auto, ordered=ordered)
    best = best_threshold(run.pairs, corpus.truth, ordered=ordered)
    review_scores = evaluate_with_review(run.pairs, corpus.truth, auto, review, ordered=ordered)
    result.update(
        {
            "scored_pairs": len(run.pairs),
            # The recall ceiling: true pairs the matcher scored at all (its blocking found them).
            "true_pairs_scored": evaluate_at(
                run.pairs, corpus.truth, float("-inf"), ordered=ordered
            ).true_positives,
            "at_auto_link": at_auto.as_dict(),
            "at_best": best.as_dict(),
            "with_review": review_scores.as_dict(),
        }
    )
    if corpus.twins:
        result["twin_pairs_auto_linked"] = pairs_at_or_above(run.pairs, corpus.twins, auto, ordered=ordered)
        result["twin_pairs_in_review_or_above"] = pairs_at_or_above(
            run.pairs, corpus.twins, review, ordered=ordered
        )
    return result


def print_table(corpus: Corpus, rows: list[dict[str, Any]], auto: float, review: float) -> None:
    n = len(corpus.records)
    print()
    print(f"{corpus.description}: {n:,} records, {len(corpus.truth):,} true pairs", end="")
    print(f", {len(corpus.twins):,} twin pairs" if corpus.twins else "")
    header = (
        f"{'matcher':<33}{'secs':>7}  {'P@auto':>7}{'R@auto':>7}{'F1@auto':>8}  "
        f"{'best t':>10}{'P@best':>7}{'R@best':>7}{'F1@best':>8}  {'R+review':>8}"
    )
    if corpus.twins:
        header += f"{'twins@auto':>11}"
    print(f"auto-link >= {auto:g}, review >= {review:g}; secs include training")
    print(header)
    for row in rows:
        line = f"{row['matcher']:<33}{row['seconds'] + row.get('train_seconds', 0.0):>7.1f}  "
        if "unavailable" in row:
            print(line + f"not available: {row['unavailable']}")
            continue
        if "error" in row:
            print(line + f"failed: {row['error'].splitlines()[-1] if row['error'] else ''}")
            continue
        a, b, r = row["at_auto_link"], row["at_best"], row["with_review"]
        line += (
            f"{a['precision']:>7.4f}{a['recall']:>7.4f}{a['f1']:>8.4f}  "
            f"{b['threshold']:>10.6g}{b['precision']:>7.4f}{b['recall']:>7.4f}{b['f1']:>8.4f}  "
            f"{r['recall_with_review']:>8.4f}"
        )
        if corpus.twins:
            line += f"{row['twin_pairs_auto_linked']:>11,}"
        print(line)


MATCHERS = ("jigsaw-single", "jigsaw-single-policy", "jigsaw-batch", "splink", "recordlinkage")
CORPORA = ("febrl3", "febrl4", "hard", "hard-link")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help=f"a small hard corpus ({QUICK_SIZE:,} records) for a fast check"
    )
    parser.add_argument(
        "--size", type=int, default=None, help=f"records in the hard corpus (default {DEFAULT_SIZE:,}; about)"
    )
    parser.add_argument("--seed", type=int, default=2009, help="hard corpus and training seed (default 2009)")
    parser.add_argument(
        "--corpora", default=",".join(CORPORA), help=f"comma-separated, of {', '.join(CORPORA)}"
    )
    parser.add_argument(
        "--matchers", default=",".join(MATCHERS), help=f"comma-separated, of {', '.join(MATCHERS)}"
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="results file (default bench/results/matching.json)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    size = args.size or (QUICK_SIZE if args.quick else DEFAULT_SIZE)
    corpora_wanted = [c.strip() for c in args.corpora.split(",") if c.strip()]
    matchers_wanted = [m.strip() for m in args.matchers.split(",") if m.strip()]
    unknown = [c for c in corpora_wanted if c not in CORPORA] + [
        m for m in matchers_wanted if m not in MATCHERS
    ]
    if unknown:
        print(f"unknown corpus or matcher: {', '.join(unknown)}", file=sys.stderr)
        return 2
    setup_django()
    quiet_splink()
    auto, review, thresholds_from = thresholds()
    print(f"thresholds from {thresholds_from}: auto-link {auto:g}, review {review:g}")

    started = time.perf_counter()
    corpora = build_corpora(size, args.seed, corpora_wanted)
    print(f"corpora built in {time.perf_counter() - started:.1f} s")
    models = JigsawModels(args.seed)
    runners: dict[str, Callable[[Corpus], Run]] = {
        "jigsaw-single": lambda c: jigsaw_single_record(c, models),
        "jigsaw-single-policy": lambda c: jigsaw_single_record(c, models, auto=auto),
        "jigsaw-batch": lambda c: jigsaw_batch(c, models),
        "splink": lambda c: splink_stock(c, args.seed),
        "recordlinkage": recordlinkage_stock,
    }
    results: list[dict[str, Any]] = []
    failed = False
    for corpus in corpora:
        rows: list[dict[str, Any]] = []
        for key in matchers_wanted:
            try:
                run = runners[key](corpus)
            except ImportError as exc:
                run = Run(key, unavailable=str(exc))
            except Exception:
                failed = True
                run = Run(key, error=traceback.format_exc())
                print(run.error, file=sys.stderr)
            rows.append(evaluate(run, corpus, auto, review))
        print_table(corpus, rows, auto, review)
        results.append(
            {
                "corpus": corpus.name,
                "description": corpus.description,
                "task": "linkage" if corpus.ordered else "deduplication",
                "records_left": len(corpus.left),
                "records_right": len(corpus.right) if corpus.right is not None else None,
                "true_pairs": len(corpus.truth),
                "twin_pairs": len(corpus.twins),
                **({"corpus_details": corpus.details} if corpus.details else {}),
                "matchers": rows,
            }
        )
    out = args.out or RESULTS_DIR / ("matching-quick.json" if args.quick else "matching.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "benchmark": "matching",
        "quick": args.quick,
        "hard_corpus_size": size,
        "seed": args.seed,
        "thresholds": {"auto_link": auto, "review": review, "from": thresholds_from},
        "corpora": results,
        "machine": machine_info(packages=("splink", "recordlinkage", "duckdb", "pandas")),
        "total_seconds": round(time.perf_counter() - started, 1),
    }
    out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {out.relative_to(PROJECT_DIR) if out.is_relative_to(PROJECT_DIR) else out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
