"""Rules that join the dots for children not open to social care, and the emerging
concerns they raise at the front door."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class RuleKind(models.TextChoices):
    EVENTS_AT_ADDRESS = (
        "events_at_address",
        "A number of events at one address where a child lives",
    )
    COMBINATION = "combination", "Events of different kinds about one child"
    AGENCIES = "agencies", "Concerns from different agencies about one child"


class AlertRule(models.Model):
    """A rule an administrator can change. For example: three or more domestic abuse
    incidents in 12 months at an address with a child under five."""

    name = models.CharField(max_length=160, unique=True)
    kind = models.CharField(max_length=20, choices=RuleKind.choices)
    # The events that count: "kind" or "kind:subtype" (e.g. "police_incident:domestic_abuse").
    event_types = models.JSONField(default=list)
    minimum = models.PositiveSmallIntegerField(default=1, help_text="Events (or agencies) needed")
    window_days = models.PositiveSmallIntegerField(default=365)
    child_under_age = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Only for a child under this age (years)"
    )
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EmergingConcernStatus(models.TextChoices):
    OPEN = "open", "Open"
    CONTACT_RECORDED = "contact", "Contact recorded"
    DISMISSED = "dismissed", "No action needed"


class EmergingConcern(models.Model):
    """A rule that fired for a child not open to social care, with its evidence, waiting
    for the front door."""

    rule = models.ForeignKey(AlertRule, on_delete=models.PROTECT, related_name="concerns")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="emerging_concerns")
    summary = models.CharField(max_length=300)
    evidence = models.ManyToManyField("partners.PartnerEvent", related_name="+", blank=True)
    raised_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=EmergingConcernStatus.choices, default=EmergingConcernStatus.OPEN
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "person"], condition=models.Q(status="open"), name="one_open_emerging_concern"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule} for person {self.person_id}"
