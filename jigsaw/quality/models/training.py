"""Oversight: safeguarding training (models).

The partnership's training offer (courses and their sessions), the people who take it
(learners: staff who may or may not sign in to Jigsaw, councillors, school governors) and
their attendance. An attendance of a course with a refresher period expires that many
months after the session; a course is mandatory for some roles, learner groups or the
staff of some kinds of agency."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from jigsaw.access.roles import Role


class CourseKind(models.TextChoices):
    SINGLE_AGENCY = "single_agency", "Single-agency"
    MULTI_AGENCY = "multi_agency", "Multi-agency"
    COUNCILLOR_AWARENESS = "councillor_awareness", "Mandatory safeguarding awareness for councillors"
    GOVERNOR = "governor", "Governor safeguarding training"


class LearnerGroup(models.TextChoices):
    STAFF = "staff", "Staff of an agency"
    COUNCILLOR = "councillor", "Elected member (councillor)"
    SCHOOL_GOVERNOR = "school_governor", "School governor"
    VOLUNTEER = "volunteer", "Volunteer"


class Course(models.Model):
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=CourseKind.choices)
    description = models.TextField(blank=True)
    # The agency that offers a single-agency course.
    agency = models.ForeignKey(
        "partners.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="training_courses"
    )
    # Blank: the training does not expire.
    refresher_months = models.PositiveSmallIntegerField(null=True, blank=True)
    # Who must have it: any learner in one of these groups, holding one of these Jigsaw
    # roles, or on the staff of an agency of one of these kinds. Lists of choice values.
    mandatory_groups = models.JSONField(default=list, blank=True)
    mandatory_roles = models.JSONField(default=list, blank=True)
    mandatory_agency_kinds = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=CourseKind.SINGLE_AGENCY) | Q(agency__isnull=False),
                name="single_agency_course_has_agency",
            ),
            models.CheckConstraint(
                condition=Q(refresher_months__isnull=True) | Q(refresher_months__gte=1),
                name="course_refresher_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_mandatory(self) -> bool:
        return bool(self.mandatory_groups or self.mandatory_roles or self.mandatory_agency_kinds)

    def mandatory_for(self) -> Q:
        """The learners this course is mandatory for, as a condition on Learner."""
        condition = Q(pk__in=[])
        if self.mandatory_groups:
            condition |= Q(group__in=self.mandatory_groups)
        if self.mandatory_roles:
            condition |= Q(role__in=self.mandatory_roles)
        if self.mandatory_agency_kinds:
            condition |= Q(group=LearnerGroup.STAFF, agency__kind__in=self.mandatory_agency_kinds)
        return condition & Q(active=True)

    def is_mandatory_for(self, learner: Learner) -> bool:
        """The rule of `mandatory_for`, for one learner (their agency loaded)."""
        if not learner.active:
            return False
        if learner.group in self.mandatory_groups or (learner.role and learner.role in self.mandatory_roles):
            return True
        agency = learner.agency
        return (
            learner.group == LearnerGroup.STAFF
            and agency is not None
            and agency.kind in self.mandatory_agency_kinds
        )

    def mandatory_summary(self) -> str:
        labels = [LearnerGroup(g).label for g in self.mandatory_groups if g in LearnerGroup.values]
        labels += [f"{Role(r).label}s" for r in self.mandatory_roles if r in Role.values]
        from jigsaw.partners.models import AgencyKind

        labels += [
            f"staff of {AgencyKind(k).label.lower()}"
            for k in self.mandatory_agency_kinds
            if k in AgencyKind.values
        ]
        return ", ".join(labels)


class Learner(models.Model):
    """Someone in the children's workforce who takes training. Councillors and governors
    do not sign in to Jigsaw; staff who do are linked to their practitioner record."""

    full_name = models.CharField(max_length=160)
    group = models.CharField(max_length=20, choices=LearnerGroup.choices, default=LearnerGroup.STAFF)
    agency = models.ForeignKey(
        "partners.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="learners"
    )
    # The body a learner belongs to when it is not an agency: "Riverford Council (elected
    # members)", a school's governing board.
    body = models.CharField(max_length=160, blank=True)
    role = models.CharField(max_length=40, choices=Role.choices, blank=True)
    job_title = models.CharField(max_length=120, blank=True)
    practitioner = models.OneToOneField(
        "partners.Practitioner", on_delete=models.PROTECT, null=True, blank=True, related_name="learner"
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["full_name", "pk"]
        indexes = [
            models.Index(fields=["group", "active"], name="learner_group_active"),
            models.Index(fields=["full_name"], name="learner_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(agency__isnull=False) | ~Q(body=""), name="learner_has_agency_or_body"
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def organisation(self) -> str:
        return self.agency.name if self.agency_id is not None and self.agency else self.body


class TrainingSession(models.Model):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # Blank when online.
    venue = models.CharField(max_length=200, blank=True)
    online = models.BooleanField(default=False)
    trainer = models.CharField(max_length=160)
    places = models.PositiveSmallIntegerField()
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["course", "starts_at"], name="training_session_course_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(online=True) | ~Q(venue=""), name="session_has_venue"),
            models.CheckConstraint(condition=Q(places__gte=1), name="session_has_places"),
        ]

    def __str__(self) -> str:
        return f"{self.course.title}, {self.starts_at:%d/%m/%Y}"

    @property
    def where(self) -> str:
        return "Online" if self.online else self.venue


class AttendanceStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    ATTENDED = "attended", "Attended"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
    CANCELLED = "cancelled", "Cancelled"


class Attendance(models.Model):
    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="attendances")
    learner = models.ForeignKey(Learner, on_delete=models.PROTECT, related_name="attendances")
    # Kept beside the session for the take-up queries (which course, when it expires).
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=20, choices=AttendanceStatus.choices, default=AttendanceStatus.BOOKED
    )
    # When an attended course with a refresher period stops counting; null otherwise.
    expires_on = models.DateField(null=True, blank=True)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    booked_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    # The learner's latest attended session of this course: the one their standing (in
    # date, expired) is read from. Kept by the actions, so take-up is one join, not a
    # search of every learner's history.
    current = models.BooleanField(default=False)

    class Meta:
        ordering = ["learner__full_name", "pk"]
        indexes = [
            models.Index(fields=["course", "learner", "status"], name="attendance_course_learner"),
            models.Index(fields=["learner", "status"], name="attendance_learner_status"),
            models.Index(fields=["learner", "course"], condition=Q(current=True), name="attendance_current"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["session", "learner"], name="one_booking_per_session"),
            models.UniqueConstraint(
                fields=["learner", "course"], condition=Q(current=True), name="one_current_attendance"
            ),
            models.CheckConstraint(
                condition=Q(current=False) | Q(status=AttendanceStatus.ATTENDED), name="current_is_attended"
            ),
            models.CheckConstraint(
                condition=Q(status=AttendanceStatus.ATTENDED) | Q(expires_on__isnull=True),
                name="only_attendance_expires",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} at session {self.session_id}: {self.status}"
