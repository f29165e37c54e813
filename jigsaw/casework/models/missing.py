"""Children who go missing, and children living in private fostering arrangements.

Missing episodes follow the statutory guidance "Children who run away or go missing from
home or care" (DfE, 2014): each episode is reported, the child returns, and an independent
return interview is offered within 72 hours of the return. Private fostering follows the
Children (Private Arrangements for Fostering) Regulations 2005 and their National Minimum
Standards: a visit within 7 working days of the notification, visits every 6 weeks in the
first year and every 12 weeks after, and the assessment of the arrangement within 42
working days of the notification (the timescale policy holds these numbers).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from jigsaw.casework.models.codes import AssessmentFactor

# "Children who run away or go missing from home or care" (2014): an independent return
# interview within 72 hours of the child's return. Counted in clock hours, so weekends and
# bank holidays do not stretch it; a statutory constant, not an authority's choice.
RETURN_INTERVIEW_WINDOW = datetime.timedelta(hours=72)

# The DfE factor codes about exploitation that a missing episode can raise (the same codes
# the assessment records, so the panel and the assessment speak one language).
EXPLOITATION_FACTORS = (
    AssessmentFactor.SEXUAL_EXPLOITATION,
    AssessmentFactor.CRIMINAL_EXPLOITATION,
    AssessmentFactor.TRAFFICKING,
    AssessmentFactor.GANGS,
    AssessmentFactor.DRUGS_CHILD,
)


class MissingKind(models.TextChoices):
    FROM_HOME = "home", "Missing from home"
    FROM_CARE = "care", "Missing from care"


class InterviewResponse(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class MissingEpisode(models.Model):
    """One time a child went missing: reported, returned, and the return interview."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="missing_episodes")
    kind = models.CharField(max_length=4, choices=MissingKind.choices)
    # The looked-after episode a child missing from care was in (set for that kind only).
    looked_after = models.ForeignKey(
        "casework.LookedAfterEpisode", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reported_at = models.DateTimeField()
    # A professional who reported it, picked from the practitioners; or, for a parent or
    # carer who is not one, who they are.
    reported_by = models.ForeignKey(
        "partners.Practitioner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reported_by_other = models.CharField(max_length=120, blank=True)
    police_reference = models.CharField(max_length=40, blank=True)
    # DfE factor codes (EXPLOITATION_FACTORS) the episode raised concerns about.
    risk_factors = models.JSONField(default=list, blank=True)
    circumstances = models.TextField(blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    where_found = models.CharField(max_length=200, blank=True)
    # Stored when the return is recorded (returned_at + 72 hours), as other casework stores due dates.
    interview_due_at = models.DateTimeField(null=True, blank=True)
    interview_offered_at = models.DateTimeField(null=True, blank=True)
    interview_response = models.CharField(max_length=10, choices=InterviewResponse.choices, blank=True)
    interview_done_at = models.DateTimeField(null=True, blank=True)
    interview_by = models.ForeignKey(
        "partners.Practitioner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    interview_summary = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-reported_at", "-pk"]
        indexes = [
            models.Index(fields=["reported_at"], name="missing_reported"),
            models.Index(fields=["person", "reported_at"], name="missing_person_reported"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True) | Q(returned_at__gte=F("reported_at")),
                name="missing_returned_after_reported",
            ),
            models.CheckConstraint(
                condition=Q(interview_done_at__isnull=True) | Q(interview_done_at__gte=F("returned_at")),
                name="missing_interview_after_return",
            ),
            models.CheckConstraint(
                condition=Q(interview_done_at__isnull=True) | Q(interview_response="accepted"),
                name="missing_interview_done_only_if_accepted",
            ),
            models.CheckConstraint(
                condition=Q(kind="care") | Q(looked_after__isnull=True),
                name="missing_looked_after_only_from_care",
            ),
        ]

    def __str__(self) -> str:
        return f"Missing episode {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.returned_at is None

    @property
    def interview_in_time(self) -> bool | None:
        """Was the return interview done within 72 hours of the return? None until it is
        done (or when it was declined or the child has not returned)."""
        if self.interview_done_at is None or self.returned_at is None:
            return None
        return self.interview_done_at <= self.returned_at.astimezone(datetime.UTC) + RETURN_INTERVIEW_WINDOW


class NotifiedBy(models.TextChoices):
    PARENT = "parent", "A parent"
    CARER = "carer", "The private foster carer"
    PROFESSIONAL = "professional", "A professional (school, health, police or other)"
    OTHER = "other", "Someone else"


class PrivateFosteringArrangement(models.Model):
    """A child cared for, for 28 days or more, by someone who is not a parent or close
    relative (Children Act 1989, section 66), as notified to the authority, with its
    assessment, visits and end. It belongs to the child's episode of need, so the allocated
    worker's work list shows its visits and assessment when they are due."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="private_fostering")
    referral = models.ForeignKey(
        "casework.Referral", on_delete=models.PROTECT, related_name="private_fostering"
    )
    carer = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField(help_text="When the arrangement started (or will start)")
    notified_on = models.DateField()
    notified_by = models.CharField(max_length=12, choices=NotifiedBy.choices)
    notifying_practitioner = models.ForeignKey(
        "partners.Practitioner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Due dates from the timescale policy in force when notified (kept, as other casework keeps them).
    first_visit_due = models.DateField()
    assessment_due = models.DateField()
    next_visit_due = models.DateField(null=True, blank=True)
    assessment_completed_on = models.DateField(null=True, blank=True)
    suitable = models.BooleanField(null=True, blank=True)
    assessment_summary = models.TextField(blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-notified_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(carer=F("person")), name="private_fostering_carer_not_child"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="private_fostering_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(assessment_completed_on__isnull=True)
                | Q(assessment_completed_on__gte=F("notified_on")),
                name="private_fostering_assessed_after_notified",
            ),
        ]

    def __str__(self) -> str:
        return f"Private fostering {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None


class PrivateFosteringVisit(models.Model):
    arrangement = models.ForeignKey(
        PrivateFosteringArrangement, on_delete=models.CASCADE, related_name="visits"
    )
    visited_on = models.DateField()
    due_on = models.DateField(help_text="When this visit was due")
    child_seen_alone = models.BooleanField()
    notes = models.TextField(blank=True)
    visited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-visited_on", "-pk"]

    def __str__(self) -> str:
        return f"Private fostering visit {self.pk} on {self.visited_on:%d/%m/%Y}"

    @property
    def in_time(self) -> bool:
        return self.visited_on <= self.due_on
