"""Read-side of training: a user's own record, the offer (courses and sessions), who is
booked on a session, take-up of each mandatory course by organisation and by role or
group, and who is overdue a refresher.

A learner is *in date* for a course when they attended it and the attendance has not
expired (a course with no refresher period never expires), *expiring* when it expires
within the next 3 months, *expired* when it has, and *never trained* when they have not
attended. Each course's figures come from one grouped query."""

from __future__ import annotations

import dataclasses
import datetime

from django.db.models import BooleanField, Count, ExpressionWrapper, F, FilteredRelation, Q, QuerySet
from django.utils import timezone

from jigsaw.access.policy import AnyUser
from jigsaw.access.roles import Role
from jigsaw.casework.timescales import add_months
from jigsaw.partners.models import Agency, Practitioner
from jigsaw.quality.models.training import (
    Attendance,
    AttendanceStatus,
    Course,
    Learner,
    LearnerGroup,
    TrainingSession,
)

# "Expiring soon" looks this many months ahead.
EXPIRING_MONTHS = 3
SESSIONS_SHOWN = 20
SEARCH_RESULTS = 40
PAGE_SIZE = 50
# Places taken: booked or attended (a cancellation or a no-show frees nothing after the day).
TAKING_A_PLACE = (AttendanceStatus.BOOKED, AttendanceStatus.ATTENDED, AttendanceStatus.DID_NOT_ATTEND)


def expiry_of(course: Course, session_day: datetime.date) -> datetime.date | None:
    if course.refresher_months is None:
        return None
    return add_months(session_day, course.refresher_months)


class Standing:
    IN_DATE = "In date"
    EXPIRING = "Expiring soon"
    EXPIRED = "Expired"
    NEVER = "Never trained"


def standing(*, trained: bool, expires_on: datetime.date | None, today: datetime.date) -> str:
    if not trained:
        return Standing.NEVER
    if expires_on is None:
        return Standing.IN_DATE
    if expires_on < today:
        return Standing.EXPIRED
    if expires_on <= add_months(today, EXPIRING_MONTHS):
        return Standing.EXPIRING
    return Standing.IN_DATE


def _with_training(learners: QuerySet[Learner], course: Course) -> QuerySet[Learner]:
    """Learners joined to their current attendance of the course (their latest attended
    session; none if they never attended), with whether they were trained (`trained`)
    and when it expires (`expires`; null when it never does, or when never trained)."""
    return learners.annotate(
        latest=FilteredRelation(
            "attendances", condition=Q(attendances__course=course, attendances__current=True)
        )
    ).annotate(
        trained=ExpressionWrapper(Q(latest__id__isnull=False), output_field=BooleanField()),
        expires=F("latest__expires_on"),
    )


# Conditions on `_with_training`'s annotations, not on the relation: filtering on
# `latest__...` would join the attendance table a second time.
def _never() -> Q:
    return Q(trained=False)


def _expired(today: datetime.date) -> Q:
    return Q(expires__lt=today)


# --- your own record ----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Due:
    course: Course
    standing: str
    expires_on: datetime.date | None


@dataclasses.dataclass(frozen=True)
class MyTraining:
    learner: Learner | None
    attendances: list[Attendance]
    mandatory: list[Due]


def learner_of(user: AnyUser) -> Learner | None:
    practitioner = getattr(user, "practitioner", None)
    if practitioner is None:
        return None
    return Learner.objects.filter(practitioner=practitioner).select_related("agency").first()


def my_training(user: AnyUser, *, today: datetime.date) -> MyTraining:
    """The user's own training: what they attended or are booked on, when it expires, and
    each course that is mandatory for them with where they stand."""
    learner = learner_of(user)
    if learner is None:
        return MyTraining(None, [], [])
    attendances = list(
        Attendance.objects.filter(learner=learner)
        .select_related("session__course")
        .order_by("-session__starts_at")[:100]
    )
    current = dict(
        Attendance.objects.filter(learner=learner, current=True).values_list("course_id", "expires_on")
    )
    mandatory = []
    for course in mandatory_courses():
        if not course.is_mandatory_for(learner):
            continue
        trained = course.pk in current
        expiry = current.get(course.pk)
        mandatory.append(Due(course, standing(trained=trained, expires_on=expiry, today=today), expiry))
    return MyTraining(learner, attendances, mandatory)


# --- the offer ------------------------------------------------------------------------


def mandatory_courses() -> list[Course]:
    return [
        c
        for c in Course.objects.filter(active=True).select_related("agency").order_by("title")
        if c.is_mandatory
    ]


def courses() -> QuerySet[Course]:
    return (
        Course.objects.filter(active=True)
        .select_related("agency")
        .annotate(session_count=Count("sessions"))
        .order_by("title")
    )


