"""The access log: one append-only, hash-chained row for every read of a record and every change."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AccessLogEntry(models.Model):
    at = models.DateTimeField(db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    action = models.CharField(max_length=40)
    record_type = models.CharField(max_length=60, blank=True)
    record_id = models.CharField(max_length=40, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    reason = models.TextField(
        blank=True, help_text="Why, where the user was asked (break-glass, flag checks)"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "access log entries"
        indexes = [models.Index(fields=["record_type", "record_id"], name="access_log_record")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.user_id} {self.action} {self.record_type} {self.record_id}"


class AccessLogHead(models.Model):
    """A single row holding the newest hash: locking it serialises writers of the chain."""

    last_hash = models.CharField(max_length=64)
    entries = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"access log head after {self.entries} entries"


class AccessLogSubject(models.Model):
    """Which records an entry concerns, for "who has looked at this child?".

    Derived from the entry's own (hashed) detail, so it can be rebuilt; a search that
    returned ten people has ten rows here.
    """

    entry = models.ForeignKey(AccessLogEntry, on_delete=models.CASCADE, related_name="subjects")
    record_type = models.CharField(max_length=60)
    record_id = models.CharField(max_length=40)

    class Meta:
        indexes = [models.Index(fields=["record_type", "record_id"], name="access_log_subject_record")]

    def __str__(self) -> str:
        return f"{self.record_type} {self.record_id} in entry {self.entry_id}"


class RestrictionReason(models.TextChoices):
    ADOPTION = "adoption", "Child placed for adoption"
    STAFF_FAMILY = "staff_family", "A member of staff's own family"
    HIGH_PROFILE = "high_profile", "High-profile case"
    OTHER = "other", "Other"


class RestrictedRecord(models.Model):
    """A person whose record only named users may see (and others only by breaking glass)."""

    person = models.OneToOneField("people.Person", on_delete=models.CASCADE, related_name="restriction")
    reason = models.CharField(max_length=20, choices=RestrictionReason.choices)
    note = models.TextField(blank=True)
    restricted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="restrictions_made"
    )
    restricted_at = models.DateTimeField()
    permitted_users = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="restricted_records")

    def __str__(self) -> str:
        return f"Restricted: person {self.person_id} ({self.get_reason_display()})"


class ReviewOutcome(models.TextChoices):
    JUSTIFIED = "justified", "Justified"
    NOT_JUSTIFIED = "not_justified", "Not justified: take it up with the user and their manager"


class BreakGlassAccess(models.Model):
    """A user opening a record outside the normal rule, for a stated urgent reason."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="break_glass")
    reason = models.TextField()
    opened_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=ReviewOutcome.choices, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["user", "expires_at"], name="break_glass_user_expiry")]
        verbose_name_plural = "break-glass accesses"

    def __str__(self) -> str:
        return f"Break-glass by {self.user_id} on person {self.person_id}"
