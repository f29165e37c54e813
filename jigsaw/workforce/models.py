"""Teams of the children's social care service (and of partner agencies), the weights
a team manager's caseload figures give each kind of case, and the establishment: posts,
the appointments that fill them, absence, and each worker's staff record."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Team(models.Model):
    name = models.CharField(max_length=120)
    agency = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, related_name="teams")
    phone = models.CharField(max_length=40, blank=True)
    secure_email = models.EmailField(blank=True)

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="team_name_unique_in_agency")]

    def __str__(self) -> str:
        return self.name


class CaseKind(models.TextChoices):
    """What a case is now, for weighting a caseload: the most demanding open part of the
    child's episode decides (a child protection plan outweighs everything else)."""

    ASSESSMENT = "assessment", "Assessment in progress"
    CHILD_IN_NEED = "child_in_need", "Child in need plan"
    CHILD_PROTECTION = "child_protection", "Child protection plan"
    LOOKED_AFTER = "looked_after", "Looked after"
    EARLY_HELP = "early_help", "Early help, as lead professional"


class CaseloadWeight(models.Model):
    """How much one case of a kind counts towards a worker's weighted caseload.

    The defaults (migration 0003) are assessment 1.0, child in need 1.0, child protection
    1.5, looked after 1.5 and early help 0.5; an authority sets its own in the admin site.
    """

    kind = models.CharField(max_length=20, choices=CaseKind.choices, unique=True)
    weight = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("10"))],
        help_text="How much one case of this kind counts; 1.00 is an ordinary case",
    )

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gte=0) & models.Q(weight__lte=10), name="caseload_weight_in_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.weight}"


# --- The establishment: posts, who fills them, absence, staff records ------------------
#
# The DfE's children's social work workforce census is the model: a post is a place in
# the authority's structure (the establishment), an appointment is a worker filling it
# (employed or agency), a vacancy is an established post (or the part of one) that no
# employed worker fills, whether or not an agency worker covers it.


class PostKind(models.TextChoices):
    QUALIFIED_SOCIAL_WORKER = "qualified_social_worker", "Qualified social worker"
    SENIOR_PRACTITIONER = "senior_practitioner", "Senior practitioner"
    TEAM_MANAGER = "team_manager", "Team manager"
    SOCIAL_WORK_ASSISTANT = "social_work_assistant", "Social work assistant"
    BUSINESS_SUPPORT = "business_support", "Business support"


# The posts the census counts as social workers (case-holding and managing qualified staff).
SOCIAL_WORKER_KINDS = (
    PostKind.QUALIFIED_SOCIAL_WORKER,
    PostKind.SENIOR_PRACTITIONER,
    PostKind.TEAM_MANAGER,
)


