"""Oversight: recommendations and the actions that answer them.

A recommendation set comes from any source: a child safeguarding practice review, a
scrutiny committee, a national review, an inspection, an audit. Each recommendation is
owned by one agency, which responds to it (accepted, accepted in part, not accepted, with
its comment) and plans actions, each with an owner and a due date; the owner records the
progress, with evidence. Its status is red, amber, green or complete: derived from the
actions unless the partnership sets it, in which case who set it and when are kept.

Recommendations are about practice: no child is named in them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class RecommendationSource(models.TextChoices):
    PRACTICE_REVIEW = "practice_review", "Child safeguarding practice review"
    SCRUTINY_COMMITTEE = "scrutiny_committee", "Scrutiny committee"
    NATIONAL_REVIEW = "national_review", "National review"
    INSPECTION = "inspection", "Inspection"
    AUDIT = "audit", "Audit"
    OTHER = "other", "Other"


class RecommendationSet(models.Model):
    """The recommendations of one report, and the body their progress is reported to."""

    title = models.CharField(max_length=200)
    source = models.CharField(max_length=24, choices=RecommendationSource.choices)
    source_reference = models.CharField(
        "the source's reference", max_length=120, blank=True, help_text="For example: CSPR 2026/01"
    )
    source_date = models.DateField("date of the report", null=True, blank=True)
    reports_to = models.CharField(
        "the body it reports to",
        max_length=160,
        help_text="For example: Children's Services Scrutiny Committee",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-source_date", "-pk"]
        indexes = [
            models.Index(fields=["reports_to", "source_date"], name="rec_set_body"),
            models.Index(fields=["-source_date", "-id"], name="rec_set_newest"),
        ]

    def __str__(self) -> str:
        return self.title


class Response(models.TextChoices):
    AWAITING = "awaiting", "Awaiting response"
    ACCEPTED = "accepted", "Accepted"
    ACCEPTED_IN_PART = "accepted_in_part", "Accepted in part"
    NOT_ACCEPTED = "not_accepted", "Not accepted"


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
    COMPLETE = "complete", "Complete"


class Recommendation(models.Model):
    recommendation_set = models.ForeignKey(
        RecommendationSet, on_delete=models.CASCADE, related_name="recommendations"
    )
    number = models.CharField(max_length=20, help_text="As the report numbers it: 1, 2, 3a")
    position = models.PositiveIntegerField(default=0, help_text="Its place in the report")
    text = models.TextField("the recommendation")
    agency = models.ForeignKey(
        "partners.Agency",
        on_delete=models.PROTECT,
        related_name="recommendations",
        verbose_name="owning agency",
    )
    response = models.CharField(max_length=20, choices=Response.choices, default=Response.AWAITING)
    response_comment = models.TextField(blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    # The partnership's own judgement of the status, kept over the derived one while set.
    rag_set = models.CharField(
        "status set by the partnership", max_length=10, choices=Rag.choices, blank=True
    )
    rag_reason = models.TextField(blank=True)
    rag_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rag_set_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["recommendation_set", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation_set", "number"], name="recommendation_number_unique"
            ),
            models.CheckConstraint(
                condition=(models.Q(rag_set="") & models.Q(rag_set_at__isnull=True))
                | (~models.Q(rag_set="") & models.Q(rag_set_at__isnull=False)),
                name="recommendation_rag_set_has_when",
            ),
        ]

    def __str__(self) -> str:
        return f"Recommendation {self.number}"


class RecommendationAction(models.Model):
    """What the owning agency will do, by whom and by when."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField("the action")
    owner = models.ForeignKey(
        "partners.Practitioner", on_delete=models.PROTECT, related_name="recommendation_actions"
    )
    due_on = models.DateField("due date")
    completed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["recommendation", "due_on", "pk"]
        indexes = [
            # "Actions you own", open first and overdue first.
            models.Index(fields=["owner", "completed_on", "due_on"], name="rec_action_owner"),
            models.Index(fields=["completed_on", "due_on"], name="rec_action_due"),
        ]

    def __str__(self) -> str:
        return self.description[:60]


class ProgressUpdate(models.Model):
    """The owner's account of progress on an action, with any evidence."""

    action = models.ForeignKey(RecommendationAction, on_delete=models.CASCADE, related_name="updates")
    note = models.TextField("progress")
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()
    marked_complete = models.BooleanField(default=False)

    class Meta:
        ordering = ["action", "-written_at", "-pk"]
        indexes = [models.Index(fields=["action", "-written_at"], name="rec_update_latest")]

    def __str__(self) -> str:
        return self.note[:60]


class ProgressEvidence(models.Model):
    """A file attached to a progress update, kept in the database (a separate table, so
    lists of updates never load the files)."""

    update = models.OneToOneField(ProgressUpdate, on_delete=models.CASCADE, related_name="evidence")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    data = models.BinaryField()

    def __str__(self) -> str:
        return self.name
