"""Oversight: child safeguarding practice reviews (once serious case reviews).

When a child dies or is seriously harmed and abuse or neglect is known or suspected, the
local authority notifies the national Child Safeguarding Practice Review Panel; the
partnership holds a rapid review within 15 working days of that notification and decides
whether to commission a local review. A local review has an independent chair and author,
asks the agencies involved for individual management reviews (IMRs), goes through drafts,
and ends in a report whose executive summary stays confidential until it is approved for
publication. The inspectorate may grade the review.

Only the review's panel and those who manage reviews see its confidential parts (the
access policy's `practice_reviews_visible_to`); once published, its summary and grade are
open to everyone who sees Oversight.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

# Documents and drafts are kept in the database (so several application servers share them
# without a shared disk); this is the largest one accepted.
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


class ReviewDecision(models.TextChoices):
    LOCAL_REVIEW = "local_review", "Hold a local child safeguarding practice review"
    NO_LOCAL_REVIEW = "no_local_review", "Do not hold a local review"


class InspectorateGrade(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    ADEQUATE = "adequate", "Adequate"
    INADEQUATE = "inadequate", "Inadequate"


class PracticeReview(models.Model):
    """One serious incident and the review of it, from notification to publication."""

    title = models.CharField(max_length=160, help_text="How the review is known, for example: Child R")
    what_happened = models.TextField()
    incident_on = models.DateField()
    # The child, if they are in the person index (a review may be about an unborn child or
    # a child from elsewhere).
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="practice_reviews"
    )
    notified_panel_on = models.DateField("date the national panel was notified")
    rapid_review_due_on = models.DateField()
    rapid_review_on = models.DateField("date of the rapid review", null=True, blank=True)
    decision = models.CharField(max_length=20, choices=ReviewDecision.choices, blank=True)
    decision_reasons = models.TextField(blank=True)
    decided_on = models.DateField(null=True, blank=True)
    chair_name = models.CharField(max_length=160, blank=True)
    chair_organisation = models.CharField(max_length=160, blank=True)
    author_name = models.CharField(max_length=160, blank=True)
    author_organisation = models.CharField(max_length=160, blank=True)
    panel = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="practice_review_panels", blank=True
    )
    executive_summary = models.TextField(blank=True)
    summary_approved_on = models.DateField(null=True, blank=True)
    published_on = models.DateField(null=True, blank=True)
    grade = models.CharField(
        "inspectorate's grade", max_length=12, choices=InspectorateGrade.choices, blank=True
    )
    grade_comment = models.TextField(blank=True)
    graded_on = models.DateField(null=True, blank=True)
    # The review's recommendations, tracked with every other set (recommendations part).
    recommendation_set = models.OneToOneField(
        "quality.RecommendationSet",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="practice_review",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-notified_panel_on", "-pk"]
        indexes = [models.Index(fields=["published_on"], name="practice_review_published")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(published_on__isnull=True) | models.Q(summary_approved_on__isnull=False),
                name="practice_review_published_after_approval",
            ),
            models.CheckConstraint(
                condition=models.Q(decision="") | models.Q(decided_on__isnull=False),
                name="practice_review_decision_dated",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ManagementReviewRequest(models.Model):
    """An agency asked for an individual management review, when it is due and when it came."""

    review = models.ForeignKey(PracticeReview, on_delete=models.CASCADE, related_name="imrs")
    agency = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, related_name="+")
    requested_on = models.DateField()
    due_on = models.DateField()
    received_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["review", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["review", "agency"], name="one_imr_per_agency"),
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("requested_on")), name="imr_due_after_request"
            ),
        ]

    def __str__(self) -> str:
        return f"IMR from {self.agency} for {self.review}"


class DocumentKind(models.TextChoices):
    EVIDENCE = "evidence", "A document the chair may see"
    DRAFT = "draft", "A draft of the report"


class ReviewDocument(models.Model):
    """A file for the review's panel: evidence the chair may see, or a numbered draft."""

    review = models.ForeignKey(PracticeReview, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=10, choices=DocumentKind.choices)
    draft_number = models.PositiveSmallIntegerField(null=True, blank=True)
    title = models.CharField(max_length=200)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    content = models.BinaryField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["review", "kind", "draft_number", "uploaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "draft_number"],
                condition=models.Q(draft_number__isnull=False),
                name="review_draft_number_once",
            ),
            models.CheckConstraint(
                condition=(models.Q(kind="draft") & models.Q(draft_number__isnull=False))
                | (models.Q(kind="evidence") & models.Q(draft_number__isnull=True)),
                name="review_drafts_are_numbered",
            ),
        ]

    def __str__(self) -> str:
        return self.title
