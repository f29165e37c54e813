"""The demand forecast's parts: the monthly history on hand-built casework, the model on
series whose shape is known, the back-test's errors, and the social workers needed."""

from __future__ import annotations

import datetime
import math

import numpy as np
import pytest

from jigsaw.performance import forecast
from jigsaw.performance.forecast import Band, History, Method, Projection
from jigsaw.workforce.models import CaseKind
from tests.casework_factories import make_referral
from tests.episode_factories import make_assessment, make_cin_plan, make_looked_after
from tests.factories import make_person
from tests.protection_factories import make_plan

D = datetime.date
TODAY = D(2026, 5, 14)  # the last complete month is April 2026


def _seasonal(months: int, *, noise: float = 0.0, seed: int = 8) -> list[float]:
    """100 a month, rising by 2 a month, 15 up in winter and 15 down in summer."""
    t = np.arange(months)
    rng = np.random.default_rng(seed)
    values = 100 + 2 * t + 15 * np.sin(2 * np.pi * t / 12) + rng.normal(0, noise, months)
    return [float(v) for v in values]


# --- History ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_referrals_are_counted_in_the_month_received_and_stocks_at_each_month_end() -> None:
    for day in (D(2026, 1, 5), D(2026, 1, 31), D(2026, 2, 1), D(2026, 3, 20), D(2026, 4, 30)):
        make_referral(make_person(), referred_on=day)
    # Not yet a complete month: left out.
    make_referral(make_person(), referred_on=D(2026, 5, 2))

    on_plan = make_referral(make_person(), referred_on=D(2026, 1, 5))
    make_plan(on_plan, started_on=D(2026, 1, 31))  # on a plan at the end of January
    ended = make_plan(make_referral(make_person(), referred_on=D(2026, 2, 1)), started_on=D(2026, 2, 10))
    ended.ended_on = D(2026, 3, 31)  # ends on the last day: not on a plan at the end of March
    ended.end_reason = "not_at_risk"
    ended.save()

    in_care = make_referral(make_person(), referred_on=D(2026, 1, 31))
    make_looked_after(in_care, started_on=D(2025, 6, 1))  # began before the history: counted throughout
    make_looked_after(in_care, started_on=D(2026, 2, 1), ended_on=D(2026, 4, 1))

    in_need = make_referral(make_person(), referred_on=D(2026, 2, 1))
    make_cin_plan(in_need, started_on=D(2026, 2, 1))
    make_assessment(in_need, started_on=D(2026, 2, 1), completed_on=D(2026, 3, 1))
    # An assessment never finished but closed with its case ends when the case closed.
    closed = make_referral(
        make_person(), referred_on=D(2026, 3, 20), closed_on=D(2026, 4, 2), closure_reason="RC8"
    )
    make_assessment(closed, started_on=D(2026, 3, 20))

    history = forecast.monthly_history(today=TODAY)

    assert history.months == (D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1), D(2026, 4, 1))
    assert history.referrals == (4, 3, 2, 1)
    assert history.child_protection == (1, 2, 1, 1)
    assert history.looked_after == (1, 2, 2, 1)
    assert history.child_in_need == (0, 1, 1, 1)
    assert history.assessments == (0, 1, 1, 0)
    assert history.lead_in == 0


@pytest.mark.django_db
def test_the_record_starts_where_referrals_reach_a_quarter_of_their_recent_level() -> None:
    # Two old cases still open when recording began, then 4 referrals a month for a year.
    make_referral(make_person(), referred_on=D(2024, 3, 3))
    make_referral(make_person(), referred_on=D(2024, 9, 9))
    for month in forecast.months_from(D(2025, 5, 1), 12):
        for day in (3, 10, 17, 24):
            make_referral(make_person(), referred_on=month.replace(day=day))

    history = forecast.monthly_history(today=TODAY)

    assert history.months[0] == D(2025, 5, 1)
    assert history.referrals == (4,) * 12
    assert history.lead_in == 14  # March 2024 to April 2025


