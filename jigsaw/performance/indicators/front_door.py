"""The front door: contacts and referrals by source, re-referrals, and decisions on time."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from jigsaw.casework.models import Contact, Referral, ReferralSource
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
    count_figure,
    dec,
    for_agency,
    for_team,
    in_days,
    in_moments,
    month_of,
    ratio,
)
from jigsaw.performance.indicators.series import monthly

SOURCES = ReferralSource.choices
CIN_GUIDE = "Children in need census guide: ReferralSource (CIN census code list)"


# --- contacts ------------------------------------------------------------------------------


def _contacts(scope: Scope) -> QuerySet[Contact]:
    # A contact has no team (the front door has not placed it yet); its agency is the referrer's.
    return Contact.objects.filter(in_moments("received_at", scope), for_agency(scope, "referrer_agency_id"))


def contacts(scope: Scope) -> Figure:
    rows = _contacts(scope).order_by().values("source").annotate(n=Count("pk")).values_list("source", "n")
    return count_figure(dict(rows), SOURCES)


@monthly("contacts")
def contacts_by_month(scope: Scope, months: list[datetime.date]) -> dict[datetime.date, Figure]:
    grouped: dict[datetime.date, dict[str, int]] = defaultdict(dict)
    for month, source, n in (
        by_month(_contacts(scope), "received_at", months)
        .values("month", "source")
        .annotate(n=Count("pk"))
        .values_list("month", "source", "n")
    ):
        grouped[month_of(month)][source] = n
    return {m: count_figure(grouped.get(m, {}), SOURCES) for m in months}


register(
    Indicator(
        key="contacts",
        name="Contacts",
        definition="Contacts received by the front door in the period, by who made them.",
        numerator="Contacts received in the period",
        denominator="",
        direction=Direction.NEITHER,
        rule="Working Together 2023, chapter 2: anyone with a concern about a child may contact "
        "children's social care; the source codes are the CIN census's.",
        unit=Unit.COUNT,
        group=Group.FRONT_DOOR,
        compute=contacts,
        records=_contacts,
        scopes=frozenset({"agency"}),
        additive=True,
        breakdown_order=listed(label for _, label in SOURCES),
    )
)


# --- referrals -----------------------------------------------------------------------------


def _referrals(scope: Scope) -> QuerySet[Referral]:
    return Referral.objects.filter(in_days("referred_on", scope), for_team(scope, "team_id"))


def referrals(scope: Scope) -> Figure:
    rows = _referrals(scope).order_by().values("source").annotate(n=Count("pk")).values_list("source", "n")
    return count_figure(dict(rows), SOURCES)


@monthly("referrals")
def referrals_by_month(scope: Scope, months: list[datetime.date]) -> dict[datetime.date, Figure]:
    grouped: dict[datetime.date, dict[str, int]] = defaultdict(dict)
    for month, source, n in (
        by_month(_referrals(scope), "referred_on", months)
        .values("month", "source")
        .annotate(n=Count("pk"))
        .values_list("month", "source", "n")
    ):
        grouped[month_of(month)][source] = n
    return {m: count_figure(grouped.get(m, {}), SOURCES) for m in months}


register(
    Indicator(
        key="referrals",
        name="Referrals",
        definition="Referrals to children's social care in the period (each child referred "
        "counts once per referral), by source.",
        numerator="Referrals with a referral date in the period",
        denominator="",
        direction=Direction.NEITHER,
        rule=f"Children Act 1989, section 17 and 47; {CIN_GUIDE}.",
        unit=Unit.COUNT,
        group=Group.FRONT_DOOR,
        compute=referrals,
        records=_referrals,
        additive=True,
        breakdown_order=listed(label for _, label in SOURCES),
    )
)


# --- re-referrals --------------------------------------------------------------------------


def _with_previous(scope: Scope) -> QuerySet[Any]:
    """The period's referrals, each with the date of the child's referral before it (on an
    earlier day, or the same day but recorded first)."""
    earlier = (
        Referral.objects.filter(person=OuterRef("person"))
        .filter(
            Q(referred_on__lt=OuterRef("referred_on"))
            | Q(referred_on=OuterRef("referred_on"), pk__lt=OuterRef("pk"))
        )
        .order_by("-referred_on", "-pk")
        .values("referred_on")[:1]
    )
    return _referrals(scope).annotate(previous=Subquery(earlier))


def _re_referral_rows(scope: Scope) -> list[tuple[int, datetime.date, datetime.date | None]]:
    return list(_with_previous(scope).order_by().values_list("pk", "referred_on", "previous"))


def _is_re_referral(referred_on: datetime.date, previous: datetime.date | None) -> bool:
    # Twelve calendar months, as the CIN census counts them (not 365 days).
    return previous is not None and referred_on <= add_months(previous, 12)


def re_referrals(scope: Scope) -> Figure:
    rows = _re_referral_rows(scope)
    return ratio(sum(1 for _, on, before in rows if _is_re_referral(on, before)), len(rows), Unit.PERCENT)


@monthly("re_referrals")
def re_referrals_by_month(scope: Scope, months: list[datetime.date]) -> dict[datetime.date, Figure]:
    counts: dict[datetime.date, list[int]] = defaultdict(lambda: [0, 0])
    for _, on, before in _re_referral_rows(scope):
        counts[on.replace(day=1)][1] += 1
        counts[on.replace(day=1)][0] += _is_re_referral(on, before)
    return {m: ratio(counts[m][0], counts[m][1], Unit.PERCENT) for m in months}


def _re_referral_records(scope: Scope) -> QuerySet[Referral]:
    ids = [pk for pk, on, before in _re_referral_rows(scope) if _is_re_referral(on, before)]
    return Referral.objects.filter(pk__in=ids)


register(
    Indicator(
        key="re_referrals",
        name="Re-referrals within 12 months",
        definition="Of the referrals in the period, the share about a child who had been "
        "referred in the 12 months before.",
        numerator="Referrals in the period within 12 months of the child's previous referral",
        denominator="Referrals in the period",
        direction=Direction.LOWER_IS_BETTER,
        rule="DfE children in need statistics: a re-referral is a referral within 12 months of a "
        "previous referral of the same child.",
        unit=Unit.PERCENT,
        group=Group.FRONT_DOOR,
        compute=re_referrals,
        records=_re_referral_records,
        # 139,080 of 621,880 referrals in the year ending 31 March 2024 (DfE, "Children in
        # need: a focus on re-referrals", reporting year 2024).
        comparator=dec(22.4),
        comparator_label="England 2023-24",
        additive=True,
    )
)


# --- decisions within 1 working day ---------------------------------------------------------


def _decisions(scope: Scope, today: datetime.date | None = None) -> QuerySet[Contact]:
    """The period's contacts that should have a decision by now: decided, or past due."""
    today = today or timezone.localdate()
    return (
        _contacts(scope)
        .filter(Q(decided_at__isnull=False) | Q(decision_due__lt=today))
        .annotate(decided_on=TruncDate("decided_at"))
    )


