"""The single-record scorer gives the probabilities Splink's own predict gives, to 1e-6.

A model is estimated by Splink from a synthetic corpus (with a few records added so that
every level of every comparison occurs), Splink scores every blocked pair in DuckDB, and
the Python scorer scores the same pairs from the same features.
"""

from __future__ import annotations

import datetime
import importlib
import sys
from pathlib import Path

import pytest

from jigsaw.matching import batch
from jigsaw.matching.comparisons import COMPARISONS
from jigsaw.matching.features import features
from jigsaw.matching.records import MatchRecord
from jigsaw.matching.scorer import Scorer, TrainedModel
from jigsaw.matching.training import train

# bench/ holds scripts, not a package: its corpus generator is imported as the scripts do.
_BENCH = str(Path(__file__).resolve().parents[3] / "bench")
if _BENCH not in sys.path:
    sys.path.insert(0, _BENCH)
hard_corpus = importlib.import_module("matching_corpus").hard_corpus

_DOB = datetime.date(2015, 1, 2)

# Levels the corpus happens not to produce: a missing given name, a one-character postcode
# slip, an NHS number one digit out, shared and transposed UPNs.
_RARE_LEVELS = [
    MatchRecord("x1", "", "Zedwardes", dob=_DOB, postcode="RF1 2AB", nhs_number="4857773456"),
    MatchRecord(
        "x2",
        "Tamsin",
        "Zedwardes",
        dob=_DOB,
        postcode="RF1 2AC",
        nhs_number="4857773457",
        upn="A123456789012",
    ),
    MatchRecord("x3", "Tamsin", "Zedwardes", dob=_DOB, upn="A123456789012"),
    MatchRecord("x4", "Tamsin", "Zedwardes", dob=_DOB, upn="A123456789021"),
]


@pytest.fixture(scope="module")
def corpus() -> tuple[list[MatchRecord], TrainedModel]:
    records, _ = hard_corpus(400, seed=11)
    records = records + _RARE_LEVELS
    return records, train(records, seed=3)


def test_every_pair_agrees_to_a_millionth(corpus: tuple[list[MatchRecord], TrainedModel]) -> None:
    records, model = corpus
    pairs = batch.link(records, None, model, threshold=0.0, scale_prior=False)
    assert len(pairs) > 1000
    scorer = Scorer(model)
    rows = {r.record_id: features(r) for r in records}
    seen: dict[str, set[int]] = {c.name: set() for c in COMPARISONS}
    worst = 0.0
    for left, right, probability in pairs:
        score = scorer.score(rows[left], rows[right])
        worst = max(worst, abs(score.probability - probability))
        for name, level in score.levels.items():
            seen[name].add(level)
    assert worst < 1e-6
    unseen = [
        f"{c.name}: {level.label}"
        for c in COMPARISONS
        for i, level in enumerate(c.levels)
        if i not in seen[c.name]
    ]
    assert unseen == []


def test_scores_are_symmetric(corpus: tuple[list[MatchRecord], TrainedModel]) -> None:
    records, model = corpus
    scorer = Scorer(model)
    rows = [features(r) for r in records[:60]]
    for a in rows:
        for b in rows:
            assert scorer.score(a, b).match_weight == pytest.approx(scorer.score(b, a).match_weight, abs=1e-9)


def test_explanation_reads_as_a_front_door_officer_would_want(
    corpus: tuple[list[MatchRecord], TrainedModel],
) -> None:
    _, model = corpus
    scorer = Scorer(model)
    mine = features(MatchRecord("a", "Anna", "Kouao", dob=datetime.date(2000, 3, 11), postcode="RF1 2AB"))
    theirs = features(MatchRecord("b", "Anna", "Kouaou", dob=datetime.date(2000, 11, 3), postcode="RF9 9ZZ"))
    text = scorer.score(mine, theirs).explanation()
    assert "family name Kouao ~ Kouaou: very similar spelling +" in text
    assert "date of birth 11 March 2000 ~ 3 November 2000: day and month swapped +" in text
    assert "given name Anna: exact +" in text
