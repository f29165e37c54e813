"""Advocates for parents at child protection conferences.

Parents facing a conference about their children are entitled to bring someone to support
them, and many authorities commission an independent advocacy service for them: Working
Together asks that parents are helped to take part. So for each conference the chair or the
social worker records whether the parents were offered an advocate and whether one came
(who, from which organisation). The partnership's report counts, month by month, how many
conferences had an advocate offered and how many had one there.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class AdvocacyRecord(models.Model):
    """Whether the parents had an advocate at one conference."""

    conference = models.OneToOneField(
        "casework.ChildProtectionConference", on_delete=models.PROTECT, related_name="advocacy"
    )
    offered = models.BooleanField(help_text="The parents were offered an advocate")
    attended = models.BooleanField(help_text="An advocate came to the conference")
    advocate_name = models.CharField(max_length=160, blank=True)
    organisation = models.CharField(max_length=160, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-conference__date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(attended=False) | ~Q(advocate_name="") | ~Q(organisation=""),
                name="advocate_who_attended_is_named",
            )
        ]

    def __str__(self) -> str:
        return f"Advocacy at conference {self.conference_id}"
