"""The nightly count of the closed months: what it keeps is exactly what the dashboards
would have computed, the dashboards read it for closed months only, one tick a day counts,
and a count that fails leaves the last one in place. Additive indicators' periods add up
from their months."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jigsaw.performance import recount as recount_module
from jigsaw.performance.indicators import CATALOGUE
from jigsaw.performance.indicators.base import (
    Figure,
    Scope,
    Unit,
    alphabetical,
    listed,
    months_ending,
    summed,
    with_filters,
)
from jigsaw.performance.indicators.kept import KeptMonths, encode
from jigsaw.performance.indicators.series import series
from jigsaw.performance.models import IndicatorMonth, IndicatorRecount
from jigsaw.performance.queries import dashboards as queries
from jigsaw.performance.recount import months_to_keep, recount, recount_if_due
from jigsaw.workforce.models import Team
from tests.factories import persona

pytestmark = pytest.mark.django_db

D = datetime.date
NOW = datetime.datetime(2026, 2, 17, 10, 0, tzinfo=ZoneInfo("Europe/London"))


def _scopes(key: str) -> list[tuple[int | None, int | None]]:
    """The whole authority, a team and an agency, where the indicator is counted by them."""
    from jigsaw.casework.models import Contact

    indicator = CATALOGUE[key]
    scopes: list[tuple[int | None, int | None]] = [(None, None)]
    if "team" in indicator.scopes:
        scopes.append((queries.service_teams().first().pk, None))  # type: ignore[union-attr]
    if "agency" in indicator.scopes:
        busiest = (
            Contact.objects.exclude(referrer_agency=None)
            .values("referrer_agency")
            .annotate(n=Count("pk"))
            .order_by("-n")
            .values_list("referrer_agency", flat=True)
        )
        scopes.append((None, busiest[0]))
    return scopes


def test_additive_indicators_add_up_from_their_months_on_the_demo() -> None:
    """On the demo's eighteen months of casework, each additive indicator's figure for the
    last 12 months and for a quarter is the sum of its months' figures, breakdown included."""
    call_command("seed_demo", "--children", "800", "--seed", "7", "--quiet", "--no-matching-extras")
    today = timezone.localdate()
    months = months_ending(today, 12)
    additive = [i for i in CATALOGUE.values() if i.additive]
    assert len(additive) == 15
    counted_something = 0
    for indicator in additive:
        for team_id, agency_id in _scopes(indicator.key):
            scoped = with_filters(months, team_id=team_id, agency_id=agency_id)
            monthly = series(indicator, scoped)
            whole = indicator.compute(Scope(months[0].start, today, team_id=team_id, agency_id=agency_id))
            assert summed(monthly, indicator.unit, indicator.breakdown_order) == whole, (
                indicator.key,
                team_id,
                agency_id,
            )
            quarter = indicator.compute(
                Scope(months[3].start, months[5].end, team_id=team_id, agency_id=agency_id)
            )
            assert summed(monthly[3:6], indicator.unit, indicator.breakdown_order) == quarter, (
                indicator.key,
                "quarter",
            )
            counted_something += whole.numerator > 0
    assert counted_something >= 20  # the demo exercises them, not a page of zeros

    # The nightly count keeps exactly what the dashboards compute: a dashboard from the kept
    # months equals one computed from scratch, for the whole service and for one team.
    recount()
    period = queries.choose_period(None, today)[0]
    team = Team.objects.get(pk=queries.service_teams().first().pk)  # type: ignore[union-attr]
    for team_id in (None, team.pk):
        kept = queries.kept_months(CATALOGUE.values(), period=period, team_id=team_id)
        assert len(kept.figures) > 0
        computed = queries.dashboard(
            CATALOGUE.values(), period=period, team_id=team_id, kept=KeptMonths.none()
        )
        assert queries.dashboard(CATALOGUE.values(), period=period, team_id=team_id, kept=kept) == computed

    # The analyst's figures by team add up from the same kept months.
    for indicator in additive:
        for part, (name, scope) in zip(
            queries.by_team(indicator, period),
            [(t.name, Scope(period.start, period.end, team_id=t.pk)) for t in queries.service_teams()],
            strict=False,
        ):
            whole = indicator.compute(scope)
            assert (part.name, part.numerator, part.denominator) == (name, whole.numerator, whole.denominator)


def test_summed_adds_numerators_denominators_and_breakdown_rows_in_their_order() -> None:
    def figure(n: int, d: int | None, *rows: tuple[str, int, int | None]) -> Figure:
        return Figure(
            Decimal(n),
            None if d is None else Decimal(d),
            Unit.PERCENT,
            tuple((label, Decimal(p), None if w is None else Decimal(w)) for label, p, w in rows),
        )

    months = [
        figure(3, 5, ("Police", 2, 3), ("Not recorded", 1, 2)),
        figure(4, 6, ("Health", 4, 4), ("Not recorded", 0, 2)),
        figure(1, 1, ("Schools", 1, 1), ("Police", 0, 0)),
    ]
    total = summed(months, Unit.PERCENT)
    # Without an order, rows come as they first come; with one, sorted by it.
    assert total == figure(
        8, 12, ("Police", 2, 3), ("Not recorded", 1, 4), ("Health", 4, 4), ("Schools", 1, 1)
    )
    assert summed(months, Unit.PERCENT, listed(["Health", "Police", "Schools"])).breakdown == (
        ("Health", Decimal(4), Decimal(4)),
        ("Police", Decimal(2), Decimal(3)),
        ("Schools", Decimal(1), Decimal(1)),
        ("Not recorded", Decimal(1), Decimal(4)),
    )
    assert [row[0] for row in summed(months, Unit.PERCENT, alphabetical(last="Not recorded")).breakdown] == [
        "Health",
        "Police",
        "Schools",
        "Not recorded",
    ]
    assert summed([figure(2, None), figure(3, None)], Unit.COUNT) == Figure(Decimal(5), None, Unit.COUNT)


