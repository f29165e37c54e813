"""Score one pair of records with a trained model, as Splink's `predict` would, and say why.

A trained model is Splink's own saved settings (the comparisons with their m and u
probabilities, and the prior) plus the term-frequency tables it was trained with. This
module compiles it once into per-level match weights and then scores a pair in
microseconds, with the arithmetic of Splink's SQL: each level's weight is log2(m/u) with
both clamped away from zero; an exact name match is adjusted by how common the name is,
log2(u_exact) - log2(max(tf_left, tf_right)); the probability is the logistic of the
prior's weight plus the levels' weights.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
from collections.abc import Iterator
from typing import Any

from jigsaw.matching.comparisons import COMPARISONS, Comparison
from jigsaw.matching.features import Features

# Splink's own constants (splink/internals/constants.py, comparison_level.py).
_LEVEL_NOT_OBSERVED = "level not observed in training dataset"
_UNOBSERVED_PROBABILITY = 1e-6
_CLAMP_MIN = 1e-300


@dataclasses.dataclass(frozen=True)
class TrainedModel:
    """What `jigsaw train_match_model` stores: Splink's settings with the trained
    parameters, and the term frequencies of the adjusted columns."""

    parameters: dict[str, Any]
    term_frequencies: dict[str, dict[str, float]]
    training_records: int = 0

    @property
    def prior(self) -> float:
        return float(self.parameters["probability_two_random_records_match"])


@dataclasses.dataclass(frozen=True)
class Part:
    """One comparison's contribution: "family name Kouao ~ Kouaou, very similar spelling +4.1"."""

    comparison: str
    level: str
    left: str
    right: str
    weight: float

    def __str__(self) -> str:
        if self.left and self.right:
            values = self.left if self.left == self.right else f"{self.left} ~ {self.right}"
            return f"{self.comparison} {values}: {self.level} {self.weight:+.1f}"
        return f"{self.comparison}: {self.level} {self.weight:+.1f}"

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class Score:
    match_weight: float
    probability: float
    parts: tuple[Part, ...]
    levels: dict[str, int]  # comparison name -> index of the level that held

    def explanation(self) -> str:
        return "; ".join(str(p) for p in self.parts if p.weight != 0 or p.level != "missing on one side")


def _probability(value: object) -> float | None:
    if value == _LEVEL_NOT_OBSERVED:
        return _UNOBSERVED_PROBABILITY
    return None if value is None else float(value)  # type: ignore[arg-type]


def _level_weight(level: dict[str, Any]) -> float:
    if level.get("is_null_level"):
        return 0.0
    m = _probability(level.get("m_probability"))
    u = _probability(level.get("u_probability"))
    if m is None or u is None:
        raise ValueError(f"level {level.get('label_for_charts')!r} has no trained m or u probability")
    return math.log2(max(m, _CLAMP_MIN) / max(u, _CLAMP_MIN))


def match_weight_of(probability: float) -> float:
    return math.log2(probability / (1 - probability))


def probability_of(match_weight: float) -> float:
    """Splink's form: stable for large weights of either sign."""
    if match_weight >= 0:
        return 1.0 / (1.0 + math.pow(2.0, -match_weight))
    return math.pow(2.0, match_weight) / (1.0 + math.pow(2.0, match_weight))


def _display(value: Any, column: str) -> str:
    """A feature as a person would write it: "Kouao", "2 November 2015", "M1 1AE"."""
    if value is None:
        return ""
    text = str(value)
    if column == "dob":
        day = datetime.date.fromisoformat(text)
        return f"{day.day} {day:%B %Y}"
    if column == "postcode" and len(text) >= 5:
        return f"{text[:-3]} {text[-3:]}"
    if column == "nhs" and len(text) == 10:
        return f"{text[:3]} {text[3:6]} {text[6:]}"
    return text.title() if text.isalpha() else text


@dataclasses.dataclass(frozen=True)
class _CompiledLevel:
    label: str
    weight: float
    tf_column: str | None
    log2_u_exact: float
    tf_weight: float
    tf_minimum_u: float


