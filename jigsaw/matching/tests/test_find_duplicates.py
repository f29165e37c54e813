"""The nightly duplicate check (issue 4, item 5): the index scored against itself, each
possible duplicate queued for review once."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from jigsaw.access.models import AccessLogEntry
from jigsaw.matching.duplicates import find_possible_duplicates
from jigsaw.matching.models import MatchReview, MatchSource, ReviewReason, ReviewStatus
from jigsaw.matching.review import decide_review
from jigsaw.matching.scorer import probability_of
from jigsaw.people.models import Address, Person, Residence
from tests.factories import make_person, persona

pytestmark = pytest.mark.django_db

BORN = datetime.date(2015, 11, 2)


def live_at(person: Person, line_1: str, postcode: str) -> None:
    address = Address.objects.create(line_1=line_1, town="Riverford", postcode=postcode)
    Residence.objects.create(person=person, address=address, moved_in=datetime.date(2016, 1, 1))


def near_duplicates() -> tuple[Person, Person, Person]:
    """One child recorded twice (a misspelt given name, the same home) and a stranger."""
    first = make_person(given_names="Anna", family_name="Kouao", date_of_birth=BORN, sex="F")
    live_at(first, "12 Canal Street", "RV1 2AB")
    second = make_person(given_names="Ana", family_name="Kouao", date_of_birth=BORN, sex="F")
    live_at(second, "12 Canal Street", "RV1 2AB")
    stranger = make_person(
        given_names="Peter", family_name="Connelly", date_of_birth=datetime.date(2006, 3, 1), sex="M"
    )
    live_at(stranger, "3 Mill Lane", "RV9 8ZZ")
    return first, second, stranger


def test_a_possible_duplicate_is_queued_once_with_its_explanation() -> None:
    first, second, stranger = near_duplicates()

    queued = find_possible_duplicates()

    assert queued == 1
    review = MatchReview.objects.get()
    assert (review.record_id, review.candidate_id) == (second.pk, first.pk)  # the newer asks about the older
    assert review.source == MatchSource.NIGHTLY_BATCH
    assert review.reason == ReviewReason.POSSIBLE_DUPLICATE
    assert review.status == ReviewStatus.OPEN
    assert review.probability >= review.model_version.review_threshold
    # The explanation is the pair's own and adds up to the probability Splink gave.
    assert review.probability == pytest.approx(probability_of(review.match_weight), abs=1e-6)
    parts = {p["comparison"]: p for p in review.explanation}
    assert parts["given name"]["left"] == "Ana" and parts["given name"]["right"] == "Anna"
    assert parts["date of birth"]["level"] == "exact"
    entry = AccessLogEntry.objects.get(action="find_duplicates")
    assert entry.user_id is None
    assert entry.detail["people"] == 3 and entry.detail["queued"] == 1
    assert not MatchReview.objects.filter(record=stranger).exists()
    assert not MatchReview.objects.filter(candidate=stranger).exists()


def test_running_again_queues_nothing_new() -> None:
    near_duplicates()
    assert find_possible_duplicates() == 1

    assert find_possible_duplicates() == 0
    assert MatchReview.objects.count() == 1


def test_a_pair_decided_not_the_same_is_not_queued_again() -> None:
    near_duplicates()
    find_possible_duplicates()
    review = MatchReview.objects.get()
    decide_review(
        actor=persona("front_door_officer"),
        review=review,
        same_person=False,
        note="Different children: the school has both in year 4",
        expected_version=review.version,
    )

    assert find_possible_duplicates() == 0
    assert MatchReview.objects.count() == 1
    assert MatchReview.objects.get().status == ReviewStatus.NOT_SAME


def test_a_pair_merged_after_review_is_not_queued_again() -> None:
    first, second, _ = near_duplicates()
    find_possible_duplicates()
    review = MatchReview.objects.get()
    decide_review(
        actor=persona("front_door_officer"),
        review=review,
        same_person=True,
        note="",
        expected_version=review.version,
    )
    second.refresh_from_db()
    assert second.merged_into_id == first.pk

    assert find_possible_duplicates() == 0


def test_the_command_prints_the_count_and_is_safe_to_repeat() -> None:
    near_duplicates()
    out = io.StringIO()

    call_command("find_duplicates", stdout=out)
    call_command("find_duplicates", stdout=out)

    assert out.getvalue().splitlines() == [
        "Queued 1 possible duplicate for review.",
        "Queued 0 possible duplicates for review.",
    ]
    assert MatchReview.objects.count() == 1


def test_an_empty_index_has_no_duplicates() -> None:
    make_person()

    assert find_possible_duplicates() == 0
    assert not MatchReview.objects.exists()


def test_the_command_refuses_a_threshold_that_is_not_a_probability() -> None:
    with pytest.raises(CommandError, match="between 0 and 1"):
        call_command("find_duplicates", "--threshold", "2")
