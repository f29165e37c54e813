"""Flag checks: is this child on a plan, looked after, or unborn with a pre-birth plan?"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class FlagAnswer(models.TextChoices):
    CHILD_PROTECTION_PLAN = "cp_plan", "On a child protection plan"
    LOOKED_AFTER = "looked_after", "Looked after"
    PRE_BIRTH_PLAN = "pre_birth_plan", "Unborn, with a pre-birth child protection plan"
    NO_FLAG = "no_flag", "Not on a plan and not looked after"
    CANNOT_CONFIRM = "cannot_confirm", "Cannot confirm: call the front door"
    REFUSED = "refused", "Refused: too many checks"


class FlagCheck(models.Model):
    """One check, kept whatever it answered: who asked, why, what they gave, what the
    matcher found and what they were told."""

    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(db_index=True)
    reason = models.TextField()
    where_seen = models.CharField(max_length=160, blank=True, help_text="For example: St Mary's A&E")
    nhs_number = models.CharField(max_length=10, blank=True)
    given_name = models.CharField(max_length=120, blank=True)
    family_name = models.CharField(max_length=120, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    answer = models.CharField(max_length=16, choices=FlagAnswer.choices)
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    probability = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-asked_at", "-pk"]
        indexes = [models.Index(fields=["asked_by", "-asked_at"], name="flag_check_asker")]

    def __str__(self) -> str:
        return f"Flag check {self.pk} ({self.get_answer_display()})"
