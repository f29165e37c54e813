"""The matching benchmark's own parts: the hard corpus is what it says, the metrics are right."""

from __future__ import annotations

import datetime
import importlib
import sys
from pathlib import Path
from typing import Any

import pytest
from nhs_number.validate import is_valid as nhs_number_is_valid

BENCH_DIR = Path(__file__).resolve().parents[3] / "bench"


def _bench(module: str) -> Any:
    # bench/ holds scripts, not a package: import its modules as the scripts do.
    if str(BENCH_DIR) not in sys.path:
        sys.path.insert(0, str(BENCH_DIR))
    return importlib.import_module(module)


@pytest.fixture(scope="module")
def corpus() -> Any:
    return _bench("matching_corpus").generate_hard(3000, 11)


def test_the_same_seed_gives_the_same_corpus_and_another_seed_another() -> None:
    corpus_module = _bench("matching_corpus")
    records, entities = corpus_module.hard_corpus(400, 5)
    again, again_entities = corpus_module.hard_corpus(400, 5)
    other, _ = corpus_module.hard_corpus(400, 6)
    assert records == again
    assert entities == again_entities
    assert records != other
    assert set(entities) == {r.record_id for r in records}
    assert len({r.record_id for r in records}) == len(records)


def test_twins_share_everything_but_a_given_name(corpus: Any) -> None:
    variants = _bench("matching_corpus").name_variants()
    assert len(corpus.twin_entities) >= 30
    same_sex = 0
    for x, y in corpus.twin_entities:
        a, b = corpus.people[x], corpus.people[y]
        assert a.is_child and b.is_child
        assert (a.dob, a.family, a.previous_family) == (b.dob, b.family, b.previous_family)
        assert a.given.split()[0] != b.given.split()[0]
        assert b.given.split()[0].upper() not in {v for v, _ in variants.get(a.given.split()[0].lower(), ())}
        assert a.nhs_number != b.nhs_number
        same_sex += a.sex == b.sex
    # Half are identical twins, and half the rest happen to be the same sex.
    assert 0 < same_sex < len(corpus.twin_entities)
    twin_pairs = corpus.twin_pairs()
    assert twin_pairs
    assert not twin_pairs & corpus.truth_pairs()
    # A twin's records share a postcode with their twin's (same home), unless one is out of date.
    records = {r.record_id: r for r in corpus.records}
    shared = sum(
        1
        for a, b in twin_pairs
        if records[a].postcode.replace(" ", "") == records[b].postcode.replace(" ", "")
    )
    assert shared > len(twin_pairs) / 2


def test_every_corruption_happens_and_the_counts_match_the_records(corpus: Any) -> None:
    corpus_module = _bench("matching_corpus")
    counts = corpus.corruptions
    assert set(corpus_module.CORRUPTIONS) <= set(counts)
    assert all(counts[kind] > 0 for kind in corpus_module.CORRUPTIONS), counts
    records = corpus.records
    assert counts["dob_missing"] == sum(1 for r in records if r.dob is None)
    assert counts["dob_estimated"] == sum(1 for r in records if r.dob_estimated)
    assert all(r.dob == datetime.date(r.dob.year, 1, 1) for r in records if r.dob_estimated)
    assert counts["sex_missing"] == sum(1 for r in records if r.sex == "")
    assert counts["nhs_number_missing"] == sum(1 for r in records if r.nhs_number == "")
    nhs = [r.nhs_number.replace(" ", "") for r in records if r.nhs_number]
    assert counts["nhs_number_transposed"] == sum(1 for n in nhs if not nhs_number_is_valid(n))
    assert counts["old_family_name_in_other_names"] == sum(1 for r in records if r.other_names)
    assert counts["previous_postcode_kept"] == sum(1 for r in records if r.previous_postcodes)
    assert counts["address_missing"] == sum(1 for r in records if r.address == "")
    # Only schools hold UPNs, and they hold most of them.
    agency = corpus.agency_of
    assert all(agency[r.record_id] == "school" for r in records if r.upn)
    school = [r for r in records if agency[r.record_id] == "school"]
    assert sum(1 for r in school if r.upn) > 0.8 * len(school)
    # Police rarely have an NHS number; health nearly always does.
    police = [r for r in records if agency[r.record_id] == "police"]
    health = [r for r in records if agency[r.record_id] == "health"]
    assert sum(1 for r in police if r.nhs_number) < 0.1 * len(police)
    assert sum(1 for r in health if r.nhs_number) > 0.9 * len(health)
    # Each child is known to one to four agencies, each agency once.
    per_person: dict[int, list[str]] = {}
    for r in records:
        per_person.setdefault(corpus.entity_of[r.record_id], []).append(agency[r.record_id])
    assert all(1 <= len(a) <= 4 and len(set(a)) == len(a) for a in per_person.values())
    assert max(len(a) for a in per_person.values()) == 4


