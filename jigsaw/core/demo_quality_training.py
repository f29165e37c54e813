"""The demo authority's safeguarding training offer and its take-up.

`write_training` runs after the agencies and staff exist. It writes seven courses (the
multi-agency course every social care worker and front-line partner must have, the
councillors' mandatory awareness session, governor training, designated safeguarding
lead training, and single-agency and optional courses), sessions from three years ago to
four months ahead, the learners (every member of the demo's staff, linked to their
practitioner record; Riverford's councillors; each school's governors; voluntary sector
volunteers), and their attendance: most are in date, some are expiring, some have let a
refresher lapse and some have never been trained, with bookings on the coming sessions.

The oldest sessions are three years back (not two) so that the two- and three-year
refreshers have had time to lapse. Everything is synthetic; the same seed on the same
day gives the same training.
"""

from __future__ import annotations

import dataclasses
import datetime
import random
from collections import defaultdict

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from jigsaw.access.roles import Role
from jigsaw.casework.timescales import add_months
from jigsaw.core.demo import CSC, TOWN, DemoGenerator
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
from jigsaw.quality.queries.training import expiry_of

COUNCIL = f"{TOWN} City Council (elected members)"
COUNCILLORS = 51
GOVERNORS_PER_SCHOOL = 7
VOLUNTEERS = 24
HISTORY_MONTHS = 36
AHEAD_MONTHS = 4
DEMO_WORKER = "social_worker"


@dataclasses.dataclass(frozen=True)
class PlannedCourse:
    title: str
    kind: str
    refresher_months: int | None
    every_months: int
    venue: str
    trainer: str
    description: str
    agency: str | None = None
    groups: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    agency_kinds: tuple[str, ...] = ()
    # Of those it is mandatory for (or, for an optional course, of the staff), how many took it.
    reach: float = 0.8


SOCIAL_CARE = (Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.FRONT_DOOR_OFFICER, Role.CONFERENCE_CHAIR)
FRONT_LINE = (
    AgencyKind.POLICE,
    AgencyKind.ACUTE_HEALTH,
    AgencyKind.HEALTH_VISITING,
    AgencyKind.GP_PRACTICE,
)

COURSES = [
    PlannedCourse(
        "Working together to safeguard children (multi-agency, level 3)",
        CourseKind.MULTI_AGENCY,
        36,
        2,
        f"{TOWN} Safeguarding Partnership Training Centre, Mill Lane",
        "Partnership training officer",
        "Thresholds, information sharing, referral and escalation, strategy discussions and "
        "conferences: the whole child protection journey, taught across agencies.",
        roles=SOCIAL_CARE,
        agency_kinds=FRONT_LINE,
        reach=0.85,
    ),
    PlannedCourse(
        "Safeguarding awareness for elected members",
        CourseKind.COUNCILLOR_AWARENESS,
        24,
        6,
        f"{TOWN} Town Hall, Committee Room 2",
        "Director of children's services",
        "Councillors' corporate parenting and safeguarding responsibilities, and the questions "
        "to ask of performance reports.",
        groups=(LearnerGroup.COUNCILLOR,),
        reach=0.75,
    ),
    PlannedCourse(
        "Safeguarding for school governors",
        CourseKind.GOVERNOR,
        36,
        4,
        "Online",
        "Education safeguarding adviser",
        "The governing board's duties, the single central record, safer recruitment and "
        "holding the designated safeguarding lead to account.",
        groups=(LearnerGroup.SCHOOL_GOVERNOR,),
        reach=0.7,
    ),
    PlannedCourse(
        "Designated safeguarding lead: child protection in education",
        CourseKind.MULTI_AGENCY,
        24,
        3,
        f"{TOWN} Teachers' Centre",
        "Education safeguarding adviser",
        "For designated safeguarding leads and deputies in schools and early years settings.",
        agency_kinds=(AgencyKind.SCHOOL, AgencyKind.EARLY_YEARS),
        reach=0.8,
    ),
    PlannedCourse(
        "Recording, chronologies and case summaries",
        CourseKind.SINGLE_AGENCY,
        None,
        4,
        "Civic Centre, Training Room 1",
        "Principal social worker",
        "Recording that a child could read, a chronology that shows patterns, and summaries a "
        "new worker can act on.",
        agency=CSC,
        roles=(Role.SOCIAL_WORKER, Role.FRONT_DOOR_OFFICER),
        reach=0.9,
    ),
    PlannedCourse(
        "Reflective case supervision for managers",
        CourseKind.SINGLE_AGENCY,
        36,
        6,
        "Civic Centre, Training Room 1",
        "Principal social worker",
        "Supervision that challenges and supports: analysis of risk, drift and the child's lived experience.",
        agency=CSC,
        roles=(Role.TEAM_MANAGER,),
        reach=0.8,
    ),
    PlannedCourse(
        "Recognising and responding to neglect",
        CourseKind.MULTI_AGENCY,
        36,
        3,
        f"{TOWN} Safeguarding Partnership Training Centre, Mill Lane",
        "Partnership training officer",
        "Using the graded care profile with families; the cumulative harm of neglect.",
        reach=0.3,
    ),
]


