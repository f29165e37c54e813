"""Escalation test data: a "no further action" decision on a school's concern, the senior
holders a partnership names in the admin site, and an escalation raised through the action."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.utils import timezone

from jigsaw.access.roles import Role
from jigsaw.casework.models import Contact
from jigsaw.escalation.actions import EscalationDetails, raise_escalation
from jigsaw.escalation.models import Escalation, EscalationPolicy, StageHolder
from jigsaw.partners.models import Concern, ConcernChild, ConcernStatus, Practitioner
from jigsaw.people.models import Person
from tests.casework_factories import make_contact
from tests.factories import make_agency, make_person, make_user, persona

LONDON = ZoneInfo("Europe/London")


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def decided_contact(person: Person, *, decision: str = "nfa") -> Contact:
    """The school DSL's concern about `person`, recorded as a contact, decided by the front
    door officer and authorised by the team manager."""
    dsl = persona("school_dsl")
    now = timezone.now()
    concern = Concern.objects.create(
        raised_by=dsl,
        agency=dsl.practitioner.agency,
        concern="Came to school hungry three days running and said there was no food at home",
        urgency="routine",
        consent="given",
        status=ConcernStatus.SUBMITTED,
        submitted_at=now,
        reference=f"CON-T-{Concern.objects.count() + 1:05d}",
    )
    contact = make_contact(
        person,
        received_at=now,
        referrer_agency=dsl.practitioner.agency,
        decision=decision,
        decision_reason="Parents engaging with the school; no role for social care",
        decided_by=persona("front_door_officer"),
        decided_at=now,
        authorised_by=persona("team_manager"),
        authorised_at=now,
    )
    ConcernChild.objects.create(
        concern=concern,
        given_name=person.given_names,
        family_name=person.family_name,
        date_of_birth=person.date_of_birth,
        matched_person=person,
        person=person,
        contact=contact,
    )
    return contact


def name_senior_holders() -> dict[int, User]:
    """Name a service manager and a head of service for children's social care, and the
    partnership member as chair for every agency; returns the holder of stages 3 to 5."""
    policy = EscalationPolicy.objects.get(in_force=True)
    csc = make_agency()
    holders: dict[int, User] = {}
    for order, username, title in [
        (3, "service_manager", "Service manager"),
        (4, "head_of_service", "Head of service"),
    ]:
        user = make_user(username, first_name=title.split()[0], last_name="Persona")
        practitioner, _ = Practitioner.objects.get_or_create(
            user=user,
            defaults={
                "full_name": f"{title} Persona",
                "agency": csc,
                "role": Role.TEAM_MANAGER,
                "job_title": title,
                "phone": "01632 960111",
            },
        )
        StageHolder.objects.get_or_create(
            stage=policy.stages.get(order=order), agency=csc, practitioner=practitioner
        )
        holders[order] = user
    chair = persona("partnership_member")
    StageHolder.objects.get_or_create(
        stage=policy.stages.get(order=5), agency=None, practitioner=chair.practitioner
    )
    holders[5] = chair
    return holders


def raise_nfa(person: Person | None = None, *, urgent: bool = False) -> Escalation:
    """The school DSL escalates the front door's "no further action" on their concern."""
    person = person or make_person()
    contact = decided_contact(person)
    return raise_escalation(
        actor=persona("school_dsl"),
        person_id=person.pk,
        details=EscalationDetails(
            kind="nfa",
            concern="The child is still coming to school hungry; nobody has visited the home",
            outcome_sought="The decision is reviewed and the family is assessed",
            urgent=urgent,
            contact_id=contact.pk,
        ),
    )
