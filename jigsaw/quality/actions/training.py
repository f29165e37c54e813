"""The only code that changes training records.

Working Together to Safeguard Children asks the safeguarding partners to see that the
children's workforce is trained and that its training is kept up to date; Lord Laming's
progress report (2009) asked that councillors and school governors have safeguarding
training too. Here the partnership's business unit (or an administrator) keeps the
offer: courses (who each is mandatory for, when it must be refreshed), sessions, the
learners (staff, councillors, governors; Jigsaw's own practitioners are picked, not
retyped), bookings, and the attendance of a whole session recorded at once.

Each action checks permission, validates in the user's words, writes in one transaction
with its access-log row, and refuses a stale form (the version column) on the records
two people may edit at once (a course, a session's bookings and attendance).
"""

from __future__ import annotations

import dataclasses
import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import AnyUser, Permission
from jigsaw.access.roles import Role
from jigsaw.casework.actions.common import EditConflict, acting_user, check_version
from jigsaw.partners.models import Agency, AgencyKind, Practitioner
from jigsaw.quality.models.training import (
    Attendance,
    AttendanceStatus,
    Course,
    CourseKind,
    Learner,
    LearnerGroup,
    TrainingSession,
)
from jigsaw.quality.queries.training import TAKING_A_PLACE, expiry_of

__all__ = [
    "CourseDetails",
    "EditConflict",
    "LearnerDetails",
    "SessionDetails",
    "add_learner",
    "add_session",
    "book_learners",
    "learner_for_practitioner",
    "mark_current_attendances",
    "record_attendance",
    "save_course",
]

MAX_REFRESHER_MONTHS = 120


@dataclasses.dataclass(frozen=True)
class CourseDetails:
    title: str
    kind: str
    description: str = ""
    agency_id: int | None = None
    refresher_months: int | None = None
    mandatory_groups: tuple[str, ...] = ()
    mandatory_roles: tuple[str, ...] = ()
    mandatory_agency_kinds: tuple[str, ...] = ()


def _course_errors(details: CourseDetails) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not details.title.strip():
        errors["title"] = "Enter the course title"
    if details.kind not in CourseKind.values:
        errors["kind"] = "Choose what kind of course it is"
    if details.kind == CourseKind.SINGLE_AGENCY and details.agency_id is None:
        errors["agency"] = "Choose the agency that offers this single-agency course"
    if details.agency_id is not None and not Agency.objects.filter(pk=details.agency_id).exists():
        errors["agency"] = "Choose the agency from the list"
    if details.refresher_months is not None and not 1 <= details.refresher_months <= MAX_REFRESHER_MONTHS:
        errors["refresher_months"] = (
            f"Enter a refresher period between 1 and {MAX_REFRESHER_MONTHS} months, or leave it empty"
        )
    if any(g not in LearnerGroup.values for g in details.mandatory_groups):
        errors["mandatory_groups"] = "Choose groups from the list"
    if any(r not in Role.values for r in details.mandatory_roles):
        errors["mandatory_roles"] = "Choose roles from the list"
    if any(k not in AgencyKind.values for k in details.mandatory_agency_kinds):
        errors["mandatory_agency_kinds"] = "Choose kinds of agency from the list"
    return errors


@transaction.atomic
def save_course(
    *,
    actor: AnyUser,
    details: CourseDetails,
    course_id: int | None = None,
    expected_version: int | None = None,
) -> Course:
    """Add a course to the offer, or change one (refused if someone else changed it since
    the form was opened). A change of refresher period moves the expiry of every
    attendance of the course, so take-up reads the period in force."""
    user = acting_user(actor, Permission.MANAGE_TRAINING)
    errors = _course_errors(details)
    if errors:
        raise ValidationError(errors)
    if course_id is None:
        course = Course(created_by=user)
    else:
        found = Course.objects.select_for_update().filter(pk=course_id).first()
        if found is None:
            raise Http404("No such course")
        course = found
        check_version(course, expected_version if expected_version is not None else -1, "course")
    refresher_changed = course.pk is not None and course.refresher_months != details.refresher_months
    course.title = details.title.strip()
    course.kind = details.kind
    course.description = details.description.strip()
    course.agency_id = details.agency_id
    course.refresher_months = details.refresher_months
    course.mandatory_groups = sorted(set(details.mandatory_groups))
    course.mandatory_roles = sorted(set(details.mandatory_roles))
    course.mandatory_agency_kinds = sorted(set(details.mandatory_agency_kinds))
    course.save()
    if refresher_changed:
        attended = list(
            Attendance.objects.filter(course=course, status=AttendanceStatus.ATTENDED).select_related(
                "session"
            )
        )
        for attendance in attended:
            attendance.expires_on = expiry_of(course, timezone.localdate(attendance.session.starts_at))
        Attendance.objects.bulk_update(attended, ["expires_on"], batch_size=1000)
    record_access(
        user=user,
        action="add_course" if course_id is None else "change_course",
        record=course,
        detail={"refresher_months": course.refresher_months, "mandatory": course.is_mandatory},
    )
    return course


