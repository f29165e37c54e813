"""The partnership: partner agencies at conferences, escalations and their resolution, and
training take-up."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from jigsaw.casework.models import ATTENDED, ChildProtectionConference, ConferenceInvitation
from jigsaw.casework.timescales import working_days_between
from jigsaw.escalation.models import Escalation, EscalationOutcome
from jigsaw.partners.models import Agency, AgencyKind
from jigsaw.performance.indicators.base import (
    Direction,
    Figure,
    Group,
    Indicator,
    Scope,
    Unit,
    alphabetical,
    listed,
    register,
)
from jigsaw.performance.indicators.common import (
    ZERO,
    by_month,
    dec,
    for_agency,
    for_team,
    in_days,
    in_moments,
    month_of,
    shared,
)
from jigsaw.performance.indicators.series import monthly
from jigsaw.quality.queries import training

# --- conference attendance by agency ----------------------------------------------------------------


def _partner_invitations(scope: Scope) -> QuerySet[ConferenceInvitation]:
    """Partner professionals invited to conferences held in the period (not the family, and
    not children's social care, which convenes them). Uses conference_held_date."""
    return (
        ConferenceInvitation.objects.filter(
            in_days("conference__date", scope),
            for_agency(scope, "agency_id"),
            conference__held=True,
            agency__isnull=False,
            family_role="",
        )
        .exclude(agency__kind=AgencyKind.CHILDRENS_SOCIAL_CARE)
        .order_by()
    )


def conference_attendance(scope: Scope) -> Figure:
    rows = list(
        _partner_invitations(scope)
        .values("agency__name")
        .annotate(invited=Count("pk"), attended=Count("pk", filter=Q(attendance__in=ATTENDED)))
        .values_list("agency__name", "attended", "invited")
        .order_by("agency__name")
    )
    return _attendance_figure(rows)


def _attendance_figure(rows: list[tuple[str, int, int]]) -> Figure:
    # By agency name, sorted here rather than by the database, whose collation may differ:
    # a period's rows added up from its months (`summed`) sort the same way.
    rows = sorted(rows)
    return Figure(
        dec(sum(r[1] for r in rows)),
        dec(sum(r[2] for r in rows)),
        Unit.PERCENT,
        tuple((name, dec(attended), dec(invited)) for name, attended, invited in rows),
    )


@monthly("conference_attendance")
def conference_attendance_by_month(scope: Scope, months: list[datetime.date]) -> dict[datetime.date, Figure]:
    grouped: dict[datetime.date, list[tuple[str, int, int]]] = defaultdict(list)
    for month, name, attended, invited in (
        by_month(_partner_invitations(scope), "conference__date", months)
        .values("month", "agency__name")
        .annotate(invited=Count("pk"), attended=Count("pk", filter=Q(attendance__in=ATTENDED)))
        .values_list("month", "agency__name", "attended", "invited")
        .order_by("month", "agency__name")
    ):
        grouped[month_of(month)].append((name, attended, invited))
    return {m: _attendance_figure(grouped.get(m, [])) for m in months}


register(
    Indicator(
        key="conference_attendance",
        name="Partner attendance at child protection conferences",
        definition="Of the partner professionals invited to conferences held in the period, the "
        "share who attended (in person, by phone or by video), by agency.",
        numerator="Partner invitations attended",
        denominator="Partner invitations to conferences held in the period",
        direction=Direction.HIGHER_IS_BETTER,
        rule="Working Together 2023, chapter 2: those with relevant knowledge of the child, "
        "including the GP, health visitor, school and police, attend conferences or send a report.",
        unit=Unit.PERCENT,
        group=Group.PARTNERSHIP,
        compute=conference_attendance,
        records=lambda scope: ChildProtectionConference.objects.filter(
            pk__in=_partner_invitations(scope).filter(attendance__in=ATTENDED).values("conference_id")
        ),
        records_person="children__referral__person",
        scopes=frozenset({"agency"}),
        additive=True,
        breakdown_order=alphabetical(),
    )
)


# --- escalations --------------------------------------------------------------------------------


def _raised(scope: Scope) -> QuerySet[Escalation]:
    # An agency's escalations are those it raised and those it was asked to answer.
    return Escalation.objects.filter(
        in_moments("raised_at", scope),
        for_agency(scope, "raising_agency_id", "responding_agency_id"),
        for_team(scope, "responding_team_id"),
    )


def _by_agency(rows: list[tuple[str, int]]) -> Figure:
    rows = sorted(rows)  # by agency name, as `_attendance_figure`
    return Figure(
        dec(sum(n for _, n in rows)), None, Unit.COUNT, tuple((name, dec(n), None) for name, n in rows)
    )


def escalations_raised(scope: Scope) -> Figure:
    rows = list(
        _raised(scope)
        .order_by()
        .values("raising_agency__name")
        .annotate(n=Count("pk"))
        .values_list("raising_agency__name", "n")
        .order_by("raising_agency__name")
    )
    return _by_agency(rows)


@monthly("escalations_raised")
def escalations_by_month(scope: Scope, months: list[datetime.date]) -> dict[datetime.date, Figure]:
    grouped: dict[datetime.date, list[tuple[str, int]]] = defaultdict(list)
    for month, name, n in (
        by_month(_raised(scope), "raised_at", months)
        .values("month", "raising_agency__name")
        .annotate(n=Count("pk"))
        .values_list("month", "raising_agency__name", "n")
        .order_by("month", "raising_agency__name")
    ):
        grouped[month_of(month)].append((name, n))
    return {m: _by_agency(grouped.get(m, [])) for m in months}


register(
    Indicator(
        key="escalations_raised",
        name="Escalations raised",
        definition="Professional disagreements and urgent concerns escalated in the period, by the "
        "agency that raised them.",
        numerator="Escalations raised in the period",
        denominator="",
        direction=Direction.NEITHER,
        rule="Working Together 2023, chapter 1: the safeguarding partners publish an escalation "
        "procedure for resolving professional disagreements.",
        unit=Unit.COUNT,
        group=Group.PARTNERSHIP,
        compute=escalations_raised,
        records=_raised,
        scopes=frozenset({"team", "agency"}),
        additive=True,
        breakdown_order=alphabetical(),
    )
)


def _closed(scope: Scope) -> QuerySet[Escalation]:
    return Escalation.objects.filter(
        in_moments("closed_at", scope),
        for_agency(scope, "raising_agency_id", "responding_agency_id"),
        for_team(scope, "responding_team_id"),
    )


def _closed_rows(scope: Scope) -> list[tuple[datetime.date, str, int]]:
    """Each escalation closed in the period: the local day it closed, its outcome and its
    working days from raising to closing, counted as the escalation report counts them."""
    rows = []
    for raised_at, closed_at, outcome in (
        _closed(scope).order_by().values_list("raised_at", "closed_at", "outcome")
    ):
        closed_on = timezone.localdate(closed_at)
        rows.append((closed_on, outcome, working_days_between(timezone.localdate(raised_at), closed_on)))
    return rows


def _resolution_totals(rows: list[tuple[datetime.date, str, int]]) -> dict[str, list[int]]:
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for _, outcome, days in rows:
        totals[outcome][0] += days
        totals[outcome][1] += 1
    return totals


def escalation_resolution_days(scope: Scope) -> Figure:
    """Working days from raising to closing, on average, by outcome."""
    return _resolution_figure(_resolution_totals(_closed_rows(scope)))


@monthly("escalation_resolution_days")
def escalation_resolution_by_month(scope: Scope, months: list[datetime.date]) -> dict[datetime.date, Figure]:
    by_month_closed: dict[datetime.date, list[tuple[datetime.date, str, int]]] = defaultdict(list)
    for row in _closed_rows(scope):
        by_month_closed[row[0].replace(day=1)].append(row)
    return {m: _resolution_figure(_resolution_totals(by_month_closed.get(m, []))) for m in months}


def _resolution_figure(totals: dict[str, list[int]]) -> Figure:
    days_total = sum(t[0] for t in totals.values())
    closed = sum(t[1] for t in totals.values())
    return Figure(
        dec(days_total),
        dec(closed),
        Unit.AVERAGE,
        tuple(
            (label, dec(totals[code][0]), dec(totals[code][1]))
            for code, label in EscalationOutcome.choices
            if code in totals
        ),
    )


register(
    Indicator(
        key="escalation_resolution_days",
        name="Escalations: working days to resolution",
        definition="For the escalations closed in the period, the average working days from being "
        "raised to being closed, by outcome.",
        numerator="Working days from raising to closing, summed over the escalations closed",
        denominator="Escalations closed in the period",
        direction=Direction.LOWER_IS_BETTER,
        rule="Working Together 2023, chapter 1: disagreements are resolved quickly, at the "
        "lowest level possible, within the procedure's timescales.",
        unit=Unit.AVERAGE,
        group=Group.PARTNERSHIP,
        compute=escalation_resolution_days,
        records=_closed,
        scopes=frozenset({"team", "agency"}),
        additive=True,
        breakdown_order=listed(EscalationOutcome.labels),
    )
)


# --- training take-up --------------------------------------------------------------------------------


def training_takeup(scope: Scope) -> Figure:
    """Learners in date with each mandatory course (expiring soon still counts), on the
    period's last day, from the training take-up figures."""
    # Worked out once a page, whichever agencies it is then split by (one by one, on the
    # indicator's page): the take-up figures already count each organisation.
    agency_name = (
        shared("agency_names", lambda: dict(Agency.objects.values_list("pk", "name"))).get(scope.agency_id)
        if scope.agency_id is not None
        else None
    )
    if scope.agency_id is not None and agency_name is None:
        return Figure(ZERO, ZERO, Unit.PERCENT)
    rows: list[tuple[str, Decimal, Decimal]] = []
    for course in shared(("training_takeup", scope.end), lambda: training.takeup(today=scope.end)):
        takeup: Any = course.total
        if agency_name is not None:
            takeup = next((t for t in course.by_organisation if t.label == agency_name), None)
            if takeup is None:
                continue
        rows.append((course.course.title, dec(takeup.in_date + takeup.expiring), dec(takeup.total)))
    return Figure(sum((r[1] for r in rows), ZERO), sum((r[2] for r in rows), ZERO), Unit.PERCENT, tuple(rows))


register(
    Indicator(
        key="training_takeup",
        name="Mandatory safeguarding training in date",
        definition="Across the mandatory courses, the share of the learners each is mandatory for "
        "whose training is in date at the end of the period (counting those expiring soon), by "
        "course. Counted as the records stand now.",
        numerator="Learner-courses in date",
        denominator="Learner-courses mandatory",
        direction=Direction.HIGHER_IS_BETTER,
        rule="Working Together 2023, chapter 1: the safeguarding partners make sure practitioners "
        "are trained; the intercollegiate documents set health staff's levels.",
        unit=Unit.PERCENT,
        group=Group.PARTNERSHIP,
        compute=training_takeup,
        records_person="",
        scopes=frozenset({"agency"}),
        snapshot=True,
        # Training records hold each learner's latest completion, not their past state.
        current_only=True,
    )
)