@dataclasses.dataclass
class TrainingCounts:
    courses: int = 0
    sessions: int = 0
    learners: int = 0
    attendances: int = 0

    def summary(self) -> str:
        return (
            f"Training: {self.courses} courses, {self.sessions} sessions, {self.learners:,} learners "
            f"and {self.attendances:,} bookings and attendances."
        )


def _mandatory(course: PlannedCourse, learner: Learner, kinds: dict[int, str]) -> bool:
    if learner.group in course.groups or (learner.role and learner.role in course.roles):
        return True
    return (
        learner.group == LearnerGroup.STAFF and kinds.get(learner.agency_id or 0, "") in course.agency_kinds
    )


def _may_choose(course: PlannedCourse, learner: Learner, agencies: dict[str, Agency]) -> bool:
    """Whether a learner would take a course that is not mandatory for them: staff take a
    multi-agency course open to all staff, or a single-agency course of their own agency."""
    if learner.group != LearnerGroup.STAFF or course.groups:
        return False
    if course.agency is not None:
        return learner.agency_id == agencies[course.agency].pk
    return course.kind == CourseKind.MULTI_AGENCY and not course.agency_kinds


def write_training(*, seed: int, today: datetime.date) -> TrainingCounts:
    counts = TrainingCounts()
    rng = random.Random(seed + 17)  # noqa: S311 - synthetic demo data, not security  # nosec B311
    names = DemoGenerator(seed + 17, today=today)
    agencies = {a.name: a for a in Agency.objects.all()}
    owner = (
        User.objects.filter(username=Role.PARTNERSHIP_MEMBER).first()
        or User.objects.filter(practitioner__isnull=False).order_by("pk").first()
    )
    if owner is None or CSC not in agencies:
        return counts
    kinds = {a.pk: a.kind for a in agencies.values()}
    with transaction.atomic():
        courses = Course.objects.bulk_create(
            [
                Course(
                    title=c.title,
                    kind=c.kind,
                    description=c.description,
                    agency=agencies.get(c.agency) if c.agency else None,
                    refresher_months=c.refresher_months,
                    mandatory_groups=list(c.groups),
                    mandatory_roles=list(c.roles),
                    mandatory_agency_kinds=list(c.agency_kinds),
                    created_by=owner,
                )
                for c in COURSES
            ]
        )
        # Sessions: regularly from three years back to four months ahead, 9:30 on a weekday.
        sessions: list[TrainingSession] = []
        for plan, course in zip(COURSES, courses, strict=True):
            month = -HISTORY_MONTHS + rng.randint(0, plan.every_months - 1)
            while month <= AHEAD_MONTHS:
                day = add_months(today.replace(day=1), month) + datetime.timedelta(days=rng.randint(2, 24))
                day += datetime.timedelta(days=(7 - day.weekday()) % 7 if day.weekday() > 4 else 0)
                evening = plan.kind == CourseKind.COUNCILLOR_AWARENESS
                start = timezone.make_aware(
                    datetime.datetime.combine(day, datetime.time(18, 0) if evening else datetime.time(9, 30))
                )
                online = plan.venue == "Online"
                sessions.append(
                    TrainingSession(
                        course=course,
                        starts_at=start,
                        ends_at=start + datetime.timedelta(hours=2 if evening else 3),
                        online=online,
                        venue="" if online else plan.venue,
                        trainer=plan.trainer,
                        places=1,  # set below, once the bookings are known
                    )
                )
                month += plan.every_months
        # Learners: the staff (linked to their records), councillors, governors, volunteers.
        learners: list[Learner] = [
            Learner(
                full_name=p.full_name,
                group=LearnerGroup.STAFF,
                agency_id=p.agency_id,
                role=p.role,
                job_title=p.job_title,
                practitioner=p,
            )
            for p in Practitioner.objects.filter(agency__in=agencies.values()).order_by("pk")
        ]
        learners += [
            Learner(
                full_name=f"Councillor {names.practitioner_name()}",
                group=LearnerGroup.COUNCILLOR,
                body=COUNCIL,
            )
            for _ in range(COUNCILLORS)
        ]
        for school in sorted(
            (a for a in agencies.values() if a.kind == AgencyKind.SCHOOL), key=lambda a: a.name
        ):
            learners += [
                Learner(
                    full_name=names.practitioner_name(),
                    group=LearnerGroup.SCHOOL_GOVERNOR,
                    body=f"{school.name} governing board",
                    job_title="Chair of governors" if n == 0 else "Governor",
                )
                for n in range(GOVERNORS_PER_SCHOOL)
            ]
        voluntary = next((a for a in agencies.values() if a.kind == AgencyKind.VOLUNTARY_SECTOR), None)
        learners += [
            Learner(
                full_name=names.practitioner_name(),
                group=LearnerGroup.VOLUNTEER,
                agency=voluntary,
                body="" if voluntary else f"{TOWN} volunteers",
                job_title="Volunteer family mentor",
            )
            for _ in range(VOLUNTEERS)
        ]
        learners = Learner.objects.bulk_create(learners, batch_size=1000)
        sessions = TrainingSession.objects.bulk_create(sessions, batch_size=1000)
        by_course: dict[int, list[TrainingSession]] = defaultdict(list)
        for s in sessions:
            by_course[s.course_id].append(s)
        now = timezone.now()
        demo_worker = next(
            (
                learner
                for learner in learners
                if learner.practitioner is not None
                and getattr(learner.practitioner.user, "username", "") == DEMO_WORKER
            ),
            None,
        )
        attendances: list[Attendance] = []
        for plan, course in zip(COURSES, courses, strict=True):
            past = [s for s in by_course[course.pk] if s.starts_at < now]
            future = [s for s in by_course[course.pk] if s.starts_at >= now]
            for learner in learners:
                mandatory = _mandatory(plan, learner, kinds)
                if not mandatory and not (
                    _may_choose(plan, learner, agencies) and rng.random() < plan.reach / 2
                ):
                    continue
                took = past and (learner is demo_worker or rng.random() < plan.reach)
                if took:
                    if learner is demo_worker and plan.refresher_months:
                        # The demo social worker's refresher falls due in a few weeks.
                        target = add_months(today, -plan.refresher_months + 1)
                        session = min(
                            past, key=lambda s: abs((timezone.localdate(s.starts_at) - target).days)
                        )
                    else:
                        session = rng.choice(past)
                    day = timezone.localdate(session.starts_at)
                    if rng.random() < 0.05:  # missed a first booking
                        attendances.append(
                            _row(session, learner, course, AttendanceStatus.DID_NOT_ATTEND, None, owner, now)
                        )
                    attendances.append(
                        _row(
                            session,
                            learner,
                            course,
                            AttendanceStatus.ATTENDED,
                            expiry_of(course, day),
                            owner,
                            now,
                        )
                    )
                    expires = expiry_of(course, day)
                    lapsing = expires is not None and expires <= add_months(today, AHEAD_MONTHS)
                    if future and lapsing and rng.random() < 0.5:
                        attendances.append(
                            _row(
                                rng.choice(future), learner, course, AttendanceStatus.BOOKED, None, owner, now
                            )
                        )
                elif future and mandatory and rng.random() < 0.3:
                    status = AttendanceStatus.CANCELLED if rng.random() < 0.1 else AttendanceStatus.BOOKED
                    attendances.append(_row(rng.choice(future), learner, course, status, None, owner, now))
        # One row per learner and session (a learner booked twice on one session keeps the first).
        seen: set[tuple[int, int]] = set()
        unique = []
        for a in attendances:
            key = (a.session.pk, a.learner.pk)
            if key not in seen:
                seen.add(key)
                unique.append(a)
        # Each learner's latest attended session of a course is their current one.
        latest: dict[tuple[int, int], Attendance] = {}
        for a in unique:
            if a.status == AttendanceStatus.ATTENDED:
                key = (a.learner.pk, a.course.pk)
                if key not in latest or latest[key].session.starts_at < a.session.starts_at:
                    latest[key] = a
        for a in latest.values():
            a.current = True
        Attendance.objects.bulk_create(unique, batch_size=2000)
        taken: dict[int, int] = defaultdict(int)
        for a in unique:
            if a.status != AttendanceStatus.CANCELLED:
                taken[a.session.pk] += 1
        for s in sessions:
            s.places = max(taken[s.pk] + rng.randint(0, 6), 12)
        TrainingSession.objects.bulk_update(sessions, ["places"], batch_size=1000)
    counts.courses = len(courses)
    counts.sessions = len(sessions)
    counts.learners = len(learners)
    counts.attendances = len(unique)
    return counts


def _row(
    session: TrainingSession,
    learner: Learner,
    course: Course,
    status: str,
    expires_on: datetime.date | None,
    by: User,
    now: datetime.datetime,
) -> Attendance:
    recorded = status in (AttendanceStatus.ATTENDED, AttendanceStatus.DID_NOT_ATTEND)
    return Attendance(
        session=session,
        learner=learner,
        course=course,
        status=status,
        expires_on=expires_on,
        booked_by=by,
        booked_at=min(session.starts_at - datetime.timedelta(days=21), now),
        recorded_by=by if recorded else None,
        recorded_at=session.ends_at if recorded else None,
    )


def delete_training() -> None:
    """Delete the training offer, its learners and their attendance (a demo reset; the
    learners point at the staff and agencies a reset removes)."""
    Attendance.objects.all().delete()
    TrainingSession.objects.all().delete()
    Learner.objects.all().delete()
    Course.objects.all().delete()
