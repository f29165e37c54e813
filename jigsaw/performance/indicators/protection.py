"""Child protection: section 47 enquiries, initial conferences on time, children on plans,
long plans, second plans and reviews on time."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from jigsaw.casework.models import (
    AbuseCategory,
    ChildProtectionPlan,
    ConferenceChild,
    ConferenceKind,
    Section47Enquiry,
    Section47Outcome,
)
from jigsaw.casework.timescales import add_months
from jigsaw.performance.indicators.base import (
    Direction,
    Figure,
    Group,
    Indicator,
    Scope,
    Unit,
    listed,
    register,
)
from jigsaw.performance.indicators.common import (
    by_month,
    child_population,
    child_populations,
    count_figure,
    dec,
    for_team,
    in_days,
    labelled,
    month_ends,
    month_of,
    open_on,
    ratio,
)
from jigsaw.performance.indicators.series import monthly

OUTCOMES = [*Section47Outcome.choices, ("", "Under way")]


# --- section 47 enquiries ------------------------------------------------------------------


def _section47s(scope: Scope) -> QuerySet[Section47Enquiry]:
    return Section47Enquiry.objects.filter(in_days("started_on", scope), for_team(scope, "referral__team_id"))


def section47s(scope: Scope) -> Figure:
    rows = _section47s(scope).order_by().values("outcome").annotate(n=Count("pk")).values_list("outcome", "n")
    return count_figure(dict(rows), OUTCOMES)


@monthly("section47s")
def section47s_by_month(scope: Scope, months: list[datetime.date]) -> dict[datetime.date, Figure]:
    grouped: dict[datetime.date, dict[str, int]] = defaultdict(dict)
    for month, outcome, n in (
        by_month(_section47s(scope), "started_on", months)
        .values("month", "outcome")
        .annotate(n=Count("pk"))
        .values_list("month", "outcome", "n")
    ):
        grouped[month_of(month)][outcome] = n
    return {m: count_figure(grouped.get(m, {}), OUTCOMES) for m in months}


register(
    Indicator(
        key="section47s",
        name="Section 47 enquiries",
        definition="Section 47 enquiries started in the period (one per child), by outcome.",
        numerator="Section 47 enquiries started in the period",
        denominator="",
        direction=Direction.NEITHER,
        rule="Children Act 1989, section 47; Working Together 2023, chapter 2: an enquiry when "
        "there is reasonable cause to suspect a child is suffering, or likely to suffer, "
        "significant harm.",
        unit=Unit.COUNT,
        group=Group.PROTECTION,
        compute=section47s,
        records=_section47s,
        records_person="referral__person",
        additive=True,
        breakdown_order=listed(label for _, label in OUTCOMES),
    )
)


# --- initial conferences within 15 working days ----------------------------------------------


def _initial_conferences(scope: Scope) -> QuerySet[ConferenceChild]:
    """Each child at an initial conference held in the period after a section 47 enquiry."""
    return ConferenceChild.objects.filter(
        in_days("conference__date", scope),
        for_team(scope, "referral__team_id"),
        conference__kind=ConferenceKind.INITIAL,
        conference__held=True,
        section47__isnull=False,
    )


# The enquiry's conference_due_on is 15 working days from the strategy discussion that
# started it (set by the action from the timescale policy, bank holidays counted out).
ICPC_IN_TIME = Q(conference__date__lte=F("section47__conference_due_on"))


def initial_conferences_in_time(scope: Scope) -> Figure:
    found: dict[str, Any] = _initial_conferences(scope).aggregate(
        total=Count("pk"), in_time=Count("pk", filter=ICPC_IN_TIME)
    )
    return ratio(found["in_time"], found["total"], Unit.PERCENT)


@monthly("initial_conferences_in_time")
def initial_conferences_by_month(scope: Scope, months: list[datetime.date]) -> dict[datetime.date, Figure]:
    rows = {
        month_of(month): (in_time, total)
        for month, total, in_time in by_month(_initial_conferences(scope), "conference__date", months)
        .values("month")
        .annotate(total=Count("pk"), in_time=Count("pk", filter=ICPC_IN_TIME))
        .values_list("month", "total", "in_time")
    }
    return {m: ratio(*rows.get(m, (0, 0)), unit=Unit.PERCENT) for m in months}


register(
    Indicator(
        key="initial_conferences_in_time",
        name="Initial child protection conferences within 15 working days",
        definition="Of the children at an initial conference held in the period, the share whose "
        "conference was within 15 working days of the strategy discussion that started the "
        "section 47 enquiry (the last one, if there were several).",
        numerator="Children whose initial conference was on or before its due date",
        denominator="Children at initial conferences held in the period",
        direction=Direction.HIGHER_IS_BETTER,
        rule="Working Together 2023, chapter 2: the initial child protection conference should "
        "take place within 15 working days of the strategy discussion.",
        unit=Unit.PERCENT,
        group=Group.PROTECTION,
        compute=initial_conferences_in_time,
        records=lambda scope: _initial_conferences(scope).filter(ICPC_IN_TIME),
        records_person="referral__person",
        # 58,330 of 74,350 initial conferences within 15 working days of the section 47's
        # start (DfE Children in need 2023, table C4, England).
        comparator=dec(78.5),
        comparator_label="England 2022-23",
        additive=True,
    )
)


# --- children on plans ------------------------------------------------------------------------


def _on_plans(scope: Scope) -> QuerySet[ChildProtectionPlan]:
    """Plans open at the end of the period."""
    return ChildProtectionPlan.objects.filter(
        open_on("started_on", "ended_on", scope.end), for_team(scope, "referral__team_id")
    )


def children_on_plans(scope: Scope) -> Figure:
    rows = dict(
        _on_plans(scope)
        .order_by()
        .values("latest_category")
        .annotate(n=Count("pk"))
        .values_list("latest_category", "n")
    )
    return _plans_figure(rows, child_population(scope.end))


def _plans_figure(rows: dict[str, int], population: Decimal | None) -> Figure:
    by_category = labelled(rows, AbuseCategory.choices)
    return Figure(
        dec(sum(rows.values())),
        population,
        Unit.PER_10000,
        tuple((label, n, population) for label, n, _ in by_category),
    )


@monthly("children_on_plans")
def children_on_plans_by_month(scope: Scope, months: list[datetime.date]) -> dict[datetime.date, Figure]:
    """Plans open at each month's end, counted by category in one query (a filtered count
    per month end over the plans open at any of them)."""
    ends = month_ends(scope, months)
    counts = (
        ChildProtectionPlan.objects.filter(
            Q(started_on__lte=ends[-1]) & (Q(ended_on__isnull=True) | Q(ended_on__gt=ends[0])),
            for_team(scope, "referral__team_id"),
        )
        .order_by()
        .values("latest_category")
        .annotate(
            **{
                f"m{i}": Count("pk", filter=open_on("started_on", "ended_on", end))
                for i, end in enumerate(ends)
            }
        )
    )
    by_end: list[dict[str, int]] = [{} for _ in ends]
    for row in counts:
        for i in range(len(ends)):
            if row[f"m{i}"]:
                by_end[i][row["latest_category"]] = row[f"m{i}"]
    populations = child_populations({end.year for end in ends})
    return {m: _plans_figure(by_end[i], populations.get(ends[i].year)) for i, m in enumerate(months)}


register(
    Indicator(
        key="children_on_plans",
        name="Children on child protection plans, per 10,000 children",
        definition="Children on a child protection plan at the end of the period, per 10,000 "
        "children living in the authority (that year's mid-year estimate), by the plan's "
        "latest category of abuse.",
        numerator="Children on a plan at the end of the period",
        denominator="Children aged 0 to 17 in the authority (ONS mid-year estimate for the year)",
        direction=Direction.NEITHER,
        rule="Working Together 2023, chapter 2: a child protection plan for a child judged at "
        "continuing risk of significant harm; categories as the CIN census's.",
        unit=Unit.PER_10000,
        group=Group.PROTECTION,
        compute=children_on_plans,
        records=_on_plans,
        snapshot=True,
        # 51,510 children on a plan at 31 March 2020, 42.8 per 10,000 (DfE Children in need,
        # data set A2, England): the newest national rate found in the published tables.
        comparator=dec(42.8),
        comparator_label="England, 31 March 2020",
    )
)


# --- plans lasting 2 years or more -------------------------------------------------------------


def _ended(scope: Scope) -> QuerySet[ChildProtectionPlan]:
    return ChildProtectionPlan.objects.filter(
        in_days("ended_on", scope), for_team(scope, "referral__team_id")
    )


def _long_plan_rows(scope: Scope) -> list[tuple[int, bool]]:
    # Two calendar years from the start (a leap day counts), so compared in Python.
    return [
        (pk, ended_on is not None and ended_on >= add_months(started_on, 24))
        for pk, started_on, ended_on in _ended(scope).order_by().values_list("pk", "started_on", "ended_on")
    ]


def plans_two_years(scope: Scope) -> Figure:
    rows = _long_plan_rows(scope)
    return ratio(sum(1 for _, long in rows if long), len(rows), Unit.PERCENT)


@monthly("plans_two_years")
def plans_two_years_by_month(scope: Scope, months: list[datetime.date]) -> dict[datetime.date, Figure]:
    counts: dict[datetime.date, list[int]] = defaultdict(lambda: [0, 0])
    for started_on, ended_on in _ended(scope).order_by().values_list("started_on", "ended_on"):
        if ended_on is None:  # cannot happen: the rows ended in the range
            continue
        counts[ended_on.replace(day=1)][0] += ended_on >= add_months(started_on, 24)
        counts[ended_on.replace(day=1)][1] += 1
    return {m: ratio(counts[m][0], counts[m][1], Unit.PERCENT) for m in months}


register(
    Indicator(
        key="plans_two_years",
        name="Plans lasting 2 years or more",
        definition="Of the child protection plans that ended in the period, the share that had "
        "lasted 2 years or more.",
        numerator="Plans ended in the period that lasted 2 years or more",
        denominator="Plans ended in the period",
        direction=Direction.LOWER_IS_BETTER,
        rule="DfE children in need statistics (plans ceasing by duration); Working Together 2023: "
        "plans are reviewed so that children are not left at risk for long.",
        unit=Unit.PERCENT,
        group=Group.PROTECTION,
        compute=plans_two_years,
        records=lambda scope: ChildProtectionPlan.objects.filter(
            pk__in=[pk for pk, long in _long_plan_rows(scope) if long]
        ),
        additive=True,
    )
)


# --- second or later plans --------------------------------------------------------------------


def _started_with_history(scope: Scope) -> QuerySet[Any]:
    earlier = ChildProtectionPlan.objects.filter(person=OuterRef("person")).filter(
        Q(started_on__lt=OuterRef("started_on")) | Q(started_on=OuterRef("started_on"), pk__lt=OuterRef("pk"))
    )
    return ChildProtectionPlan.objects.filter(
        in_days("started_on", scope), for_team(scope, "referral__team_id")
    ).annotate(had_one_before=Exists(earlier))


def second_plans(scope: Scope) -> Figure:
    found: dict[str, Any] = _started_with_history(scope).aggregate(
        total=Count("pk"), later=Count("pk", filter=Q(had_one_before=True))
    )
    return ratio(found["later"], found["total"], Unit.PERCENT)


@monthly("second_plans")
def second_plans_by_month(scope: Scope, months: list[datetime.date]) -> dict[datetime.date, Figure]:
    rows = {
        month_of(month): (later, total)
        for month, total, later in by_month(_started_with_history(scope), "started_on", months)
        .values("month")
        .annotate(total=Count("pk"), later=Count("pk", filter=Q(had_one_before=True)))
        .values_list("month", "total", "later")
    }
    return {m: ratio(*rows.get(m, (0, 0)), unit=Unit.PERCENT) for m in months}


register(
    Indicator(
        key="second_plans",
        name="Second or later child protection plans",
        definition="Of the child protection plans that started in the period, the share for a "
        "child who had been on a plan before (at any time).",
        numerator="Plans started in the period for a child with an earlier plan",
        denominator="Plans started in the period",
        direction=Direction.LOWER_IS_BETTER,
        rule="DfE children in need statistics: children who became the subject of a plan for a "
        "second or subsequent time.",
        unit=Unit.PERCENT,
        group=Group.PROTECTION,
        compute=second_plans,
        records=lambda scope: _started_with_history(scope).filter(Q(had_one_before=True)),
        additive=True,
    )
)


# --- plans reviewed on time ---------------------------------------------------------------------


def _reviews(scope: Scope) -> QuerySet[ConferenceChild]:
    """Each child's plan reviewed at a review conference held in the period."""
    return ConferenceChild.objects.filter(
        in_days("conference__date", scope),
        for_team(scope, "referral__team_id"),
        conference__kind=ConferenceKind.REVIEW,
        conference__held=True,
        plan__isnull=False,
    )


