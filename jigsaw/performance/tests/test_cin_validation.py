"""Each validation rule fires on a hand-built bad record and not on the good one."""

# A mutation that changes several fields is written as a tuple of setattr calls.
# mypy: disable-error-code="func-returns-value"

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest

from jigsaw.performance.returns.cin_census import (
    CensusAssessment,
    CensusChild,
    CensusCinPlan,
    CensusCpPlan,
    CensusEpisode,
    CensusSection47,
)
from jigsaw.performance.returns.cin_validation import RULES, Severity, validate_children
from jigsaw.performance.tests.cin_helpers import D


def good() -> CensusChild:
    """A child whose census record breaks no rule: an assessment and a child in need plan,
    closed; then a section 47, its conference on time, a plan from that day, still open."""
    first = CensusEpisode(
        1,
        D(2025, 5, 6),
        "2A",
        "N4",
        False,
        D(2025, 10, 1),
        "RC7",
        assessments=[CensusAssessment(11, D(2025, 5, 7), D(2025, 6, 23), ["3B", "4B"])],
        cin_plans=[CensusCinPlan(21, D(2025, 6, 24), D(2025, 9, 30))],
    )
    second = CensusEpisode(
        2,
        D(2025, 11, 3),
        "6",
        "N1",
        False,
        None,
        "",
        assessments=[CensusAssessment(12, D(2025, 11, 4), D(2025, 12, 15), ["21"])],
        section47s=[
            CensusSection47(31, D(2025, 11, 4), D(2025, 11, 25), D(2025, 11, 4), D(2025, 11, 24), False)
        ],
        cp_plans=[CensusCpPlan(41, D(2025, 11, 24), None, "NEG", "NEG", 0, [D(2026, 2, 23)])],
    )
    return CensusChild(
        7, "Y801200000021", "", D(2016, 5, 4), None, "F", None, "WBRI", ["NONE"], [first, second]
    )


def codes(child: CensusChild) -> set[str]:
    return {f.code for f in validate_children([child], year=2026)}


def test_the_good_record_passes_every_rule() -> None:
    assert codes(good()) == set()


Mutation = Callable[[CensusChild], object]


def ep(c: CensusChild, i: int = 0) -> CensusEpisode:
    return c.episodes[i]


def set_upn(value: str) -> Mutation:
    return lambda c: setattr(c, "upn", value)


