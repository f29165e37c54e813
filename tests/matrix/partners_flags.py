"""The flag check: only partner practitioners ask it (Permission.CHECK_FLAG); everyone else
is refused (403). An answer is its asker's alone: another partner gets "not found", as for a
check that does not exist."""

from __future__ import annotations

from django.utils import timezone

from jigsaw.access.roles import Role
from jigsaw.partners.models import FlagAnswer, FlagCheck
from jigsaw.people.models import Person
from tests.factories import PERSONAS, persona

PARTNERS = frozenset(name for name, (role, _, _) in PERSONAS.items() if role == Role.PARTNER_PRACTITIONER)
ASKER = "gp"


def _gps_check(person: Person) -> list[object]:
    gp = persona(ASKER)
    check = FlagCheck.objects.create(
        asked_by=gp,
        agency=gp.practitioner.agency,
        asked_at=timezone.now(),
        reason="Seen in surgery with bruising",
        where_seen="Canal Street Surgery",
        given_name=person.given_names,
        family_name=person.family_name,
        date_of_birth=person.date_of_birth,
        answer=FlagAnswer.NO_FLAG,
    )
    return [check.pk]


def _answer(who: str) -> int:
    if who == ASKER:
        return 200
    return 404 if who in PARTNERS else 403


EXPECTED = {
    "partners:flag_check": lambda who: 200 if who in PARTNERS else 403,
    "partners:flag_checks": lambda who: 200 if who in PARTNERS else 403,
    "partners:flag_answer": _answer,
    # Refusals (over the limit) are the data protection officer's to watch.
    "partners:flag_refusals": lambda who: 200 if who == "data_protection_officer" else 403,
}

RECORDS = {"partners:flag_answer": _gps_check}