ON_TIME = Q(decided_at__isnull=False, decided_on__lte=F("decision_due"))


def decisions_in_time(scope: Scope) -> Figure:
    found: dict[str, Any] = _decisions(scope).aggregate(
        total=Count("pk"), on_time=Count("pk", filter=ON_TIME)
    )
    return ratio(found["on_time"], found["total"], Unit.PERCENT)


@monthly("decisions_in_time")
def decisions_by_month(scope: Scope, months: list[datetime.date]) -> dict[datetime.date, Figure]:
    rows = {
        month_of(month): (on_time, total)
        for month, total, on_time in by_month(_decisions(scope), "received_at", months)
        .values("month")
        .annotate(total=Count("pk"), on_time=Count("pk", filter=ON_TIME))
        .values_list("month", "total", "on_time")
    }
    return {m: ratio(*rows.get(m, (0, 0)), unit=Unit.PERCENT) for m in months}


register(
    Indicator(
        key="decisions_in_time",
        name="Decisions on contacts within 1 working day",
        definition="Of the contacts received in the period that have been decided or are past "
        "their due date, the share decided by the due date (the timescale policy's contact "
        "decision: 1 working day by default, counting bank holidays out).",
        numerator="Contacts decided on or before their decision due date",
        denominator="Contacts received in the period, decided or past due",
        direction=Direction.HIGHER_IS_BETTER,
        rule="Working Together 2023, chapter 2: within one working day of a referral being "
        "received, a local authority social worker should decide the type of response needed.",
        unit=Unit.PERCENT,
        group=Group.FRONT_DOOR,
        compute=decisions_in_time,
        records=lambda scope: _decisions(scope).filter(ON_TIME),
        scopes=frozenset({"agency"}),
        additive=True,
    )
)