# The conference's due_on is the plan's next_review_due when it was arranged (3 months
# after the initial conference, then 6 months apart). A review with no due date recorded
# cannot be shown to be on time, so it is not counted as on time.
REVIEW_ON_TIME = Q(conference__due_on__isnull=False, conference__date__lte=F("conference__due_on"))


def plans_reviewed_on_time(scope: Scope) -> Figure:
    found: dict[str, Any] = _reviews(scope).aggregate(
        total=Count("pk"), on_time=Count("pk", filter=REVIEW_ON_TIME)
    )
    return ratio(found["on_time"], found["total"], Unit.PERCENT)


@monthly("plans_reviewed_on_time")
def plans_reviewed_by_month(scope: Scope, months: list[datetime.date]) -> dict[datetime.date, Figure]:
    rows = {
        month_of(month): (on_time, total)
        for month, total, on_time in by_month(_reviews(scope), "conference__date", months)
        .values("month")
        .annotate(total=Count("pk"), on_time=Count("pk", filter=REVIEW_ON_TIME))
        .values_list("month", "total", "on_time")
    }
    return {m: ratio(*rows.get(m, (0, 0)), unit=Unit.PERCENT) for m in months}


register(
    Indicator(
        key="plans_reviewed_on_time",
        name="Child protection plans reviewed on time",
        definition="Of the plans reviewed at a review conference held in the period, the share "
        "reviewed by the due date.",
        numerator="Reviews held on or before their due date",
        denominator="Reviews of plans held in the period",
        direction=Direction.HIGHER_IS_BETTER,
        rule="Working Together 2023, chapter 2: the first review conference within 3 months of "
        "the initial conference, later ones no more than 6 months apart.",
        unit=Unit.PERCENT,
        group=Group.PROTECTION,
        compute=plans_reviewed_on_time,
        records=lambda scope: _reviews(scope).filter(REVIEW_ON_TIME),
        records_person="referral__person",
        additive=True,
    )
)
