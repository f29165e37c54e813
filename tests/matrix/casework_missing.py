"""Missing episodes and private fostering: social care reads a child's episodes and
arrangements (everyone else gets "not found", partners included unless they break glass);
only social workers and team managers open the forms that record them (403 for other
roles); the panel is for team managers, analysts and the partnership (403 for others)."""

from __future__ import annotations

from django.utils import timezone

from jigsaw.casework.models import MissingEpisode, PrivateFosteringArrangement
from jigsaw.people.models import Person
from tests.casework_factories import make_referral
from tests.factories import make_person, persona

SOCIAL_CARE = frozenset({"social_worker", "team_manager", "front_door_officer", "conference_chair"})
RECORDERS = frozenset({"social_worker", "team_manager"})
PANEL = frozenset({"team_manager", "analyst", "partnership_member"})


def _reads(who: str) -> int:
    return 200 if who in SOCIAL_CARE else 404


def _records(who: str) -> int:
    return 200 if who in RECORDERS else 403


def _panel(who: str) -> int:
    return 200 if who in PANEL else 403


def _episode(person: Person) -> list[object]:
    episode = MissingEpisode.objects.create(
        person=person,
        kind="home",
        reported_at=timezone.now(),
        reported_by_other="Her mother",
        recorded_by=persona("social_worker"),
    )
    return [episode.pk]


def _arrangement(person: Person) -> list[object]:
    today = timezone.localdate()
    arrangement = PrivateFosteringArrangement.objects.create(
        person=person,
        referral=make_referral(person),
        carer=make_person(family_name="Carer"),
        started_on=today,
        notified_on=today,
        notified_by="carer",
        first_visit_due=today,
        next_visit_due=today,
        assessment_due=today,
        recorded_by=persona("social_worker"),
    )
    return [arrangement.pk]


EXPECTED = {
    "casework:missing_panel": _panel,
    "casework:missing": _reads,
    "casework:new_missing_episode": _records,
    "casework:missing_episode": _reads,
    "casework:new_private_fostering": _records,
    "casework:private_fostering": _reads,
}

RECORDS = {
    "casework:missing": lambda person: [person.pk],
    "casework:new_missing_episode": lambda person: [person.pk],
    "casework:missing_episode": _episode,
    "casework:new_private_fostering": lambda person: [person.pk],
    "casework:private_fostering": _arrangement,
}
