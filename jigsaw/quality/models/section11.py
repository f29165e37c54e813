"""Oversight: the partnership's section 11 self-assessment.

Section 11 of the Children Act 2004 puts a duty on named agencies to make sure their work
has regard to the need to safeguard and promote the welfare of children. The partnership
asks each agency, in rounds, to rate itself against a set of standards (the duties in its
own words), with evidence, and to plan how it will close every gap.

A round keeps its own copy of the standards as they stood when it was sent
(`RoundStandard`), so editing the standards later never changes a round already answered.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Section11Standard(models.Model):
    """One section 11 duty as the partnership words it, with what good looks like."""

    number = models.PositiveSmallIntegerField(unique=True)
    title = models.CharField(max_length=200)
    good_looks_like = models.TextField("what good looks like")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Rating(models.TextChoices):
    """A four-point scale, so an agency cannot sit on the fence."""

    FULLY_MET = "fully_met", "Fully met"
    MOSTLY_MET = "mostly_met", "Mostly met"
    PARTLY_MET = "partly_met", "Partly met"
    NOT_MET = "not_met", "Not met"


# What each rating means, shown beside the choice.
RATING_MEANING = {
    Rating.FULLY_MET: "The standard is met across the whole agency, and you can show it",
    Rating.MOSTLY_MET: "Met in most of the agency; small gaps you know of and are closing",
    Rating.PARTLY_MET: "Met in some of the agency or some of the time; real gaps remain",
    Rating.NOT_MET: "Not met, or you have no evidence that it is",
}

# Points per rating, for the totals of the comparison (4 = fully met).
RATING_POINTS = {Rating.FULLY_MET: 4, Rating.MOSTLY_MET: 3, Rating.PARTLY_MET: 2, Rating.NOT_MET: 1}


class RoundStatus(models.TextChoices):
    DRAFT = "draft", "Not sent yet"
    SENT = "sent", "Sent to the agencies"


class Section11Round(models.Model):
    """A self-assessment round: the period it covers, when it opens and is due, and the
    agencies it goes to."""

    title = models.CharField(max_length=160)
    period = models.CharField(max_length=80, help_text="For example: April 2025 to March 2026")
    opens_on = models.DateField()
    due_on = models.DateField()
    agencies = models.ManyToManyField("partners.Agency", related_name="+")
    status = models.CharField(max_length=10, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-opens_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("opens_on")), name="section11_round_due_after_opening"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RoundStandard(models.Model):
    """A standard as it stood when the round was sent."""

    round = models.ForeignKey(Section11Round, on_delete=models.CASCADE, related_name="standards")
    # The standard it was copied from, to follow one duty across rounds (kept if it is deleted).
    standard = models.ForeignKey(
        Section11Standard, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    good_looks_like = models.TextField()

    class Meta:
        ordering = ["round", "number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="section11_round_standard_once"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class ReturnStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    DRAFT = "draft", "In progress"
    SUBMITTED = "submitted", "Submitted"


class Section11Return(models.Model):
    """One agency's self-assessment for one round."""

    round = models.ForeignKey(Section11Round, on_delete=models.CASCADE, related_name="returns")
    agency = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, related_name="section11_returns")
    status = models.CharField(max_length=12, choices=ReturnStatus.choices, default=ReturnStatus.NOT_STARTED)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["round", "agency__name"]
        indexes = [models.Index(fields=["agency", "status"], name="section11_return_agency")]
        constraints = [
            models.UniqueConstraint(fields=["round", "agency"], name="section11_return_once_per_agency"),
            models.CheckConstraint(
                condition=~models.Q(status="submitted") | models.Q(submitted_at__isnull=False),
                name="section11_submitted_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round}: {self.agency}"


class Section11Answer(models.Model):
    """An agency's rating of itself against one standard, and its evidence."""

    section11_return = models.ForeignKey(Section11Return, on_delete=models.CASCADE, related_name="answers")
    standard = models.ForeignKey(RoundStandard, on_delete=models.CASCADE, related_name="answers")
    rating = models.CharField(max_length=12, choices=Rating.choices, blank=True)
    evidence = models.TextField(blank=True)

    class Meta:
        ordering = ["section11_return", "standard__number"]
        constraints = [
            models.UniqueConstraint(fields=["section11_return", "standard"], name="section11_answer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.section11_return}: {self.standard.number}"


class GapActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class Section11GapAction(models.Model):
    """What the agency will do to close a gap against one standard."""

    answer = models.ForeignKey(Section11Answer, on_delete=models.CASCADE, related_name="actions")
    action = models.TextField()
    owner = models.CharField(max_length=160, help_text="The person or post responsible")
    due_on = models.DateField()
    status = models.CharField(
        max_length=12, choices=GapActionStatus.choices, default=GapActionStatus.NOT_STARTED
    )
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["answer", "due_on", "pk"]

    def __str__(self) -> str:
        return self.action[:60]
