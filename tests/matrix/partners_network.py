"""The professional network and sharing. Anyone with a role may find a professional and
read their card (work contact details are not child data; the children on a card come
through the access policy); everyone signed in reads the information-sharing agreements;
social workers, team managers and the front door name professionals around a child and end
involvements; a child's disclosure log is for social care and the data protection officer.
A partner named for the child sees the network on the child's page (tested in
jigsaw/partners/tests/test_network_views.py)."""

from __future__ import annotations

import datetime

from jigsaw.partners.models import (
    Agency,
    AgencyKind,
    InformationSharingAgreement,
    LegalBasis,
    NamedProfessional,
)
from jigsaw.partners.models import Practitioner as PractitionerModel
from jigsaw.people.models import Person
from tests.factories import make_agency

# (tests.matrix imports this module while it is still loading, so the sets are spelled out.)
SOCIAL_CARE = frozenset({"social_worker", "team_manager", "front_door_officer", "conference_chair"})
EDITORS = frozenset({"social_worker", "team_manager", "front_door_officer"})


def _practitioner() -> PractitionerModel:
    agency = make_agency("Canal Street Surgery", AgencyKind.GP_PRACTICE)
    found, _ = PractitionerModel.objects.get_or_create(
        full_name="Dr Amara Osei",
        agency=agency,
        defaults={"role": "partner_practitioner", "job_title": "GP", "phone": "01632 960123"},
    )
    return found


def _named(person: Person) -> list[object]:
    named = NamedProfessional.objects.create(
        person=person, practitioner=_practitioner(), involvement="GP", started=datetime.date(2026, 1, 5)
    )
    return [named.pk]


def _agreement(person: Person) -> list[object]:
    agreement = InformationSharingAgreement.objects.create(
        title="Riverford safeguarding information-sharing agreement",
        reference=f"ISA-{person.pk}",
        purpose="Sharing to safeguard children",
        legal_basis=LegalBasis.PUBLIC_TASK,
        starts_on=datetime.date(2025, 4, 1),
    )
    agreement.agencies.set([make_agency(), _agency()])
    return [agreement.pk]


def _agency() -> Agency:
    return _practitioner().agency


EXPECTED = {
    "partners:directory": lambda who: 200,
    "partners:practitioner": lambda who: 200,
    "partners:add_professional": lambda who: 200 if who in EDITORS else 403,
    "partners:new_professional": lambda who: 200 if who in EDITORS else 403,
    "partners:end_involvement": lambda who: 200 if who in EDITORS else 403,
    "partners:agreements": lambda who: 200,
    "partners:agreement": lambda who: 200,
    "partners:disclosures": lambda who: 200 if who in SOCIAL_CARE | {"data_protection_officer"} else 403,
}

RECORDS = {
    "partners:practitioner": lambda person: [_practitioner().pk],
    "partners:add_professional": lambda person: [person.pk],
    "partners:new_professional": lambda person: [person.pk],
    "partners:end_involvement": _named,
    "partners:agreement": _agreement,
    "partners:disclosures": lambda person: [person.pk],
}
