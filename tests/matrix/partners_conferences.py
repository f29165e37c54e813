"""Conference participation. "Your meetings" is every practitioner's own list (200 for
all); an invitation page answers only to the practitioner invited (the GP here; anyone
else gets "not found"). The attendance figures name no child and are for team managers,
chairs, analysts and partnership members (VIEW_PARTNERSHIP_FIGURES; 403 for the rest).
Arranging a core group ahead, and recording one arranged, are for those who record
casework (403 for other roles)."""

from __future__ import annotations

from django.utils import timezone

from jigsaw.casework.models import ConferenceInvitation, CoreGroupInvitation, CoreGroupMeeting
from jigsaw.people.models import Person
from tests.factories import persona
from tests.protection_factories import make_journey

FIGURES = frozenset({"team_manager", "conference_chair", "analyst", "partnership_member"})
RECORDERS = frozenset({"social_worker", "team_manager"})


def _figures(who: str) -> int:
    return 200 if who in FIGURES else 403


def _records(who: str) -> int:
    return 200 if who in RECORDERS else 403


def _gp_only(who: str) -> int:
    return 200 if who == "gp" else 404


def _arranged(person: Person) -> CoreGroupMeeting:
    journey = make_journey(person)
    return CoreGroupMeeting.objects.create(
        plan=journey.plan,
        held_on=timezone.localdate(),
        held=False,
        recorded_by=persona("social_worker"),
        arranged_by=persona("social_worker"),
    )


def _gp_conference_invitation(person: Person) -> list[object]:
    gp = persona("gp").practitioner
    invitation = ConferenceInvitation.objects.create(
        conference=make_journey(person).conference, practitioner=gp, name=gp.full_name, agency=gp.agency
    )
    return [invitation.pk]


def _gp_core_group_invitation(person: Person) -> list[object]:
    gp = persona("gp").practitioner
    invitation = CoreGroupInvitation.objects.create(
        meeting=_arranged(person), practitioner=gp, name=gp.full_name, agency=gp.agency
    )
    return [invitation.pk]


EXPECTED = {
    "partners:meetings": lambda who: 200,
    "partners:conference_invitation": _gp_only,
    "partners:core_group_invitation": _gp_only,
    "partners:conference_attendance": _figures,
    "partners:conference_attendance_csv": _figures,
    "casework:arrange_core_group": _records,
    "casework:record_core_group": _records,
}

RECORDS = {
    "partners:conference_invitation": _gp_conference_invitation,
    "partners:core_group_invitation": _gp_core_group_invitation,
    "casework:arrange_core_group": lambda person: [make_journey(person).plan.pk],
    "casework:record_core_group": lambda person: [_arranged(person).pk],
}
