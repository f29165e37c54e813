"""The matcher ranks candidates by their match weight alone and explains only those it
returns: the same candidates, in the same order, with the same probabilities and reasons
as scoring every candidate in full."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from jigsaw.matching.features import Features, features
from jigsaw.matching.matcher import Candidate, default_model, rank
from jigsaw.matching.memory_index import MemoryIndex
from jigsaw.matching.records import MatchRecord
from jigsaw.matching.scorer import Scorer

# bench/ holds scripts, not a package: its corpus generator is imported as the scripts do.
_BENCH = str(Path(__file__).resolve().parents[3] / "bench")
if _BENCH not in sys.path:
    sys.path.insert(0, _BENCH)
hard_corpus = importlib.import_module("matching_corpus").hard_corpus


@pytest.fixture(scope="module")
def records() -> list[MatchRecord]:
    found: list[MatchRecord] = hard_corpus(300, seed=5)[0]
    assert len(found) > 400
    return found


def _score_everyone(
    mine: Features, rows: list[tuple[int, Features]], scorer: Scorer, *, limit: int, minimum: float
) -> list[Candidate]:
    """What `rank` did before: every candidate scored with its explanation, then sorted."""
    candidates = []
    for person_id, theirs in rows:
        score = scorer.score(mine, theirs)
        if score.probability >= minimum:
            candidates.append(
                Candidate(person_id, score.probability, score.match_weight, score.parts, score.levels, theirs)
            )
    candidates.sort(key=lambda c: (-c.match_weight, c.person_id))
    return candidates[:limit]


def test_the_weight_alone_is_the_weight_of_the_full_score(records: list[MatchRecord]) -> None:
    scorer = Scorer(default_model())
    rows = [features(r) for r in records[:150]]
    for left in rows:
        for right in rows:
            assert scorer.match_weight(left, right) == scorer.score(left, right).match_weight


@pytest.mark.parametrize(("limit", "minimum"), [(10, 0.0), (3, 0.0), (10, 0.2), (500, 0.0)])
def test_ranking_by_weight_returns_what_scoring_everyone_did(
    records: list[MatchRecord], limit: int, minimum: float
) -> None:
    scorer = Scorer(default_model())
    rows = [(number, features(r)) for number, r in enumerate(records)]
    compared = 0
    for record in records[:40]:
        mine = features(record)
        expected = _score_everyone(mine, rows, scorer, limit=limit, minimum=minimum)
        got = rank(mine, rows, scorer, limit=limit, minimum=minimum)
        assert [(c.person_id, c.probability, c.match_weight, c.parts, c.levels) for c in got] == [
            (c.person_id, c.probability, c.match_weight, c.parts, c.levels) for c in expected
        ]
        compared += len(got)
    # Each record is in the index, so each finds at least itself.
    assert compared >= 40


def test_the_memory_index_still_finds_each_record_first(records: list[MatchRecord]) -> None:
    index = MemoryIndex(default_model())
    for record in records:
        index.add(record)
    for record in records[:50]:
        best = index.match(record, exclude_self=False, limit=1)
        assert best and best[0].record_id == record.record_id
        assert best[0].explanation()
