"""The workforce: caseloads, supervision, agency staff, vacancies, sickness and turnover.

The establishment, absence and leavers figures come from `jigsaw.workforce.queries` and
supervision from `jigsaw.quality.queries.supervision`: they are counted there, once."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from jigsaw.casework.models import Allocation, Referral
from jigsaw.performance.indicators.base import Direction, Figure, Group, Indicator, Scope, Unit, register
from jigsaw.performance.indicators.common import ZERO, after, dec, for_team, month_ends, open_on, shared
from jigsaw.performance.indicators.series import monthly
from jigsaw.quality.queries import supervision
from jigsaw.workforce import queries as workforce

WORKFORCE_CENSUS = "DfE children's social work workforce census"

# --- caseload per worker ------------------------------------------------------------------------


def _held_at_end(scope: Scope) -> QuerySet[Allocation]:
    """The allocations running at the end of the period, of episodes still open then; a
    worker's team decides the team (the caseload is the worker's, wherever the case sits)."""
    end = after(scope.end)
    open_episode = Referral.objects.filter(
        open_on("referred_on", "closed_on", scope.end), pk=OuterRef("referral_id")
    )
    return Allocation.objects.filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=end),
        Exists(open_episode),
        for_team(scope, "worker__practitioner__team_id"),
        allocated_at__lt=end,
    )


def caseload_per_worker(scope: Scope) -> Figure:
    found: dict[str, Any] = _held_at_end(scope).aggregate(
        cases=Count("pk"), workers=Count("worker_id", distinct=True)
    )
    return Figure(dec(found["cases"]), dec(found["workers"]), Unit.AVERAGE)


@monthly("caseload_per_worker")
def caseload_by_month(scope: Scope, months: list[datetime.date]) -> dict[datetime.date, Figure]:
    """Allocations held at each month's end, in one query: a filtered count per month end
    over the allocations running at any of them (the episode's dates joined, not asked
    of a subquery, so it stays one pass)."""
    ends = month_ends(scope, months)
    counts: dict[str, Count] = {}
    for i, end in enumerate(ends):
        held = (
            Q(allocated_at__lt=after(end))
            & (Q(ended_at__isnull=True) | Q(ended_at__gte=after(end)))
            & open_on("referral__referred_on", "referral__closed_on", end)
        )
        counts[f"cases{i}"] = Count("pk", filter=held)
        counts[f"workers{i}"] = Count("worker_id", distinct=True, filter=held)
    found: dict[str, Any] = Allocation.objects.filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=after(ends[0])),
        for_team(scope, "worker__practitioner__team_id"),
        allocated_at__lt=after(ends[-1]),
    ).aggregate(**counts)
    return {
        m: Figure(dec(found[f"cases{i}"]), dec(found[f"workers{i}"]), Unit.AVERAGE)
        for i, m in enumerate(months)
    }


register(
    Indicator(
        key="caseload_per_worker",
        name="Caseload per worker",
        definition="Open episodes of need allocated at the end of the period, divided by the "
        "workers holding at least one of them (the worker's own team for a team).",
        numerator="Open episodes allocated to a worker at the end of the period",
        denominator="Workers holding open episodes at the end of the period",
        direction=Direction.LOWER_IS_BETTER,
        rule=f"{WORKFORCE_CENSUS} (cases per case-holding social worker); Working Together 2023: "
        "manageable caseloads so that practitioners can do direct work with children.",
        unit=Unit.AVERAGE,
        group=Group.WORKFORCE,
        compute=caseload_per_worker,
        records=lambda scope: Referral.objects.filter(pk__in=_held_at_end(scope).values("referral_id")),
        snapshot=True,
    )
)


# --- supervision up to date -----------------------------------------------------------------------


def supervision_up_to_date(scope: Scope) -> Figure:
    # Every team's figures come from one grouped query: once a page, however many teams
    # the page then shows.
    figures = shared(
        ("supervision_team_figures", scope.end),
        lambda: supervision.team_figures(today=scope.end, policy=supervision.policy_in_force()),
    )
    if scope.team_id is not None:
        figures = [f for f in figures if f.key == scope.team_id]
    open_cases = sum(f.open_cases for f in figures)
    not_overdue = sum(f.open_cases - f.overdue for f in figures)
    return Figure(
        dec(not_overdue),
        dec(open_cases),
        Unit.PERCENT,
        tuple((f.name, dec(f.open_cases - f.overdue), dec(f.open_cases)) for f in figures),
    )


register(
    Indicator(
        key="supervision_up_to_date",
        name="Case supervision up to date",
        definition="Of the open allocated episodes, the share not overdue a case supervision by "
        "the supervision policy in force (supervised within its interval, or newly allocated "
        "and not yet due). Counted as the records stand now, on the period's last day.",
        numerator="Open allocated episodes not overdue supervision",
        denominator="Open allocated episodes",
        direction=Direction.HIGHER_IS_BETTER,
        rule="Working Together 2023 and the Post-qualifying standards for social work practice "
        "supervisors: regular, recorded case supervision.",
        unit=Unit.PERCENT,
        group=Group.WORKFORCE,
        compute=supervision_up_to_date,
        snapshot=True,
        # Supervision records say when each case is next due, not when it was overdue.
        current_only=True,
    )
)


# --- agency staff, vacancies, sickness and turnover ------------------------------------------------


def agency_staff_rate(scope: Scope) -> Figure:
    agency, total = workforce.agency_staff_rate(on=scope.end, team_id=scope.team_id)
    return Figure(agency, total, Unit.PERCENT)


def vacancy_rate(scope: Scope) -> Figure:
    vacant, established = workforce.vacancy_rate(on=scope.end, team_id=scope.team_id)
    return Figure(vacant, established, Unit.PERCENT)


def sickness_days(scope: Scope) -> Figure:
    lost, fte = workforce.sickness_days(start=scope.start, end=scope.end, team_id=scope.team_id)
    return Figure(lost, fte if fte != ZERO else None, Unit.AVERAGE)


def turnover_rate(scope: Scope) -> Figure:
    left, staying = workforce.turnover_rate(start=scope.start, end=scope.end, team_id=scope.team_id)
    return Figure(left, staying, Unit.PERCENT)


def _census(scope: Scope, months: list[datetime.date]) -> list[workforce.CensusDay]:
    ends = month_ends(scope, months)
    return workforce.census_by_month(
        months=[(max(m, scope.start), end) for m, end in zip(months, ends, strict=True)],
        team_id=scope.team_id,
    )


@monthly("agency_staff_rate")
def agency_staff_by_month(scope: Scope, months: list[datetime.date]) -> dict[datetime.date, Figure]:
    census = _census(scope, months)
    return {m: Figure(c.agency, c.in_post, Unit.PERCENT) for m, c in zip(months, census, strict=True)}


@monthly("vacancy_rate")
def vacancy_by_month(scope: Scope, months: list[datetime.date]) -> dict[datetime.date, Figure]:
    census = _census(scope, months)
    return {
        m: Figure(max(c.established - c.employed, ZERO), c.established, Unit.PERCENT)
        for m, c in zip(months, census, strict=True)
    }


@monthly("turnover_rate")
def turnover_by_month(scope: Scope, months: list[datetime.date]) -> dict[datetime.date, Figure]:
    census = _census(scope, months)
    return {
        m: Figure(c.permanent_leavers, c.permanent, Unit.PERCENT) for m, c in zip(months, census, strict=True)
    }


@monthly("sickness_days")
def sickness_by_month(scope: Scope, months: list[datetime.date]) -> dict[datetime.date, Figure]:
    ends = month_ends(scope, months)
    found = workforce.sickness_days_by_month(
        months=[(max(m, scope.start), end) for m, end in zip(months, ends, strict=True)],
        team_id=scope.team_id,
    )
    return {
        m: Figure(lost, fte if fte != ZERO else None, Unit.AVERAGE)
        for m, (lost, fte) in zip(months, found, strict=True)
    }


register(
    Indicator(
        key="agency_staff_rate",
        name="Agency social workers",
        definition="Agency social workers' FTE as a share of all social worker FTE in post at "
        "the end of the period.",
        numerator="Agency social worker FTE in post",
        denominator="All social worker FTE in post",
        direction=Direction.LOWER_IS_BETTER,
        rule=f"{WORKFORCE_CENSUS}: agency worker rate (FTE).",
        unit=Unit.PERCENT,
        group=Group.WORKFORCE,
        compute=agency_staff_rate,
        records_person="",
        snapshot=True,
    )
)
register(
    Indicator(
        key="vacancy_rate",
        name="Social worker vacancy rate",
        definition="Vacant social worker FTE (including posts covered by agency workers) as a "
        "share of the established FTE at the end of the period.",
        numerator="Vacant social worker FTE",
        denominator="Established social worker FTE",
        direction=Direction.LOWER_IS_BETTER,
        rule=f"{WORKFORCE_CENSUS}: vacancy rate (FTE), vacancies covered by agency workers included.",
        unit=Unit.PERCENT,
        group=Group.WORKFORCE,
        compute=vacancy_rate,
        records_person="",
        snapshot=True,
    )
)
register(
    Indicator(
        key="sickness_days",
        name="Sickness absence days per social worker",
        definition="Working days lost to sickness in the period, per social worker FTE in post "
        "(averaged over the period).",
        numerator="Working days lost to sickness",
        denominator="Average social worker FTE in post",
        direction=Direction.LOWER_IS_BETTER,
        rule=f"{WORKFORCE_CENSUS}: days lost to sickness absence.",
        unit=Unit.AVERAGE,
        group=Group.WORKFORCE,
        compute=sickness_days,
        records_person="",
    )
)
register(
    Indicator(
        key="turnover_rate",
        name="Social worker turnover",
        definition="Permanent social worker FTE who left the service in the period, as a share of "
        "the permanent FTE in post at its end (moves between teams are not leavers).",
        numerator="Permanent social worker FTE leaving in the period",
        denominator="Permanent social worker FTE in post at the end of the period",
        direction=Direction.LOWER_IS_BETTER,
        rule=f"{WORKFORCE_CENSUS}: turnover rate (leavers FTE over FTE in post).",
        unit=Unit.PERCENT,
        group=Group.WORKFORCE,
        compute=turnover_rate,
        records_person="",
    )
)
