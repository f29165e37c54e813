"""The matcher against the person index: kept in step with the people tables, finding
the same child however an agency writes them, and the policy that decides what happens."""

from __future__ import annotations

import copy
import dataclasses
import datetime

import pytest

from jigsaw.matching import index
from jigsaw.matching.features import blocking_keys, features
from jigsaw.matching.matcher import Candidate, active_version, candidate_ids, match
from jigsaw.matching.models import BlockingKey, MatchFeatures, MatchModelVersion, ReviewReason
from jigsaw.matching.policy import Outcome, decide
from jigsaw.matching.records import MatchRecord
from jigsaw.people.models import Address, PersonName, Residence
from tests.factories import make_person

pytestmark = pytest.mark.django_db

DOB = datetime.date(2016, 3, 11)


@pytest.fixture
def anna() -> int:
    person = make_person(
        given_names="Anna Marie", family_name="Kouao", date_of_birth=DOB, sex="F", nhs_number="9434765919"
    )
    address = Address.objects.create(line_1="12 Canal Street", town="Riverford", postcode="M1 1AE")
    Residence.objects.create(person=person, address=address, moved_in=datetime.date(2020, 1, 1))
    return person.pk


def _best(record: MatchRecord) -> Candidate:
    found = match(record)
    assert found, "no candidate"
    return found[0]


def test_the_index_follows_the_people_tables(anna: int) -> None:
    stored = MatchFeatures.objects.get(person_id=anna).features
    assert (stored["given"], stored["family"], stored["postcode"]) == ("ANNA", "KOUAO", "M11AE")
    assert set(BlockingKey.objects.filter(person_id=anna).values_list("key", flat=True)) == set(
        blocking_keys(stored)
    )

    PersonName.objects.create(person_id=anna, family_name="Climbie", given_names="Victoria")

    assert "CLIMBIE" in MatchFeatures.objects.get(person_id=anna).features["family_all"]


def test_a_merged_alias_leaves_the_index(anna: int) -> None:
    other = make_person(given_names="Ana", family_name="Kouao", date_of_birth=DOB)
    other.merged_into_id = anna
    other.save()

    assert not MatchFeatures.objects.filter(person_id=other.pk).exists()
    assert not BlockingKey.objects.filter(person_id=other.pk).exists()


@pytest.mark.parametrize(
    ("given", "family", "dob", "expected_level"),
    [
        ("Anna", "Kouao", DOB, "exact"),
        ("Annie", "Kouao", DOB, "known variant (nickname or spelling)"),
        ("Anna", "Kouaou", DOB, "very similar spelling"),
        ("Anna", "Kouao", datetime.date(2016, 11, 3), "day and month swapped"),
        ("Kouao", "Anna", DOB, "given and family names swapped"),
        ("Anna", "Smith-Kouao", DOB, "matches a part or a previous family name"),
    ],
)
def test_the_same_child_however_an_agency_writes_her(
    anna: int, given: str, family: str, dob: datetime.date, expected_level: str
) -> None:
    best = _best(MatchRecord("school-1", given, family, dob=dob, postcode="M1 1AE"))

    assert best.person_id == anna
    assert best.probability > 0.99
    assert any(part.level == expected_level for part in best.parts)


def test_missing_values_count_neither_for_nor_against(anna: int) -> None:
    with_sex = _best(MatchRecord("a", "Anna", "Kouao", dob=DOB, sex="F"))
    without = _best(MatchRecord("b", "Anna", "Kouao", dob=DOB))
    sex = next(p for p in without.parts if p.comparison == "sex")

    assert (sex.level, sex.weight) == ("missing on one side", 0.0)
    assert with_sex.match_weight > without.match_weight


def test_candidates_come_by_key_not_by_scanning(anna: int) -> None:
    for n in range(30):
        make_person(
            given_names=f"Child{n}", family_name=f"Unrelated{n}", date_of_birth=datetime.date(2010, 1, 1)
        )

    keys = blocking_keys(features(MatchRecord("q", "Ana", "Kouaou", dob=DOB)))

    assert candidate_ids(keys) == [anna]
    assert match(MatchRecord("q", "Zebedee", "Quinton", dob=datetime.date(1990, 6, 6))) == []


def test_the_explanation_names_every_comparison(anna: int) -> None:
    best = _best(MatchRecord("q", "Anna", "Kouaou", dob=datetime.date(2016, 11, 3), postcode="M1 9ZZ"))
    text = best.explanation()

    assert "family name Kouaou ~ Kouao: very similar spelling +" in text
    assert "date of birth 3 November 2016 ~ 11 March 2016: day and month swapped +" in text
    assert "address M1 9ZZ ~ M1 1AE: same postcode district" in text


def _decision(record: MatchRecord) -> tuple[Outcome, ReviewReason | None]:
    version = active_version()
    decision = decide(match(record), features(record), version)
    return decision.outcome, decision.reason


