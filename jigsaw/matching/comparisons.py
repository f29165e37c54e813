"""The comparisons the match model weighs, each level written twice: as the SQL condition
Splink runs in DuckDB, and as the Python test the single-record scorer runs.

The two are side by side so that a change to one is a change to the other; a test scores
thousands of pairs both ways and requires the same probabilities to 1e-6.

Levels are tried in order and the first that holds wins, as in Splink. The first level of
every comparison is its null level: when either side lacks the value, the comparison adds
nothing (missing counts as neither for nor against).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import jellyfish

from jigsaw.matching.features import Features

Test = Callable[[Features, Features], bool]


@dataclasses.dataclass(frozen=True)
class Level:
    label: str
    sql: str
    test: Test
    is_null: bool = False
    tf_column: str | None = None
    # Starting values for estimation, kept when the training data never shows the level
    # (an index with no swapped names yet still needs a weight for them).
    m: float = 0.0
    u: float = 0.0
    # The most the m probability may be, whatever the estimate. Expectation maximisation
    # cannot tell twins from one child recorded twice (both agree on everything but the
    # given name) nor a parent from a child of the same name (all but the date of birth),
    # so it learns that the same person's given name or date of birth is often wholly
    # different. It is not: the cap says how often it really is.
    m_max: float = 1.0

    def as_splink(self) -> dict[str, Any]:
        level: dict[str, Any] = {"sql_condition": self.sql, "label_for_charts": self.label}
        if self.is_null:
            level["is_null_level"] = True
        else:
            level["m_probability"] = self.m
            level["u_probability"] = self.u
        if self.tf_column:
            level["tf_adjustment_column"] = self.tf_column
            level["tf_adjustment_weight"] = 1.0
        return level


@dataclasses.dataclass(frozen=True)
class Comparison:
    name: str
    title: str  # how the explanation names it: "family name"
    shown: str  # the feature whose values the explanation shows
    levels: tuple[Level, ...]

    def as_splink(self) -> dict[str, Any]:
        return {
            "output_column_name": self.name,
            "comparison_description": self.title,
            "comparison_levels": [level.as_splink() for level in self.levels],
        }

    def level_of(self, left: Features, right: Features) -> int:
        """The index of the first level that holds (the last level always does)."""
        for index, level in enumerate(self.levels):
            if level.test(left, right):
                return index
        raise AssertionError(f"{self.name}: no level holds, the else level is missing")


def _missing(column: str) -> Level:
    return Level(
        "missing on one side",
        f'"{column}_l" IS NULL OR "{column}_r" IS NULL',
        lambda a, b: a[column] is None or b[column] is None,
        is_null=True,
    )


def _missing_list(column: str) -> Level:
    return Level(
        "missing on one side",
        f'len("{column}_l") = 0 OR len("{column}_r") = 0',
        lambda a, b: not a[column] or not b[column],
        is_null=True,
    )


def _exact(column: str, label: str, m: float, u: float, *, tf: bool = False) -> Level:
    return Level(
        label,
        f'"{column}_l" = "{column}_r"',
        lambda a, b: a[column] is not None and a[column] == b[column],
        tf_column=column if tf else None,
        m=m,
        u=u,
    )


def _share_any(column: str, label: str, m: float, u: float) -> Level:
    return Level(
        label,
        f'list_has_any("{column}_l", "{column}_r")',
        lambda a, b: not set(a[column]).isdisjoint(b[column]),
        m=m,
        u=u,
    )


def _jaro_winkler(column: str, threshold: float, label: str, m: float, u: float) -> Level:
    return Level(
        label,
        f'jaro_winkler_similarity("{column}_l", "{column}_r") >= {threshold}',
        lambda a, b: jellyfish.jaro_winkler_similarity(a[column], b[column]) >= threshold,
        m=m,
        u=u,
    )


def _else(m: float, u: float, m_max: float = 1.0) -> Level:
    return Level("all other comparisons", "ELSE", lambda a, b: True, m=m, u=u, m_max=m_max)


# Names written the wrong way round ("Kouao Anna"), allowing a slip in either: judged once,
# by the given-name comparison; the family-name comparison treats it as missing, so the
# same evidence is not counted twice.
_SWAP_SIMILARITY = 0.88
_SWAP_SQL = (
    f'jaro_winkler_similarity("given_l", "family_r") >= {_SWAP_SIMILARITY} '
    f'AND jaro_winkler_similarity("family_l", "given_r") >= {_SWAP_SIMILARITY}'
)


def _names_swapped(a: Features, b: Features) -> bool:
    if None in (a["given"], a["family"], b["given"], b["family"]):
        return False
    return (
        jellyfish.jaro_winkler_similarity(a["given"], b["family"]) >= _SWAP_SIMILARITY
        and jellyfish.jaro_winkler_similarity(a["family"], b["given"]) >= _SWAP_SIMILARITY
    )


_NAMES_SWAPPED = Level("given and family names swapped", _SWAP_SQL, _names_swapped, m=0.01, u=1e-5)

_FAMILY_MISSING_OR_SWAPPED = Level(
    "missing on one side, or names swapped",
    f'"family_l" IS NULL OR "family_r" IS NULL OR ({_SWAP_SQL})',
    lambda a, b: a["family"] is None or b["family"] is None or _names_swapped(a, b),
    is_null=True,
)


def _one_digit(column: str, m: float, u: float) -> Level:
    return Level(
        "one digit different",
        f'levenshtein("{column}_l", "{column}_r") = 1',
        lambda a, b: jellyfish.levenshtein_distance(a[column], b[column]) == 1,
        m=m,
        u=u,
    )


def _transposed(column: str, m: float, u: float) -> Level:
    """Two adjacent digits swapped: one edit apart counting a transposition as one, two
    apart counting it as two."""
    return Level(
        "two adjacent digits swapped",
        f'damerau_levenshtein("{column}_l", "{column}_r") = 1 AND levenshtein("{column}_l", "{column}_r") = 2',
        lambda a, b: (
            jellyfish.damerau_levenshtein_distance(a[column], b[column]) == 1
            and jellyfish.levenshtein_distance(a[column], b[column]) == 2
        ),
        m=m,
        u=u,
    )


GIVEN_NAME = Comparison(
    "given_name",
    "given name",
    "given",
    (
        _missing("given"),
        _NAMES_SWAPPED,
        _exact("given", "exact", 0.8, 0.005, tf=True),
        _share_any("given_groups", "known variant (nickname or spelling)", 0.05, 1e-4),
        _jaro_winkler("given", 0.92, "very similar spelling", 0.05, 5e-4),
        _exact("given_phon", "sounds the same", 0.02, 1e-3),
        _share_any("given_all", "matches a middle name", 0.01, 5e-5),
        _jaro_winkler("given", 0.8, "similar spelling", 0.04, 0.005),
        _else(0.01, 0.99, m_max=0.02),
    ),
)

FAMILY_NAME = Comparison(
    "family_name",
    "family name",
    "family",
    (
        _FAMILY_MISSING_OR_SWAPPED,
        _exact("family", "exact", 0.8, 0.003, tf=True),
        _share_any("family_all", "matches a part or a previous family name", 0.05, 1e-4),
        _jaro_winkler("family", 0.92, "very similar spelling", 0.05, 5e-4),
        _exact("family_phon", "sounds the same", 0.02, 1e-3),
        _jaro_winkler("family", 0.8, "similar spelling", 0.04, 0.005),
        _else(0.03, 0.99),
    ),
)

DATE_OF_BIRTH = Comparison(
    "date_of_birth",
    "date of birth",
    "dob",
    (
        _missing("dob"),
        _exact("dob", "exact", 0.85, 5e-4),
        Level(
            "day and month swapped",
            '"dob_l" = "dob_swapped_r"',
            lambda a, b: a["dob"] == b["dob_swapped"],
            m=0.02,
            u=5e-5,
        ),
        Level(
            "one digit different",
            'levenshtein("dob_l", "dob_r") = 1',
            lambda a, b: jellyfish.levenshtein_distance(a["dob"], b["dob"]) == 1,
            m=0.05,
            u=0.003,
        ),
        Level(
            "estimated, within a year",
            '("dob_est_l" = 1 OR "dob_est_r" = 1) AND abs("dob_days_l" - "dob_days_r") <= 366',
            lambda a, b: (
                (a["dob_est"] == 1 or b["dob_est"] == 1) and abs(a["dob_days"] - b["dob_days"]) <= 366
            ),
            m=0.02,
            u=0.01,
        ),
        _exact("dob_year", "same year only", 0.03, 0.05),
        _else(0.005, 0.94, m_max=0.01),
    ),
)

SEX = Comparison("sex", "sex", "sex", (_missing("sex"), _exact("sex", "same", 0.97, 0.5), _else(0.03, 0.5)))

PLACE = Comparison(
    "place",
    "address",
    "postcode",
    (
        _missing_list("places"),
        _exact("address", "same address", 0.5, 0.001),
        _exact("postcode", "same postcode", 0.2, 0.001),
        Level(
            "similar address",
            'jaro_winkler_similarity("address_l", "address_r") >= 0.9',
            lambda a, b: (
                a["address"] is not None
                and b["address"] is not None
                and jellyfish.jaro_winkler_similarity(a["address"], b["address"]) >= 0.9
            ),
            m=0.05,
            u=5e-4,
        ),
        _share_any("places", "lived at the same address or postcode", 0.1, 5e-4),
        Level(
            "postcode one character different",
            'damerau_levenshtein("postcode_l", "postcode_r") = 1',
            lambda a, b: (
                a["postcode"] is not None
                and b["postcode"] is not None
                and jellyfish.damerau_levenshtein_distance(a["postcode"], b["postcode"]) == 1
            ),
            m=0.03,
            u=0.002,
        ),
        _exact("outward", "same postcode district", 0.05, 0.02),
        _else(0.15, 0.98),
    ),
)

NHS_NUMBER = Comparison(
    "nhs_number",
    "NHS number",
    "nhs",
    (
        _missing("nhs"),
        _exact("nhs", "same", 0.97, 1e-6),
        _transposed("nhs", 0.01, 1e-6),
        _one_digit("nhs", 0.01, 1e-5),
        _else(0.02, 0.999998),
    ),
)

UPN = Comparison(
    "upn",
    "unique pupil number",
    "upn",
    (
        _missing("upn"),
        _exact("upn", "same", 0.97, 1e-6),
        _transposed("upn", 0.01, 1e-6),
        _else(0.02, 0.999998),
    ),
)

COMPARISONS: tuple[Comparison, ...] = (GIVEN_NAME, FAMILY_NAME, DATE_OF_BIRTH, SEX, PLACE, NHS_NUMBER, UPN)

# The columns with term-frequency adjustments: an exact match on a rare name says more
# than one on a common name.
TF_COLUMNS: tuple[str, ...] = ("given", "family")
