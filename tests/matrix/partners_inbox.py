"""The inbox: every signed-in practitioner has one, showing only their own messages.
Marking read is a POST (a GET is refused), and someone else's message is "not found"
(tested in jigsaw/partners/tests/test_inbox.py)."""

from __future__ import annotations

from jigsaw.partners.models import Notification
from jigsaw.people.models import Person
from tests.factories import persona


def _someones_message(person: Person) -> list[object]:
    note = Notification.objects.create(recipient=persona("social_worker"), subject="A new alert")
    return [note.pk]


EXPECTED = {
    "partners:inbox": lambda who: 200,
    "partners:mark_read": lambda who: 405,
    "partners:mark_all_read": lambda who: 405,
}

RECORDS = {"partners:mark_read": _someones_message}
