"""Take-up of a mandatory course by organisation and by role or group, who is overdue a
refresher, and a user's own record."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from jigsaw.access.roles import Role
from jigsaw.partners.models import AgencyKind
from jigsaw.quality.actions.training import learner_for_practitioner, mark_current_attendances
from jigsaw.quality.models.training import (
    Attendance,
    AttendanceStatus,
    Course,
    CourseKind,
    Learner,
    LearnerGroup,
    TrainingSession,
)
from jigsaw.quality.queries import training as queries
from tests.factories import persona

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)


def _course(**fields: object) -> Course:
    values: dict[str, object] = {
        "title": "Multi-agency safeguarding, level 3",
        "kind": CourseKind.MULTI_AGENCY,
        "refresher_months": 36,
        "mandatory_roles": [Role.SOCIAL_WORKER],
        "mandatory_groups": [LearnerGroup.COUNCILLOR],
        "created_by": persona("partnership_member"),
    }
    values.update(fields)
    return Course.objects.create(**values)


def _attended(learner: Learner, course: Course, day: datetime.date) -> None:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    session = TrainingSession.objects.create(
        course=course,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        venue="Hall",
        trainer="T",
        places=20,
    )
    Attendance.objects.create(
        session=session,
        learner=learner,
        course=course,
        status=AttendanceStatus.ATTENDED,
        expires_on=queries.expiry_of(course, day),
        booked_by=persona("partnership_member"),
        booked_at=start,
    )
    mark_current_attendances(course_id=course.pk, learner_ids=[learner.pk])


def _councillor(name: str) -> Learner:
    return Learner.objects.create(
        full_name=name, group=LearnerGroup.COUNCILLOR, body="Riverford Council (elected members)"
    )


def test_take_up_counts_in_date_expiring_expired_and_never_trained() -> None:
    course = _course()
    in_date, expiring, expired, never = (_councillor(n) for n in ("A In", "B Soon", "C Old", "D Never"))
    _attended(in_date, course, datetime.date(2025, 6, 1))  # expires 2028
    _attended(expiring, course, datetime.date(2023, 7, 1))  # expires 1 July 2026
    _attended(expired, course, datetime.date(2022, 1, 10))  # expired January 2025
    worker = learner_for_practitioner(persona("social_worker").practitioner)  # never trained
    # Not in scope: a GP (a partner practitioner) is not a social worker or a councillor.
    learner_for_practitioner(persona("gp").practitioner)
    [takeup] = queries.takeup(today=TODAY)
    total = takeup.total
    assert (total.in_date, total.expiring, total.expired, total.never) == (1, 1, 1, 2)
    assert total.total == 5 and total.percent_in_date == 40
    groups = {row.label: (row.total, row.never) for row in takeup.by_group}
    assert groups == {"Elected member (councillor)": (4, 1), "Social worker": (1, 1)}
    organisations = {row.label: row.total for row in takeup.by_organisation}
    assert organisations == {"Riverford Council (elected members)": 4, worker.organisation: 1}
    del never


def test_the_latest_attendance_counts() -> None:
    course = _course()
    councillor = _councillor("E Twice")
    _attended(councillor, course, datetime.date(2020, 1, 1))
    _attended(councillor, course, datetime.date(2025, 1, 1))
    [takeup] = queries.takeup(today=TODAY)
    assert takeup.total.in_date == 1 and takeup.total.expired == 0


def test_a_course_that_does_not_expire_stays_in_date() -> None:
    course = _course(refresher_months=None, mandatory_roles=[], mandatory_agency_kinds=[AgencyKind.SCHOOL])
    dsl = learner_for_practitioner(persona("school_dsl").practitioner)
    _attended(dsl, course, datetime.date(2010, 1, 1))
    [takeup] = queries.takeup(today=TODAY)
    assert (takeup.total.in_date, takeup.total.never) == (1, 0)


def test_overdue_lists_the_expired_and_the_never_trained_never_trained_first() -> None:
    course = _course()
    expired = _councillor("A Expired")
    _attended(expired, course, datetime.date(2022, 1, 10))
    never = _councillor("Z Never")
    fine = _councillor("M Fine")
    _attended(fine, course, datetime.date(2025, 1, 10))
    # A course nobody must take, but whose attendance expires: only those who attended.
    optional = _course(title="Neglect toolkit", mandatory_roles=[], mandatory_groups=[], refresher_months=12)
    _attended(fine, optional, datetime.date(2024, 1, 10))
    overdue = list(queries.overdue_for(course, today=TODAY))
    assert [learner.full_name for learner in overdue] == ["Z Never", "A Expired"]
    assert [learner.full_name for learner in queries.overdue_for(optional, today=TODAY)] == ["M Fine"]
    rows = queries.overdue_rows(queries.refresher_courses(), today=TODAY)
    assert {(r.course, r.learner, r.standing) for r in rows} == {
        ("Multi-agency safeguarding, level 3", "Z Never", "Never trained"),
        ("Multi-agency safeguarding, level 3", "A Expired", "Expired"),
        ("Neglect toolkit", "M Fine", "Expired"),
    }
    del never


def test_my_training_shows_what_i_attended_and_what_is_mandatory_for_me() -> None:
    course = _course()
    worker = persona("social_worker")
    assert queries.my_training(worker, today=TODAY).learner is None
    learner = learner_for_practitioner(worker.practitioner)
    _attended(learner, course, datetime.date(2023, 7, 1))
    mine = queries.my_training(worker, today=TODAY)
    assert [a.course_id for a in mine.attendances] == [course.pk]
    [due] = mine.mandatory
    assert (due.course, due.standing, due.expires_on) == (course, "Expiring soon", datetime.date(2026, 7, 1))


def test_an_optional_attendance_that_lapsed_is_not_overdue_for_a_mandatory_course() -> None:
    course = _course(mandatory_roles=[], mandatory_groups=[LearnerGroup.COUNCILLOR])
    worker = learner_for_practitioner(persona("social_worker").practitioner)
    _attended(worker, course, datetime.date(2020, 1, 1))  # took it though not a councillor
    assert list(queries.overdue_for(course, today=TODAY)) == []
