"""The demo partnership, on the demo's agencies, staff and recommendations: the board's
seats, six meetings with attendance and decisions, actions answering recommendations,
guidance most (not all) have read with a second version asking again, and a clean delete."""

from __future__ import annotations

import datetime

import pytest

from jigsaw.core.demo import DemoGenerator, create_agencies_and_staff
from jigsaw.core.demo_partnership import delete_partnership, write_partnership
from jigsaw.core.demo_quality_recommendations import write_recommendations
from jigsaw.partners.models import Agency
from jigsaw.partnership.models.board import BoardAction, BoardMeeting, BoardMember, BoardRole
from jigsaw.partnership.models.guidance import Acknowledgement, GuidanceItem
from jigsaw.partnership.queries import board as board_queries
from jigsaw.partnership.queries import guidance as guidance_queries

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 1)


def test_the_demo_writes_the_riverford_board_and_its_guidance() -> None:
    create_agencies_and_staff(DemoGenerator(2009))
    write_recommendations(seed=2009, today=TODAY)
    counts = write_partnership(seed=2009, today=TODAY)
    assert (counts.members, counts.meetings, counts.actions, counts.guidance, counts.versions) == (
        11,
        6,
        6,
        4,
        5,
    )
    assert counts.decisions == 24 and counts.linked_actions == 3
    assert counts.summary().startswith("Partnership: a board of 11 members, 6 meetings")
    roles = sorted(BoardMember.objects.values_list("role", flat=True))
    assert roles.count(BoardRole.LAY_MEMBER) == 2 and roles.count(BoardRole.INDEPENDENT_CHAIR) == 1
    governance = board_queries.governance(TODAY)
    assert all(members for _, members in governance.statutory_partners)
    assert governance.lay_vacancies == 0 and governance.meetings == 6
    assert 0 < min(a.percent for a in governance.agencies) < 100
    assert (
        BoardMeeting.objects.filter(held_on__lte=TODAY, held_on__gt=datetime.date(2025, 11, 1)).count() == 6
    )
    # Most, not all, have read each note; the second version asks again.
    for item in GuidanceItem.objects.all():
        total = guidance_queries.reading_report(item).total
        assert 0 < total.read < total.recipients, item.title
    first = GuidanceItem.objects.get(title="Bruising in babies who are not mobile")
    current = guidance_queries.current_version(first)
    assert current is not None and current.number == 2
    assert guidance_queries.procedure("thresholds") is not None

    # The same seed on the same day writes the same partnership.
    names = sorted(BoardMember.objects.values_list("full_name", flat=True))
    read = Acknowledgement.objects.count()
    delete_partnership()
    assert not BoardMember.objects.exists() and not GuidanceItem.objects.exists()
    assert not BoardAction.objects.exists() and not Agency.objects.filter(name__contains="Probation").exists()
    write_partnership(seed=2009, today=TODAY)
    assert sorted(BoardMember.objects.values_list("full_name", flat=True)) == names
    assert Acknowledgement.objects.count() == read


def test_without_the_demo_staff_nothing_is_written() -> None:
    assert write_partnership(seed=1, today=TODAY).members == 0
    assert not BoardMember.objects.exists()
