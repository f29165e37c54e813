"""Batch linkage split into chunks finds exactly the pairs one unchunked run finds."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from jigsaw.matching import batch
from jigsaw.matching.matcher import default_model
from jigsaw.matching.records import MatchRecord

# bench/ holds scripts, not a package: its corpus generator is imported as the scripts do.
_BENCH = str(Path(__file__).resolve().parents[3] / "bench")
if _BENCH not in sys.path:
    sys.path.insert(0, _BENCH)
hard_corpus = importlib.import_module("matching_corpus").hard_corpus


@pytest.fixture(scope="module")
def records() -> list[MatchRecord]:
    found: list[MatchRecord] = hard_corpus(600, seed=5)[0]
    return found


def _rounded(pairs: list[batch.Pair]) -> set[tuple[str, str, float]]:
    return {(a, b, round(p, 9)) for a, b, p in pairs}


def test_deduplication_in_chunks_finds_the_same_pairs(
    records: list[MatchRecord], monkeypatch: pytest.MonkeyPatch
) -> None:
    model = default_model()
    whole = batch.link(records, None, model, threshold=0.01)
    monkeypatch.setattr(batch, "CHUNK_RECORDS", 300)
    timings = batch.LinkTimings()
    chunked = batch.link(records, None, model, threshold=0.01, timings=timings)
    assert len(records) > 3 * 300
    assert len(whole) > 500
    assert _rounded(chunked) == _rounded(whole)
    assert timings.prepare_seconds > 0
    assert timings.predict_seconds > 0


def test_linkage_in_chunks_finds_the_same_pairs(
    records: list[MatchRecord], monkeypatch: pytest.MonkeyPatch
) -> None:
    model = default_model()
    left, right = records[: len(records) // 3], records[len(records) // 3 :]
    whole = batch.link(left, right, model, threshold=0.01)
    monkeypatch.setattr(batch, "CHUNK_RECORDS", 250)
    chunked = batch.link(left, right, model, threshold=0.01)
    assert len(whole) > 200
    assert _rounded(chunked) == _rounded(whole)
    left_ids = {r.record_id for r in left}
    assert all(a in left_ids and b not in left_ids for a, b, _ in chunked)
