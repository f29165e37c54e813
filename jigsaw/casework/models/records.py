"""The child's record over time: case notes (locked after 24 hours, corrected only by
addenda) and the chronology every casework step and partner event is written into."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models

from jigsaw.casework.models.codes import CaseNoteKind, ChronologyKind

# A case note may be edited by its author for this long; after it, only addenda.
CASE_NOTE_LOCK = datetime.timedelta(hours=24)


class CaseNote(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="case_notes")
    referral = models.ForeignKey(
        "casework.Referral", on_delete=models.PROTECT, null=True, blank=True, related_name="case_notes"
    )
    kind = models.CharField(max_length=20, choices=CaseNoteKind.choices)
    occurred_at = models.DateTimeField(help_text="When the event happened")
    recorded_at = models.DateTimeField(help_text="When it was written down")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(occurred_at__lte=models.F("recorded_at")),
                name="case_note_event_not_after_recording",
            )
        ]

    def __str__(self) -> str:
        return f"Case note {self.pk}"

    def locked(self, now: datetime.datetime) -> bool:
        return now >= self.recorded_at + CASE_NOTE_LOCK


class CaseNoteAddendum(models.Model):
    """A later correction or addition to a locked note; the note itself never changes."""

    note = models.ForeignKey(CaseNote, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name_plural = "case note addenda"

    def __str__(self) -> str:
        return f"Addendum {self.pk} to case note {self.note_id}"


class ChronologyEntry(models.Model):
    """One significant event in a child's life as the agencies know it.

    Written by each action in the same transaction as the step it records (and, once the
    partners feeds land, by partner events), so the chronology is read from one indexed
    table rather than assembled from every kind of record at page time.
    """

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="chronology")
    occurred_on = models.DateField()
    occurred_at = models.DateTimeField(null=True, blank=True)
    kind = models.CharField(max_length=20, choices=ChronologyKind.choices)
    agency = models.ForeignKey(
        "partners.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    summary = models.CharField(max_length=300)
    detail = models.TextField(blank=True)
    # The record the entry stands for, to link to it (app_label.model and primary key).
    source_type = models.CharField(max_length=80, blank=True)
    source_id = models.CharField(max_length=40, blank=True)
    significant = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-occurred_on", "-occurred_at", "-pk"]
        verbose_name_plural = "chronology entries"
        indexes = [
            models.Index(fields=["person", "-occurred_on"], name="chronology_person_date"),
            models.Index(fields=["source_type", "source_id"], name="chronology_source"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on:%d/%m/%Y} {self.summary}"