def test_a_clear_match_links_and_an_unknown_child_is_new(anna: int) -> None:
    assert _decision(MatchRecord("q", "Anna", "Kouao", dob=DOB, sex="F", postcode="M1 1AE")) == (
        Outcome.LINK,
        None,
    )
    assert _decision(MatchRecord("q", "Precious", "Okafor", dob=datetime.date(2019, 1, 5))) == (
        Outcome.NEW,
        None,
    )


def test_a_twin_is_never_linked_automatically(anna: int) -> None:
    twin = MatchRecord(
        "q", "Bella", "Kouao", dob=DOB, sex="F", postcode="M1 1AE", address="12 Canal Street M1 1AE"
    )
    best = _best(twin)

    assert best.probability >= active_version().auto_link_threshold  # the model alone would link
    assert _decision(twin) == (Outcome.REVIEW, ReviewReason.POSSIBLE_TWIN)


def test_the_same_nhs_number_with_another_date_of_birth_goes_to_review(anna: int) -> None:
    record = MatchRecord("q", "Anna", "Kouao", dob=datetime.date(2009, 7, 30), nhs_number="943 476 5919")
    assert _decision(record) == (Outcome.REVIEW, ReviewReason.CONFLICTING_IDENTIFIERS)
    # However unlikely the rest makes it: an NHS number is never silently someone new.
    record = MatchRecord("q", "Zak", "Bloggs", dob=datetime.date(1980, 7, 30), nhs_number="943 476 5919")
    assert _decision(record) == (Outcome.REVIEW, ReviewReason.CONFLICTING_IDENTIFIERS)


def test_a_middling_match_goes_to_review(anna: int) -> None:
    MatchModelVersion.objects.filter(pk=active_version().pk).update(
        review_threshold=0.5, auto_link_threshold=0.99999
    )
    record = MatchRecord("q", "Anna", "Kouao", postcode="M1 1AE")
    best = _best(record)

    assert 0.5 <= best.probability < 0.99999
    assert _decision(record) == (Outcome.REVIEW, ReviewReason.REVIEW_BAND)


def test_no_date_of_birth_and_no_identifier_never_links_by_itself(anna: int) -> None:
    record = MatchRecord("q", "Anna", "Kouao", postcode="M1 1AE", address="12 Canal Street M1 1AE")

    assert _best(record).probability >= active_version().auto_link_threshold
    assert _decision(record) == (Outcome.REVIEW, ReviewReason.DATE_OF_BIRTH_DIFFERS)


def test_thresholds_are_policy_per_model(anna: int) -> None:
    record = MatchRecord("q", "Anna", "Kouao", postcode="M1 1AE")
    assert _decision(record)[0] == Outcome.REVIEW
    MatchModelVersion.objects.filter(pk=active_version().pk).update(
        review_threshold=0.999999, auto_link_threshold=0.9999999
    )

    assert _decision(record) == (Outcome.NEW, None)


def test_two_possible_people_go_to_review(anna: int) -> None:
    make_person(given_names="Anna", family_name="Kouao", date_of_birth=DOB, sex="F")
    candidates = match(MatchRecord("q", "Anna", "Kouao", dob=DOB, sex="F"))
    clear = [dataclasses.replace(candidates[0], probability=0.99999), candidates[1]]

    decision = decide(clear, features(MatchRecord("q", "Anna", "Kouao", dob=DOB, sex="F")), active_version())

    assert (decision.outcome, decision.reason) == (Outcome.REVIEW, ReviewReason.SECOND_CANDIDATE)


def test_rebuild_gives_the_same_index_as_the_signals(anna: int) -> None:
    make_person(given_names="Peter", family_name="Connelly", date_of_birth=datetime.date(2006, 3, 1))
    before = sorted(BlockingKey.objects.values_list("person_id", "key"))

    assert index.rebuild() == 2
    assert sorted(BlockingKey.objects.values_list("person_id", "key")) == before


def test_a_row_number_reused_by_another_model_does_not_reuse_the_old_scorer() -> None:
    # A model written and rolled back (or lost in a restore) can leave its row number to
    # the next model: the cached scorer must be the new model's.
    from jigsaw.matching.matcher import active_scorer

    first, _ = active_scorer()
    parameters = dict(first.parameters)
    pk = first.pk
    first.delete()
    changed = copy.deepcopy(parameters)
    changed["probability_two_random_records_match"] = 0.5
    MatchModelVersion.objects.create(
        pk=pk,
        version=2,
        trained_at=first.trained_at + datetime.timedelta(minutes=1),
        training_records=10,
        splink_version="test",
        parameters=changed,
        is_active=True,
    )

    _, scorer = active_scorer()

    assert scorer.model.parameters["probability_two_random_records_match"] == 0.5