def test_the_record_start_ignores_a_quiet_month_above_the_floor() -> None:
    assert forecast.record_start([1, 0, 8, 2, 9, 8, 7]) == 2
    assert forecast.record_start([8, 2, 9, 8, 7]) == 0


@pytest.mark.django_db
def test_with_no_referrals_there_is_no_history() -> None:
    assert len(forecast.monthly_history(today=TODAY)) == 0
    with pytest.raises(forecast.NotEnoughHistory):
        forecast.demand_forecast(today=TODAY)


# --- The model -------------------------------------------------------------------------------


def test_the_method_follows_the_length_of_the_history() -> None:
    assert [forecast.method_for(n) for n in (3, 4, 11, 12, 23, 24, 60)] == [
        Method.CARRIED_FORWARD,
        Method.SMOOTHING,
        Method.SMOOTHING,
        Method.DAMPED_TREND,
        Method.DAMPED_TREND,
        Method.HOLT_WINTERS,
        Method.HOLT_WINTERS,
    ]


def test_holt_winters_recovers_a_known_trend_and_season() -> None:
    values = _seasonal(60, noise=2.0)
    truth = _seasonal(72)[60:]

    projection = forecast.project(values)

    assert projection.method is Method.HOLT_WINTERS
    assert projection.history_months == 60
    assert len(projection.mean) == 12
    for got, expected in zip(projection.mean, truth, strict=True):
        assert got == pytest.approx(expected, rel=0.10)
    # It learned the season, not just the level: the peak month stands 30 above the low six
    # months later, less the 12 the trend adds in between.
    assert projection.mean[3] - projection.mean[9] == pytest.approx(18, abs=5)


def test_the_bands_hold_the_forecast_and_widen_further_ahead() -> None:
    projection = forecast.project(_seasonal(36, noise=3.0))
    for i in range(12):
        assert (
            projection.band95.lower[i]
            <= projection.band80.lower[i]
            <= projection.mean[i]
            <= projection.band80.upper[i]
            <= projection.band95.upper[i]
        )
    width = [u - lo for u, lo in zip(projection.band80.upper, projection.band80.lower, strict=True)]
    assert width[-1] > width[0]


def test_a_damped_trend_follows_a_rising_year() -> None:
    values = [50 + 3 * t + (1 if t % 2 else -1) for t in range(18)]
    projection = forecast.project(values)
    assert projection.method is Method.DAMPED_TREND
    # Still rising, but damped: above the last month, below the straight line.
    assert values[-1] < projection.mean[-1] <= 50 + 3 * 29 + 1


def test_a_count_is_never_projected_below_zero() -> None:
    projection = forecast.project([6, 4, 3, 2, 1, 1, 0, 0, 1, 0, 0, 0, 0, 1])
    assert min(projection.mean + projection.band95.lower) >= 0


def test_a_constant_series_is_carried_forward_with_no_band() -> None:
    projection = forecast.project([7] * 30)
    assert projection.method is Method.CARRIED_FORWARD
    assert projection.mean == (7.0,) * 12
    assert projection.band95 == Band((7.0,) * 12, (7.0,) * 12)


def test_a_short_series_is_carried_forward_with_a_band_from_its_changes() -> None:
    projection = forecast.project([10, 12, 11])
    assert projection.method is Method.CARRIED_FORWARD
    assert projection.mean[0] == 11
    changes_sd = float(np.std([2, -1], ddof=1))
    assert projection.band80.upper[0] == pytest.approx(11 + 1.2816 * changes_sd, rel=1e-3)
    assert projection.band80.upper[3] == pytest.approx(11 + 1.2816 * changes_sd * 2, rel=1e-3)


# --- The back-test ---------------------------------------------------------------------------


