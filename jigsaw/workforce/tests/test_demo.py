"""The demo's workforce: a realistic mix (some agency, some vacancies, leavers, joiners,
sickness, staff records), the same from the same seed, and gone after a reset."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from jigsaw.core.demo import DemoGenerator, create_agencies_and_staff
from jigsaw.core.demo_workforce import delete_workforce, write_workforce
from jigsaw.workforce import queries
from jigsaw.workforce.models import Absence, Appointment, Post, StaffRecord

pytestmark = pytest.mark.django_db

SEED = 2009
TODAY = datetime.date(2026, 3, 31)


def _signature() -> list[tuple[object, ...]]:
    return sorted(
        Appointment.objects.values_list(
            "post__team__name",
            "post__title",
            "practitioner__full_name",
            "contract",
            "fte",
            "started_on",
            "ended_on",
            "leaving_reason",
        )
    ) + sorted(
        Absence.objects.values_list("practitioner__full_name", "first_day", "last_day", "working_days")
    )


def test_the_demo_workforce_is_realistic_and_repeatable() -> None:
    create_agencies_and_staff(DemoGenerator(SEED, today=TODAY))
    counts = write_workforce(seed=SEED, today=TODAY)
    assert counts.posts == Post.objects.count() > 40
    assert "posts" in counts.summary()
    vacant, established = queries.vacancy_rate(on=TODAY)
    agency, in_post = queries.agency_staff_rate(on=TODAY)
    lost, average = queries.sickness_days(start=datetime.date(2025, 4, 1), end=TODAY)
    left, permanent = queries.turnover_rate(start=datetime.date(2025, 4, 1), end=TODAY)
    # About 15% agency; vacancies (agency cover counted, as the census does) about a quarter.
    assert Decimal("0.05") < agency / in_post < Decimal("0.30")
    assert Decimal("0.12") < vacant / established < Decimal("0.40")
    assert lost > 0 and average > 0 and left > 0 and permanent > 0
    assert StaffRecord.objects.count() == counts.staff_records > 40
    assert Appointment.objects.filter(ended_on__isnull=False).exists()
    first = _signature()

    delete_workforce()
    assert not Post.objects.exists() and not Absence.objects.exists()
    write_workforce(seed=SEED, today=TODAY)
    assert _signature() == first
