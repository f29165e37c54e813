"""Raising a concern: partner practitioners raise concerns and see only their own (another
partner's is "not found"; roles that raise none are refused); the front door officer and
team manager work the queue of concerns into contacts. Autosave is a POST."""

from __future__ import annotations

from django.utils import timezone

from jigsaw.partners.models import Concern, ConcernChild, ConcernStatus
from jigsaw.people.models import Person
from tests.factories import persona

PARTNERS = frozenset({"school_dsl", "gp", "police_officer"})
TRIAGE = frozenset({"front_door_officer", "team_manager"})


def _partner_pages(who: str) -> int:
    return 200 if who in PARTNERS else 403


def _the_dsls_concern(who: str) -> int:
    if who == "school_dsl":
        return 200
    return 404 if who in PARTNERS else 403


def _front_door(who: str) -> int:
    return 200 if who in TRIAGE else 403


def _concern(person: Person, *, submitted: bool) -> Concern:
    dsl = persona("school_dsl")
    concern = Concern.objects.create(
        raised_by=dsl,
        agency=dsl.practitioner.agency,
        concern="Bruises on both arms, seen in PE",
        urgency="same_day",
        consent="given",
    )
    ConcernChild.objects.create(
        concern=concern,
        given_name=person.given_names,
        family_name=person.family_name,
        date_of_birth=person.date_of_birth,
        matched_person=person,
        match_outcome="link",
        match_probability=0.999,
    )
    if submitted:
        concern.status = ConcernStatus.SUBMITTED
        concern.submitted_at = timezone.now()
        concern.reference = f"CON-2026-{concern.pk:06d}"
        concern.save()
    return concern


EXPECTED = {
    "partners:concerns": _partner_pages,
    "partners:new_concern": _partner_pages,
    "partners:concern": _the_dsls_concern,
    "partners:edit_concern": _the_dsls_concern,
    "partners:concern_sent": _the_dsls_concern,
    "partners:autosave_concern": lambda who: 405,
    "partners:concern_queue": _front_door,
    "partners:triage_concern": _front_door,
}

RECORDS = {
    "partners:concern": lambda person: [_concern(person, submitted=True).pk],
    "partners:edit_concern": lambda person: [_concern(person, submitted=False).pk],
    "partners:concern_sent": lambda person: [_concern(person, submitted=True).pk],
    "partners:autosave_concern": lambda person: [_concern(person, submitted=False).pk],
    "partners:triage_concern": lambda person: [_concern(person, submitted=True).pk],
}