CASES: list[tuple[str, Mutation]] = [
    ("1510", set_upn("A801200000021")),
    ("1530", set_upn("A000200000021")),
    ("1540", set_upn("Y8012000X0021")),
    ("1550", set_upn("Y80120000002I")),
    ("8525", lambda c: setattr(c, "birth_date", None)),
    ("8525", lambda c: setattr(c, "expected_birth_date", D(2026, 6, 1))),
    ("4180", lambda c: setattr(c, "sex", "X")),
    ("8750", lambda c: (setattr(c, "birth_date", None), setattr(c, "expected_birth_date", D(2026, 6, 1)))),
    ("4220", lambda c: setattr(c, "ethnicity", "XXXX")),
    ("8540", lambda c: setattr(c, "disabilities", [])),
    ("8555", lambda c: setattr(c, "death_date", D(2025, 10, 1))),
    (
        "8606",
        lambda c: (
            setattr(c, "birth_date", None),
            setattr(c, "expected_birth_date", D(2026, 9, 1)),
            setattr(c, "sex", "U"),
        ),
    ),
    ("8866", lambda c: setattr(ep(c), "source", "11")),
    ("8650", lambda c: setattr(ep(c), "primary_need", "N10")),
    ("8610", lambda c: setattr(ep(c), "primary_need", "")),
    ("8640", lambda c: setattr(ep(c), "closure_reason", "RC10")),
    ("8805", lambda c: setattr(ep(c), "closure_reason", "")),
    ("JIG-CLOSURE-ORDER", lambda c: setattr(ep(c), "closed_on", D(2025, 5, 5))),
    ("JIG-EPISODE-OVERLAP", lambda c: setattr(ep(c), "closed_on", D(2025, 11, 10))),
    ("1103", lambda c: setattr(ep(c).assessments[0], "started_on", D(2025, 5, 1))),
    ("8608", lambda c: setattr(ep(c).assessments[0], "authorised_on", D(2025, 5, 6))),
    (
        "8736",
        lambda c: (
            setattr(ep(c), "referred_on", D(2025, 3, 1)),
            setattr(ep(c).assessments[0], "started_on", D(2025, 3, 2)),
            setattr(ep(c).assessments[0], "authorised_on", None),
            setattr(ep(c).assessments[0], "factors", []),
        ),
    ),
    (
        "8670Q",
        lambda c: (
            setattr(ep(c).assessments[0], "authorised_on", None),
            setattr(ep(c).assessments[0], "factors", []),
        ),
    ),
    ("8869", lambda c: setattr(ep(c).assessments[0], "factors", ["21", "3B"])),
    ("8898", lambda c: setattr(ep(c).assessments[0], "factors", ["3B", "3B"])),
    ("JIG-FACTOR", lambda c: setattr(ep(c).assessments[0], "factors", ["18A"])),
    (
        "8896",
        lambda c: ep(c).assessments.extend(
            [CensusAssessment(13, D(2026, 3, 1), None, []), CensusAssessment(14, D(2026, 3, 2), None, [])]
        ),
    ),
    ("4015", lambda c: setattr(ep(c).cin_plans[0], "started_on", D(2025, 5, 1))),
    ("4011", lambda c: setattr(ep(c).cin_plans[0], "ended_on", D(2025, 6, 1))),
    ("4014", lambda c: ep(c).cin_plans.append(CensusCinPlan(22, D(2025, 7, 1), D(2025, 8, 1)))),
    (
        "4004",
        lambda c: (
            setattr(ep(c).cin_plans[0], "ended_on", None),
            ep(c).cin_plans.append(CensusCinPlan(22, D(2025, 7, 1), None)),
        ),
    ),
    ("4000", lambda c: setattr(ep(c), "referral_nfa", True)),
    ("8831", lambda c: setattr(ep(c), "referral_nfa", True)),
    ("4016", lambda c: ep(c, 1).cin_plans.append(CensusCinPlan(23, D(2025, 12, 1), None))),
    ("2889", lambda c: setattr(ep(c, 1).section47s[0], "started_on", D(2025, 11, 1))),
    ("8615", lambda c: setattr(ep(c, 1).section47s[0], "initial_conference_on", D(2025, 11, 3))),
    (
        "1104",
        lambda c: (
            setattr(ep(c, 1).section47s[0], "started_on", D(2025, 11, 3)),
            setattr(ep(c, 1).section47s[0], "initial_conference_on", D(2025, 11, 3)),
            setattr(ep(c, 1), "referred_on", D(2025, 11, 3)),
            setattr(ep(c, 1).section47s[0], "initial_conference_on", D(2025, 11, 2)),
        ),
    ),
    (
        "8839",
        lambda c: (
            setattr(ep(c, 1).section47s[0], "initial_conference_on", None),
            ep(c, 1).section47s.append(
                CensusSection47(32, D(2026, 3, 20), D(2026, 4, 8), D(2026, 3, 20), None, False)
            ),
        ),
    ),
    (
        "8740",
        lambda c: (
            setattr(ep(c, 1), "referred_on", D(2025, 3, 1)),
            setattr(ep(c, 1).section47s[0], "started_on", D(2025, 3, 2)),
            setattr(ep(c, 1).section47s[0], "initial_conference_on", None),
        ),
    ),
    ("8675Q", lambda c: setattr(ep(c, 1).section47s[0], "initial_conference_on", None)),
    ("8870Q", lambda c: setattr(ep(c, 1).section47s[0], "conference_target", D(2025, 11, 22))),
    ("JIG-ICPC-LATE", lambda c: setattr(ep(c, 1).section47s[0], "strategy_held_on", D(2025, 10, 1))),
    ("8905", lambda c: setattr(ep(c, 1).cp_plans[0], "initial_category", "ABC")),
    ("8910", lambda c: setattr(ep(c, 1).cp_plans[0], "latest_category", "")),
    ("8840", lambda c: setattr(ep(c, 1).cp_plans[0], "ended_on", D(2025, 11, 24))),
    ("JIG-CPP-ORDER", lambda c: setattr(ep(c, 1).cp_plans[0], "ended_on", D(2025, 11, 20))),
    ("JIG-CPP-REFERRAL", lambda c: setattr(ep(c, 1).cp_plans[0], "started_on", D(2025, 11, 1))),
    ("2885", lambda c: setattr(ep(c, 1).cp_plans[0], "started_on", D(2025, 11, 26))),
    (
        "JIG-CPP-OVERLAP",
        lambda c: ep(c, 1).cp_plans.append(CensusCpPlan(42, D(2025, 11, 24), None, "PHY", "PHY", 1, [])),
    ),
    ("8915", lambda c: setattr(c, "death_date", D(2025, 11, 20))),
    (
        "8920",
        lambda c: (
            setattr(c, "death_date", D(2026, 1, 1)),
            setattr(ep(c, 1).cp_plans[0], "ended_on", D(2026, 2, 1)),
        ),
    ),
    ("2990", lambda c: setattr(ep(c), "closure_reason", "RC8")),
    (
        "8873",
        lambda c: (
            setattr(ep(c, 1), "closed_on", D(2026, 1, 10)),
            setattr(ep(c, 1), "closure_reason", "RC7"),
        ),
    ),
    ("8585Q", lambda c: setattr(ep(c), "closure_reason", "RC2")),
]


@pytest.mark.parametrize(("code", "mutate"), CASES, ids=[f"{code}-{i}" for i, (code, _) in enumerate(CASES)])
def test_each_rule_fires_on_a_bad_record(code: str, mutate: Mutation) -> None:
    child = copy.deepcopy(good())
    mutate(child)
    assert code in codes(child)


def test_every_rule_has_a_test_that_breaks_it() -> None:
    assert {r.code for r in RULES} == {code for code, _ in CASES}


def test_a_failure_names_the_child_by_lachildid_and_links_to_the_record_to_fix() -> None:
    child = good()
    ep(child).assessments[0].factors = ["21", "3B"]

    [failure] = validate_children([child], year=2026)

    assert (failure.code, failure.la_child_id, failure.url) == ("8869", "7", "/casework/assessments/11")
    assert failure.message.startswith("The assessment factors code")
    assert failure.severity == Severity.ERROR


def test_queries_are_not_errors() -> None:
    child = good()
    ep(child).closure_reason = "RC2"

    [failure] = validate_children([child], year=2026)

    assert failure.code == "8585Q" and failure.severity == Severity.QUERY and not failure.is_error
