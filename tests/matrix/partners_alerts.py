"""Emerging concerns: only those who decide contacts (the front door and team managers) see
the list (403 for everyone else) and a concern ("not found" for everyone else, as for one
that does not exist). Handling is a POST only; who may is tested in
jigsaw/partners/tests/test_alerts_views.py."""

from __future__ import annotations

from django.utils import timezone

from jigsaw.partners.models import AlertRule, EmergingConcern
from jigsaw.people.models import Person

DECIDERS = frozenset({"front_door_officer", "team_manager"})


def _emerging_concern(person: Person) -> list[object]:
    concern = EmergingConcern.objects.create(
        rule=AlertRule.objects.get(name="Concerns from two different agencies in one week"),
        person=person,
        summary="Concerns from two different agencies in one week: 2 agencies (Riverford Police, Riverside Primary School)",
        raised_at=timezone.now(),
    )
    return [concern.pk]


EXPECTED = {
    "partners:emerging_concerns": lambda who: 200 if who in DECIDERS else 403,
    "partners:emerging_concern": lambda who: 200 if who in DECIDERS else 404,
    "partners:dismiss_emerging_concern": lambda who: 405,
    "partners:emerging_concern_contact_recorded": lambda who: 405,
}

RECORDS = {
    "partners:emerging_concern": _emerging_concern,
    "partners:dismiss_emerging_concern": _emerging_concern,
    "partners:emerging_concern_contact_recorded": _emerging_concern,
}
