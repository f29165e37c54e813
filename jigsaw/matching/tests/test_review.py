"""The review queue (issue 4, item 4): queueing, resolving, deciding, and its pages."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse

from jigsaw.access import policy
from jigsaw.access.models import AccessLogEntry, AccessLogSubject
from jigsaw.access.roles import Role
from jigsaw.matching.index import person_record
from jigsaw.matching.matcher import active_version
from jigsaw.matching.models import MatchReview, MatchSource, PersonMerge, ReviewReason, ReviewStatus
from jigsaw.matching.policy import Outcome
from jigsaw.matching.records import MatchRecord
from jigsaw.matching.review import (
    IncomingReview,
    ReviewConflict,
    decide_review,
    get_review_for,
    incoming_record,
    open_reviews,
    queue_incoming_reviews,
    queue_review,
    resolve,
)
from jigsaw.people.models import Person
from tests.factories import make_person, restrict

pytestmark = pytest.mark.django_db

BORN = datetime.date(2015, 11, 2)


def anna(**fields: object) -> Person:
    values: dict[str, object] = {
        "given_names": "Anna",
        "family_name": "Kouao",
        "date_of_birth": BORN,
        "sex": "F",
        "nhs_number": "9434765919",
    }
    return make_person(**(values | fields))


def twin_of(person: Person) -> Person:
    """Same family name and date of birth, another given name: the model is unsure."""
    return make_person(given_names="Marie", family_name=person.family_name, date_of_birth=BORN, sex="F")


def pair_review(record: Person, candidate: Person) -> MatchReview:
    """A review between two people in the index, as person creation queues it."""
    decision = resolve(source=MatchSource.PERSON_CREATION, record=person_record(record), person=record)
    assert decision.outcome == Outcome.REVIEW
    return MatchReview.objects.get(record=record, candidate=candidate)


def subjects_of(entry: AccessLogEntry) -> set[tuple[str, str]]:
    return set(AccessLogSubject.objects.filter(entry=entry).values_list("record_type", "record_id"))


def person_key(person: Person) -> tuple[str, str]:
    return ("people.person", str(person.pk))


# --- resolve and queue_review ------------------------------------------------------------


def test_an_incoming_record_in_the_review_band_is_queued_with_its_explanation(
    front_door_officer: User,
) -> None:
    existing = anna()
    incoming = MatchRecord("contact-7", "Marie", "Kouao", dob=BORN, sex="F", postcode="RV1 2AB")

    decision = resolve(
        source=MatchSource.CONTACT, record=incoming, reference="contact:7", actor=front_door_officer
    )

    assert decision.outcome == Outcome.REVIEW
    assert decision.candidate is not None and decision.candidate.person_id == existing.pk
    review = MatchReview.objects.get()
    assert review.record is None
    assert review.candidate == existing
    assert review.source == MatchSource.CONTACT
    assert review.reason == decision.reason
    assert review.incoming_reference == "contact:7"
    assert incoming_record(review) == incoming
    assert review.probability == pytest.approx(decision.candidate.probability)
    assert review.model_version == active_version()
    assert {p["comparison"] for p in review.explanation} >= {"given name", "family name", "date of birth"}
    assert [p["weight"] for p in review.explanation] == [p.weight for p in decision.candidate.parts]
    entry = AccessLogEntry.objects.get(action="queue_match_review")
    assert entry.user_id == front_door_officer.pk
    assert person_key(existing) in subjects_of(entry)

    # The same record again (a page reloaded) is the same review.
    resolve(source=MatchSource.CONTACT, record=incoming, reference="contact:7")
    assert MatchReview.objects.count() == 1


def test_a_delivery_queues_its_uncertain_records_at_once_and_logs_them_once() -> None:
    first, second = anna(), anna(given_names="Sara", date_of_birth=datetime.date(2012, 4, 1))
    items = [
        IncomingReview(
            reason=ReviewReason.REVIEW_BAND,
            candidate=person,
            probability=0.5,
            match_weight=0.0,
            explanation=[],
            incoming=MatchRecord(f"event:1:{n}", person.given_names, "Kuoao", dob=person.date_of_birth),
            incoming_reference=f"event:1:{n}",
        )
        for n, person in enumerate((first, second))
    ]

    queued = queue_incoming_reviews(source=MatchSource.PARTNER_FEED, version=active_version(), items=items)

    assert [r.candidate for r in queued] == [first, second]
    assert [r.incoming_reference for r in queued] == ["event:1:0", "event:1:1"]
    assert incoming_record(queued[1]) == items[1].incoming
    assert all(r.status == ReviewStatus.OPEN and r.source == MatchSource.PARTNER_FEED for r in queued)
    entry = AccessLogEntry.objects.get(action="queue_match_reviews")
    assert {person_key(first), person_key(second)} <= subjects_of(entry)
    assert {("matching.matchreview", str(r.pk)) for r in queued} <= subjects_of(entry)

    # The same delivery again finds the open reviews and queues (and logs) nothing more.
    again = queue_incoming_reviews(source=MatchSource.PARTNER_FEED, version=active_version(), items=items)
    assert [r.pk for r in again] == [r.pk for r in queued]
    assert MatchReview.objects.count() == 2
    assert AccessLogEntry.objects.filter(action="queue_match_reviews").count() == 1


def test_a_sure_match_links_and_queues_nothing() -> None:
    existing = anna()

    decision = resolve(
        source=MatchSource.FLAG_CHECK,
        record=MatchRecord("flag-1", "Anna", "Kouao", dob=BORN, sex="F", nhs_number="943 476 5919"),
        reference="flag:1",
    )

    assert decision.outcome == Outcome.LINK
    assert decision.candidate is not None and decision.candidate.person_id == existing.pk
    assert not MatchReview.objects.exists()


def test_nobody_like_the_record_is_a_new_person() -> None:
    anna()

    decision = resolve(
        source=MatchSource.PARTNER_FEED,
        record=MatchRecord("feed-1", "Peter", "Connelly", dob=datetime.date(2006, 3, 1), sex="M"),
    )

    assert decision.outcome == Outcome.NEW
    assert decision.candidate is None
    assert not MatchReview.objects.exists()


def test_a_person_just_added_is_not_their_own_candidate() -> None:
    existing = anna()
    added = twin_of(existing)

    decision = resolve(source=MatchSource.PERSON_CREATION, record=person_record(added), person=added)

    assert decision.outcome == Outcome.REVIEW
    review = MatchReview.objects.get()
    assert (review.record, review.candidate, review.incoming) == (added, existing, None)


def test_a_person_added_twice_is_queued_as_a_duplicate_to_merge() -> None:
    existing = anna()
    again = anna(given_names="Anna")

    decision = resolve(source=MatchSource.PERSON_CREATION, record=person_record(again), person=again)

    # Two records of one person in the index: only a merge joins them, so a person decides.
    assert decision.outcome == Outcome.LINK
    review = MatchReview.objects.get()
    assert (review.record, review.candidate) == (again, existing)
    assert review.reason == ReviewReason.POSSIBLE_DUPLICATE


def test_a_pair_is_queued_once_in_either_order_and_not_again_once_decided(front_door_officer: User) -> None:
    first = anna()
    second = twin_of(first)

    def queue(record: Person, candidate: Person) -> MatchReview:
        return queue_review(
            source=MatchSource.NIGHTLY_BATCH,
            reason=ReviewReason.POSSIBLE_DUPLICATE,
            record=record,
            candidate=candidate,
            probability=0.6,
            match_weight=0.6,
            explanation=[],
            version=active_version(),
        )

    a = queue(second, first)
    b = queue(first, second)
    assert a.pk == b.pk
    decide_review(
        actor=front_door_officer, review=a, same_person=False, note="Twins", expected_version=a.version
    )
    c = queue(first, second)

    assert c.pk == a.pk and c.status == ReviewStatus.NOT_SAME
    assert MatchReview.objects.count() == 1


# --- decide_review -----------------------------------------------------------------------


def test_not_the_same_person_needs_a_note_and_is_recorded_and_logged(front_door_officer: User) -> None:
    first = anna()
    second = twin_of(first)
    review = pair_review(second, first)

    with pytest.raises(ValidationError) as refused:
        decide_review(
            actor=front_door_officer, review=review, same_person=False, note="  ", expected_version=1
        )
    assert refused.value.message_dict == {"note": ["Say why these are not the same person"]}
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN

    decide_review(
        actor=front_door_officer,
        review=review,
        same_person=False,
        note="Twins: the school has both in year 4",
        expected_version=1,
    )

    review.refresh_from_db()
    assert review.status == ReviewStatus.NOT_SAME
    assert review.decided_by == front_door_officer
    assert review.decided_at is not None
    assert review.decision_note == "Twins: the school has both in year 4"
    assert review.version == 2
    assert not PersonMerge.objects.exists()
    entry = AccessLogEntry.objects.get(action="decide_match_review")
    assert entry.user_id == front_door_officer.pk
    assert entry.reason == "Twins: the school has both in year 4"
    assert entry.detail["decision"] == "not_same"
    assert {person_key(first), person_key(second)} <= subjects_of(entry)


def test_a_second_reviewer_gets_a_conflict_and_the_first_decision_stands(
    front_door_officer: User, team_manager: User
) -> None:
    first = anna()
    review = pair_review(twin_of(first), first)
    decide_review(
        actor=front_door_officer, review=review, same_person=False, note="Twins", expected_version=1
    )

    with pytest.raises(ReviewConflict, match="already decided"):
        decide_review(actor=team_manager, review=review, same_person=True, note="", expected_version=1)
    # Even with the version now current: a decided review is never changed.
    with pytest.raises(ReviewConflict, match="already decided"):
        decide_review(actor=team_manager, review=review, same_person=True, note="", expected_version=2)

    review.refresh_from_db()
    assert (review.status, review.decided_by, review.decision_note) == (
        ReviewStatus.NOT_SAME,
        front_door_officer,
        "Twins",
    )
    assert not PersonMerge.objects.exists()


def test_a_stale_version_is_a_conflict(front_door_officer: User) -> None:
    first = anna()
    review = pair_review(twin_of(first), first)

    with pytest.raises(ReviewConflict, match="changed after you opened it"):
        decide_review(
            actor=front_door_officer, review=review, same_person=False, note="No", expected_version=7
        )

    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN
    assert not AccessLogEntry.objects.filter(action="decide_match_review").exists()


def test_the_same_person_merges_into_the_older_record_by_default(front_door_officer: User) -> None:
    first = anna()
    second = twin_of(first)
    review = pair_review(second, first)

    decide_review(actor=front_door_officer, review=review, same_person=True, note="", expected_version=1)

    merge = PersonMerge.objects.get()
    assert (merge.survivor, merge.merged, merge.review) == (first, second, review)
    second.refresh_from_db()
    assert second.merged_into == first
    review.refresh_from_db()
    assert review.status == ReviewStatus.SAME_PERSON
    entry = AccessLogEntry.objects.get(action="decide_match_review")
    assert entry.detail["merge"] == merge.pk
    assert AccessLogEntry.objects.filter(action="merge").count() == 1


def test_the_reviewer_chooses_which_record_remains(front_door_officer: User) -> None:
    first = anna()
    second = twin_of(first)
    review = pair_review(second, first)

    decide_review(
        actor=front_door_officer,
        review=review,
        same_person=True,
        note="Mother confirmed the newer record's name is right",
        expected_version=1,
        survivor=second,
    )

    merge = PersonMerge.objects.get()
    assert (merge.survivor, merge.merged) == (second, first)
    assert merge.reason == "Mother confirmed the newer record's name is right"


def test_a_reviewer_who_may_not_merge_is_told_and_nothing_changes(
    front_door_officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = anna()
    second = twin_of(first)
    review = pair_review(second, first)
    reviewer_only = policy.ROLE_PERMISSIONS[Role.FRONT_DOOR_OFFICER] - {policy.Permission.MERGE_PEOPLE}
    monkeypatch.setitem(policy.ROLE_PERMISSIONS, Role.FRONT_DOOR_OFFICER, reviewer_only)

    with pytest.raises(ValidationError, match="may not merge records"):
        decide_review(actor=front_door_officer, review=review, same_person=True, note="", expected_version=1)

    review.refresh_from_db()
    second.refresh_from_db()
    assert review.status == ReviewStatus.OPEN
    assert second.merged_into is None
    # "Not the same" needs no merge, so it may still be decided.
    decide_review(
        actor=front_door_officer, review=review, same_person=False, note="Twins", expected_version=1
    )


def test_the_same_person_for_an_incoming_record_is_recorded_for_the_caller_to_link(
    front_door_officer: User,
) -> None:
    existing = anna()
    resolve(
        source=MatchSource.CONTACT, record=MatchRecord("c", "Marie", "Kouao", dob=BORN), reference="contact:9"
    )
    review = MatchReview.objects.get()

    decide_review(
        actor=front_door_officer, review=review, same_person=True, note="Known as Marie", expected_version=1
    )

    review.refresh_from_db()
    assert review.status == ReviewStatus.SAME_PERSON
    assert not PersonMerge.objects.exists()
    entry = AccessLogEntry.objects.get(action="decide_match_review")
    assert entry.detail["incoming"] == "contact:9"
    assert person_key(existing) in subjects_of(entry)


def test_only_reviewers_decide(social_worker: User) -> None:
    first = anna()
    review = pair_review(twin_of(first), first)

    with pytest.raises(PermissionDenied):
        decide_review(actor=social_worker, review=review, same_person=False, note="No", expected_version=1)

    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN


def test_a_review_of_a_restricted_record_is_hidden_from_reviewers_it_does_not_name(
    front_door_officer: User, team_manager: User
) -> None:
    first = anna()
    second = twin_of(first)
    review = pair_review(second, first)
    restriction = restrict(second)

    assert not open_reviews(front_door_officer).exists()
    with pytest.raises(Http404):
        get_review_for(front_door_officer, review.pk)
    with pytest.raises(Http404):
        decide_review(
            actor=front_door_officer, review=review, same_person=False, note="No", expected_version=1
        )

    restriction.permitted_users.add(team_manager)
    assert list(open_reviews(team_manager)) == [review]


def test_the_queue_filters_and_orders(front_door_officer: User) -> None:
    first = anna()
    twin = twin_of(first)
    incoming_review = queue_review(
        source=MatchSource.CONTACT,
        reason=ReviewReason.CONFLICTING_IDENTIFIERS,
        candidate=first,
        probability=0.99,
        match_weight=6.6,
        explanation=[],
        version=active_version(),
        incoming=MatchRecord("c", "Anna", "Kouao", dob=datetime.date(2012, 1, 1), nhs_number="9434765919"),
        incoming_reference="contact:3",
    )
    band = pair_review(twin, first)

    assert list(open_reviews(front_door_officer)) == [incoming_review, band]
    assert list(open_reviews(front_door_officer, newest_first=True)) == [band, incoming_review]
    assert list(open_reviews(front_door_officer, source=MatchSource.PERSON_CREATION)) == [band]
    assert list(open_reviews(front_door_officer, reason=ReviewReason.CONFLICTING_IDENTIFIERS)) == [
        incoming_review
    ]


# --- The pages ---------------------------------------------------------------------------


@pytest.fixture
def officer_client(client: Client, front_door_officer: User) -> Client:
    client.force_login(front_door_officer)
    return client


def test_the_queue_lists_open_reviews_with_the_count_and_logs_who_it_names(
    officer_client: Client, front_door_officer: User
) -> None:
    first = anna()
    twin = twin_of(first)
    review = pair_review(twin, first)

    response = officer_client.get(reverse("matching:reviews"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Possible matches to review (1)" in page
    assert f"Marie Kouao (Jigsaw ID {twin.pk})" in page
    assert f"Anna Kouao (Jigsaw ID {first.pk})" in page
    assert f"{review.probability * 100:.1f}%" in page
    assert review.get_reason_display() in page
    assert "Adding a person" in page
    assert reverse("matching:review", args=[review.pk]) in page
    entry = AccessLogEntry.objects.filter(action="view_match_reviews").latest("pk")
    assert entry.user_id == front_door_officer.pk
    assert {person_key(first), person_key(twin)} <= subjects_of(entry)

    filtered = officer_client.get(reverse("matching:reviews"), {"source": MatchSource.NIGHTLY_BATCH})
    assert "Possible matches to review (0)" in filtered.content.decode()
    assert "Nothing is waiting for review." in filtered.content.decode()


def test_the_queue_and_reviews_are_for_reviewers_only(client: Client, social_worker: User) -> None:
    first = anna()
    review = pair_review(twin_of(first), first)
    client.force_login(social_worker)

    assert client.get(reverse("matching:reviews")).status_code == 403
    assert client.get(reverse("matching:review", args=[review.pk])).status_code == 404
    response = client.post(
        reverse("matching:review", args=[review.pk]), {"decision": "not_same", "note": "x"}
    )
    assert response.status_code == 404
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN


def test_a_restricted_review_is_not_listed_and_its_page_is_not_found(officer_client: Client) -> None:
    first = anna()
    second = twin_of(first)
    review = pair_review(second, first)
    restrict(second)

    page = officer_client.get(reverse("matching:reviews")).content.decode()
    assert "Possible matches to review (0)" in page
    assert "Marie" not in page
    assert officer_client.get(reverse("matching:review", args=[review.pk])).status_code == 404


def test_the_review_page_compares_side_by_side_with_the_explanation(
    officer_client: Client, front_door_officer: User
) -> None:
    first = anna(upn="A123456789012")
    twin = twin_of(first)
    review = pair_review(twin, first)

    response = officer_client.get(reverse("matching:review", args=[review.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    for label in (
        "Name",
        "Other names",
        "Date of birth",
        "Sex",
        "NHS number",
        "Unique pupil number",
        "Current address",
        "Previous postcodes",
    ):
        assert f'<th scope="row" class="govuk-table__header">{label}</th>' in page
    assert "943 476 5919" in page and "A123456789012" in page
    assert "2 November 2015" in page
    given = next(p for p in review.explanation if p["comparison"] == "given name")
    assert f"{given['weight']:+.1f}" in page
    assert "Marie ~ Anna" in page
    assert review.get_reason_display() in page
    assert f"Match model version {review.model_version.version}" in page
    assert 'name="decision"' in page and 'name="survivor"' in page
    entry = AccessLogEntry.objects.filter(action="view", record_type="matching.matchreview").latest("pk")
    assert entry.user_id == front_door_officer.pk
    assert {person_key(first), person_key(twin)} <= subjects_of(entry)


def test_the_page_of_an_incoming_record_shows_what_came_in(officer_client: Client) -> None:
    anna()
    resolve(
        source=MatchSource.PARTNER_FEED,
        record=MatchRecord("r", "Marie", "Kouao", dob=BORN, sex="F", address="12 Canal Street RV1 2AB"),
        reference="police:4411",
    )
    review = MatchReview.objects.get()

    page = officer_client.get(reverse("matching:review", args=[review.pk])).content.decode()

    assert "The record that came in (police:4411)" in page
    assert "12 Canal Street RV1 2AB" in page
    assert 'name="survivor"' not in page


def test_deciding_not_the_same_on_the_page(officer_client: Client, front_door_officer: User) -> None:
    first = anna()
    review = pair_review(twin_of(first), first)
    url = reverse("matching:review", args=[review.pk])

    refused = officer_client.post(url, {"decision": "not_same", "note": "", "version": 1})
    assert refused.status_code == 200
    assert "Say why these are not the same person" in refused.content.decode()
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN

    response = officer_client.post(url, {"decision": "not_same", "note": "Twins", "version": 1}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("matching:reviews")
    assert "Recorded: not the same person" in response.content.decode()
    review.refresh_from_db()
    assert (review.status, review.decided_by, review.decision_note) == (
        ReviewStatus.NOT_SAME,
        front_door_officer,
        "Twins",
    )
    decided = officer_client.get(url).content.decode()
    assert "Not the same person" in decided and 'name="decision"' not in decided


def test_deciding_the_same_person_on_the_page_merges(officer_client: Client) -> None:
    first = anna()
    twin = twin_of(first)
    review = pair_review(twin, first)

    response = officer_client.post(
        reverse("matching:review", args=[review.pk]),
        {"decision": "same", "survivor": str(first.pk), "note": "", "version": 1},
        follow=True,
    )

    assert f"Marie Kouao (Jigsaw ID {twin.pk}) has been merged into Anna Kouao" in response.content.decode()
    twin.refresh_from_db()
    assert twin.merged_into == first
    assert PersonMerge.objects.get().review == review


def test_a_second_reviewer_on_the_page_sees_the_conflict(officer_client: Client, team_manager: User) -> None:
    first = anna()
    review = pair_review(twin_of(first), first)
    url = reverse("matching:review", args=[review.pk])
    decide_review(actor=team_manager, review=review, same_person=False, note="Twins", expected_version=1)

    response = officer_client.post(
        url, {"decision": "same", "survivor": str(first.pk), "note": "Same", "version": 1}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "has already decided this review" in page
    assert "Your note, not saved: Same" in page
    review.refresh_from_db()
    assert (review.status, review.decided_by) == (ReviewStatus.NOT_SAME, team_manager)
    assert not PersonMerge.objects.exists()


def test_a_long_queue_is_paged_keeping_the_filters(
    officer_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("jigsaw.matching.review_views.QUEUE_PAGE", 2)
    for month, family in enumerate(("Kouao", "Climbie", "Adjei"), start=1):
        born = datetime.date(2015, month, 2)
        first = anna(family_name=family, nhs_number="", date_of_birth=born)
        twin = make_person(given_names="Marie", family_name=family, date_of_birth=born, sex="F")
        pair_review(twin, first)
    source = {"source": MatchSource.PERSON_CREATION}

    first_page = officer_client.get(reverse("matching:reviews"), source).content.decode()
    second_page = officer_client.get(reverse("matching:reviews"), source | {"page": 2}).content.decode()

    assert "Page 1 of 2 (1 to 2 of 3)" in first_page
    assert f"source={MatchSource.PERSON_CREATION}&amp;page=2" in first_page
    assert "Page 2 of 2 (3 to 3 of 3)" in second_page
    shown = [f for f in ("Kouao", "Climbie", "Adjei") if f"Marie {f}" in first_page]
    assert len(shown) == 2
    assert sum(f"Marie {f}" in second_page for f in ("Kouao", "Climbie", "Adjei") if f not in shown) == 1
    entry = AccessLogEntry.objects.filter(action="view_match_reviews").latest("pk")
    assert entry.detail["page"] == 2
