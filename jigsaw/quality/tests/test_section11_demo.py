"""The demo's section 11 rounds, written through the real actions on the demo's agencies and
staff (no people needed): last year's all in, this year's with one overdue."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
import time_machine

from jigsaw.core.demo import DemoGenerator, create_agencies_and_staff
from jigsaw.core.demo_quality_section11 import STILL_A_DRAFT, delete_section11, write_section11
from jigsaw.quality.models.section11 import ReturnStatus, Section11Round
from jigsaw.quality.queries import section11 as queries

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 7)


@pytest.fixture
def staff() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 12, 7, 12, 0, tzinfo=datetime.UTC), tick=False):
        create_agencies_and_staff(DemoGenerator(2009, today=TODAY))
        yield


def _ratings() -> list[tuple[object, ...]]:
    return list(
        Section11Round.objects.order_by(
            "opens_on", "returns__agency__name", "returns__answers__standard__number"
        ).values_list(
            "returns__agency__name", "returns__answers__standard__number", "returns__answers__rating"
        )
    )


def test_last_years_round_is_all_in_and_this_years_has_one_overdue(staff: None) -> None:
    activity = write_section11(seed=2009, today=TODAY)

    assert (activity.rounds, activity.returns, activity.submitted) == (2, 12, 11)
    last, this = Section11Round.objects.order_by("opens_on")
    assert set(last.returns.values_list("status", flat=True)) == {ReturnStatus.SUBMITTED}
    assert last.due_on < this.due_on < TODAY
    overdue = list(queries.overdue_returns(TODAY))
    assert [r.agency.name for r in overdue] == ["Riverford Health Visiting Service"]
    assert STILL_A_DRAFT == "health_visitor"
    # The agencies rate themselves differently.
    grid = queries.round_grid(last)
    assert len({c.points for c in grid.columns}) > 1
    assert activity.summary().startswith("Section 11: 2 rounds, 12 agency returns (11 submitted)")


def test_the_same_seed_gives_the_same_ratings(staff: None) -> None:
    write_section11(seed=2009, today=TODAY)
    first = _ratings()
    delete_section11()
    write_section11(seed=2009, today=TODAY)

    assert _ratings() == first
