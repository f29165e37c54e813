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
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="break_glass")
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


class RetentionBasis(models.TextChoices):
    AFTER_BIRTH = "after_birth", "Years after the date of birth"
    AFTER_LAST_CHANGE = "after_last_change", "Years after the record last changed"


class RetentionRule(models.Model):
    """One line of the retention schedule: how long one kind of record is kept."""

    record_type = models.CharField(max_length=40, unique=True)
    description = models.CharField(max_length=200)
    basis = models.CharField(max_length=20, choices=RetentionBasis.choices)
    years = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["record_type"]

    def __str__(self) -> str:
        return f"{self.description}: {self.years} {self.get_basis_display().lower()}"


class LegalHold(models.Model):
    """Keeps a person's records past their retention date (litigation, an inquiry, a review)."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="legal_holds")
    reason = models.TextField()
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField()
    lifted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Legal hold on person {self.person_id}"


class DisposalBatch(models.Model):
    """A list of records due for disposal, proposed by a dry run and disposed only on approval."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        DISPOSED = "disposed", "Disposed"

    proposed_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    disposed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Disposal batch {self.pk} ({self.status})"


class DisposalItem(models.Model):
    """One record in a batch; after disposal, the lasting note of what was removed and why."""

    batch = models.ForeignKey(DisposalBatch, on_delete=models.PROTECT, related_name="items")
    record_type = models.CharField(max_length=60)
    record_id = models.CharField(max_length=40)
    rule = models.CharField(max_length=200)
    due_on = models.DateField()
    disposed = models.BooleanField(default=False)
    note = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.record_type} {self.record_id} due {self.due_on}"


class SubjectAccessRequest(models.Model):
    """A person's request for everything held about them (UK GDPR article 15)."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        EXPORTED = "exported", "Export prepared: redaction review"
        SENT = "sent", "Sent"

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="subject_access_requests"
    )
    requested_by = models.CharField(
        max_length=160, help_text="The person asking (the subject or on their behalf)"
    )
    received_on = models.DateField()
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["due_on"]

    def __str__(self) -> str:
        return f"Subject access request {self.pk} for person {self.person_id}"
