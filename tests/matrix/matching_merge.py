"""Merge and unmerge: only the roles that keep the person index clean (the front door and
team managers, Permission.MERGE_PEOPLE) open the pages; everyone else gets "not found", as
for any record they may not change."""

from __future__ import annotations

from jigsaw.matching.merge import merge_people
from jigsaw.people.models import Person
from tests.factories import make_person, persona

# (tests.matrix imports this module while it is still loading, so the set is spelled out.)
MERGERS = frozenset({"front_door_officer", "team_manager"})


def _mergers(who: str) -> int:
    return 200 if who in MERGERS else 404


def _merge(person: Person) -> list[object]:
    merge = merge_people(
        actor=persona("front_door_officer"), survivor=person, merged=make_person(), reason="Same child"
    )
    return [merge.pk]


EXPECTED = {
    "matching:merge_start": _mergers,
    "matching:merge_compare": _mergers,
    "matching:unmerge": _mergers,
}

RECORDS = {
    "matching:merge_start": lambda person: [person.pk],
    "matching:merge_compare": lambda person: [person.pk, make_person().pk],
    "matching:unmerge": _merge,
}
