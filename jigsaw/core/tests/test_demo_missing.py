"""The demo's children missing and private fostering, written over a small demo authority
through the casework actions: mostly from care, some repeat missing, one child missing now,
interviews mostly in time with some late or declined, private fostering at every stage with
one overdue; the same again from the same seed; and `delete_missing` removes it all."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from jigsaw.casework.models import (
    ChronologyEntry,
    MissingEpisode,
    PrivateFosteringArrangement,
    PrivateFosteringVisit,
    Timescale,
    TimescalePolicy,
)
from jigsaw.casework.queries.missing import is_repeat
from jigsaw.core.demo import DemoGenerator, create_agencies_and_staff, plan_families, write_people
from jigsaw.core.demo_casework import write_casework
from jigsaw.core.demo_missing import delete_missing, write_missing

pytestmark = pytest.mark.django_db

SEED = 2009
# As many as the demo by default (seed_demo --children), for its looked-after children.
CHILDREN = 5000


def _small_authority(today: datetime.date) -> None:
    from importlib import import_module

    from django.apps import apps

    if not TimescalePolicy.objects.exists():
        import_module("jigsaw.casework.migrations.0002_default_timescales").add(apps, None)
        import_module("jigsaw.workforce.migrations.0003_default_caseload_weights").add_defaults(apps, None)
    if not Timescale.objects.filter(key="pf_first_visit").exists():
        module = import_module("jigsaw.casework.migrations.0008_missing_episodes_and_private_fostering")
        module.add_private_fostering_timescales(apps, None)
    generator = DemoGenerator(SEED, today=today)
    create_agencies_and_staff(generator)
    write_people(plan_families(generator, children=CHILDREN), batch_size=5000)
    write_casework(seed=SEED, today=today, children_cap=CHILDREN)


def _snapshot() -> list[tuple[object, ...]]:
    episodes = MissingEpisode.objects.order_by("person_id", "reported_at").values_list(
        "person_id",
        "kind",
        "reported_at",
        "returned_at",
        "interview_response",
        "interview_done_at",
        "risk_factors",
    )
    arrangements = PrivateFosteringArrangement.objects.order_by("person_id").values_list(
        "person_id", "carer_id", "notified_on", "next_visit_due", "assessment_completed_on", "ended_on"
    )
    return [*episodes, *arrangements]


def test_the_demo_has_children_missing_and_privately_fostered() -> None:
    today = timezone.localdate()
    _small_authority(today)

    counts = write_missing(seed=SEED, today=today)

    assert counts.episodes == MissingEpisode.objects.count() > 15
    assert counts.from_care > counts.episodes / 2
    assert counts.still_missing >= 1 and MissingEpisode.objects.filter(returned_at__isnull=True).exists()
    assert counts.interviews_in_time > counts.interviews_late > 0
    assert counts.repeat_children >= 2
    repeat = [
        person_id
        for person_id in set(MissingEpisode.objects.values_list("person_id", flat=True))
        if is_repeat(MissingEpisode.objects.filter(person_id=person_id).values_list("reported_at", flat=True))
    ]
    assert len(repeat) >= 2
    # Each episode is in the chronology when reported, and again when the child returned.
    reported = ChronologyEntry.objects.filter(
        source_type="casework.missingepisode", summary__startswith="Reported"
    )
    assert reported.count() == counts.episodes
    assert counts.private_fostering == PrivateFosteringArrangement.objects.count() >= 5
    assert PrivateFosteringArrangement.objects.filter(ended_on__isnull=False).exists()
    assert PrivateFosteringArrangement.objects.filter(
        ended_on__isnull=True, assessment_completed_on__isnull=True, assessment_due__lt=today
    ).exists()  # one overdue, for the work lists
    assert PrivateFosteringVisit.objects.count() == counts.visits > 5
    assert "Children missing:" in counts.summary()

    first = _snapshot()
    delete_missing()
    assert not MissingEpisode.objects.exists() and not PrivateFosteringArrangement.objects.exists()
    assert not ChronologyEntry.objects.filter(source_type__startswith="casework.privatefostering").exists()
    write_missing(seed=SEED, today=today)
    assert _snapshot() == first
