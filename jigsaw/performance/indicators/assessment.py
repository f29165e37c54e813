"""Assessments: completed within 45 working days of the referral."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from jigsaw.casework.models import Assessment
from jigsaw.performance.indicators.base import Direction, Figure, Group, Indicator, Scope, Unit, register
from jigsaw.performance.indicators.common import by_month, for_team, in_days, month_of, ratio
from jigsaw.performance.indicators.series import monthly


def _completed(scope: Scope) -> QuerySet[Assessment]:
    # Uses the index assessment_open_due (completed_on, due_on).
    return Assessment.objects.filter(in_days("completed_on", scope), for_team(scope, "referral__team_id"))


# Assessment.due_on is set by the action from the timescale policy (45 working days from
# the referral, bank holidays counted out), so it is read, not recounted.
IN_TIME = Q(completed_on__lte=F("due_on"))


def assessments_in_time(scope: Scope) -> Figure:
    found: dict[str, Any] = _completed(scope).aggregate(
        total=Count("pk"), in_time=Count("pk", filter=IN_TIME)
    )
    return ratio(found["in_time"], found["total"], Unit.PERCENT)


@monthly("assessments_in_time")
def assessments_by_month(scope: Scope, months: list[datetime.date]) -> dict[datetime.date, Figure]:
    rows = {
        month_of(month): (in_time, total)
        for month, total, in_time in by_month(_completed(scope), "completed_on", months)
        .values("month")
        .annotate(total=Count("pk"), in_time=Count("pk", filter=IN_TIME))
        .values_list("month", "total", "in_time")
    }
    return {m: ratio(*rows.get(m, (0, 0)), unit=Unit.PERCENT) for m in months}


register(
    Indicator(
        key="assessments_in_time",
        name="Assessments completed within 45 working days",
        definition="Of the child and family assessments completed in the period, the share "
        "completed by their due date (45 working days from the referral by default).",
        numerator="Assessments completed on or before their due date",
        denominator="Assessments completed in the period",
        direction=Direction.HIGHER_IS_BETTER,
        rule="Working Together 2023, chapter 2: the maximum timeframe for an assessment to "
        "conclude is 45 working days from the point of referral.",
        unit=Unit.PERCENT,
        group=Group.ASSESSMENT,
        compute=assessments_in_time,
        records=lambda scope: _completed(scope).filter(IN_TIME),
        records_person="referral__person",
        additive=True,
    )
)
