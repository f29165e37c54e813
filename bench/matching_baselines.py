"""Two stock baselines for the matching benchmark, set up as each toolkit's guide does.

Neither is tuned to any corpus: the same columns, blocking and comparisons run on FEBRL and
on the hard corpus. Both see only the single-valued fields of a `MatchRecord` (other names,
previous postcodes and addresses are Jigsaw's additions, not columns a stock set-up has).

- `recordlinkage_pairs`: the `recordlinkage` toolkit: a full index blocked on a few keys
  (the union of the candidate pairs of each), comparisons that give 0/1 features
  (Jaro-Winkler >= 0.85 on names and address, exact on date of birth, postcode and
  identifiers), and the unsupervised ECM classifier; a pair's score is ECM's probability.
- `splink_pairs`: Splink 5 on DuckDB with the comparison library (`NameComparison`,
  `DateOfBirthComparison`, `ExactMatch`, `JaroWinklerAtThresholds`), the prior from a
  deterministic rule, u by random sampling and m by expectation maximisation in two
  sessions (blocked on names, then on date of birth); a pair's score is Splink's
  match probability.

Both block predictions on the same keys: given and family name together, date of birth,
and postcode. Light cleaning only, the same for both: names and address in lower case
with punctuation removed, postcode in upper case without spaces, identifiers as digits.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from jigsaw.matching.records import MatchRecord

ScoredPair = tuple[str, str, float]

# Blocking keys for candidate pairs (each a list of columns that must all be equal).
BLOCKING_KEYS: tuple[tuple[str, ...], ...] = (("given_name", "family_name"), ("dob",), ("postcode",))
# The deterministic rule for Splink's prior and the recall it is assumed to have.
DETERMINISTIC_RULE = ("given_name", "family_name", "dob")
DETERMINISTIC_RECALL = 0.7
U_SAMPLE_PAIRS = 5e6

_NOT_WORD = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")


def _clean_text(value: str) -> str | None:
    text = _SPACES.sub(" ", _NOT_WORD.sub(" ", value.lower())).strip()
    return text or None


def _clean_code(value: str) -> str | None:
    return re.sub(r"[^A-Z0-9]", "", value.upper()) or None


def _digits(value: str) -> str | None:
    return re.sub(r"\D", "", value) or None


def frame(records: Sequence[MatchRecord]) -> Any:
    """The records as a pandas DataFrame indexed by record_id; missing values are None."""
    import pandas as pd

    rows = [
        {
            "record_id": r.record_id,
            "given_name": _clean_text(r.given_name),
            "family_name": _clean_text(r.family_name),
            "dob": r.dob.isoformat() if r.dob else None,
            "sex": r.sex if r.sex in {"M", "F"} else None,
            "postcode": _clean_code(r.postcode),
            "address": _clean_text(r.address),
            "nhs_number": _digits(r.nhs_number),
            "upn": _clean_code(r.upn),
        }
        for r in records
    ]
    columns = [
        "record_id",
        "given_name",
        "family_name",
        "dob",
        "sex",
        "postcode",
        "address",
        "nhs_number",
        "upn",
    ]
    result = pd.DataFrame(rows, columns=columns).astype(object)
    return result.where(result.notna(), None)


def _present(frames: Sequence[Any], column: str) -> bool:
    """A column worth comparing: some value in every file (FEBRL has no sex and no UPN)."""
    return all(bool(f[column].notna().any()) for f in frames)


# --- recordlinkage ----------------------------------------------------------------------------


def recordlinkage_pairs(left: Sequence[MatchRecord], right: Sequence[MatchRecord] | None) -> list[ScoredPair]:
    """Candidate pairs scored by recordlinkage's ECM classifier: (left id, right id, probability)."""
    import recordlinkage as rl

    a = frame(left).set_index("record_id")
    b = frame(right).set_index("record_id") if right is not None else None
    frames = [a] if b is None else [a, b]

    indexer = rl.Index()
    for key in BLOCKING_KEYS:
        indexer.block(list(key))
    candidates = indexer.index(a) if b is None else indexer.index(a, b)

    compare = rl.Compare()
    compare.string("given_name", "given_name", method="jarowinkler", threshold=0.85, label="given_name")
    compare.string("family_name", "family_name", method="jarowinkler", threshold=0.85, label="family_name")
    compare.exact("dob", "dob", label="dob")
    compare.exact("postcode", "postcode", label="postcode")
    compare.string("address", "address", method="jarowinkler", threshold=0.85, label="address")
    for column in ("nhs_number", "upn", "sex"):
        if _present(frames, column):
            compare.exact(column, column, label=column)
    features = compare.compute(candidates, a) if b is None else compare.compute(candidates, a, b)

    ecm = rl.ECMClassifier()
    ecm.fit(features)
    probabilities = ecm.prob(features)
    return [(str(x), str(y), float(p)) for (x, y), p in probabilities.items()]


# --- Splink -----------------------------------------------------------------------------------


def splink_pairs(
    left: Sequence[MatchRecord], right: Sequence[MatchRecord] | None, *, seed: int = 0
) -> list[ScoredPair]:
    """Blocked pairs scored by a stock Splink model trained on the data: (left id, right id, p)."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    db_api = DuckDBAPI()
    frames = [frame(left)] if right is None else [frame(left), frame(right)]
    tables = [
        db_api.register(f, table_name=name)
        for f, name in zip(frames, ["left_records", "right_records"], strict=False)
    ]

    comparisons: list[Any] = [
        cl.NameComparison("given_name"),
        cl.NameComparison("family_name"),
        cl.DateOfBirthComparison("dob", input_is_string=True),
        cl.ExactMatch("postcode"),
        cl.JaroWinklerAtThresholds("address", [0.9, 0.7]),
    ]
    for column in ("nhs_number", "upn", "sex"):
        if _present(frames, column):
            comparisons.append(cl.ExactMatch(column))

    settings = SettingsCreator(
        link_type="dedupe_only" if right is None else "link_only",
        unique_id_column_name="record_id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[block_on(*key) for key in BLOCKING_KEYS],
        retain_matching_columns=False,
    )
    linker = Linker(tables, settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on(*DETERMINISTIC_RULE)], recall=DETERMINISTIC_RECALL
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "family_name"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    # Splink's SplinkDataFrame methods carry no annotations.
    predictions: Any = linker.inference.predict()
    columns = predictions.as_pyarrow_table().to_pydict()
    # In a linkage Splink puts the pair's records in source-dataset order; ours is (left, right).
    sources = columns.get("source_dataset_l") or [None] * len(columns["record_id_l"])
    pairs: list[ScoredPair] = []
    for id_l, id_r, probability, source in zip(
        columns["record_id_l"], columns["record_id_r"], columns["match_probability"], sources, strict=True
    ):
        a, b = str(id_l), str(id_r)
        if right is not None and source != "left_records":
            a, b = b, a
        pairs.append((a, b, float(probability)))
    return pairs
