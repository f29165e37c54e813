"""Courses, sessions, learners, bookings and a whole session's attendance: who may, what
is refused in the user's words, the version checks and the access-log rows."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jigsaw.access.models import AccessLogEntry
from jigsaw.casework.actions.common import EditConflict
from jigsaw.quality.actions.training import (
    CourseDetails,
    LearnerDetails,
    SessionDetails,
    add_learner,
    add_session,
    book_learners,
    record_attendance,
    save_course,
)
from jigsaw.quality.models.training import (
    Attendance,
    AttendanceStatus,
    Course,
    CourseKind,
    Learner,
    LearnerGroup,
)
from tests.factories import persona

pytestmark = pytest.mark.django_db

AWARENESS = CourseDetails(
    title="Safeguarding awareness for elected members",
    kind=CourseKind.COUNCILLOR_AWARENESS,
    refresher_months=24,
    mandatory_groups=(LearnerGroup.COUNCILLOR,),
)


def _course() -> Course:
    return save_course(actor=persona("partnership_member"), details=AWARENESS)


def _session(course: Course, day: datetime.date, places: int = 2) -> int:
    session = add_session(
        actor=persona("partnership_member"),
        course_id=course.pk,
        details=SessionDetails(
            day=day,
            starts=datetime.time(18, 0),
            ends=datetime.time(20, 0),
            online=False,
            venue="Riverford Town Hall, Committee Room 2",
            trainer="Partnership training officer",
            places=places,
        ),
    )
    return session.pk


def _councillor(name: str) -> Learner:
    return add_learner(
        actor=persona("partnership_member"),
        details=LearnerDetails(
            full_name=name, group=LearnerGroup.COUNCILLOR, body="Riverford Council (elected members)"
        ),
    )


def test_the_partnership_adds_a_course_and_changes_it_with_a_version_check() -> None:
    manager = persona("partnership_member")
    course = _course()
    assert course.is_mandatory and course.mandatory_summary() == "Elected member (councillor)"
    entry = AccessLogEntry.objects.get(action="add_course")
    assert (entry.user_id, entry.record_id) == (manager.pk, str(course.pk))
    changed = save_course(
        actor=manager,
        details=CourseDetails(**{**AWARENESS.__dict__, "refresher_months": 36}),
        course_id=course.pk,
        expected_version=course.version,
    )
    assert changed.refresher_months == 36 and changed.version == course.version + 1
    with pytest.raises(EditConflict):
        save_course(actor=manager, details=AWARENESS, course_id=course.pk, expected_version=course.version)


def test_a_course_is_refused_with_reasons() -> None:
    with pytest.raises(ValidationError) as refused:
        save_course(
            actor=persona("administrator"),
            details=CourseDetails(
                title=" ",
                kind=CourseKind.SINGLE_AGENCY,
                refresher_months=0,
                mandatory_roles=("wizard",),
            ),
        )
    assert refused.value.message_dict == {
        "title": ["Enter the course title"],
        "agency": ["Choose the agency that offers this single-agency course"],
        "refresher_months": ["Enter a refresher period between 1 and 120 months, or leave it empty"],
        "mandatory_roles": ["Choose roles from the list"],
    }
    with pytest.raises(PermissionDenied):
        save_course(actor=persona("team_manager"), details=AWARENESS)


def test_a_session_needs_a_venue_or_to_be_online_and_to_end_after_it_starts() -> None:
    course = _course()
    with pytest.raises(ValidationError) as refused:
        add_session(
            actor=persona("partnership_member"),
            course_id=course.pk,
            details=SessionDetails(
                day=None,
                starts=datetime.time(10),
                ends=datetime.time(9),
                online=False,
                venue="",
                trainer="",
                places=0,
            ),
        )
    assert set(refused.value.message_dict) == {"day", "ends", "venue", "trainer", "places"}
    assert refused.value.message_dict["ends"] == ["The session must end after it starts"]


def test_a_practitioner_is_booked_without_being_typed_in_again() -> None:
    course = _course()
    session_id = _session(course, timezone.localdate() + datetime.timedelta(days=10))
    worker = persona("social_worker")
    [booking] = book_learners(
        actor=persona("partnership_member"),
        session_id=session_id,
        expected_version=1,
        learner_ids=[],
        practitioner_ids=[worker.practitioner.pk],
    )
    learner = booking.learner
    assert learner.practitioner == worker.practitioner and learner.full_name == worker.practitioner.full_name
    assert learner.group == LearnerGroup.STAFF and learner.role == "social_worker"
    entry = AccessLogEntry.objects.get(action="book_training")
    assert entry.detail == {"booked": [learner.pk]}


def test_a_booking_may_not_overfill_the_session_or_come_from_a_stale_form() -> None:
    course = _course()
    session_id = _session(course, timezone.localdate() + datetime.timedelta(days=10), places=2)
    people = [_councillor(f"Councillor {name}") for name in ("Ames", "Bhatti", "Cole")]
    manager = persona("partnership_member")
    with pytest.raises(ValidationError) as refused:
        book_learners(
            actor=manager, session_id=session_id, expected_version=1, learner_ids=[p.pk for p in people]
        )
    assert refused.value.message_dict == {"learners": ["There are only 2 places left on this session"]}
    book_learners(actor=manager, session_id=session_id, expected_version=1, learner_ids=[people[0].pk])
    with pytest.raises(EditConflict):
        book_learners(actor=manager, session_id=session_id, expected_version=1, learner_ids=[people[1].pk])
    assert Attendance.objects.count() == 1


def test_a_whole_sessions_attendance_is_recorded_at_once_and_expires_after_the_refresher() -> None:
    course = _course()
    day = datetime.date(2026, 2, 10)
    with time_machine.travel(datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC), tick=False):
        session_id = _session(course, day)
        ames, bhatti = _councillor("Councillor Ames"), _councillor("Councillor Bhatti")
        manager = persona("partnership_member")
        book_learners(
            actor=manager, session_id=session_id, expected_version=1, learner_ids=[ames.pk, bhatti.pk]
        )
        with pytest.raises(ValidationError) as early:
            record_attendance(
                actor=manager,
                session_id=session_id,
                expected_version=2,
                outcomes={ames.pk: AttendanceStatus.ATTENDED},
            )
        assert "once the session has started" in early.value.messages[0]
    with time_machine.travel(datetime.datetime(2026, 2, 11, 9, 0, tzinfo=datetime.UTC), tick=False):
        record_attendance(
            actor=manager,
            session_id=session_id,
            expected_version=2,
            outcomes={ames.pk: AttendanceStatus.ATTENDED, bhatti.pk: AttendanceStatus.DID_NOT_ATTEND},
        )
        with pytest.raises(EditConflict):
            record_attendance(
                actor=manager,
                session_id=session_id,
                expected_version=2,
                outcomes={ames.pk: AttendanceStatus.CANCELLED},
            )
    attended = Attendance.objects.get(learner=ames)
    assert attended.status == AttendanceStatus.ATTENDED and attended.expires_on == datetime.date(2028, 2, 10)
    assert attended.current and not Attendance.objects.get(learner=bhatti).current
    assert Attendance.objects.get(learner=bhatti).expires_on is None
    entry = AccessLogEntry.objects.get(action="record_training_attendance")
    assert entry.detail == {"attended": 1, "did_not_attend": 1}


def test_changing_the_refresher_period_moves_every_expiry() -> None:
    course = _course()
    with time_machine.travel(datetime.datetime(2026, 2, 11, 9, 0, tzinfo=datetime.UTC), tick=False):
        session_id = _session(course, datetime.date(2026, 2, 10))
        ames = _councillor("Councillor Ames")
        manager = persona("partnership_member")
        book_learners(actor=manager, session_id=session_id, expected_version=1, learner_ids=[ames.pk])
        record_attendance(
            actor=manager,
            session_id=session_id,
            expected_version=2,
            outcomes={ames.pk: AttendanceStatus.ATTENDED},
        )
    save_course(
        actor=manager,
        details=CourseDetails(**{**AWARENESS.__dict__, "refresher_months": 12}),
        course_id=course.pk,
        expected_version=course.version,
    )
    assert Attendance.objects.get().expires_on == datetime.date(2027, 2, 10)


def test_a_learner_who_is_not_in_jigsaw_is_added_with_their_body() -> None:
    learner = _councillor("Councillor Devi Okafor")
    assert learner.organisation == "Riverford Council (elected members)"
    with pytest.raises(ValidationError) as refused:
        add_learner(
            actor=persona("partnership_member"),
            details=LearnerDetails(full_name="", group=LearnerGroup.STAFF),
        )
    assert refused.value.message_dict["full_name"] == ["Enter the learner's full name"]
    assert refused.value.message_dict["agency"] == ["Choose the agency this member of staff works for"]
    with pytest.raises(PermissionDenied):
        add_learner(
            actor=persona("analyst"), details=LearnerDetails(full_name="X", group="councillor", body="B")
        )
