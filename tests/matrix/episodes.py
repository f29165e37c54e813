"""The episode of need: social care reads the episode, assessments, plans, early help and
looked-after episodes (everyone else gets "not found"); only social workers and team
managers open the forms that record them (403 for other roles); the sign-offs are POSTs
(who may authorise is tested in jigsaw/casework/tests/test_episodes.py)."""

from __future__ import annotations

from jigsaw.people.models import Person
from tests.casework_factories import make_referral
from tests.episode_factories import make_assessment, make_cin_plan, make_early_help, make_looked_after

SOCIAL_CARE = frozenset({"social_worker", "team_manager", "front_door_officer", "conference_chair"})
RECORDERS = frozenset({"social_worker", "team_manager"})


def _reads(who: str) -> int:
    return 200 if who in SOCIAL_CARE else 404


def _records(who: str) -> int:
    return 200 if who in RECORDERS else 403


def _post_only(who: str) -> int:
    return 405


EXPECTED = {
    "casework:referral": _reads,
    "casework:start_assessment": _records,
    "casework:assessment": _reads,
    "casework:authorise_assessment": _post_only,
    "casework:new_cin_plan": _records,
    "casework:cin_plan": _reads,
    "casework:new_early_help": _records,
    "casework:early_help": _reads,
    "casework:new_looked_after": _records,
    "casework:looked_after": _reads,
    "casework:close_referral": _records,
    "casework:authorise_closure": _post_only,
}


def _referral(person: Person) -> list[object]:
    return [make_referral(person).pk]


RECORDS = {
    "casework:referral": _referral,
    "casework:start_assessment": _referral,
    "casework:assessment": lambda person: [make_assessment(make_referral(person)).pk],
    "casework:authorise_assessment": lambda person: [make_assessment(make_referral(person)).pk],
    "casework:new_cin_plan": _referral,
    "casework:cin_plan": lambda person: [make_cin_plan(make_referral(person)).pk],
    "casework:new_early_help": lambda person: [person.pk],
    "casework:early_help": lambda person: [make_early_help(person).pk],
    "casework:new_looked_after": _referral,
    "casework:looked_after": lambda person: [make_looked_after(make_referral(person)).pk],
    "casework:close_referral": _referral,
    "casework:authorise_closure": _referral,
}