@dataclasses.dataclass(frozen=True)
class SessionDetails:
    day: datetime.date | None
    starts: datetime.time | None
    ends: datetime.time | None
    online: bool
    venue: str
    trainer: str
    places: int | None


@transaction.atomic
def add_session(*, actor: AnyUser, course_id: int, details: SessionDetails) -> TrainingSession:
    """Add a session of a course: when, where (a venue, or online), who trains, how many places."""
    user = acting_user(actor, Permission.MANAGE_TRAINING)
    course = Course.objects.filter(pk=course_id, active=True).first()
    if course is None:
        raise Http404("No such course")
    errors: dict[str, str] = {}
    if details.day is None:
        errors["day"] = "Enter the date of the session"
    if details.starts is None:
        errors["starts"] = "Enter the time the session starts, for example 9:30"
    if details.ends is None:
        errors["ends"] = "Enter the time the session ends, for example 12:30"
    elif details.starts is not None and details.ends <= details.starts:
        errors["ends"] = "The session must end after it starts"
    if not details.online and not details.venue.strip():
        errors["venue"] = "Enter the venue, or say the session is online"
    if not details.trainer.strip():
        errors["trainer"] = "Enter who is training"
    if details.places is None or details.places < 1:
        errors["places"] = "Enter the number of places, 1 or more"
    if errors:
        raise ValidationError(errors)
    assert details.day and details.starts and details.ends and details.places
    session = TrainingSession.objects.create(
        course=course,
        starts_at=timezone.make_aware(datetime.datetime.combine(details.day, details.starts)),
        ends_at=timezone.make_aware(datetime.datetime.combine(details.day, details.ends)),
        online=details.online,
        venue="" if details.online else details.venue.strip(),
        trainer=details.trainer.strip(),
        places=details.places,
    )
    record_access(user=user, action="add_training_session", record=session, detail={"course": course.pk})
    return session


@dataclasses.dataclass(frozen=True)
class LearnerDetails:
    full_name: str
    group: str
    agency_id: int | None = None
    body: str = ""
    role: str = ""
    job_title: str = ""


@transaction.atomic
def add_learner(*, actor: AnyUser, details: LearnerDetails) -> Learner:
    """Add someone who does not sign in to Jigsaw (a councillor, a governor, a member of
    staff of a partner agency). Jigsaw's own practitioners are picked when booking."""
    user = acting_user(actor, Permission.MANAGE_TRAINING)
    errors: dict[str, str] = {}
    if not details.full_name.strip():
        errors["full_name"] = "Enter the learner's full name"
    if details.group not in LearnerGroup.values:
        errors["group"] = "Choose the learner's group"
    if details.agency_id is not None and not Agency.objects.filter(pk=details.agency_id).exists():
        errors["agency"] = "Choose the agency from the list"
    if details.agency_id is None and not details.body.strip():
        errors["body"] = "Enter the body the learner belongs to, or choose their agency"
    if details.group == LearnerGroup.STAFF and details.agency_id is None:
        errors["agency"] = "Choose the agency this member of staff works for"
    if details.role and details.role not in Role.values:
        errors["role"] = "Choose the role from the list"
    if errors:
        raise ValidationError(errors)
    learner = Learner.objects.create(
        full_name=details.full_name.strip(),
        group=details.group,
        agency_id=details.agency_id,
        body=details.body.strip(),
        role=details.role,
        job_title=details.job_title.strip(),
    )
    record_access(user=user, action="add_learner", record=learner, detail={"group": learner.group})
    return learner


def learner_for_practitioner(practitioner: Practitioner) -> Learner:
    """The learner a practitioner is (made from their record the first time), so nobody
    types in again what Jigsaw knows. Runs in the caller's transaction."""
    learner, _ = Learner.objects.get_or_create(
        practitioner=practitioner,
        defaults={
            "full_name": practitioner.full_name,
            "group": LearnerGroup.STAFF,
            "agency_id": practitioner.agency_id,
            "role": practitioner.role,
            "job_title": practitioner.job_title,
        },
    )
    return learner


def mark_current_attendances(*, course_id: int, learner_ids: list[int]) -> None:
    """Mark each learner's latest attended session of the course as their current one
    (the one take-up reads), in the caller's transaction."""
    Attendance.objects.filter(course_id=course_id, learner_id__in=learner_ids, current=True).update(
        current=False
    )
    latest: dict[int, int] = {}
    for pk, learner_id in (
        Attendance.objects.filter(
            course_id=course_id, learner_id__in=learner_ids, status=AttendanceStatus.ATTENDED
        )
        .order_by("learner_id", "-session__starts_at", "-pk")
        .values_list("pk", "learner_id")
    ):
        latest.setdefault(learner_id, pk)
    Attendance.objects.filter(pk__in=list(latest.values())).update(current=True)