def _with_places(sessions: QuerySet[TrainingSession]) -> QuerySet[TrainingSession]:
    taken = Count("attendances", filter=Q(attendances__status__in=TAKING_A_PLACE))
    return sessions.annotate(taken=taken, places_left=F("places") - taken)


def upcoming_sessions(*, now: datetime.datetime | None = None) -> list[TrainingSession]:
    now = now or timezone.now()
    return list(
        _with_places(TrainingSession.objects.filter(starts_at__gte=now))
        .select_related("course")
        .order_by("starts_at")[:SESSIONS_SHOWN]
    )


def sessions_of(course: Course) -> list[TrainingSession]:
    return list(_with_places(course.sessions.all()).order_by("-starts_at")[:100])


def session_with_places(pk: int) -> TrainingSession | None:
    return _with_places(TrainingSession.objects.filter(pk=pk)).select_related("course").first()


def attendances_of(session: TrainingSession) -> list[Attendance]:
    return list(
        Attendance.objects.filter(session=session)
        .select_related("learner__agency")
        .order_by("learner__full_name", "pk")
    )


@dataclasses.dataclass(frozen=True)
class Bookable:
    learners: list[Learner]
    practitioners: list[Practitioner]


def bookable(session: TrainingSession, query: str) -> Bookable:
    """Learners and Jigsaw practitioners (who need not be typed in again) whose name
    contains `query`, who are not yet booked on the session."""
    query = query.strip()
    if len(query) < 2:
        return Bookable([], [])
    booked = Attendance.objects.filter(session=session).values("learner_id")
    learners = list(
        Learner.objects.filter(active=True, full_name__icontains=query)
        .exclude(pk__in=booked)
        .select_related("agency")
        .order_by("full_name")[:SEARCH_RESULTS]
    )
    practitioners = list(
        Practitioner.objects.filter(full_name__icontains=query, learner__isnull=True)
        .select_related("agency")
        .order_by("full_name")[:SEARCH_RESULTS]
    )
    return Bookable(learners, practitioners)


def learners(query: str = "") -> QuerySet[Learner]:
    found = Learner.objects.filter(active=True).select_related("agency")
    if query.strip():
        found = found.filter(full_name__icontains=query.strip())
    return found.order_by("full_name", "pk")


# --- take-up --------------------------------------------------------------------------


@dataclasses.dataclass
class TakeUp:
    label: str
    in_date: int = 0
    expiring: int = 0
    expired: int = 0
    never: int = 0

    @property
    def total(self) -> int:
        return self.in_date + self.expiring + self.expired + self.never

    @property
    def percent_in_date(self) -> int:
        """In date, counting those whose training expires soon (it has not yet)."""
        return round(100 * (self.in_date + self.expiring) / self.total) if self.total else 0

    def add(self, other: TakeUp) -> None:
        self.in_date += other.in_date
        self.expiring += other.expiring
        self.expired += other.expired
        self.never += other.never


@dataclasses.dataclass(frozen=True)
class CourseTakeUp:
    course: Course
    total: TakeUp
    by_organisation: list[TakeUp]
    by_group: list[TakeUp]


def group_label(group: str, role: str) -> str:
    """A learner's role or group as take-up reports it: a Jigsaw role for staff who have
    one, else their group."""
    if group == LearnerGroup.STAFF and role in Role.values:
        return str(Role(role).label)
    return str(LearnerGroup(group).label) if group in LearnerGroup.values else group


# The learners' columns the mandatory rules and the take-up tables read.
Key = tuple[int | None, str, str, str]  # agency, body, group, role


def _in_scope(course: Course, key: Key, kinds: dict[int, str]) -> bool:
    """`Course.mandatory_for`, for a group of learners who share these columns."""
    agency_id, _body, group, role = key
    if group in course.mandatory_groups or (role and role in course.mandatory_roles):
        return True
    return group == LearnerGroup.STAFF and kinds.get(agency_id or 0, "") in course.mandatory_agency_kinds


