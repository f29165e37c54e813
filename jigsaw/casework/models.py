"""Casework. So far: the statutory timescales, as policy data every "overdue" reads."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TimescaleKey(models.TextChoices):
    CONTACT_DECISION = "contact_decision", "Decision on a contact"
    ASSESSMENT = "assessment", "Assessment (from referral)"
    INITIAL_ASSESSMENT = "initial_assessment", "Initial assessment (from referral)"
    CORE_ASSESSMENT = "core_assessment", "Core assessment (from its start)"
    INITIAL_CONFERENCE = (
        "initial_conference",
        "Initial child protection conference (from the strategy discussion)",
    )
    FIRST_CORE_GROUP = "first_core_group", "First core group (from the initial conference)"
    CORE_GROUP_INTERVAL = "core_group_interval", "Core groups (after the last one)"
    FIRST_REVIEW = "first_review", "First review conference (from the initial conference)"
    LATER_REVIEW = "later_review", "Later review conferences (from the last review)"
    PLAN_VISIT = "plan_visit", "Visit to a child on a plan (after the last visit)"


class TimescaleUnit(models.TextChoices):
    WORKING_DAYS = "working_days", "working days"
    DAYS = "days", "days"
    WEEKS = "weeks", "weeks"
    MONTHS = "months", "months"


class TimescalePolicy(models.Model):
    """A set of timescales (Working Together 2023, or an older or local set). One is in force."""

    name = models.CharField(max_length=120, unique=True)
    source = models.CharField(max_length=200, blank=True, help_text="The guidance it follows")
    in_force = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "timescale policies"
        constraints = [
            models.UniqueConstraint(
                fields=["in_force"], condition=models.Q(in_force=True), name="one_timescale_policy_in_force"
            )
        ]

    def __str__(self) -> str:
        return self.name + (" (in force)" if self.in_force else "")


class Timescale(models.Model):
    policy = models.ForeignKey(TimescalePolicy, on_delete=models.CASCADE, related_name="timescales")
    key = models.CharField(max_length=40, choices=TimescaleKey.choices)
    amount = models.PositiveSmallIntegerField()
    unit = models.CharField(max_length=20, choices=TimescaleUnit.choices)

    class Meta:
        ordering = ["policy", "key"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "key"], name="one_timescale_per_key"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="timescale_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_key_display()}: {self.amount} {self.get_unit_display()}"


class ReferralSource(models.TextChoices):
    """The DfE children in need census referral-source codes."""

    FAMILY_MEMBER = "1A", "Individual: family member"
    RELATIVE = "1B", "Individual: relative"
    SELF = "1C", "Individual: self"
    OTHER_INDIVIDUAL = "1D", "Individual: other"
    SCHOOLS = "2A", "Schools"
    EDUCATION_SERVICES = "2B", "Education services"
    GP = "3A", "Health: GP"
    HEALTH_VISITOR = "3B", "Health: health visitor"
    SCHOOL_NURSE = "3C", "Health: school nurse"
    OTHER_PRIMARY_HEALTH = "3D", "Health: other primary health services"
    A_AND_E = "3E", "Health: A&E"
    OTHER_HEALTH = "3F", "Health: other"
    HOUSING = "4", "Housing"
    LA_SOCIAL_CARE = "5A", "Local authority: social care"
    LA_OTHER_INTERNAL = "5B", "Local authority: other internal department"
    LA_EXTERNAL = "5C", "Local authority: external (for example another authority)"
    EARLY_HELP = "5D", "Local authority: early help"
    POLICE = "6", "Police"
    OTHER_LEGAL = "7", "Other legal agency"
    OTHER = "8", "Other"
    ANONYMOUS = "9", "Anonymous"
    UNKNOWN = "10", "Unknown"


class Consent(models.TextChoices):
    GIVEN = "given", "Given"
    NOT_SOUGHT = "not_sought", "Not sought: asking would put the child at risk"
    REFUSED = "refused", "Refused"


class Urgency(models.TextChoices):
    IMMEDIATE = "immediate", "Immediate: the child may be at risk of significant harm now"
    SAME_DAY = "same_day", "Today"
    ROUTINE = "routine", "Routine"


class FrontDoorDecision(models.TextChoices):
    NO_FURTHER_ACTION = "nfa", "No further action"
    INFORMATION_AND_ADVICE = "advice", "Information and advice"
    EARLY_HELP = "early_help", "Early help"
    ASSESSMENT = "assessment", "Referral for assessment"
    STRATEGY_DISCUSSION = "strategy", "Strategy discussion"


class Contact(models.Model):
    """A concern about a child reaching the front door, and what the front door decided.

    The decision is due within the policy's contact-decision timescale (1 working day by
    default) and needs a manager's authorisation, never the decider's own.
    """

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="contacts")
    received_at = models.DateTimeField()
    source = models.CharField(max_length=3, choices=ReferralSource.choices)
    referrer_name = models.CharField(max_length=160, blank=True)
    referrer_agency = models.ForeignKey(
        "partners.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    concern = models.TextField()
    consent = models.CharField(max_length=12, choices=Consent.choices)
    urgency = models.CharField(max_length=12, choices=Urgency.choices, default=Urgency.ROUTINE)
    decision_due = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=12, choices=FrontDoorDecision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    authorised_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["decision_due", "received_at"]
        indexes = [models.Index(fields=["decided_at", "decision_due"], name="contact_queue")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(authorised_by__isnull=True)
                | ~models.Q(authorised_by=models.F("decided_by")),
                name="contact_decision_not_self_authorised",
            ),
            models.CheckConstraint(
                condition=models.Q(decided_at__isnull=True)
                | models.Q(decided_at__gte=models.F("received_at")),
                name="contact_decided_after_received",
            ),
        ]

    def __str__(self) -> str:
        return f"Contact {self.pk} about person {self.person_id}"
