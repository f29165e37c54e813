"""Teams of the children's social care service (and of partner agencies), and the weights
a team manager's caseload figures give each kind of case."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
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


class CaseKind(models.TextChoices):
    """What a case is now, for weighting a caseload: the most demanding open part of the
    child's episode decides (a child protection plan outweighs everything else)."""

    ASSESSMENT = "assessment", "Assessment in progress"
    CHILD_IN_NEED = "child_in_need", "Child in need plan"
    CHILD_PROTECTION = "child_protection", "Child protection plan"
    LOOKED_AFTER = "looked_after", "Looked after"
    EARLY_HELP = "early_help", "Early help, as lead professional"


class CaseloadWeight(models.Model):
    """How much one case of a kind counts towards a worker's weighted caseload.

    The defaults (migration 0003) are assessment 1.0, child in need 1.0, child protection
    1.5, looked after 1.5 and early help 0.5; an authority sets its own in the admin site.
    """

    kind = models.CharField(max_length=20, choices=CaseKind.choices, unique=True)
    weight = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("10"))],
        help_text="How much one case of this kind counts; 1.00 is an ordinary case",
    )

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gte=0) & models.Q(weight__lte=10), name="caseload_weight_in_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.weight}"
