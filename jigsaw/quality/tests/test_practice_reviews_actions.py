"""Practice review actions: the rapid review's due date in working days, the decision after
the rapid review, IMRs, documents and numbered drafts (with the size limit), the summary
confidential until approved and published, the grade, and refusals (role, stale form)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from jigsaw.access.models import AccessLogEntry
from jigsaw.casework.actions.common import EditConflict
from jigsaw.quality.actions import practice_reviews as actions
from jigsaw.quality.models.practice_reviews import (
    MAX_DOCUMENT_BYTES,
    InspectorateGrade,
    PracticeReview,
    ReviewDecision,
)
from tests.factories import make_person, persona

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)


def incident(**changes: object) -> actions.IncidentDetails:
    values: dict[str, object] = {
        "title": "Child R",
        "what_happened": "A baby of four months was admitted with a fractured skull",
        "incident_on": datetime.date(2026, 4, 2),
        # Thursday before Easter: Good Friday and Easter Monday are not working days.
        "notified_panel_on": datetime.date(2026, 4, 2),
    }
    values.update(changes)
    return actions.IncidentDetails(**values)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def frozen() -> object:
    with time_machine.travel(
        datetime.datetime(2026, 6, 1, 10, 0, tzinfo=datetime.UTC), tick=False
    ) as traveller:
        yield traveller


def review_decided(decision: str = ReviewDecision.LOCAL_REVIEW) -> PracticeReview:
    member = persona("partnership_member")
    review = actions.record_incident(actor=member, details=incident())
    review = actions.record_rapid_review(
        actor=member, review_id=review.pk, expected_version=review.version, held_on=datetime.date(2026, 4, 20)
    )
    return actions.decide(
        actor=member,
        review_id=review.pk,
        expected_version=review.version,
        decision=decision,
        reasons="Agencies did not share what they knew about the father",
        decided_on=datetime.date(2026, 4, 22),
    )


def test_the_rapid_review_is_due_15_working_days_after_notification() -> None:
    person = make_person()
    review = actions.record_incident(
        actor=persona("partnership_member"), details=incident(person_id=person.pk)
    )

    # 2 April 2026 + 15 working days, skipping Good Friday (3rd) and Easter Monday (6th).
    assert review.rapid_review_due_on == datetime.date(2026, 4, 27)
    entry = AccessLogEntry.objects.get(action="record_serious_incident")
    assert entry.record_id == str(review.pk)
    assert entry.detail["subjects"] == [f"quality.practicereview:{review.pk}", f"people.person:{person.pk}"]
    assert list(review.panel.all()) == [persona("partnership_member")]


def test_only_the_partnership_records_an_incident() -> None:
    with pytest.raises(PermissionDenied):
        actions.record_incident(actor=persona("team_manager"), details=incident())


def test_bad_dates_and_an_unknown_child_are_refused_in_words() -> None:
    with pytest.raises(ValidationError) as error:
        actions.record_incident(
            actor=persona("partnership_member"),
            details=incident(notified_panel_on=datetime.date(2026, 3, 1), person_id=999999),
        )

    assert error.value.message_dict == {
        "notified_panel_on": ["The panel cannot have been notified before the incident"],
        "person_id": ["There is no person with that number in the index: check it, or leave it empty"],
    }
    assert not PracticeReview.objects.exists()


def test_the_decision_follows_the_rapid_review() -> None:
    member = persona("partnership_member")
    review = actions.record_incident(actor=member, details=incident())

    with pytest.raises(ValidationError) as error:
        actions.decide(
            actor=member,
            review_id=review.pk,
            expected_version=review.version,
            decision=ReviewDecision.LOCAL_REVIEW,
            reasons="Learning",
            decided_on=datetime.date(2026, 4, 22),
        )
    assert error.value.message_dict["decision"] == ["Record the rapid review first: the decision follows it"]


def test_a_stale_form_is_refused() -> None:
    review = review_decided()
    member = persona("partnership_member")
    actions.name_reviewers(
        actor=member,
        review_id=review.pk,
        expected_version=review.version,
        chair_name="Dr Ada Field",
        chair_organisation="Field Associates",
        author_name="Sam Ortega",
        author_organisation="",
    )

    with pytest.raises(EditConflict):
        actions.name_reviewers(
            actor=member,
            review_id=review.pk,
            expected_version=review.version,
            chair_name="Someone Else",
            chair_organisation="",
            author_name="Another",
            author_organisation="",
        )
    assert PracticeReview.objects.get(pk=review.pk).chair_name == "Dr Ada Field"


def test_imrs_are_asked_for_once_per_agency_and_received() -> None:
    review = review_decided()
    member = persona("partnership_member")
    police = persona("police_officer").practitioner.agency
    imr = actions.request_imr(
        actor=member,
        review_id=review.pk,
        expected_version=review.version,
        agency_id=police.pk,
        requested_on=datetime.date(2026, 4, 23),
        due_on=datetime.date(2026, 5, 21),
    )
    review.refresh_from_db()

    with pytest.raises(ValidationError) as error:
        actions.request_imr(
            actor=member,
            review_id=review.pk,
            expected_version=review.version,
            agency_id=police.pk,
            requested_on=datetime.date(2026, 4, 23),
            due_on=datetime.date(2026, 5, 21),
        )
    assert error.value.message_dict["agency"] == [
        f"{police.name} has already been asked for a management review"
    ]

    actions.mark_imr_received(
        actor=member, imr_id=imr.pk, expected_version=review.version, received_on=datetime.date(2026, 5, 25)
    )
    imr.refresh_from_db()
    assert imr.received_on == datetime.date(2026, 5, 25)
    assert AccessLogEntry.objects.filter(action="receive_imr", record_id=str(review.pk)).count() == 1


def test_drafts_are_numbered_and_large_files_refused() -> None:
    review = review_decided()
    chair = persona("conference_chair")
    review.panel.add(chair)

    def upload(kind: str, content: bytes = b"text") -> int | None:
        return actions.upload_document(
            actor=chair,
            review_id=review.pk,
            kind=kind,
            title="Report",
            filename="../../report.docx",
            content_type="application/msword",
            content=content,
        ).draft_number

    assert [upload("draft"), upload("evidence"), upload("draft")] == [1, None, 2]
    assert review.documents.get(draft_number=1).filename == "report.docx"
    with pytest.raises(ValidationError) as error:
        upload("draft", b"x" * (MAX_DOCUMENT_BYTES + 1))
    assert error.value.message_dict["file"] == ["The file must be smaller than 10 MB"]


def test_someone_off_the_panel_cannot_upload() -> None:
    review = review_decided()

    with pytest.raises(Http404):
        actions.upload_document(
            actor=persona("social_worker"),
            review_id=review.pk,
            kind="evidence",
            title="Notes",
            filename="notes.txt",
            content_type="text/plain",
            content=b"notes",
        )


def test_publication_follows_approval_and_the_summary_then_stays() -> None:
    review = review_decided()
    member = persona("partnership_member")
    review = actions.save_summary(
        actor=member,
        review_id=review.pk,
        expected_version=review.version,
        text="What happened, and what we learnt",
    )
    with pytest.raises(ValidationError) as error:
        actions.publish(
            actor=member,
            review_id=review.pk,
            expected_version=review.version,
            published_on=datetime.date(2026, 5, 30),
        )
    assert error.value.message_dict["published_on"] == ["Approve the executive summary before publishing it"]

    review = actions.approve_summary(
        actor=member,
        review_id=review.pk,
        expected_version=review.version,
        approved_on=datetime.date(2026, 5, 28),
    )
    review = actions.publish(
        actor=member,
        review_id=review.pk,
        expected_version=review.version,
        published_on=datetime.date(2026, 5, 30),
    )
    review = actions.record_grade(
        actor=member,
        review_id=review.pk,
        expected_version=review.version,
        grade=InspectorateGrade.GOOD,
        comment="Clear about what each agency knew",
        graded_on=datetime.date(2026, 5, 31),
    )

    assert (review.published_on, review.grade) == (datetime.date(2026, 5, 30), "good")
    with pytest.raises(ValidationError):
        actions.save_summary(
            actor=member, review_id=review.pk, expected_version=review.version, text="Changed"
        )
    entry = AccessLogEntry.objects.get(action="publish_practice_review")
    assert (entry.user_id, entry.record_id) == (member.pk, str(review.pk))


def test_a_review_with_no_local_review_has_no_summary_to_approve() -> None:
    review = review_decided(ReviewDecision.NO_LOCAL_REVIEW)
    member = persona("partnership_member")
    review = actions.save_summary(
        actor=member, review_id=review.pk, expected_version=review.version, text="Summary"
    )

    with pytest.raises(ValidationError):
        actions.approve_summary(
            actor=member, review_id=review.pk, expected_version=review.version, approved_on=TODAY
        )


def test_the_panel_is_managed_by_the_partnership() -> None:
    review = review_decided()
    member = persona("partnership_member")
    gp = persona("gp")

    review = actions.add_panel_member(
        actor=member, review_id=review.pk, expected_version=review.version, user_id=gp.pk
    )
    assert review.panel.filter(pk=gp.pk).exists()
    with pytest.raises(ValidationError):
        actions.add_panel_member(
            actor=member, review_id=review.pk, expected_version=review.version, user_id=gp.pk
        )
    actions.remove_panel_member(
        actor=member, review_id=review.pk, expected_version=review.version, user_id=gp.pk
    )
    assert not review.panel.filter(pk=gp.pk).exists()