def _keep(key: str, month: datetime.date, numerator: int, scope: str = "") -> None:
    IndicatorMonth.objects.update_or_create(
        indicator=key,
        scope=scope,
        month=month,
        defaults={"figure": encode(Figure(Decimal(numerator), None, Unit.COUNT))},
    )


def test_a_dashboard_reads_closed_months_from_the_count_and_counts_this_month_itself() -> None:
    with time_machine.travel(NOW, tick=False):
        done = recount()
        assert done.months == len(months_to_keep(NOW.date()))
        referrals = CATALOGUE["referrals"]
        # A figure the casework cannot give, so that reading it proves where it came from;
        # and one for this month, which is not closed and so is never read.
        _keep("referrals", D(2026, 1, 1), 41)
        _keep("referrals", D(2026, 2, 1), 99)
        period = queries.choose_period(None, NOW.date())[0]
        tile = queries.tile(referrals, period=period)
    assert [p.value for p in tile.trend][-2:] == [Decimal(41), Decimal(0)]
    assert tile.figure.numerator == 41  # the period adds its months up
    # A team's months are kept apart from the service's.
    team_id = persona("team_manager").practitioner.team_id
    with time_machine.travel(NOW, tick=False):
        team_tile = queries.tile(referrals, period=period, team_id=team_id)
    assert team_tile.figure.numerator == 0


def test_the_dashboard_says_when_its_months_were_counted() -> None:
    client = Client()
    client.force_login(persona("team_manager"))
    url = reverse("performance:dashboard_service")
    with time_machine.travel(NOW, tick=False):
        before = client.get(url).content.decode()
        recount()
        after = client.get(url).content.decode()
        page = client.get(reverse("performance:indicator", args=["referrals"])).content.decode()
    assert "Every figure is counted from the records as this page is opened." in before
    assert "The months before February 2026 were counted at 10:00 on 17 February 2026" in after
    assert "were counted at 10:00 on 17 February 2026" in page


def test_one_tick_a_day_counts_and_a_dead_count_is_taken_over_after_an_hour() -> None:
    first = recount_if_due(NOW)
    assert first is not None and first.finished_at is not None
    assert recount_if_due(NOW + datetime.timedelta(minutes=1)) is None
    next_day = NOW + datetime.timedelta(days=1)
    # Another server claimed tomorrow's count and died (its row never finished).
    IndicatorRecount.objects.create(day=next_day.date(), started_at=next_day)
    assert recount_if_due(next_day + datetime.timedelta(minutes=30)) is None
    taken = recount_if_due(next_day + datetime.timedelta(minutes=61))
    assert taken is not None and taken.day == next_day.date() and taken.finished_at is not None
    assert IndicatorRecount.objects.count() == 2


def test_a_count_that_fails_leaves_the_last_one_in_place(monkeypatch: pytest.MonkeyPatch) -> None:
    with time_machine.travel(NOW, tick=False):
        recount()
    kept_before = IndicatorMonth.objects.count()
    assert kept_before > 0
    _keep("referrals", D(2026, 1, 1), 41)

    def failing(*args: Any, **kwargs: Any) -> list[Figure]:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(recount_module, "series", failing)
    later = NOW + datetime.timedelta(days=1)
    with pytest.raises(RuntimeError), time_machine.travel(later, tick=False):
        recount()
    assert IndicatorMonth.objects.count() == kept_before
    assert (
        IndicatorMonth.objects.get(indicator="referrals", scope="", month=D(2026, 1, 1)).figure["n"] == "41"
    )
    unfinished = IndicatorRecount.objects.get(day=later.date())
    assert unfinished.finished_at is None
    # The pages keep reading the last finished count.
    with time_machine.travel(later, tick=False):
        kept = queries.kept_months(
            [CATALOGUE["referrals"]], period=queries.choose_period(None, later.date())[0]
        )
    assert kept.closed_before == D(2026, 2, 1)


def test_the_count_covers_every_month_a_dashboard_offers_and_every_scope() -> None:
    months = months_to_keep(NOW.date())
    # The oldest period offered is the financial year 2023 to 2024; its trend starts in
    # April 2023. The last closed month is January 2026.
    assert (months[0].start, months[-1].start, len(months)) == (D(2023, 4, 1), D(2026, 1, 1), 34)
    with time_machine.travel(NOW, tick=False):
        done = recount()
    teams = queries.service_teams().count()
    agencies = queries.partnership_agencies().count()
    expected = 0
    for indicator in CATALOGUE.values():
        if indicator.current_only:
            continue
        expected += 1 + ("team" in indicator.scopes) * teams + ("agency" in indicator.scopes) * agencies
    assert done.figures == expected * 34 == IndicatorMonth.objects.count()
