"""Estimating the match model with Splink (DuckDB) from the records themselves.

The estimation is Splink's textbook sequence, unsupervised:
1. the prior (probability that two random records are the same person) from
   deterministic rules that admit almost no false matches, scaled by their assumed recall;
2. u probabilities (how often each level happens by chance) from random pairs;
3. m probabilities (how often each level happens for the same person) by expectation
   maximisation, in two sessions blocked on different fields so that every comparison is
   estimated in one of them;
4. when reviewers have decided pairs, m probabilities re-estimated from those labels.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from typing import Any

import duckdb
import pyarrow as pa
import splink
from splink import DuckDBAPI, Linker, block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.exceptions import SplinkException
from splink.internals.splink_dataframe import SplinkDataFrame

from jigsaw.matching.comparisons import COMPARISONS
from jigsaw.matching.features import Features, features
from jigsaw.matching.records import MatchRecord
from jigsaw.matching.scorer import TrainedModel
from jigsaw.matching.splink_tables import features_table, term_frequencies, tf_table

# Rules that say "surely the same person" for estimating the prior, and how many of the
# true matches we assume they find (Splink's `recall`).
DETERMINISTIC_RULES: list[str | BlockingRuleCreator] = [
    'l."nhs" = r."nhs"',
    'l."given" = r."given" AND l."family" = r."family" AND l."dob" = r."dob"',
]
DETERMINISTIC_RECALL = 0.7
# Splink refuses a prior of zero; an index with no duplicates at all still gets a model.
MINIMUM_PRIOR = 1e-9
U_SAMPLE_PAIRS = 2e6
# Below this many pairs decided "same person", labels say too little to re-estimate m.
MINIMUM_LABELLED_MATCHES = 50
# No level is ever impossible for the same person: data entry errs in every field. EM on
# an index with few duplicates drives the m of a rare level towards zero (a weight of -40
# for a sex recorded wrongly); the floor keeps one wrong field from outweighing the rest.
M_FLOOR = 0.002


def base_settings(link_type: str = "dedupe_only") -> dict[str, Any]:
    return {
        "link_type": link_type,
        "unique_id_column_name": "record_id",
        "probability_two_random_records_match": 1e-4,
        "blocking_rules_to_generate_predictions": [
            block_on("block_keys", arrays_to_explode=["block_keys"]).get_blocking_rule("duckdb").as_dict()
        ],
        "comparisons": [comparison.as_splink() for comparison in COMPARISONS],
        "retain_intermediate_calculation_columns": False,
        "retain_matching_columns": False,
    }


def regularise(parameters: dict[str, Any]) -> dict[str, Any]:
    """Floor every m probability at M_FLOOR, cap it at its level's `m_max`, and make each
    comparison's m and u probabilities sum to one again (levels the training never saw
    keep their starting values, which need not sum with the estimated ones). Capped levels
    keep their cap; the others share what is left."""
    defined = {c.name: c for c in COMPARISONS}
    for comparison in parameters["comparisons"]:
        code_levels = defined[comparison["output_column_name"]].levels
        pairs = [
            (level, code)
            for level, code in zip(comparison["comparison_levels"], code_levels, strict=True)
            if not code.is_null
        ]
        u_values = [_as_float(level.get("u_probability")) for level, _ in pairs]
        for (level, _), value in zip(pairs, u_values, strict=True):
            level["u_probability"] = value / sum(u_values)
        m_values = [max(_as_float(level.get("m_probability")), M_FLOOR) for level, _ in pairs]
        capped = [value > code.m_max for value, (_, code) in zip(m_values, pairs, strict=True)]
        fixed = sum(code.m_max for (_, code), cap in zip(pairs, capped, strict=True) if cap)
        free = sum(value for value, cap in zip(m_values, capped, strict=True) if not cap)
        for (level, code), value, cap in zip(pairs, m_values, capped, strict=True):
            level["m_probability"] = code.m_max if cap else value * (1 - fixed) / free
    return parameters


def implausible(parameters: dict[str, Any]) -> list[str]:
    """Where the m probabilities contradict what a match is: for names, date of birth and
    NHS number the same person's records must agree exactly more often than in any one
    way of disagreeing. An index with very few duplicates gives EM little to learn from,
    and it can then mistake siblings or a parent and child for the same person."""
    problems = []
    for comparison in parameters["comparisons"]:
        if comparison["output_column_name"] not in {
            "given_name",
            "family_name",
            "date_of_birth",
            "nhs_number",
        }:
            continue
        levels = [level for level in comparison["comparison_levels"] if not level.get("is_null_level")]
        exact = next(level for level in levels if level["label_for_charts"] in {"exact", "same"})
        best = max(levels, key=lambda level: _as_float(level.get("m_probability")))
        if best is not exact:
            problems.append(
                f"{comparison['output_column_name']}: m of '{best['label_for_charts']}' exceeds m of an exact match"
            )
    return problems


def _with_m_from(parameters: dict[str, Any], source: TrainedModel) -> dict[str, Any]:
    theirs = {c["output_column_name"]: c for c in source.parameters["comparisons"]}
    for comparison in parameters["comparisons"]:
        for level, other in zip(
            comparison["comparison_levels"],
            theirs[comparison["output_column_name"]]["comparison_levels"],
            strict=True,
        ):
            if not level.get("is_null_level"):
                level["m_probability"] = other["m_probability"]
    return parameters


def _as_float(value: object) -> float:
    # Splink writes a level it could not estimate as text; its own reading of that is 1e-6.
    return 1e-6 if value is None or isinstance(value, str) else float(value)  # type: ignore[arg-type]


def register_tf_tables(
    db_api: DuckDBAPI, linker: Linker, frequencies: dict[str, dict[str, float]]
) -> dict[str, SplinkDataFrame]:
    """Hand Splink our term frequencies (so that it and the Python scorer use the same)."""
    frames = {
        column: db_api.register(tf_table(column, values), table_name=f"jigsaw_tf_{column}")
        for column, values in frequencies.items()
    }
    use_tf_tables(linker, frames)
    return frames


def use_tf_tables(linker: Linker, frames: dict[str, SplinkDataFrame]) -> None:
    for column, frame in frames.items():
        linker.table_management.register_term_frequency_lookup(frame, column)


def _em_sample(n: int) -> float:
    """Splink samples records for EM; small indexes use all of them."""
    return 1.0 if n <= 200_000 else max(0.05, 200_000 / n)


def train(
    records: Sequence[MatchRecord] | None = None,
    *,
    rows: Sequence[Features] | None = None,
    labels: Sequence[tuple[str, str, bool]] = (),
    seed: int = 0,
    fallback: TrainedModel | None = None,
) -> TrainedModel:
    """Estimate a model from `records` (or their features, already computed). `labels`
    are reviewers' decisions (record_id, record_id, same person?). When expectation
    maximisation gives implausible m probabilities and a `fallback` model is given, its m
    probabilities are used instead (how agencies' records of one child differ is a property
    of recording, not of the population); u, the prior and the term frequencies are still
    this index's own."""
    if rows is None:
        rows = [features(r) for r in records or ()]
    if len(rows) < 2:
        raise ValueError("at least two records are needed to estimate a match model")
    frequencies = term_frequencies(rows)
    connection = duckdb.connect()
    db_api = DuckDBAPI(connection)
    table = db_api.register(features_table(rows), table_name="jigsaw_records")
    linker = Linker(table, base_settings(), log_level=logging.WARNING)
    tf_frames = register_tf_tables(db_api, linker, frequencies)
    # No pair meeting the rules (an index without duplicates) raises; the floor is kept.
    with contextlib.suppress(ValueError):
        linker.training.estimate_probability_two_random_records_match(
            list(DETERMINISTIC_RULES), recall=DETERMINISTIC_RECALL
        )
    settings = linker._settings_obj.core_model_settings
    if settings.probability_two_random_records_match < MINIMUM_PRIOR:
        settings.probability_two_random_records_match = MINIMUM_PRIOR
    linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=seed)
    sample = _em_sample(len(rows))
    unconverged = []
    for blocking in (block_on("dob"), block_on("family_phon", "given_phon")):
        before = linker.misc.save_model_to_json()
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                blocking, record_sample_proportion=sample
            )
        except (ValueError, SplinkException) as error:
            # An index with very few duplicates can drive an m probability below what a
            # float holds, which Splink refuses mid-session, leaving its settings half
            # changed (and a tiny one may have no pairs to learn from at all): the model
            # is taken back to where it was before the session.
            unconverged.append(f"{blocking.get_blocking_rule('duckdb').blocking_rule_sql}: {error}")
            linker = Linker(table, before, log_level=logging.WARNING)
            use_tf_tables(linker, tf_frames)
    fallen_back: list[str] = []
    if fallback is not None:
        fallen_back = implausible(regularise(linker.misc.save_model_to_json()))
        if fallen_back:
            linker = Linker(
                table, _with_m_from(linker.misc.save_model_to_json(), fallback), log_level=logging.WARNING
            )
            use_tf_tables(linker, tf_frames)
    positive = [(a, b) for a, b, same in labels if same]
    if len(positive) >= MINIMUM_LABELLED_MATCHES:
        labels_table = db_api.register(
            pa.table(
                {
                    "source_dataset_l": ["jigsaw_records"] * len(positive),
                    "unique_id_l": [a for a, _ in positive],
                    "source_dataset_r": ["jigsaw_records"] * len(positive),
                    "unique_id_r": [b for _, b in positive],
                    "clerical_match_score": [1.0] * len(positive),
                }
            ),
            table_name="jigsaw_labels",
        )
        linker.training.estimate_m_from_pairwise_labels(labels_table)
    parameters = regularise(linker.misc.save_model_to_json())
    parameters["jigsaw"] = {
        "splink_version": splink.__version__,
        "labelled_pairs": len(labels),
        "unconverged_sessions": unconverged,
        "m_from_fallback_because": fallen_back,
    }
    return TrainedModel(parameters=parameters, term_frequencies=frequencies, training_records=len(rows))
