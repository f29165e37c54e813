"""Section 11 self-assessment: the partnership runs the rounds and sees every return; those
who answer for an agency (a team manager for children's social care, a partner's
safeguarding lead) see their own agency's returns only. Saving and sending are POSTs."""

from __future__ import annotations

from django.utils import timezone

from jigsaw.people.models import Person
from jigsaw.quality.actions.section11 import create_round, send_round
from jigsaw.quality.models.section11 import Section11Round
from tests.factories import persona

MANAGERS = frozenset({"partnership_member"})
ANSWERERS = frozenset({"team_manager", "school_dsl", "gp", "police_officer"})


def _round(person: Person) -> list[object]:
    member = persona("partnership_member")
    agency = persona("team_manager").practitioner.agency
    today = timezone.localdate()
    round_ = create_round(
        actor=member,
        title="Section 11 2026",
        period="2025 to 2026",
        opens_on=today,
        due_on=today,
        agency_ids=[agency.pk],
    )
    return [round_.pk]


def _sent_round(person: Person) -> Section11Round:
    (pk,) = _round(person)
    assert isinstance(pk, int)
    round_ = Section11Round.objects.get(pk=pk)
    return send_round(
        actor=persona("partnership_member"), round_id=round_.pk, expected_version=round_.version
    )


def _return(person: Person) -> list[object]:
    return [_sent_round(person).returns.get().pk]


def _action(person: Person) -> list[object]:
    return [1]  # a POST only: any number


def _manager_only(who: str) -> int:
    return 200 if who in MANAGERS else 403


def _own_agency_page(who: str) -> int:
    # The record is children's social care's: its team manager answers for it.
    return 200 if who in MANAGERS or who == "team_manager" else 404


EXPECTED = {
    "quality:section11": lambda who: 200 if who in MANAGERS | ANSWERERS else 403,
    "quality:section11_standards": _manager_only,
    "quality:section11_standard": _manager_only,
    "quality:section11_round_new": _manager_only,
    "quality:section11_round": _manager_only,
    "quality:section11_round_send": lambda who: 405,
    "quality:section11_grid": _manager_only,
    "quality:section11_grid_csv": _manager_only,
    "quality:section11_return": _own_agency_page,
    "quality:section11_action_add": lambda who: 405,
    "quality:section11_action_status": lambda who: 405,
    "quality:section11_agency": _own_agency_page,
}


def _standard(person: Person) -> list[object]:
    from jigsaw.quality.actions.section11 import ensure_default_standards
    from jigsaw.quality.models.section11 import Section11Standard

    ensure_default_standards()
    return [Section11Standard.objects.order_by("number").first().pk]  # type: ignore[union-attr]


RECORDS = {
    "quality:section11_standard": _standard,
    "quality:section11_round": _round,
    "quality:section11_round_send": _round,
    "quality:section11_grid": _round,
    "quality:section11_grid_csv": _round,
    "quality:section11_return": _return,
    "quality:section11_action_add": _return,
    "quality:section11_action_status": _action,
    "quality:section11_agency": lambda person: [persona("team_manager").practitioner.agency.pk],
}
