"""Child protection: social care reads strategy discussions, section 47 enquiries,
conferences, plans and core groups (everyone else gets "not found"); only social workers
and team managers open the forms that record them (403 for other roles); the chair's list
of conferences is for those who chair (conference chairs and team managers). Who may
record a conference's outcome is tested in jigsaw/casework/tests/test_protection_views.py."""

from __future__ import annotations

from jigsaw.people.models import Person
from tests.casework_factories import make_referral
from tests.protection_factories import make_journey

SOCIAL_CARE = frozenset({"social_worker", "team_manager", "front_door_officer", "conference_chair"})
RECORDERS = frozenset({"social_worker", "team_manager"})
CHAIRS = frozenset({"conference_chair", "team_manager"})


def _reads(who: str) -> int:
    return 200 if who in SOCIAL_CARE else 404


def _records(who: str) -> int:
    return 200 if who in RECORDERS else 403


def _chairs(who: str) -> int:
    return 200 if who in CHAIRS else 403


EXPECTED = {
    "casework:new_strategy_discussion": _records,
    "casework:strategy_discussion": _reads,
    "casework:section47": _reads,
    "casework:new_conference": _records,
    "casework:conferences": _chairs,
    "casework:conference": _reads,
    "casework:plan": _reads,
    "casework:end_plan": _records,
    "casework:new_core_group": _records,
    "casework:core_group": _reads,
    "casework:new_visit": _records,
}


def _referral(person: Person) -> list[object]:
    return [make_referral(person).pk]


RECORDS = {
    "casework:new_strategy_discussion": _referral,
    "casework:strategy_discussion": lambda person: [make_journey(person).discussion.pk],
    "casework:section47": lambda person: [make_journey(person).section47.pk],
    "casework:new_conference": lambda person: [make_journey(person).referral.pk],
    "casework:conference": lambda person: [make_journey(person).conference.pk],
    "casework:plan": lambda person: [make_journey(person).plan.pk],
    "casework:end_plan": lambda person: [make_journey(person).plan.pk],
    "casework:new_core_group": lambda person: [make_journey(person).plan.pk],
    "casework:core_group": lambda person: [make_journey(person).core_group.pk],
    "casework:new_visit": _referral,
}
