"""Shared set-up for the partnership's tests: the board's agencies and members."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User

from jigsaw.partners.models import Agency, AgencyKind
from jigsaw.partnership.actions import board as actions
from jigsaw.partnership.models.board import BoardMember, BoardRole
from tests.factories import make_agency, persona

TERM_START = datetime.date(2025, 4, 1)
TERM_END = datetime.date(2028, 3, 31)


def keeper() -> User:
    return persona("partnership_member")


def police() -> Agency:
    return make_agency("Riverford Police", AgencyKind.POLICE)


def council() -> Agency:
    return make_agency("Riverford Children's Social Care", AgencyKind.CHILDRENS_SOCIAL_CARE)


def appoint(
    name: str,
    role: str = BoardRole.AGENCY_REPRESENTATIVE,
    agency: Agency | None = None,
    starts: datetime.date = TERM_START,
    ends: datetime.date = TERM_END,
) -> BoardMember:
    return actions.save_member(
        actor=keeper(),
        details=actions.MemberDetails(
            role=role,
            agency_id=agency.pk if agency else None,
            full_name=name,
            term_starts_on=starts,
            term_ends_on=ends,
        ),
    )
