"""Teams of the children's social care service (and of partner agencies)."""

from __future__ import annotations

from django.db import models


class Team(models.Model):
    name = models.CharField(max_length=120)
    agency = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, related_name="teams")
    phone = models.CharField(max_length=40, blank=True)
    secure_email = models.EmailField(blank=True)

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="team_name_unique_in_agency")]

    def __str__(self) -> str:
        return self.name
