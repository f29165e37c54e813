"""Records as the tables Splink reads: features in Arrow, term frequencies, labels.

Kept apart from training and batch linkage because both hand Splink the same tables, and
the single-record scorer must see the same term frequencies that Splink was given.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import pyarrow as pa

from jigsaw.matching.comparisons import TF_COLUMNS
from jigsaw.matching.features import Features, blocking_keys

_LIST = pa.list_(pa.string())
SCHEMA = pa.schema(
    [
        ("record_id", pa.string()),
        ("given", pa.string()),
        ("given_all", _LIST),
        ("given_groups", _LIST),
        ("given_canon", pa.string()),
        ("given_phon", pa.string()),
        ("family", pa.string()),
        ("family_all", _LIST),
        ("family_phon", pa.string()),
        ("dob", pa.string()),
        ("dob_swapped", pa.string()),
        ("dob_year", pa.string()),
        ("dob_days", pa.int64()),
        ("dob_est", pa.int64()),
        ("sex", pa.string()),
        ("postcode", pa.string()),
        ("outward", pa.string()),
        ("address", pa.string()),
        ("places", _LIST),
        ("nhs", pa.string()),
        ("upn", pa.string()),
        ("block_keys", _LIST),
    ]
)


def features_table(rows: Iterable[Features], *, source: str | None = None) -> pa.Table:
    """An Arrow table of features with their blocking keys (and, for a two-file job, the
    name of the file each row came from, which Splink's link jobs need)."""
    columns: dict[str, list[Any]] = {name: [] for name in SCHEMA.names}
    for row in rows:
        for name in SCHEMA.names:
            columns[name].append(blocking_keys(row) if name == "block_keys" else row[name])
    table = pa.table(columns, schema=SCHEMA)
    if source is not None:
        table = table.append_column("source_dataset", pa.array([source] * table.num_rows, pa.string()))
    return table


def term_frequencies(rows: Sequence[Features]) -> dict[str, dict[str, float]]:
    """The share of records with each value, among those that have one: Splink's own
    definition (count of the value / count of non-null values)."""
    result: dict[str, dict[str, float]] = {}
    for column in TF_COLUMNS:
        counts = Counter(row[column] for row in rows if row[column] is not None)
        total = sum(counts.values())
        result[column] = {value: count / total for value, count in counts.items()} if total else {}
    return result


def tf_table(column: str, frequencies: dict[str, float]) -> pa.Table:
    return pa.table(
        {column: list(frequencies.keys()), f"tf_{column}": list(frequencies.values())},
        schema=pa.schema([(column, pa.string()), (f"tf_{column}", pa.float64())]),
    )
