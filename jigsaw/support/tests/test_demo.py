"""The demo's delegated admin, written over a small demo authority through the support
actions: support staff in every social work team, tasks in every state over six months,
most done and mostly in time; the same again from the same seed; and `delete_support`
removes the tasks."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from jigsaw.access.roles import Role
from jigsaw.casework.models import Timescale, TimescalePolicy
from jigsaw.core.demo import DemoGenerator, create_agencies_and_staff, plan_families, write_people
from jigsaw.core.demo_casework import write_casework
from jigsaw.core.demo_support import SUPPORTED_TEAMS, delete_support, write_support
from jigsaw.partners.models import Practitioner
from jigsaw.support.models import DelegatedTask, RequestsLastSeen, TaskStatus
from jigsaw.support.queries.report import delegation_report
from jigsaw.support.queries.tasks import queue, requests_summary

pytestmark = pytest.mark.django_db

SEED = 2009
CHILDREN = 2000


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
    return list(
        DelegatedTask.objects.order_by("requested_at", "pk").values_list(
            "referral_id", "kind", "status", "requested_at", "due_on", "taken_at", "closed_at", "booked"
        )
    )


def test_the_demo_delegates_admin_in_every_state_and_again_from_the_same_seed() -> None:
    today = timezone.localdate()
    _small_authority(today)

    counts = write_support(seed=SEED, today=today)

    assert counts.staff == 2 * len(SUPPORTED_TEAMS) + 2  # one of each per team, and the two sign-ins
    assert Practitioner.objects.filter(role=Role.BUSINESS_SUPPORT).count() == len(SUPPORTED_TEAMS) + 1
    statuses = set(DelegatedTask.objects.values_list("status", flat=True))
    assert statuses == set(TaskStatus.values)
    assert counts.tasks == DelegatedTask.objects.count() > 300
    assert counts.done == DelegatedTask.objects.filter(status=TaskStatus.DONE).count()
    assert counts.done > counts.tasks * 0.7 and counts.on_time > counts.done * 0.5
    assert (counts.returned, counts.cancelled, counts.open) == (
        DelegatedTask.objects.filter(status=TaskStatus.RETURNED).count(),
        DelegatedTask.objects.filter(status=TaskStatus.CANCELLED).count(),
        DelegatedTask.objects.filter(status__in=[TaskStatus.REQUESTED, TaskStatus.TAKEN]).count(),
    )
    # Nothing is stamped in the future, and the steps are in order.
    for task in DelegatedTask.objects.all():
        assert task.requested_at < timezone.now()
        if task.taken_at:
            assert task.requested_at <= task.taken_at
        if task.closed_at:
            assert (task.taken_at or task.requested_at) <= task.closed_at <= timezone.now()
    # The demo sign-ins have something to look at.
    from django.contrib.auth.models import User

    officer = User.objects.get(username=Role.BUSINESS_SUPPORT)
    worker = User.objects.get(username=Role.SOCIAL_WORKER)
    assert queue(officer, today=today)
    assert requests_summary(worker, today=today).done_since_last_look > 0
    assert RequestsLastSeen.objects.filter(user=worker).exists()
    report = delegation_report(starts=today - datetime.timedelta(weeks=27), ends=today)
    assert report.total.requested == counts.tasks and report.median_days_to_done is not None

    first = _snapshot()
    delete_support()
    assert not DelegatedTask.objects.exists() and not RequestsLastSeen.objects.exists()
    write_support(seed=SEED, today=today)
    assert [row[1:] for row in _snapshot()] == [row[1:] for row in first]
