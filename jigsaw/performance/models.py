"""What performance needs beyond the casework: the authority's child population (the
denominator of every rate per 10,000 children), the quarterly board report's commentary, the
authority's targets, and the closed months' figures as the nightly count left them. Every
figure is computed from the casework; the kept months are that computation, kept so that a
dashboard need not count twelve months of casework again each time it is opened."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class ChildPopulation(models.Model):
    """Children aged 0 to 17 living in the authority in a year (the ONS mid-year estimate),
    the denominator of rates per 10,000 children."""

    year = models.PositiveSmallIntegerField(unique=True, help_text="The mid-year estimate's year")
    children = models.PositiveIntegerField(help_text="Children aged 0 to 17")
    source = models.CharField(max_length=200, blank=True, help_text="For example: ONS mid-2025 estimates")

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(condition=models.Q(children__gt=0), name="child_population_positive")
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.children:,} children"


class BoardReport(models.Model):
    """The partnership's quarterly performance report: the figures are computed when it is
    opened or printed; what is kept is the quarter and the managers' commentary."""

    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(4)])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["year", "quarter"], name="board_report_one_per_quarter"),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1) & models.Q(quarter__lte=4),
                name="board_report_quarter_1_to_4",
            ),
        ]

    def __str__(self) -> str:
        return f"Quarter {self.quarter} {self.year}"


class Commentary(models.Model):
    """A manager's words on one indicator in one quarter's report (indicator "" is the
    report's overall summary)."""

    report = models.ForeignKey(BoardReport, on_delete=models.CASCADE, related_name="commentary")
    indicator = models.CharField(
        max_length=60, blank=True, help_text="The indicator's key; blank for the summary"
    )
    text = models.TextField()
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["report", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="commentary_one_per_indicator")
        ]

    def __str__(self) -> str:
        return f"{self.report}: {self.indicator or 'summary'}"


class IndicatorTarget(models.Model):
    """The authority's own target for an indicator, set over the catalogue's default (or
    where the catalogue has none)."""

    indicator = models.CharField(max_length=60, unique=True, help_text="The indicator's key")
    target = models.DecimalField(max_digits=9, decimal_places=2)
    reason = models.CharField(
        max_length=200, blank=True, help_text="For example: agreed by the board, May 2026"
    )

    class Meta:
        ordering = ["indicator"]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.target}"


class IndicatorMonth(models.Model):
    """One indicator's figure for one closed calendar month and one scope, as the nightly
    count (`jigsaw recount_indicators`, run by `jigsaw tick` once a day) left it. The
    dashboards read these for the months before this one and count this month as they are
    opened, and say when the months were counted."""

    indicator = models.CharField(max_length=60, help_text="The indicator's key")
    month = models.DateField(help_text="The month's first day")
    # "" for the whole authority, "team:<id>" or "agency:<id>".
    scope = models.CharField(max_length=40, blank=True)
    # {"n": numerator, "d": denominator or null, "b": [[label, numerator, denominator or
    # null], ...]}, the numbers as decimal strings so they come back exactly.
    figure = models.JSONField()

    class Meta:
        ordering = ["indicator", "scope", "month"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "scope", "month"], name="indicator_month_once")
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.scope or 'all'} {self.month:%Y-%m}"


class IndicatorRecount(models.Model):
    """One day's count of the closed months. The row is claimed before counting, so of
    several servers running `tick` at once only one counts."""

    day = models.DateField(unique=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    months = models.PositiveIntegerField(default=0, help_text="Months counted")
    figures = models.PositiveIntegerField(default=0, help_text="Figures kept")
    seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"Count of {self.day}"
