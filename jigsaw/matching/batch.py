"""Batch linkage with Splink on DuckDB: deduplicate one set of records or link two.

The candidates are the pairs that share a blocking key (the same keys the person index
keeps for single-record matching, exploded by Splink), scored with a trained model. The
work is split into chunks of the left records, each scored against every record it shares
a key with, so a progress bar can follow a run of a million records. Only one side is
chunked: Splink explodes the keys of every record again for each chunk, so chunking both
sides (n x n chunks) spends more time exploding than scoring at a million records.

The model's prior was estimated on the person index; a job of another size changes the
chance that two random records are the same person, so the prior is scaled to the job,
assuming the same share of records have a match: for deduplication of n records the
prior goes as 1/(n-1), for linking files of n and m records as 1/max(n, m).
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import time
from collections.abc import Iterable, Sequence

import duckdb
import pyarrow as pa
from splink import DuckDBAPI, Linker
from splink.clustering import cluster_pairwise_predictions_at_threshold
from tqdm import tqdm

from jigsaw.matching.features import features
from jigsaw.matching.records import MatchRecord
from jigsaw.matching.scorer import Scorer, TrainedModel
from jigsaw.matching.splink_tables import features_table, term_frequencies
from jigsaw.matching.training import register_tf_tables

Pair = tuple[str, str, float]
CHUNK_RECORDS = 100_000


@dataclasses.dataclass
class LinkTimings:
    """Where a run's wall time went, for the throughput benchmark."""

    prepare_seconds: float = 0.0  # features, blocking keys, Arrow tables, term frequencies
    predict_seconds: float = 0.0  # Splink's blocking and scoring, chunk by chunk


def job_prior(model: TrainedModel, n_left: int, n_right: int | None) -> float:
    trained_on = max(model.training_records, 2)
    if n_right is None:
        scaled = model.prior * (trained_on - 1) / max(n_left - 1, 1)
    else:
        scaled = model.prior * (trained_on - 1) / max(n_left, n_right, 1)
    return min(scaled, 0.5)


def _chunks(n: int) -> int:
    return max(1, -(-n // CHUNK_RECORDS))


def link(
    left: Sequence[MatchRecord],
    right: Sequence[MatchRecord] | None,
    model: TrainedModel,
    *,
    threshold: float = 0.5,
    progress: bool = False,
    scale_prior: bool = True,
    timings: LinkTimings | None = None,
) -> list[Pair]:
    """Every pair at or above `threshold`, as (left id, right id, probability). In a
    deduplication both ids come from `left` (the smaller id first, as Splink orders them)."""
    settings = copy.deepcopy(model.parameters)
    settings.pop("jigsaw", None)
    settings["link_type"] = "dedupe_only" if right is None else "link_only"
    if scale_prior:
        settings["probability_two_random_records_match"] = job_prior(
            model, len(left), None if right is None else len(right)
        )
    started = time.perf_counter()
    connection = duckdb.connect()
    db_api = DuckDBAPI(connection)
    left_rows = [features(r) for r in left]
    right_rows = [features(r) for r in right] if right is not None else []
    if right is None:
        tables = [db_api.register(features_table(left_rows), table_name="jigsaw_left")]
    else:
        tables = [
            db_api.register(features_table(left_rows, source="left"), table_name="jigsaw_left"),
            db_api.register(features_table(right_rows, source="right"), table_name="jigsaw_right"),
        ]
    linker = Linker(tables, settings, log_level=logging.WARNING)
    register_tf_tables(db_api, linker, term_frequencies(left_rows + right_rows))
    n_chunks = _chunks(max(len(left), len(right) if right is not None else 0))
    pairs: list[Pair] = []
    prepared = time.perf_counter()
    bar = tqdm(total=n_chunks, unit="chunk", desc="scoring pairs", disable=not progress)
    try:
        for i in range(1, n_chunks + 1):
            result = linker.inference.predict_chunk(
                left_chunk=(i, n_chunks),
                right_chunk=None,
                threshold_match_probability=threshold,
                warning_mode="never",
            )
            pairs.extend(_pairs(result.as_pyarrow_table(), link_only=right is not None))
            result.drop_table_from_database_and_remove_from_cache()
            bar.update(1)
    finally:
        bar.close()
        connection.close()
    if timings is not None:
        timings.prepare_seconds = prepared - started
        timings.predict_seconds = time.perf_counter() - prepared
    pairs.sort(key=lambda p: (-p[2], p[0], p[1]))
    return pairs


def _pairs(table: pa.Table, *, link_only: bool) -> Iterable[Pair]:
    columns = table.to_pydict()
    for left_id, right_id, probability, *sources in zip(
        columns["record_id_l"],
        columns["record_id_r"],
        columns["match_probability"],
        *([columns["source_dataset_l"]] if link_only else []),
        strict=True,
    ):
        if link_only and sources[0] != "left":
            left_id, right_id = right_id, left_id
        yield str(left_id), str(right_id), float(probability)


def held_for_review(
    pairs: Iterable[Pair], records: Sequence[MatchRecord], model: TrainedModel
) -> set[tuple[str, str]]:
    """The pairs the decision policy puts before a person whatever their probability
    (possible twins, conflicting identifiers, a date of birth that differs): batch output
    lists them with their probability, but they never join a cluster by themselves."""
    from jigsaw.matching.policy import must_review

    rows = {r.record_id: features(r) for r in records}
    scorer = Scorer(model)
    held = set()
    for left, right, _ in pairs:
        if must_review(rows[left], rows[right], scorer.score(rows[left], rows[right]).levels) is not None:
            held.add((left, right))
    return held


def clusters(pairs: Iterable[Pair], ids: Iterable[str], threshold: float) -> list[tuple[str, str]]:
    """(cluster id, record id) for every record: records joined by pairs at or above the
    threshold share a cluster (Splink's connected components)."""
    connection = duckdb.connect()
    try:
        db_api = DuckDBAPI(connection)
        scored = list(pairs)
        nodes = pa.table({"record_id": pa.array(sorted(set(ids)), pa.string())})
        edges = pa.table(
            {
                "record_id_l": pa.array([a for a, _, _ in scored], pa.string()),
                "record_id_r": pa.array([b for _, b, _ in scored], pa.string()),
                "match_probability": pa.array([p for _, _, p in scored], pa.float64()),
            }
        )
        result = cluster_pairwise_predictions_at_threshold(
            nodes, edges, db_api, "record_id", threshold_match_probability=threshold
        )
        rows = result.as_pyarrow_table().to_pydict()
        found = sorted(zip(rows["cluster_id"], rows["record_id"], strict=True))
        return [(str(c), str(r)) for c, r in found]
    finally:
        connection.close()