class Post(models.Model):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="posts")
    title = models.CharField(max_length=120)
    kind = models.CharField(max_length=30, choices=PostKind.choices)
    fte = models.DecimalField("full-time equivalent", max_digits=3, decimal_places=2)
    established_on = models.DateField()
    # The first day the post no longer exists (a post ends, it is never deleted: its
    # history is the establishment's history).
    disestablished_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["team__name", "kind", "title", "pk"]
        indexes = [models.Index(fields=["team", "established_on"], name="post_team_established")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fte__gt=0) & models.Q(fte__lte=1), name="post_fte_in_range"
            ),
            models.CheckConstraint(
                condition=models.Q(disestablished_on__isnull=True)
                | models.Q(disestablished_on__gt=models.F("established_on")),
                name="post_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}, {self.team} ({self.fte} FTE)"

    def is_established_on(self, day: datetime.date) -> bool:
        return self.established_on <= day and (self.disestablished_on is None or day < self.disestablished_on)


class Contract(models.TextChoices):
    PERMANENT = "permanent", "Permanent (employed)"
    AGENCY = "agency", "Agency"
    SECONDMENT = "secondment", "Secondment"


class LeavingReason(models.TextChoices):
    RESIGNED = "resigned", "Resigned"
    RETIRED = "retired", "Retired"
    DISMISSED = "dismissed", "Dismissed"
    END_OF_AGENCY_CONTRACT = "end_of_agency_contract", "End of agency contract"
    # Not a leaver: the worker stays in the service, in another post.
    MOVED = "moved", "Moved to another post within the authority"
    OTHER = "other", "Other reason"


class Appointment(models.Model):
    """A worker filling (part of) a post from `started_on` to `ended_on` (their last day,
    inclusive; empty while they are in post)."""

    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="appointments")
    practitioner = models.ForeignKey(
        "partners.Practitioner", on_delete=models.PROTECT, related_name="appointments"
    )
    contract = models.CharField(max_length=20, choices=Contract.choices)
    fte = models.DecimalField("full-time equivalent", max_digits=3, decimal_places=2)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    leaving_reason = models.CharField(max_length=30, choices=LeavingReason.choices, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-started_on", "pk"]
        indexes = [
            models.Index(fields=["post", "started_on"], name="appointment_post_started"),
            models.Index(fields=["practitioner", "started_on"], name="appointment_worker_started"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fte__gt=0) & models.Q(fte__lte=1), name="appointment_fte_in_range"
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("started_on")),
                name="appointment_dates_in_order",
            ),
            # A reason when (and only when) the appointment has ended.
            models.CheckConstraint(
                condition=(models.Q(ended_on__isnull=True) & models.Q(leaving_reason=""))
                | (models.Q(ended_on__isnull=False) & ~models.Q(leaving_reason="")),
                name="appointment_reason_when_ended",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.practitioner.full_name} in {self.post.title} from {self.started_on}"


class AbsenceKind(models.TextChoices):
    SICKNESS = "sickness", "Sickness"
    OTHER = "other", "Other absence"


class Absence(models.Model):
    practitioner = models.ForeignKey(
        "partners.Practitioner", on_delete=models.PROTECT, related_name="absences"
    )
    kind = models.CharField(max_length=20, choices=AbsenceKind.choices)
    first_day = models.DateField()
    last_day = models.DateField()
    # Working days (England's bank holidays excluded) from first to last day inclusive,
    # worked out by the action, never typed.
    working_days = models.DecimalField(max_digits=6, decimal_places=1)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-first_day", "pk"]
        indexes = [models.Index(fields=["kind", "first_day"], name="absence_kind_first_day")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day")), name="absence_dates_in_order"
            ),
            models.CheckConstraint(condition=models.Q(working_days__gte=0), name="absence_days_not_negative"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()}: {self.practitioner.full_name}, {self.first_day} to {self.last_day}"
        )


class Qualification(models.TextChoices):
    DEGREE = "degree", "Social work degree"
    MASTERS = "masters", "Master's degree in social work"
    APPRENTICESHIP = "apprenticeship", "Social work apprenticeship"
    FAST_TRACK = "fast_track", "Step Up to Social Work or a fast-track programme"
    NOT_QUALIFIED = "not_qualified", "Not qualified in social work"


class StaffRecord(models.Model):
    """What the workforce census asks about a worker that Jigsaw does not already hold."""

    practitioner = models.OneToOneField(
        "partners.Practitioner", on_delete=models.PROTECT, related_name="staff_record"
    )
    # Social Work England's register: "SW" and digits (empty for those not registered).
    registration_number = models.CharField(
        "Social Work England registration number", max_length=12, blank=True
    )
    qualification = models.CharField(max_length=20, choices=Qualification.choices)
    qualified_on = models.DateField(null=True, blank=True)
    joined_service_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(registration_number="")
                | models.Q(registration_number__regex=r"^SW[0-9]{1,10}$"),
                name="staff_record_registration_shape",
            ),
            models.CheckConstraint(
                condition=~models.Q(qualification="not_qualified") | models.Q(qualified_on__isnull=True),
                name="staff_record_no_date_unqualified",
            ),
        ]

    def __str__(self) -> str:
        return f"Staff record of {self.practitioner.full_name}"
