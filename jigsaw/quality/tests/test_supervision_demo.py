"""The demo's supervision and training, written over a small demo authority: a policy,
supervision over the allocated cases with some overdue, overdue actions for the demo
social worker; courses with councillor and governor training, learners, attendance with
refreshers overdue; the same again from the same seed; and a reset removes them."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from jigsaw.core.demo import DemoGenerator, create_agencies_and_staff, plan_families, reset_demo, write_people
from jigsaw.core.demo_casework import write_casework
from jigsaw.core.demo_quality_supervision import write_supervision
from jigsaw.core.demo_quality_training import write_training
from jigsaw.quality.models.supervision import CaseSupervision, SupervisionAction
from jigsaw.quality.models.training import Attendance, Course, CourseKind, Learner, LearnerGroup
from jigsaw.quality.queries import supervision as supervision_queries
from jigsaw.quality.queries import training as training_queries

pytestmark = pytest.mark.django_db

SEED = 2009


def _reference_data() -> None:
    """What the data migrations load (these tests run without migrations)."""
    from importlib import import_module

    from django.apps import apps

    from jigsaw.casework.models import TimescalePolicy

    if TimescalePolicy.objects.exists():
        return
    for module, function in [
        ("jigsaw.casework.migrations.0002_default_timescales", "add"),
        ("jigsaw.workforce.migrations.0003_default_caseload_weights", "add_defaults"),
    ]:
        getattr(import_module(module), function)(apps, None)


def _small_authority(today: datetime.date) -> None:
    _reference_data()
    generator = DemoGenerator(SEED, today=today)
    create_agencies_and_staff(generator)
    write_people(plan_families(generator, children=600), batch_size=5000)
    write_casework(seed=SEED, today=today, children_cap=600)


def test_the_demo_has_supervision_and_training_to_show() -> None:
    today = timezone.localdate()
    _small_authority(today)
    supervision = write_supervision(seed=SEED, today=today)
    training = write_training(seed=SEED, today=today)
    assert supervision.supervisions > 20 and supervision.actions > 10
    assert "case supervisions" in supervision.summary()

    worker = User.objects.get(username="social_worker")
    policy = supervision_queries.policy_in_force()
    assert policy.interval_days == 28
    [mine] = supervision_queries.worker_figures([worker.practitioner], today=today, policy=policy)
    assert mine.open_cases > 5 and 1 <= mine.overdue <= 3 and mine.supervised >= mine.open_cases - 4
    assert 1 <= len(supervision_queries.overdue_actions_for(worker, today=today)) <= 3
    teams = supervision_queries.team_figures(today=today, policy=policy)
    assert any(t.up_to_date for t in teams) or any(t.overdue for t in teams)
    assert sum(t.overdue for t in teams) == supervision.overdue_cases

    assert training.courses == 7 and 6 <= training.courses <= 8
    kinds = set(Course.objects.values_list("kind", flat=True))
    assert {CourseKind.COUNCILLOR_AWARENESS, CourseKind.GOVERNOR} <= kinds
    assert training.learners >= 200
    assert Learner.objects.filter(group=LearnerGroup.COUNCILLOR).count() == 51
    takeup = training_queries.takeup(today=today)
    assert all(t.total.total > 0 for t in takeup)
    assert sum(t.total.expired for t in takeup) > 0 and sum(t.total.never for t in takeup) > 0
    assert 50 < sum(t.total.percent_in_date for t in takeup) / len(takeup) < 95
    mine_training = training_queries.my_training(worker, today=today)
    assert mine_training.attendances and mine_training.mandatory

    first = (
        list(CaseSupervision.objects.order_by("pk").values_list("person_id", "supervised_on", "worker_id")),
        list(
            Attendance.objects.order_by("pk").values_list(
                "learner__full_name", "session__starts_at", "status"
            )
        ),
    )
    reset_demo()
    assert not CaseSupervision.objects.exists() and not SupervisionAction.objects.exists()
    assert not Learner.objects.exists() and not Course.objects.exists()
    # The same seed on the same day gives the same supervision and training.
    _small_authority(today)
    write_supervision(seed=SEED, today=today)
    write_training(seed=SEED, today=today)
    again = (
        list(CaseSupervision.objects.order_by("pk").values_list("person_id", "supervised_on", "worker_id")),
        list(
            Attendance.objects.order_by("pk").values_list(
                "learner__full_name", "session__starts_at", "status"
            )
        ),
    )
    assert [row[1:] for row in again[0]] == [row[1:] for row in first[0]]
    assert again[1] == first[1]
