"""The chronology and case notes: social care reads them (partners and the rest see no
casework, so the child's chronology is "not found" for them); social workers and team
managers record notes and mark events significant."""

from __future__ import annotations

import datetime

from django.utils import timezone

from jigsaw.casework.models import CaseNote, ChronologyEntry, ChronologyKind
from jigsaw.people.models import Person
from tests.factories import persona

# (tests.matrix imports this module while it is still loading, so the sets are spelled out.)
SOCIAL_CARE = frozenset({"social_worker", "team_manager", "front_door_officer", "conference_chair"})
RECORDERS = frozenset({"social_worker", "team_manager"})


def _note(person: Person) -> list[object]:
    now = timezone.now()
    note = CaseNote.objects.create(
        person=person,
        kind="home_visit",
        occurred_at=now - datetime.timedelta(hours=2),
        recorded_at=now,
        text="Saw the child at home with mother; the child showed me her room.",
        author=persona("social_worker"),
    )
    return [note.pk]


def _entry(person: Person) -> list[object]:
    entry = ChronologyEntry.objects.create(
        person=person,
        occurred_on=timezone.localdate(),
        kind=ChronologyKind.PARTNER_EVENT,
        summary="Attended A&E with a head injury",
        recorded_at=timezone.now(),
    )
    return [entry.pk]


EXPECTED = {
    "casework:chronology": lambda who: 200 if who in SOCIAL_CARE else 404,
    "casework:chronology_pdf": lambda who: 200 if who in SOCIAL_CARE else 404,
    "casework:mark_significant": lambda who: 405,  # a POST only
    "casework:new_case_note": lambda who: 200 if who in RECORDERS else 403,
    "casework:case_note": lambda who: 200 if who in SOCIAL_CARE else 404,
}

RECORDS = {
    "casework:chronology": lambda person: [person.pk],
    "casework:chronology_pdf": lambda person: [person.pk],
    "casework:mark_significant": _entry,
    "casework:new_case_note": lambda person: [person.pk],
    "casework:case_note": _note,
}
