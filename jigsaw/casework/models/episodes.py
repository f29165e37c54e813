"""Episodes of need and the work inside them: referral, allocation, assessment, child in
need plans, early help and looked-after episodes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from jigsaw.casework.models.codes import (
    AssessmentOutcome,
    ClosureReason,
    EarlyHelpEndReason,
    LegalStatus,
    PlacementType,
    PrimaryNeed,
    ReferralSource,
)


class Referral(models.Model):
    """A referral to children's social care. It opens an episode of need, which runs until
    the episode is closed (with a DfE closure reason, authorised by a manager).

    One child, one referral: siblings referred together each have their own, and the
    strategy discussion or conference that covers them links their referrals.
    """

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="referrals")
    contact = models.OneToOneField(
        "casework.Contact", on_delete=models.PROTECT, null=True, blank=True, related_name="referral"
    )
    referred_on = models.DateField()
    source = models.CharField(max_length=3, choices=ReferralSource.choices)
    primary_need = models.CharField(max_length=2, choices=PrimaryNeed.choices, default=PrimaryNeed.N0)
    # CIN census ReferralNFA: the referral itself led to no further action.
    referral_nfa = models.BooleanField(default=False)
    team = models.ForeignKey(
        "workforce.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    # The worker allocated now (Allocation keeps the history); null means unallocated.
    allocated_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    # Closure: proposed by the worker, authorised by a manager (never the proposer).
    closed_on = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=3, choices=ClosureReason.choices, blank=True)
    # The closure date the worker proposes; it becomes closed_on when a manager authorises.
    proposed_closure_date = models.DateField(null=True, blank=True)
    closure_summary = models.TextField(blank=True)
    closure_proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closure_proposed_at = models.DateTimeField(null=True, blank=True)
    closure_authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closure_authorised_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-referred_on", "-pk"]
        indexes = [
            models.Index(fields=["closed_on", "allocated_worker"], name="referral_open_by_worker"),
            models.Index(fields=["closed_on", "team"], name="referral_open_by_team"),
            models.Index(fields=["person", "referred_on"], name="referral_person_date"),
            # Indicators and returns count referrals by when they were made, by team.
            models.Index(fields=["referred_on"], name="referral_date"),
            models.Index(fields=["team", "referred_on"], name="referral_team_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("referred_on")),
                name="referral_closed_after_referred",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | ~Q(closure_reason=""),
                name="referral_closed_with_reason",
            ),
            models.CheckConstraint(
                condition=Q(closure_authorised_by__isnull=True)
                | ~Q(closure_authorised_by=F("closure_proposed_by")),
                name="referral_closure_not_self_authorised",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk} ({self.referred_on:%d/%m/%Y})"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class Allocation(models.Model):
    """Who held a referral, from when to when, and why it moved (the allocation history)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="allocations")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    allocated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    allocated_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-allocated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"], condition=Q(ended_at__isnull=True), name="one_current_allocation"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("allocated_at")),
                name="allocation_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.referral_id} allocated to user {self.worker_id}"


class Assessment(models.Model):
    """A child and family assessment (Working Together 2023: within 45 working days of the
    referral), authorised by a manager who did not complete it."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="assessments")
    started_on = models.DateField()
    due_on = models.DateField()
    child_seen_on = models.DateField(null=True, blank=True)
    seen_alone = models.BooleanField(null=True, blank=True)
    # DfE factor codes (AssessmentFactor); "21" (no factors) stands alone.
    factors = models.JSONField(default=list, blank=True)
    analysis = models.TextField(blank=True)
    outcome = models.CharField(max_length=20, choices=AssessmentOutcome.choices, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    authorised_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-started_on", "-pk"]
        indexes = [models.Index(fields=["completed_on", "due_on"], name="assessment_open_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(completed_on__gte=F("started_on")),
                name="assessment_completed_after_start",
            ),
            models.CheckConstraint(
                condition=Q(child_seen_on__isnull=True) | Q(child_seen_on__gte=F("started_on")),
                name="assessment_child_seen_after_start",
            ),
            models.CheckConstraint(
                condition=Q(authorised_by__isnull=True) | ~Q(authorised_by=F("completed_by")),
                name="assessment_not_self_authorised",
            ),
        ]

    def __str__(self) -> str:
        return f"Assessment {self.pk} (started {self.started_on:%d/%m/%Y})"


class ChildInNeedPlan(models.Model):
    """A child in need plan (Children Act 1989, section 17) and its reviews."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="cin_plans")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    next_review_due = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-started_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="cin_plan_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"Child in need plan {self.pk}"


class ChildInNeedPlanReview(models.Model):
    plan = models.ForeignKey(ChildInNeedPlan, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    summary = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-reviewed_on"]

    def __str__(self) -> str:
        return f"Review of child in need plan {self.plan_id} on {self.reviewed_on:%d/%m/%Y}"


class EarlyHelpEpisode(models.Model):
    """Early help (the Common Assessment Framework), led by a professional of any agency."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="early_help")
    started_on = models.DateField()
    lead_professional = models.ForeignKey(
        "partners.Practitioner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assessment_completed_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EarlyHelpEndReason.choices, blank=True)
    contact = models.ForeignKey(
        "casework.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-started_on"]
        indexes = [models.Index(fields=["started_on"], name="early_help_started")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="early_help_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"Early help {self.pk}"


class LookedAfterEpisode(models.Model):
    """A period of being looked after, at the level the returns and dashboards need."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="looked_after")
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="looked_after"
    )
    started_on = models.DateField()
    legal_status = models.CharField(max_length=2, choices=LegalStatus.choices)
    placement = models.CharField(max_length=2, choices=PlacementType.choices)
    ended_on = models.DateField(null=True, blank=True)
    reason_ended = models.CharField(max_length=120, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-started_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="looked_after_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"Looked after from {self.started_on:%d/%m/%Y}"
