"""Practice reviews: the list is for everyone who sees Oversight; an unpublished review, its
steps and its documents are for the partnership and the review's panel only (here the
conference chair sits on it), and "not found" to everyone else. Steps and uploads are POSTs."""

from __future__ import annotations

import datetime

from jigsaw.people.models import Person
from jigsaw.quality.actions.practice_reviews import IncidentDetails, record_incident, upload_document
from jigsaw.quality.models.practice_reviews import PracticeReview
from tests.factories import persona

MANAGERS = frozenset({"partnership_member"})
PANEL = frozenset({"conference_chair"})


def _review(person: Person) -> PracticeReview:
    review = record_incident(
        actor=persona("partnership_member"),
        details=IncidentDetails(
            title="Child M",
            what_happened="Admitted to hospital with a head injury",
            incident_on=datetime.date(2026, 1, 5),
            notified_panel_on=datetime.date(2026, 1, 7),
            person_id=person.pk,
        ),
    )
    review.panel.add(persona("conference_chair"))
    return review


def _document(person: Person) -> list[object]:
    review = _review(person)
    document = upload_document(
        actor=persona("partnership_member"),
        review_id=review.pk,
        kind="evidence",
        title="Chronology",
        filename="chronology.txt",
        content_type="text/plain",
        content=b"A chronology",
    )
    return [document.pk]


def _confidential(who: str) -> int:
    return 200 if who in MANAGERS | PANEL else 404


EXPECTED = {
    "quality:practice_reviews": lambda who: 200,
    "quality:practice_review_new": lambda who: 200 if who in MANAGERS else 403,
    "quality:practice_review": _confidential,
    "quality:practice_review_upload": lambda who: 405,
    "quality:practice_review_step": lambda who: 405,
    "quality:practice_review_document": _confidential,
}

RECORDS = {
    "quality:practice_review": lambda person: [_review(person).pk],
    "quality:practice_review_upload": lambda person: [_review(person).pk],
    "quality:practice_review_step": lambda person: [_review(person).pk, "decision"],
    "quality:practice_review_document": _document,
}
