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