def _takeup_rows(
    course_list: list[Course], *, today: datetime.date
) -> tuple[dict[Key, int], dict[tuple[int, Key], tuple[int, int, int]], dict[int, tuple[str, str]]]:
    """Three grouped queries whatever the number of learners and courses: the active
    learners by agency, body, group and role; their current attendances of these courses
    by the same columns (trained, expired, expiring); and the agencies' names and kinds."""
    population: dict[Key, int] = {
        (a, b, g, r): n
        for a, b, g, r, n in Learner.objects.filter(active=True)
        .order_by()
        .values("agency_id", "body", "group", "role")
        .annotate(n=Count("pk"))
        .values_list("agency_id", "body", "group", "role", "n")
    }
    soon = add_months(today, EXPIRING_MONTHS)
    trained: dict[tuple[int, Key], tuple[int, int, int]] = {}
    for course_id, a, b, g, r, n, expired, expiring in (
        Attendance.objects.filter(current=True, learner__active=True, course__in=course_list)
        .order_by()
        .values("course_id", "learner__agency_id", "learner__body", "learner__group", "learner__role")
        .annotate(
            n=Count("pk"),
            expired=Count("pk", filter=Q(expires_on__lt=today)),
            expiring=Count("pk", filter=Q(expires_on__gte=today, expires_on__lte=soon)),
        )
        .values_list(
            "course_id",
            "learner__agency_id",
            "learner__body",
            "learner__group",
            "learner__role",
            "n",
            "expired",
            "expiring",
        )
    ):
        trained[(course_id, (a, b, g, r))] = (n, expired, expiring)
    agencies = {pk: (name, kind) for pk, name, kind in Agency.objects.values_list("pk", "name", "kind")}
    return population, trained, agencies


def takeup(*, today: datetime.date) -> list[CourseTakeUp]:
    """For each mandatory course: of those it is mandatory for, how many are in date,
    expiring, expired or never trained, in all, by organisation and by role or group."""
    courses = mandatory_courses()
    population, trained, agencies = _takeup_rows(courses, today=today)
    kinds = {pk: kind for pk, (_, kind) in agencies.items()}
    result = []
    for course in courses:
        total = TakeUp("All")
        organisations: dict[str, TakeUp] = {}
        groups: dict[str, TakeUp] = {}
        for key, count in population.items():
            if not _in_scope(course, key, kinds):
                continue
            attended, expired, expiring = trained.get((course.pk, key), (0, 0, 0))
            row = TakeUp("", attended - expired - expiring, expiring, expired, count - attended)
            total.add(row)
            agency_id, body, group, role = key
            organisation = agencies[agency_id][0] if agency_id in agencies else body
            organisations.setdefault(organisation, TakeUp(organisation)).add(row)
            label = group_label(group, role)
            groups.setdefault(label, TakeUp(label)).add(row)
        result.append(
            CourseTakeUp(
                course,
                total,
                sorted(organisations.values(), key=lambda t: t.label),
                sorted(groups.values(), key=lambda t: t.label),
            )
        )
    return result


# --- overdue a refresher ----------------------------------------------------------------


def refresher_courses() -> list[Course]:
    """The courses someone can be overdue: mandatory ones, and those that expire."""
    return [
        c
        for c in Course.objects.filter(active=True).order_by("title")
        if c.is_mandatory or c.refresher_months is not None
    ]


def overdue_for(course: Course, *, today: datetime.date) -> QuerySet[Learner]:
    """Who is overdue this course. For a mandatory course: those it is mandatory for whose
    training has expired or who never had it; for a course nobody must take, whose
    attendance expires: those who attended and have let it lapse. Never trained first,
    then the longest expired."""
    scope = ~_never()
    overdue = _expired(today)
    if course.is_mandatory:
        scope = course.mandatory_for()
        overdue |= _never()
    return (
        _with_training(Learner.objects.filter(active=True), course)
        .filter(scope & overdue)
        .select_related("agency")
        .order_by(F("expires").asc(nulls_first=True), "full_name", "pk")
    )


def overdue_counts(course_list: list[Course], *, today: datetime.date) -> dict[int, int]:
    """How many are overdue each course (the same rule as `overdue_for`), from the
    take-up figures and one grouped query for the courses nobody must take."""
    counts = {t.course.pk: t.total.expired + t.total.never for t in takeup(today=today)}
    optional = [c.pk for c in course_list if c.pk not in counts]
    lapsed = dict(
        Attendance.objects.filter(
            current=True, learner__active=True, course__in=optional, expires_on__lt=today
        )
        .order_by()
        .values("course_id")
        .annotate(n=Count("pk"))
        .values_list("course_id", "n")
    )
    return {c.pk: counts.get(c.pk, lapsed.get(c.pk, 0)) for c in course_list}


@dataclasses.dataclass(frozen=True)
class OverdueRow:
    course: str
    learner: str
    organisation: str
    role_or_group: str
    standing: str
    expired_on: datetime.date | None


def overdue_rows(course_list: list[Course], *, today: datetime.date) -> list[OverdueRow]:
    """Every overdue learner of these courses, for the CSV export."""
    rows: list[OverdueRow] = []
    for course in course_list:
        for learner in overdue_for(course, today=today).iterator(chunk_size=2000):
            trained = bool(getattr(learner, "trained", False))
            expires = getattr(learner, "expires", None)
            rows.append(
                OverdueRow(
                    course.title,
                    learner.full_name,
                    learner.organisation,
                    group_label(learner.group, learner.role),
                    Standing.EXPIRED if trained else Standing.NEVER,
                    expires if trained else None,
                )
            )
    return rows