def _locked_session(session_id: int) -> TrainingSession:
    session = (
        TrainingSession.objects.select_for_update().select_related("course").filter(pk=session_id).first()
    )
    if session is None:
        raise Http404("No such session")
    return session


@transaction.atomic
def book_learners(
    *,
    actor: AnyUser,
    session_id: int,
    expected_version: int,
    learner_ids: list[int],
    practitioner_ids: list[int] | None = None,
) -> list[Attendance]:
    """Book learners (and practitioners, who become learners) on a session, up to its
    places. Those already booked are left as they are; the whole booking is refused if it
    would overfill the session."""
    user = acting_user(actor, Permission.MANAGE_TRAINING)
    session = _locked_session(session_id)
    check_version(session, expected_version, "session")
    chosen = list(Learner.objects.filter(pk__in=learner_ids, active=True))
    if len(chosen) != len(set(learner_ids)):
        raise ValidationError({"learners": "Choose learners from the list"})
    practitioner_ids = practitioner_ids or []
    practitioners = list(Practitioner.objects.filter(pk__in=practitioner_ids))
    if len(practitioners) != len(set(practitioner_ids)):
        raise ValidationError({"learners": "Choose learners from the list"})
    chosen += [learner_for_practitioner(p) for p in practitioners]
    if not chosen:
        raise ValidationError({"learners": "Choose at least one person to book"})
    already = set(Attendance.objects.filter(session=session).values_list("learner_id", flat=True))
    new = [learner for learner in {c.pk: c for c in chosen}.values() if learner.pk not in already]
    taken = Attendance.objects.filter(session=session, status__in=TAKING_A_PLACE).count()
    left = session.places - taken
    if len(new) > left:
        raise ValidationError(
            {
                "learners": f"There {'is' if left == 1 else 'are'} only {left} place{'' if left == 1 else 's'} left on this session"
            }
        )
    now = timezone.now()
    booked = Attendance.objects.bulk_create(
        [
            Attendance(session=session, learner=learner, course=session.course, booked_by=user, booked_at=now)
            for learner in new
        ]
    )
    session.save(update_fields=["version"])
    record_access(
        user=user, action="book_training", record=session, detail={"booked": [learner.pk for learner in new]}
    )
    return booked


@transaction.atomic
def record_attendance(
    *, actor: AnyUser, session_id: int, expected_version: int, outcomes: dict[int, str]
) -> TrainingSession:
    """Record a whole session's attendance at once: for each booking, attended, did not
    attend, or cancelled. Attendance is recorded once the session has started; an
    attendance of a course with a refresher period expires that many months after it."""
    user = acting_user(actor, Permission.MANAGE_TRAINING)
    session = _locked_session(session_id)
    check_version(session, expected_version, "session")
    bookings = {a.learner_id: a for a in Attendance.objects.filter(session=session)}
    errors: dict[str, str] = {}
    if any(status not in AttendanceStatus.values for status in outcomes.values()):
        errors["__all__"] = "Choose attended, did not attend or cancelled for each person"
    if any(learner_id not in bookings for learner_id in outcomes):
        errors["__all__"] = "Record attendance only for people booked on this session"
    started = session.starts_at <= timezone.now()
    if not started and any(
        s in (AttendanceStatus.ATTENDED, AttendanceStatus.DID_NOT_ATTEND) for s in outcomes.values()
    ):
        errors["__all__"] = (
            "Attendance can be recorded once the session has started; before then, only cancel"
        )
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    day = timezone.localdate(session.starts_at)
    changed = []
    for learner_id, status in outcomes.items():
        attendance = bookings[learner_id]
        if attendance.status == status:
            continue
        attendance.status = status
        attendance.expires_on = (
            expiry_of(session.course, day) if status == AttendanceStatus.ATTENDED else None
        )
        attendance.recorded_by = user
        attendance.recorded_at = now
        attendance.current = False  # worked out again below
        changed.append(attendance)
    Attendance.objects.bulk_update(changed, ["status", "expires_on", "recorded_by", "recorded_at", "current"])
    mark_current_attendances(course_id=session.course_id, learner_ids=[a.learner_id for a in changed])
    session.save(update_fields=["version"])
    counts: dict[str, int] = {}
    for status in outcomes.values():
        counts[status] = counts.get(status, 0) + 1
    record_access(user=user, action="record_training_attendance", record=session, detail=counts)
    return session
