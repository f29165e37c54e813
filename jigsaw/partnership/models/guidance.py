"""Guidance the partnership issues, and who has read it.

Lord Laming's progress report (2009) found practice guidance issued and not read; the
partnership now knows who has read what. A guidance item (a practice note, a procedure or
a leaflet) is addressed to an audience: all agencies or chosen agencies and kinds of
agency, and all roles or chosen roles. Its versions are numbered; each holds a text, an
uploaded PDF (kept in the database, like the practice reviews' documents), or both. Every
Jigsaw user in the audience is asked to acknowledge each version: a new version asks
everyone again. A procedure may be tagged as the one for a part of the work (escalation,
thresholds), so those pages link to its current version.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

# The largest PDF accepted (kept in the database, so several servers share it).
MAX_GUIDANCE_FILE_BYTES = 10 * 1024 * 1024


class GuidanceKind(models.TextChoices):
    PRACTICE_NOTE = "practice_note", "Practice note"
    PROCEDURE = "procedure", "Procedure"
    LEAFLET = "leaflet", "Leaflet"


class ProcedureKey(models.TextChoices):
    """The parts of the work a procedure is linked from."""

    ESCALATION = "escalation", "Escalation (resolving professional disagreements)"
    THRESHOLDS = "thresholds", "Thresholds (the front door's decisions)"


class GuidanceItem(models.Model):
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=GuidanceKind.choices)
    procedure_key = models.CharField(max_length=20, choices=ProcedureKey.choices, blank=True)
    # The audience: every agency, or these agencies and every agency of these kinds; every
    # role, or these roles (lists of Role values and AgencyKind values).
    all_agencies = models.BooleanField(default=True)
    agencies = models.ManyToManyField("partners.Agency", blank=True, related_name="guidance")
    agency_kinds = models.JSONField(default=list, blank=True)
    roles = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure_key"], condition=~Q(procedure_key=""), name="one_procedure_per_key"
            ),
            models.CheckConstraint(
                condition=Q(procedure_key="") | Q(kind="procedure"), name="only_procedures_have_a_key"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class GuidanceVersion(models.Model):
    """One issued version of an item. The file's bytes are in their own table, so lists
    of versions never load them."""

    item = models.ForeignKey(GuidanceItem, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    body = models.TextField(blank=True)
    change_note = models.CharField(max_length=300, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()

    class Meta:
        ordering = ["item", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="guidance_version_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.item_id} version {self.number}"


class GuidanceFile(models.Model):
    version = models.OneToOneField(GuidanceVersion, on_delete=models.CASCADE, related_name="file")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    content = models.BinaryField()

    def __str__(self) -> str:
        return self.filename


class Acknowledgement(models.Model):
    """ "I have read this": one user, one version, when."""

    version = models.ForeignKey(GuidanceVersion, on_delete=models.CASCADE, related_name="acknowledgements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField()

    class Meta:
        ordering = ["version", "acknowledged_at"]
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="one_acknowledgement_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.version_id}"
