"""Work lists and allocation: social workers and team managers have their own work list;
only team managers have the team page and allocate. Marking an alert as read is a POST."""

from __future__ import annotations

from jigsaw.partners.models import Notification
from jigsaw.people.models import Person
from tests.casework_factories import make_referral
from tests.factories import persona

RECORDERS = frozenset({"social_worker", "team_manager"})


def _referral(person: Person) -> list[object]:
    return [make_referral(person).pk]


def _alert(person: Person) -> list[object]:
    return [Notification.objects.create(recipient=persona("social_worker"), subject="A new case").pk]


EXPECTED = {
    "casework:my_work": lambda who: 200 if who in RECORDERS else 403,
    "casework:team": lambda who: 200 if who == "team_manager" else 403,
    "casework:allocate": lambda who: 200 if who == "team_manager" else 403,
    "casework:mark_read": lambda who: 405,  # a POST only
}

RECORDS = {
    "casework:allocate": _referral,
    "casework:mark_read": _alert,
}