def test_the_back_test_reports_the_error_of_a_known_miss() -> None:
    # Fitted on six months of exactly 10, the model carries 10 forward; the last 12 were 12.
    result = forecast.backtest([10] * 6 + [12] * 12)
    assert result is not None
    assert (result.method, result.fitted_months, result.held_out) == (Method.CARRIED_FORWARD, 6, 12)
    assert result.forecast == (10.0,) * 12
    assert result.mae == pytest.approx(2.0)
    assert result.mape == pytest.approx(100 * 2 / 12)


def test_the_back_test_leaves_zero_months_out_of_the_percentage_error() -> None:
    result = forecast.backtest([4] * 6 + [0, 8] * 6)
    assert result is not None
    assert result.mae == pytest.approx(4.0)
    assert result.mape == pytest.approx(50.0)  # |8 - 4| / 8, the zero months left out
    all_zero = forecast.backtest([3] * 6 + [0] * 12)
    assert all_zero is not None and all_zero.mape is None


def test_the_back_test_of_a_seasonal_series_is_close() -> None:
    result = forecast.backtest(_seasonal(48, noise=2.0))
    assert result is not None
    assert result.method is Method.HOLT_WINTERS
    assert result.fitted_months == 36
    assert result.mape is not None and result.mape < 5
    assert result.mae < 8


def test_too_short_a_history_has_no_back_test() -> None:
    assert forecast.backtest([5] * 15) is None


# --- Social workers needed -------------------------------------------------------------------


def _flat(value: float, spread: float) -> Projection:
    return Projection(
        method=Method.SMOOTHING,
        history_months=12,
        mean=(value,) * 12,
        band80=Band((value - spread,) * 12, (value + spread,) * 12),
        band95=Band((value - 2 * spread,) * 12, (value + 2 * spread,) * 12),
    )


def test_open_cases_are_weighted_and_divided_by_the_target_caseload() -> None:
    months = tuple(forecast.months_from(D(2025, 5, 1), 12))
    history = History(
        months=months,
        referrals=(10,) * 12,  # 10 a month on average
        child_protection=(20,) * 12,
        looked_after=(30,) * 12,
        child_in_need=(40,) * 12,
        assessments=(12,) * 12,
    )
    weights = {
        CaseKind.CHILD_PROTECTION: 1.5,
        CaseKind.LOOKED_AFTER: 1.5,
        CaseKind.CHILD_IN_NEED: 1.0,
        CaseKind.ASSESSMENT: 1.0,
        CaseKind.EARLY_HELP: 0.5,
    }
    projections = {
        "referrals": _flat(15, 5),  # half as many again
        "child_protection": _flat(24, 4),
        "looked_after": _flat(30, 2),
    }

    need = forecast.workforce_need(history, projections, caseload=18, weights=weights)

    # Now: 20 * 1.5 + 30 * 1.5 + 40 + 12 = 127 weighted cases.
    assert need.now.weighted == pytest.approx(127)
    assert need.now.workers == pytest.approx(127 / 18)
    first = need.months[0]
    assert first.month == D(2026, 5, 1)
    # Children in need and assessments grow with referrals (15 / 10): 60 and 18.
    assert first.child_in_need == pytest.approx(60)
    assert first.assessments == pytest.approx(18)
    assert first.weighted == pytest.approx(24 * 1.5 + 30 * 1.5 + 60 + 18)
    assert first.workers == pytest.approx(first.weighted / 18)
    # The range: each forecast at the edge of its 80% band together.
    assert first.workers_low == pytest.approx((20 * 1.5 + 28 * 1.5 + 40 + 12) / 18)
    assert first.workers_high == pytest.approx((28 * 1.5 + 32 * 1.5 + 80 + 24) / 18)
    halved = forecast.workforce_need(history, projections, caseload=9, weights=weights)
    assert halved.months[0].workers == pytest.approx(2 * first.workers)
    assert math.isclose(need.referrals_baseline, 10)
