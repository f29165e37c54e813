"""Training: everyone sees their own training and the offer; the partnership's business
unit and administrators run courses, sessions, bookings, attendance and learners;
managers, analysts and the partnership see take-up and who is overdue."""

from __future__ import annotations

import datetime

from django.utils import timezone

from jigsaw.people.models import Person
from jigsaw.quality.models.training import Course, TrainingSession
from tests.factories import persona

MANAGERS = frozenset({"partnership_member", "administrator"})
TAKEUP = frozenset({"team_manager", "analyst", "partnership_member"})


def _new_course() -> Course:
    return Course.objects.create(
        title="Multi-agency safeguarding", kind="multi_agency", created_by=persona("partnership_member")
    )


def _course(person: Person) -> list[object]:
    return [_new_course().pk]


def _session(person: Person) -> list[object]:
    start = timezone.now() + datetime.timedelta(days=7)
    session = TrainingSession.objects.create(
        course=_new_course(),
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        online=True,
        trainer="Partnership trainer",
        places=10,
    )
    return [session.pk]


def _managers(who: str) -> int:
    return 200 if who in MANAGERS else 403


def _takeup(who: str) -> int:
    return 200 if who in TAKEUP else 403


EXPECTED = {
    "quality:training": lambda who: 200,
    "quality:training_course": lambda who: 200,
    "quality:training_new_course": _managers,
    "quality:training_edit_course": _managers,
    "quality:training_new_session": _managers,
    "quality:training_session": _managers,
    "quality:training_book": _managers,
    "quality:training_learners": _managers,
    "quality:training_new_learner": _managers,
    "quality:training_takeup": _takeup,
    "quality:training_overdue": _takeup,
    "quality:training_overdue_csv": _takeup,
}

RECORDS = {
    "quality:training_course": _course,
    "quality:training_edit_course": _course,
    "quality:training_new_session": _course,
    "quality:training_session": _session,
    "quality:training_book": _session,
}
