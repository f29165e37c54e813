"""The statutory timescales, as policy data that every "overdue" reads."""

from __future__ import annotations

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
    PRIVATE_FOSTERING_FIRST_VISIT = (
        "pf_first_visit",
        "First visit to a privately fostered child (from the notification)",
    )
    PRIVATE_FOSTERING_VISIT_FIRST_YEAR = (
        "pf_visit_first_year",
        "Private fostering visits in the arrangement's first year (after the last visit)",
    )
    PRIVATE_FOSTERING_VISIT_LATER = (
        "pf_visit_later",
        "Private fostering visits after the first year (after the last visit)",
    )
    PRIVATE_FOSTERING_ASSESSMENT = (
        "pf_assessment",
        "Private fostering assessment (from the notification)",
    )


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
