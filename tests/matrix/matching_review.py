"""The review queue: only reviewers (Permission.REVIEW_MATCHES: the front door and team
managers) use it. The queue refuses anyone else (403, like the front door's own queue); a
review names people, so its page is "not found" to anyone else, as a record is."""

from __future__ import annotations

from jigsaw.matching.index import person_record
from jigsaw.matching.models import MatchReview, MatchSource
from jigsaw.matching.review import resolve
from jigsaw.people.models import Person
from tests.factories import make_person

# (tests.matrix imports this module while it is still loading, so the set is spelled out.)
REVIEWERS = frozenset({"front_door_officer", "team_manager"})


def _queue(who: str) -> int:
    return 200 if who in REVIEWERS else 403


def _review(who: str) -> int:
    return 200 if who in REVIEWERS else 404


def _a_review(person: Person) -> list[object]:
    """A possible twin of the person, added to the index and queued for review."""
    twin = make_person(
        given_names="Marie", family_name=person.family_name, date_of_birth=person.date_of_birth
    )
    resolve(source=MatchSource.PERSON_CREATION, record=person_record(twin), person=twin)
    return [MatchReview.objects.get(record=twin).pk]


EXPECTED = {
    "matching:reviews": _queue,
    "matching:review": _review,
}

RECORDS = {
    "matching:review": _a_review,
}
