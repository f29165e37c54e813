"""Oversight: case supervision (models).

A team manager supervises each open case at the interval the supervision policy sets
(every 4 weeks unless the authority changes it): what was discussed, what was decided,
and the actions agreed, each with an owner and a due date."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

DEFAULT_INTERVAL_DAYS = 28


class SupervisionPolicy(models.Model):
    """How often each open (allocated) case must be supervised. One policy is in force;
    it is created with the default on first use, and a team manager may change it."""

    interval_days = models.PositiveSmallIntegerField(default=DEFAULT_INTERVAL_DAYS)
    in_force = models.BooleanField(default=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name_plural = "supervision policies"
        constraints = [
            models.UniqueConstraint(
                fields=["in_force"], condition=Q(in_force=True), name="one_supervision_policy"
            ),
            models.CheckConstraint(
                condition=Q(interval_days__gte=1) & Q(interval_days__lte=366),
                name="supervision_interval_sensible",
            ),
        ]

    def __str__(self) -> str:
        return f"Supervise every {self.interval_days} days"


class CaseSupervision(models.Model):
    """One supervision of a child's case: the manager (supervisor) with the worker."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="supervisions")
    supervised_on = models.DateField()
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    discussion = models.TextField()
    decisions = models.TextField()
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-supervised_on", "-pk"]
        indexes = [
            models.Index(fields=["person", "supervised_on"], name="supervision_person_date"),
            models.Index(fields=["worker", "supervised_on"], name="supervision_worker_date"),
        ]

    def __str__(self) -> str:
        return f"Supervision of person {self.person_id} on {self.supervised_on:%d/%m/%Y}"


class SupervisionAction(models.Model):
    """An action agreed in supervision: who does it, by when, and when it was done."""

    supervision = models.ForeignKey(CaseSupervision, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["owner", "done_at", "due_on"], name="supervision_action_owner_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(done_at__isnull=True) | Q(done_by__isnull=False),
                name="supervision_action_done_by",
            )
        ]

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