def test_the_nicknames_come_from_the_maintained_list(corpus: Any) -> None:
    variants = _bench("matching_corpus").name_variants()
    from_list = 0
    for r in corpus.records:
        true_first = corpus.people[corpus.entity_of[r.record_id]].given.split()[0]
        written = r.given_name.split()[0].upper() if r.given_name else ""
        if written != true_first.upper() and written in {v for v, _ in variants.get(true_first.lower(), ())}:
            from_list += 1
    # Some variants were then mistyped or swapped with the family name; most were not.
    nicknames = corpus.corruptions["given_name_nickname"] + corpus.corruptions["given_name_transliteration"]
    assert nicknames * 0.8 <= from_list <= nicknames


def test_the_link_split_pairs_social_care_with_health() -> None:
    corpus_module = _bench("matching_corpus")
    left, right, truth = corpus_module.hard_link_corpus(500, 3)
    left_ids = {r.record_id for r in left}
    right_ids = {r.record_id for r in right}
    assert all(i.startswith("SC") for i in left_ids)
    assert all(i.startswith("HE") for i in right_ids)
    assert truth
    assert all(a in left_ids and b in right_ids for a, b in truth)
    # At most one record of a person in each file: each id is in one true pair at most.
    assert len({a for a, _ in truth}) == len(truth) == len({b for _, b in truth})


def test_metrics_on_a_hand_made_example() -> None:
    metrics = _bench("matching_metrics")
    truth = [("a", "b"), ("c", "d"), ("e", "f")]
    scored = [
        ("b", "a", 0.99),  # true, written the other way round
        ("a", "b", 0.40),  # the same pair again: the higher score counts
        ("c", "d", 0.70),  # true, in the review band
        ("a", "c", 0.95),  # false
        ("g", "h", 0.60),  # false, in the review band
        ("x", "x", 1.00),  # a record with itself: ignored
    ]  # ("e", "f") never scored
    at = metrics.evaluate_at(scored, truth, 0.9)
    assert (at.true_positives, at.false_positives, at.false_negatives) == (1, 1, 2)
    assert at.precision == pytest.approx(0.5)
    assert at.recall == pytest.approx(1 / 3)
    assert at.f1 == pytest.approx(0.4)

    best = metrics.best_threshold(scored, truth)
    # Thresholds 0.99 (P 1, R 1/3, F1 .5), 0.95 (.5, 1/3, .4), 0.7 (2/3, 2/3, 2/3), 0.6 (.5, 2/3, .571).
    assert best.threshold == pytest.approx(0.7)
    assert best.f1 == pytest.approx(2 / 3)

    review = metrics.evaluate_with_review(scored, truth, 0.9, 0.5)
    assert review.auto.precision == pytest.approx(0.5)
    assert review.recall_with_review == pytest.approx(2 / 3)
    assert (review.review_true, review.review_false) == (1, 1)

    # Linkage pairs are ordered: (b, a) is not the true (a, b).
    linked = metrics.evaluate_at([("b", "a", 0.99), ("c", "d", 0.9)], truth, 0.5, ordered=True)
    assert (linked.true_positives, linked.false_positives) == (1, 1)
    twins = [("g", "h"), ("a", "c")]
    assert metrics.pairs_at_or_above(scored, twins, 0.9) == 1
