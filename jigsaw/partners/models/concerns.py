"""Concerns raised by partners through the portal (the multi-agency referral form)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from jigsaw.partners.models.sharing import ConsentStatus, LegalBasis


class ConcernUrgency(models.TextChoices):
    IMMEDIATE = "immediate", "Immediate: the child may be at risk of significant harm now"
    SAME_DAY = "same_day", "Today"
    ROUTINE = "routine", "Routine"


class ConcernStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "With the front door"
    DECIDED = "decided", "Decided"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Concern(models.Model):
    """A concern about one or more children, raised by a partner practitioner.

    A draft is saved as it is typed, so a timed-out session loses nothing. Submitted, it
    has a reference the referrer can quote, and each child is matched to the index for the
    front door, which records a contact from it and decides; the referrer is told each
    decision.
    """

    reference = models.CharField(max_length=20, unique=True, null=True, blank=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, related_name="concerns")
    status = models.CharField(max_length=12, choices=ConcernStatus.choices, default=ConcernStatus.DRAFT)
    concern = models.TextField("what you are worried about", blank=True)
    child_views = models.TextField("what the child has said, if anything", blank=True)
    immediate_risk = models.TextField("is anyone at risk right now, and who is with the child", blank=True)
    urgency = models.CharField(max_length=12, choices=ConcernUrgency.choices, blank=True)
    consent = models.CharField(max_length=12, choices=ConsentStatus.choices, blank=True)
    legal_basis = models.CharField(
        max_length=20,
        choices=LegalBasis.choices,
        blank=True,
        help_text="Asked when the family has not consented to the concern being shared",
    )
    without_consent_reason = models.TextField(blank=True)
    parents_aware = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    # The page (browser tab) that saved the draft last: it may save over its own saves (an
    # autosave racing its own "Save"), never over another tab's.
    editor = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        ordering = ["-submitted_at", "-updated_at"]
        indexes = [
            models.Index(fields=["raised_by", "status"], name="concern_referrer"),
            models.Index(fields=["status", "submitted_at"], name="concern_queue"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | models.Q(reference__isnull=False, submitted_at__isnull=False),
                name="concern_submitted_has_reference",
            )
        ]

    def __str__(self) -> str:
        return self.reference or f"Draft concern {self.pk}"


class ConcernChild(models.Model):
    """A child the concern is about, as the referrer described them, with what the
    matcher found and (once the front door has recorded it) the contact it became."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="children")
    given_name = models.CharField(max_length=120, blank=True)
    family_name = models.CharField(max_length=120, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    unborn_due_date = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, blank=True)
    address = models.CharField(max_length=250, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    nhs_number = models.CharField(max_length=10, blank=True)
    upn = models.CharField(max_length=13, blank=True)
    # What the matcher found at submission: a person to link to, or one to review.
    matched_person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    match_outcome = models.CharField(max_length=10, blank=True)
    match_probability = models.FloatField(null=True, blank=True)
    # The person the front door confirmed, and the contact it recorded.
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="partner_concerns"
    )
    contact = models.OneToOneField(
        "casework.Contact", on_delete=models.PROTECT, null=True, blank=True, related_name="concern_child"
    )

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "concern children"

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name} in {self.concern}"
