"""Supervision: social workers see their own, team managers their team's and record it;
every team's figures (no child named) are for those who see partnership figures. A
child's supervision history opens for those who may see supervision and the child.
Marking an action done is a POST."""

from __future__ import annotations

from django.utils import timezone

from jigsaw.people.models import Person
from jigsaw.quality.models.supervision import CaseSupervision, SupervisionAction
from tests.factories import persona

SUPERVISION = frozenset({"social_worker", "team_manager"})
FIGURES = frozenset({"team_manager", "conference_chair", "analyst", "partnership_member"})


def _action(person: Person) -> list[object]:
    supervision = CaseSupervision.objects.create(
        person=person,
        supervised_on=timezone.localdate(),
        supervisor=persona("team_manager"),
        worker=persona("social_worker"),
        discussion="Progress",
        decisions="Carry on",
        recorded_at=timezone.now(),
    )
    action = SupervisionAction.objects.create(
        supervision=supervision,
        description="Visit",
        owner=persona("social_worker"),
        due_on=timezone.localdate(),
    )
    return [action.pk]


EXPECTED = {
    "quality:supervision": lambda who: 200 if who in SUPERVISION else 403,
    "quality:supervision_teams": lambda who: 200 if who in FIGURES else 403,
    "quality:supervision_policy": lambda who: 200 if who == "team_manager" else 403,
    "quality:child_supervision": lambda who: 200 if who in SUPERVISION else 403,
    "quality:record_supervision": lambda who: 200 if who == "team_manager" else 403,
    "quality:complete_supervision_action": lambda who: 405,
}

RECORDS = {
    "quality:child_supervision": lambda person: [person.pk],
    "quality:record_supervision": lambda person: [person.pk],
    "quality:complete_supervision_action": _action,
}
