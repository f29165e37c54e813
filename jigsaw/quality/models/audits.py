"""Case file audits: programmes that choose their cases by criteria, each case audited by one
practitioner against a question set and moderated by a second, the findings and the actions
they set the child's worker and manager, and (in a multi-agency audit) each agency's own
part of the same case.

A programme's criteria are kept on it as structured data (one entry for each selection
made, with the random seed of a sample), so the choice of cases can be explained and
repeated; the chosen cases are frozen into `AuditCase` rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class AuditGrade(models.TextChoices):
    """Ofsted's four grades, as audit tools in children's services use them."""

    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"


class AuditStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted: awaiting moderation"
    MODERATED = "moderated", "Moderated"


class PartStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class AuditQuestion(models.Model):
    """One question of the audit form; its theme groups findings in the themes report."""

    theme = models.CharField(max_length=80, unique=True, help_text="For example: The child's voice")
    text = models.TextField(help_text="The question the auditor answers")
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.theme


class AuditProgramme(models.Model):
    """A programme of case file audits: what it is for, the period it looks at, and the
    criteria its cases were chosen by."""

    title = models.CharField(max_length=160)
    purpose = models.TextField()
    period_start = models.DateField()
    period_end = models.DateField()
    multi_agency = models.BooleanField(default=False)
    # Each selection made: {"kind": ..., the criteria..., "seed": ..., "added": n, "at": ...}.
    criteria = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-period_start", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="audit_programme_period_in_order"
            )
        ]

    def __str__(self) -> str:
        return self.title


class AuditCase(models.Model):
    """One child's case in a programme: the episode audited, who audits and who moderates
    it, the auditor's overall grade and summary, and the moderator's."""

    programme = models.ForeignKey(AuditProgramme, on_delete=models.CASCADE, related_name="cases")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey(
        "casework.Referral", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=20, choices=AuditStatus.choices, default=AuditStatus.NOT_STARTED)
    overall_grade = models.CharField(max_length=20, choices=AuditGrade.choices, blank=True)
    summary = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    moderated_grade = models.CharField(max_length=20, choices=AuditGrade.choices, blank=True)
    moderation_reason = models.TextField(blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["programme", "pk"]
        indexes = [
            models.Index(fields=["auditor", "status"], name="audit_case_auditor"),
            models.Index(fields=["moderator", "status"], name="audit_case_moderator"),
            models.Index(fields=["programme", "status"], name="audit_case_programme"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["programme", "person"], name="audit_case_child_once"),
            models.CheckConstraint(
                condition=Q(auditor__isnull=True) | Q(moderator__isnull=True) | ~Q(auditor=F("moderator")),
                name="audit_case_moderator_not_auditor",
            ),
        ]

    def __str__(self) -> str:
        return f"Audit {self.pk} in {self.programme_id}"

    @property
    def reported_grade(self) -> str:
        """The grade the themes report counts: the moderator's when moderated."""
        return self.moderated_grade or self.overall_grade


class AgencyAuditPart(models.Model):
    """An agency's part of a multi-agency audit of one case, answered by a practitioner of
    that agency (who may open only this part)."""

    case = models.ForeignKey(AuditCase, on_delete=models.CASCADE, related_name="parts")
    agency = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=PartStatus.choices, default=PartStatus.NOT_STARTED)
    overall_grade = models.CharField(max_length=20, choices=AuditGrade.choices, blank=True)
    summary = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["case", "agency__name"]
        indexes = [models.Index(fields=["practitioner", "status"], name="audit_part_practitioner")]
        constraints = [models.UniqueConstraint(fields=["case", "agency"], name="audit_part_agency_once")]

    def __str__(self) -> str:
        return f"{self.agency_id}'s part of audit {self.case_id}"


class AuditAnswer(models.Model):
    """The grade and comment given to one question: the auditor's (no part) or an agency's
    (its part); the moderator's grade and reason sit beside the auditor's."""

    case = models.ForeignKey(AuditCase, on_delete=models.CASCADE, related_name="answers")
    part = models.ForeignKey(
        AgencyAuditPart, on_delete=models.CASCADE, null=True, blank=True, related_name="answers"
    )
    question = models.ForeignKey(AuditQuestion, on_delete=models.PROTECT, related_name="answers")
    grade = models.CharField(max_length=20, choices=AuditGrade.choices, blank=True)
    comment = models.TextField(blank=True)
    moderated_grade = models.CharField(max_length=20, choices=AuditGrade.choices, blank=True)
    moderation_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["question__order", "question_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "question"], condition=Q(part__isnull=True), name="audit_answer_once"
            ),
            models.UniqueConstraint(
                fields=["part", "question"], condition=Q(part__isnull=False), name="audit_part_answer_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question} for audit {self.case_id}"


class AuditFinding(models.Model):
    """What the audit found, under a theme of the question set."""

    case = models.ForeignKey(AuditCase, on_delete=models.CASCADE, related_name="findings")
    theme = models.ForeignKey(AuditQuestion, on_delete=models.PROTECT, related_name="findings")
    text = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"Finding {self.pk} of audit {self.case_id}"


class AuditActionFor(models.TextChoices):
    WORKER = "worker", "The child's worker"
    MANAGER = "manager", "Their manager"


class AuditAction(models.Model):
    """Something a finding asks the child's worker or their manager to do, by a date."""

    finding = models.ForeignKey(AuditFinding, on_delete=models.CASCADE, related_name="actions")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    owner_is = models.CharField(max_length=10, choices=AuditActionFor.choices)
    description = models.TextField()
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    done_note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["owner", "done_at", "due_on"], name="audit_action_owner")]

    def __str__(self) -> str:
        return f"Audit action {self.pk}"
