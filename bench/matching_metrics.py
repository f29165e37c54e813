"""Precision, recall and F1 of scored record pairs against the true pairs.

A matcher's output is a list of scored pairs `(id_a, id_b, probability)`. For
deduplication (one file) a pair is unordered: `(a, b)` and `(b, a)` are the same pair, and a
record paired with itself is ignored. For linkage (two files) pairs are ordered
`(left_id, right_id)`, as the true pairs are. A pair scored more than once (a single-record
matcher finds `(a, b)` when matching `a` and again when matching `b`) keeps its highest score.

Pairs the matcher never scored (missed by its blocking) count as scored 0: a true pair among
them is a false negative at every threshold.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

Pair = tuple[str, str]
ScoredPair = tuple[str, str, float]


@dataclasses.dataclass(frozen=True)
class Scores:
    """The confusion counts and their ratios when every pair scored >= threshold is a link."""

    threshold: float
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        predicted = self.true_positives + self.false_positives
        # No link made: no precision to speak of; 0 rather than a flattering 1.
        return self.true_positives / predicted if predicted else 0.0

    @property
    def recall(self) -> float:
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "threshold": self.threshold,
            "precision": round(self.precision, 6),
            "recall": round(self.recall, 6),
            "f1": round(self.f1, 6),
            "true_positives": self.true_positives,
            "false_positives": self.false_positives,
            "false_negatives": self.false_negatives,
        }


@dataclasses.dataclass(frozen=True)
class ReviewScores:
    """Outcomes under the decision policy: auto-link, a review band, and new person below it.

    `auto` is precision/recall/F1 of the auto-links alone. `recall_with_review` counts a true
    pair as found if it was auto-linked or sent to review (a reviewer will see it);
    precision is not diluted by the review band, because a reviewer decides those.
    """

    auto: Scores
    review_threshold: float
    review_true: int  # true pairs in the review band
    review_false: int  # other pairs in the review band: the reviewers' workload of non-matches

    @property
    def recall_with_review(self) -> float:
        actual = self.auto.true_positives + self.auto.false_negatives
        return (self.auto.true_positives + self.review_true) / actual if actual else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "auto_threshold": self.auto.threshold,
            "review_threshold": self.review_threshold,
            "precision_auto": round(self.auto.precision, 6),
            "recall_auto": round(self.auto.recall, 6),
            "f1_auto": round(self.auto.f1, 6),
            "recall_with_review": round(self.recall_with_review, 6),
            "review_band_true": self.review_true,
            "review_band_false": self.review_false,
        }


def pair_key(a: str, b: str, *, ordered: bool) -> Pair:
    if ordered:
        return (a, b)
    return (a, b) if a <= b else (b, a)


def normalise_truth(truth: Iterable[Pair], *, ordered: bool) -> set[Pair]:
    return {pair_key(a, b, ordered=ordered) for a, b in truth if ordered or a != b}


def best_scores(scored: Iterable[ScoredPair], *, ordered: bool) -> dict[Pair, float]:
    """One score per pair (the highest), self-pairs dropped when deduplicating."""
    best: dict[Pair, float] = {}
    for a, b, probability in scored:
        if not ordered and a == b:
            continue
        key = pair_key(a, b, ordered=ordered)
        previous = best.get(key)
        if previous is None or probability > previous:
            best[key] = probability
    return best


def evaluate_at(
    scored: Iterable[ScoredPair], truth: Iterable[Pair], threshold: float, *, ordered: bool = False
) -> Scores:
    """Precision, recall and F1 when every pair scored at or above `threshold` is a link."""
    truth_set = normalise_truth(truth, ordered=ordered)
    links = {pair for pair, p in best_scores(scored, ordered=ordered).items() if p >= threshold}
    true_positives = len(links & truth_set)
    return Scores(
        threshold=threshold,
        true_positives=true_positives,
        false_positives=len(links) - true_positives,
        false_negatives=len(truth_set) - true_positives,
    )


def best_threshold(scored: Iterable[ScoredPair], truth: Iterable[Pair], *, ordered: bool = False) -> Scores:
    """The threshold (one of the distinct scores) with the highest F1; ties go to the higher one."""
    truth_set = normalise_truth(truth, ordered=ordered)
    by_score = sorted(best_scores(scored, ordered=ordered).items(), key=lambda item: -item[1])
    best = Scores(threshold=1.0, true_positives=0, false_positives=0, false_negatives=len(truth_set))
    true_positives = false_positives = 0
    i = 0
    while i < len(by_score):
        # Take every pair with this score at once: a threshold cannot split them.
        score = by_score[i][1]
        while i < len(by_score) and by_score[i][1] == score:
            if by_score[i][0] in truth_set:
                true_positives += 1
            else:
                false_positives += 1
            i += 1
        candidate = Scores(
            threshold=score,
            true_positives=true_positives,
            false_positives=false_positives,
            false_negatives=len(truth_set) - true_positives,
        )
        if candidate.f1 > best.f1:
            best = candidate
    return best


def evaluate_with_review(
    scored: Iterable[ScoredPair],
    truth: Iterable[Pair],
    auto_threshold: float,
    review_threshold: float,
    *,
    ordered: bool = False,
) -> ReviewScores:
    """Auto-link at `auto_threshold`; pairs in [review_threshold, auto_threshold) go to review."""
    if review_threshold > auto_threshold:
        raise ValueError("the review threshold must not be above the auto-link threshold")
    truth_set = normalise_truth(truth, ordered=ordered)
    best = best_scores(scored, ordered=ordered)
    auto = {pair for pair, p in best.items() if p >= auto_threshold}
    review = {pair for pair, p in best.items() if review_threshold <= p < auto_threshold}
    true_positives = len(auto & truth_set)
    review_true = len(review & truth_set)
    return ReviewScores(
        auto=Scores(
            threshold=auto_threshold,
            true_positives=true_positives,
            false_positives=len(auto) - true_positives,
            false_negatives=len(truth_set) - true_positives,
        ),
        review_threshold=review_threshold,
        review_true=review_true,
        review_false=len(review) - review_true,
    )


def pairs_at_or_above(
    scored: Iterable[ScoredPair], pairs: Iterable[Pair], threshold: float, *, ordered: bool = False
) -> int:
    """How many of `pairs` (e.g. twins, who are different people) were scored >= threshold."""
    wanted = normalise_truth(pairs, ordered=ordered)
    return sum(
        1 for pair, p in best_scores(scored, ordered=ordered).items() if p >= threshold and pair in wanted
    )
