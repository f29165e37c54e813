"""The board's governance figures: attendance rates over the last 12 months (members and
agencies, deputies counting as present), representation of the statutory partners, lay
vacancies and terms ending soon."""

from __future__ import annotations

import datetime

import pytest

from jigsaw.partners.models import AgencyKind
from jigsaw.partnership.actions import board as actions
from jigsaw.partnership.models.board import AttendanceStatus, BoardRole
from jigsaw.partnership.queries import board as queries
from jigsaw.partnership.tests.helpers import appoint, council, keeper, police
from tests.factories import make_agency

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 30)


def _meeting(day: datetime.date, outcomes: dict[int, tuple[str, str]]) -> None:
    meeting = actions.add_meeting(actor=keeper(), held_on=day, title="Board")
    actions.record_attendance(actor=keeper(), meeting_id=meeting.pk, expected_version=1, outcomes=outcomes)


def test_attendance_rates_count_the_last_12_months_and_deputies_as_present() -> None:
    chief = appoint("Dana Blake", BoardRole.STATUTORY_PARTNER_LEAD, police())
    inspector = appoint("Ira Cole", agency=police())
    director = appoint("Lee Hart", BoardRole.STATUTORY_PARTNER_LEAD, council())
    # Older than 12 months: not counted.
    _meeting(datetime.date(2025, 10, 1), {chief.pk: (AttendanceStatus.ABSENT, "")})
    _meeting(
        datetime.date(2026, 3, 1),
        {
            chief.pk: (AttendanceStatus.ATTENDED, ""),
            inspector.pk: (AttendanceStatus.ABSENT, ""),
            director.pk: (AttendanceStatus.APOLOGIES, ""),
        },
    )
    _meeting(
        datetime.date(2026, 9, 1),
        {
            chief.pk: (AttendanceStatus.APOLOGIES, ""),
            inspector.pk: (AttendanceStatus.APOLOGIES, ""),
            director.pk: (AttendanceStatus.DEPUTY, "Ann Deputy"),
        },
    )
    found = queries.governance(TODAY)
    assert found.meetings == 2
    members = {
        r.name: (r.meetings, r.attended, r.deputies, r.apologies, r.absent, r.percent) for r in found.members
    }
    assert members == {
        "Dana Blake": (2, 1, 0, 1, 0, 50),
        "Ira Cole": (2, 0, 0, 1, 1, 0),
        "Lee Hart": (2, 0, 1, 1, 0, 50),
    }
    agencies = {r.name: (r.meetings, r.present, r.percent) for r in found.agencies}
    assert agencies == {"Riverford Children's Social Care": (2, 1, 50), "Riverford Police": (2, 1, 50)}
    assert found.chart == {
        "labels": ["Riverford Children's Social Care", "Riverford Police"],
        "values": [50, 50],
    }
    assert [(str(m.held_on), r.meetings, r.present) for m, r in found.by_meeting] == [
        ("2026-03-01", 3, 1),
        ("2026-09-01", 3, 1),
    ]


def test_representation_vacancies_and_terms_ending() -> None:
    appoint("Dana Blake", BoardRole.STATUTORY_PARTNER_LEAD, police(), ends=datetime.date(2027, 1, 31))
    appoint("Lee Hart", BoardRole.STATUTORY_PARTNER_LEAD, council(), ends=datetime.date(2027, 6, 30))
    appoint("Sam Lay", BoardRole.LAY_MEMBER)
    # A health member whose term has ended does not represent health now.
    appoint(
        "Old Health",
        agency=make_agency("Riverford Hospital", AgencyKind.ACUTE_HEALTH),
        ends=datetime.date(2026, 10, 31),
    )
    found = queries.governance(TODAY)
    assert [(label, [m.name for m in members]) for label, members in found.statutory_partners] == [
        ("Local authority", ["Lee Hart"]),
        ("Police", ["Dana Blake"]),
        ("Health (integrated care board)", []),
    ]
    assert [(a.name, [m.name for m in ms]) for a, ms in found.agency_representation] == [
        ("Riverford Children's Social Care", ["Lee Hart"]),
        ("Riverford Police", ["Dana Blake"]),
    ]
    assert (found.lay_seats, len(found.lay_members), found.lay_vacancies) == (2, 1, 1)
    assert [m.name for m in found.terms_ending] == ["Dana Blake"]
    assert [m.name for m in queries.terms_ending(TODAY, months=7)] == ["Dana Blake", "Lee Hart"]
