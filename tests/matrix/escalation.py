"""Escalation: every practitioner may raise one (partners about the children they know);
an escalation opens for those who are part of it, and for social care by the access policy;
the procedure is for everyone signed in; the report for managers, analysts and the
partnership. Responding and replying are POSTs."""

from __future__ import annotations

from django.utils import timezone

from jigsaw.escalation.models import Escalation, EscalationPolicy
from jigsaw.people.models import Person
from tests.factories import persona

SOCIAL_CARE = frozenset({"social_worker", "team_manager", "front_door_officer", "conference_chair"})
PARTNERS = frozenset({"school_dsl", "gp", "police_officer"})
OVERSIGHT = frozenset({"team_manager", "analyst", "partnership_member"})


def _raisers(who: str) -> int:
    return 200 if who in SOCIAL_CARE | PARTNERS else 403


def _raise_about(who: str) -> int:
    if who in SOCIAL_CARE:
        return 200
    return 404 if who in PARTNERS else 403  # partners are not named for this child


def _escalation_page(who: str) -> int:
    return 200 if who in SOCIAL_CARE or who == "school_dsl" else 404


def _escalation(person: Person) -> list[object]:
    dsl = persona("school_dsl")
    policy = EscalationPolicy.objects.get(in_force=True)
    stage = policy.stages.get(order=1)
    now = timezone.now()
    escalation = Escalation.objects.create(
        person=person,
        kind="nfa",
        concern="Still hungry at school",
        outcome_sought="An assessment",
        raised_by=dsl,
        raising_agency=dsl.practitioner.agency,
        raised_at=now,
        responding_agency=persona("front_door_officer").practitioner.agency,
        policy=policy,
        stage=stage,
        stage_started_at=now,
        stage_due_on=timezone.localdate(),
    )
    return [escalation.pk]


EXPECTED = {
    "escalation:list": lambda who: 200,
    "escalation:procedure": lambda who: 200,
    "escalation:choose_child": _raisers,
    "escalation:raise": _raise_about,
    "escalation:report": lambda who: 200 if who in OVERSIGHT else 403,
    "escalation:report_csv": lambda who: 200 if who in OVERSIGHT else 403,
    "escalation:detail": _escalation_page,
    "escalation:respond": lambda who: 405,
    "escalation:reply": lambda who: 405,
}

RECORDS = {
    "escalation:raise": lambda person: [person.pk],
    "escalation:detail": _escalation,
    "escalation:respond": _escalation,
    "escalation:reply": _escalation,
}
