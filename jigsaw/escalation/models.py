"""Escalation and professional disagreement: the policy (stages, deadlines, who holds each
stage), the escalations practitioners raise, and each stage an escalation went through.

The policy is data an administrator edits; the published procedure page and the periodic
`jigsaw tick` both read it, so what the partnership says it does and what the software does
cannot drift apart.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class HolderKind(models.TextChoices):
    """Who holds a stage, unless the policy names someone for the agency."""

    PRACTITIONER = "practitioner", "The practitioner who made the decision or holds the case"
    TEAM_MANAGER = "team_manager", "Their team manager"
    NAMED = "named", "The person the policy names for the agency"


class EscalationPolicy(models.Model):
    """A partnership's escalation procedure. One is in force."""

    name = models.CharField(max_length=160, unique=True)
    introduction = models.TextField(
        blank=True, help_text="Shown at the top of the published procedure: when to escalate and why"
    )
    in_force = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "escalation policies"
        constraints = [
            models.UniqueConstraint(
                fields=["in_force"], condition=models.Q(in_force=True), name="one_escalation_policy_in_force"
            )
        ]

    def __str__(self) -> str:
        return self.name + (" (in force)" if self.in_force else "")


class EscalationStage(models.Model):
    """One stage: its place in the order, its deadline in working days, and who holds it."""

    policy = models.ForeignKey(EscalationPolicy, on_delete=models.CASCADE, related_name="stages")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=80, help_text="For example: Team manager")
    working_days = models.PositiveSmallIntegerField(
        help_text="Working days the holder has to respond before it moves to the next stage"
    )
    holder_kind = models.CharField(max_length=20, choices=HolderKind.choices)
    description = models.TextField(blank=True, help_text="What happens at this stage, for the procedure page")
    # Urgent concerns skip the earlier stages and are due the same working day.
    urgent_start = models.BooleanField(
        "urgent concerns start here",
        default=False,
        help_text="Urgent escalations start here, due the same day",
    )

    class Meta:
        ordering = ["policy", "order"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "order"], name="escalation_stage_order_unique"),
            models.UniqueConstraint(
                fields=["policy"], condition=models.Q(urgent_start=True), name="one_urgent_start_stage"
            ),
            models.CheckConstraint(
                condition=models.Q(working_days__gte=1), name="escalation_stage_has_deadline"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name} ({self.working_days} working days)"


class StageHolder(models.Model):
    """The practitioner who holds a stage for an agency's escalations (a service manager, a
    head of service); with no agency, for every agency (the partnership chair)."""

    stage = models.ForeignKey(EscalationStage, on_delete=models.CASCADE, related_name="holders")
    agency = models.ForeignKey(
        "partners.Agency",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Leave empty for the holder of every agency's escalations at this stage",
    )
    practitioner = models.ForeignKey("partners.Practitioner", on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["stage", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "agency"], name="one_stage_holder_per_agency"),
            models.UniqueConstraint(
                fields=["stage"], condition=models.Q(agency__isnull=True), name="one_stage_holder_for_all"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.practitioner} for {self.agency or 'every agency'}"


class EscalationKind(models.TextChoices):
    NO_FURTHER_ACTION = "nfa", "A decision of no further action that I disagree with"
    PLAN_NOT_PROGRESSING = "plan", "A plan that is not progressing"
    VISIT_NOT_MADE = "visit", "A visit that was not made"
    URGENT_NOT_ACTED_ON = "urgent", "An urgent safeguarding concern nobody has acted on"
    OTHER = "other", "Another decision or concern"


class EscalationStatus(models.TextChoices):
    AWAITING_RESPONSE = "awaiting_response", "Awaiting a response"
    AWAITING_REPLY = "awaiting_reply", "Responded: awaiting the reply of the practitioner who raised it"
    CLOSED = "closed", "Closed"


class EscalationOutcome(models.TextChoices):
    RESOLVED = "resolved", "Resolved by agreement"
    UPHELD = "upheld", "Upheld: the concern was right and the decision changes"
    NOT_UPHELD = "not_upheld", "Not upheld: the decision stands"


class Escalation(models.Model):
    """A practitioner's escalation of a concern about a child, or of a decision about them,
    that they feel has not been dealt with adequately.

    It sits at one stage at a time, held by one person, with a deadline; `version` moves on
    with every change, so a stale form and a second `tick` both fail to change it twice.
    """

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="escalations")
    contact = models.ForeignKey(
        "casework.Contact", on_delete=models.PROTECT, null=True, blank=True, related_name="escalations"
    )
    referral = models.ForeignKey(
        "casework.Referral", on_delete=models.PROTECT, null=True, blank=True, related_name="escalations"
    )
    kind = models.CharField(max_length=10, choices=EscalationKind.choices)
    concern = models.TextField("what the concern is")
    outcome_sought = models.TextField("the outcome sought")
    urgent = models.BooleanField(default=False)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raising_agency = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField()
    # Whose decision or work is questioned: their agency answers the escalation.
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responding_agency = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, related_name="+")
    responding_team = models.ForeignKey(
        "workforce.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    policy = models.ForeignKey(EscalationPolicy, on_delete=models.PROTECT, related_name="escalations")
    stage = models.ForeignKey(EscalationStage, on_delete=models.PROTECT, related_name="+")
    stage_started_at = models.DateTimeField()
    stage_due_on = models.DateField()
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=20, choices=EscalationStatus.choices, default=EscalationStatus.AWAITING_RESPONSE
    )
    outcome = models.CharField(max_length=12, choices=EscalationOutcome.choices, blank=True)
    learning = models.TextField("what was learnt", blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # When everyone was told the last stage's deadline had passed (told once, not every tick).
    final_overdue_told_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["status", "stage_due_on"], name="escalation_deadline")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(status="closed") & ~models.Q(outcome="") & models.Q(closed_at__isnull=False)
                )
                | (~models.Q(status="closed") & models.Q(outcome="") & models.Q(closed_at__isnull=True)),
                name="escalation_closed_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"ESC-{self.pk:05d}"


class StepEnd(models.TextChoices):
    ACCEPTED = "accepted", "Response accepted"
    WENT_ON = "went_on", "Taken to the next stage by the practitioner who raised it"
    DEADLINE_PASSED = "deadline_passed", "Deadline passed: moved to the next stage automatically"
    FINAL = "final", "Final response"


class EscalationStep(models.Model):
    """One stage of one escalation: who held it, its deadline, the response, and how it
    ended. An escalation passes through each stage at most once (a database constraint: it
    is also what stops two `tick`s moving it on twice)."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="steps")
    stage = models.ForeignKey(EscalationStage, on_delete=models.PROTECT, related_name="+")
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField()
    due_on = models.DateField()
    response = models.TextField(blank=True)
    proposed_outcome = models.CharField(max_length=12, choices=EscalationOutcome.choices, blank=True)
    learning = models.TextField(blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    reply = models.TextField("the reply of the practitioner who raised it", blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_how = models.CharField(max_length=20, choices=StepEnd.choices, blank=True)

    class Meta:
        ordering = ["escalation", "started_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["escalation", "stage"], name="escalation_stage_once"),
        ]

    def __str__(self) -> str:
        return f"{self.escalation} at {self.stage.name}"
