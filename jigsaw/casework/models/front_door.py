"""The front door: contacts and the decisions on them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from jigsaw.casework.models.codes import Consent, FrontDoorDecision, PrimaryNeed, ReferralSource, Urgency


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
    primary_need = models.CharField(
        max_length=2,
        choices=PrimaryNeed.choices,
        blank=True,
        help_text="Asked when the decision opens a referral (assessment or strategy discussion)",
    )
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
        indexes = [
            models.Index(fields=["decided_at", "decision_due"], name="contact_queue"),
            # Indicators and returns count contacts by when they came in.
            models.Index(fields=["received_at"], name="contact_received"),
        ]
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