class Scorer:
    """A trained model, compiled for scoring pairs in Python."""

    def __init__(self, model: TrainedModel, *, prior: float | None = None) -> None:
        self.model = model
        self.prior_weight = match_weight_of(model.prior if prior is None else prior)
        trained = {c["output_column_name"]: c for c in model.parameters["comparisons"]}
        self._levels: list[tuple[Comparison, list[_CompiledLevel]]] = []
        for comparison in COMPARISONS:
            if comparison.name not in trained:
                raise ValueError(f"the model has no comparison {comparison.name!r}; retrain it")
            levels = trained[comparison.name]["comparison_levels"]
            if len(levels) != len(comparison.levels):
                raise ValueError(f"the model's {comparison.name!r} levels differ from the code's; retrain it")
            compiled = []
            for level, defined in zip(levels, comparison.levels, strict=True):
                u_exact = self._u_exact(levels, defined.tf_column) if defined.tf_column else 1.0
                compiled.append(
                    _CompiledLevel(
                        label=defined.label,
                        weight=_level_weight(level),
                        tf_column=defined.tf_column,
                        log2_u_exact=math.log2(u_exact),
                        tf_weight=float(level.get("tf_adjustment_weight", 1.0)),
                        tf_minimum_u=float(level.get("tf_minimum_u_value", 0.0)),
                    )
                )
            self._levels.append((comparison, compiled))
        self._tf = model.term_frequencies

    @staticmethod
    def _u_exact(levels: list[dict[str, Any]], column: str) -> float:
        """The u probability of the comparison's exact-match level on `column`, which
        Splink's term-frequency adjustment is relative to."""
        condition = f'"{column}_l" = "{column}_r"'
        for level in levels:
            if level.get("sql_condition") == condition:
                u = _probability(level.get("u_probability"))
                if u is None:
                    raise ValueError(f"the exact match on {column!r} has no u probability")
                return u
        raise ValueError(f"no exact-match level on {column!r}")

    def _weigh(
        self, left: Features, right: Features
    ) -> Iterator[tuple[Comparison, int, _CompiledLevel, float]]:
        """Each comparison's level and weight (term-frequency adjustment included)."""
        for comparison, compiled in self._levels:
            index = comparison.level_of(left, right)
            level = compiled[index]
            weight = level.weight
            if level.tf_column and level.tf_weight != 0:
                weight += self._tf_adjustment(level, left[level.tf_column], right[level.tf_column])
            yield comparison, index, level, weight

    def match_weight(self, left: Features, right: Features) -> float:
        """The pair's match weight alone, summed in the same order as `score`: the matcher
        ranks hundreds of candidates by it and builds the explanation only for those it
        returns (building every explanation was a third of the time of a match)."""
        total = self.prior_weight
        for *_, weight in self._weigh(left, right):
            total += weight
        return total

    def score(self, left: Features, right: Features) -> Score:
        total = self.prior_weight
        parts: list[Part] = []
        levels: dict[str, int] = {}
        for comparison, index, level, weight in self._weigh(left, right):
            total += weight
            levels[comparison.name] = index
            parts.append(
                Part(
                    comparison.title,
                    level.label,
                    _display(left[comparison.shown], comparison.shown),
                    _display(right[comparison.shown], comparison.shown),
                    weight,
                )
            )
        return Score(total, probability_of(total), tuple(parts), levels)

    def _tf_adjustment(self, level: _CompiledLevel, left: Any, right: Any) -> float:
        table = self._tf.get(level.tf_column or "", {})
        tf_left = table.get(left) if left is not None else None
        tf_right = table.get(right) if right is not None else None
        if tf_left is None and tf_right is None:
            return 0.0
        largest = max(v for v in (tf_left, tf_right, level.tf_minimum_u) if v is not None)
        return level.tf_weight * (level.log2_u_exact - math.log2(largest))
