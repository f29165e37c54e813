"""The demand forecast: referrals a month, children on a child protection plan and children
looked after, projected 12 months ahead from the casework's own monthly history, with
uncertainty bands, a back-test and the social workers the projection needs.

The model is exponential smoothing in its state-space form (statsmodels' `ETSModel`, with
additive errors, so its prediction intervals are exact rather than simulated):
- 24 months of history or more: Holt-Winters, a damped additive trend and an additive
  12-month seasonal pattern;
- 12 to 23 months: Holt's damped trend, no seasonal pattern (one year cannot tell a season
  from noise);
- 4 to 11 months: simple exponential smoothing (a level, no trend).
A series too short even for that, or one the optimiser cannot fit (a constant series), is
carried forward from its last month with a band from its month-to-month changes.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np
from django.db.models import Count, DateField, F, QuerySet
from django.db.models.functions import Coalesce, TruncMonth

from jigsaw.casework.models import (
    Assessment,
    ChildInNeedPlan,
    ChildProtectionPlan,
    LookedAfterEpisode,
    Referral,
)
from jigsaw.casework.timescales import add_months
from jigsaw.workforce.models import CaseKind
from jigsaw.workforce.queries import caseload_weights

HORIZON = 12
SEASON = 12
HOLT_WINTERS_FROM = 2 * SEASON
DAMPED_TREND_FROM = 12
SMOOTHING_FROM = 4
# The months held out in the back-test, and the fewest left to fit on.
HOLDOUT = 12
DEFAULT_CASELOAD = 18
# Before Jigsaw's record starts, the only referrals it holds are those of cases still open
# when recording began: a month below this share of the recent monthly median is such a
# lead-in, and would read as a collapse of demand if modelled.
RECORD_START_SHARE = 0.25


class Method(enum.StrEnum):
    HOLT_WINTERS = "holt_winters"
    DAMPED_TREND = "damped_trend"
    SMOOTHING = "smoothing"
    CARRIED_FORWARD = "carried_forward"

    @property
    def label(self) -> str:
        return METHOD_LABELS[self]

    @property
    def description(self) -> str:
        return METHOD_WORDS[self]


METHOD_LABELS = {
    Method.HOLT_WINTERS: "Holt-Winters (damped trend and seasons)",
    Method.DAMPED_TREND: "Damped trend",
    Method.SMOOTHING: "Simple exponential smoothing",
    Method.CARRIED_FORWARD: "Last month carried forward",
}


METHOD_WORDS = {
    Method.HOLT_WINTERS: (
        "Holt-Winters exponential smoothing: a level, a trend that flattens out over time (damped) "
        "and a pattern that repeats every 12 months, each learned from the history, recent months "
        "counting most"
    ),
    Method.DAMPED_TREND: (
        "Holt's exponential smoothing with a damped trend: a level and a trend that flattens out over "
        "time, recent months counting most (less than two years of history is too short to learn a "
        "seasonal pattern)"
    ),
    Method.SMOOTHING: (
        "simple exponential smoothing: the recent level carried forward, recent months counting most "
        "(less than a year of history is too short to learn a trend)"
    ),
    Method.CARRIED_FORWARD: (
        "the last month carried forward, with a band from the history's month-to-month changes "
        "(the history is too short or too even to fit a model)"
    ),
}


class NotEnoughHistory(ValueError):
    pass


# --- History -------------------------------------------------------------------------------


@dataclass(frozen=True)
class History:
    """Complete calendar months, oldest first (`months` holds the first day of each): the
    referrals received in each month, and each stock (children on a plan, looked after, in
    an assessment) at the end of the month."""

    months: tuple[datetime.date, ...]
    referrals: tuple[int, ...]
    child_protection: tuple[int, ...]
    looked_after: tuple[int, ...]
    child_in_need: tuple[int, ...]
    assessments: tuple[int, ...]
    # Months left out at the start: before the record began (see RECORD_START_SHARE).
    lead_in: int = 0

    def __len__(self) -> int:
        return len(self.months)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(first: datetime.date) -> datetime.date:
    return add_months(first, 1) - datetime.timedelta(days=1)


def months_from(first: datetime.date, count: int) -> list[datetime.date]:
    return [add_months(first, i) for i in range(count)]


def _by_month(queryset: QuerySet[Any], field: Any, *, last_day: datetime.date) -> dict[datetime.date, int]:
    """Rows per calendar month of `field` (a field name or an expression), up to `last_day`:
    one grouped query, whatever the number of rows."""
    rows = (
        queryset.annotate(_day=field)
        .filter(_day__isnull=False, _day__lte=last_day)
        .annotate(_month=TruncMonth("_day", output_field=DateField()))
        .values("_month")
        .annotate(_n=Count("pk"))
        .values_list("_month", "_n")
        .order_by()
    )
    return {_as_date(month): n for month, n in rows}


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def _stock(
    queryset: QuerySet[Any], *, started: str, ended: Any, months: Sequence[datetime.date]
) -> tuple[int, ...]:
    """How many of the queryset's episodes are open at the end of each month: started on or
    before the last day and not ended by then (one that ends on the day is no longer open).
    Two grouped queries (starts and ends by month), summed up in order."""
    last_day = month_end(months[-1])
    starts = _by_month(queryset, F(started), last_day=last_day)
    ends = _by_month(queryset, ended, last_day=last_day)
    first = months[0]
    opened = sum(n for m, n in starts.items() if m < first)
    closed = sum(n for m, n in ends.items() if m < first)
    stock: list[int] = []
    for month in months:
        opened += starts.get(month, 0)
        closed += ends.get(month, 0)
        stock.append(max(opened - closed, 0))
    return tuple(stock)


def record_start(referrals: Sequence[int]) -> int:
    """The index of the month the record starts: the first from which no month falls below
    RECORD_START_SHARE of the median of the last 12 months."""
    recent = sorted(referrals[-12:])
    if not recent:
        return 0
    median = (recent[(len(recent) - 1) // 2] + recent[len(recent) // 2]) / 2
    floor = RECORD_START_SHARE * median
    start = 0
    for i, n in enumerate(referrals):
        if n < floor:
            start = i + 1
    return min(start, len(referrals) - 1)


def monthly_history(*, today: datetime.date) -> History:
    """The casework's monthly history up to the last complete month before `today`."""
    last = add_months(month_start(today), -1)
    earliest = Referral.objects.order_by("referred_on").values_list("referred_on", flat=True).first()
    if earliest is None or earliest > month_end(last):
        return History((), (), (), (), (), ())
    months = months_from(month_start(earliest), _months_between(month_start(earliest), last) + 1)
    referrals_by_month = _by_month(Referral.objects.all(), F("referred_on"), last_day=month_end(last))
    referrals = [referrals_by_month.get(m, 0) for m in months]
    lead_in = record_start(referrals)
    months = months[lead_in:]
    # An assessment or a child in need plan still open when its case was closed ended then.
    assessment_end = Coalesce("completed_on", "referral__closed_on", output_field=DateField())
    cin_end = Coalesce("ended_on", "referral__closed_on", output_field=DateField())
    return History(
        months=tuple(months),
        referrals=tuple(referrals[lead_in:]),
        child_protection=_stock(
            ChildProtectionPlan.objects.all(), started="started_on", ended=F("ended_on"), months=months
        ),
        looked_after=_stock(
            LookedAfterEpisode.objects.all(), started="started_on", ended=F("ended_on"), months=months
        ),
        child_in_need=_stock(
            ChildInNeedPlan.objects.all(), started="started_on", ended=cin_end, months=months
        ),
        assessments=_stock(
            Assessment.objects.all(), started="started_on", ended=assessment_end, months=months
        ),
        lead_in=lead_in,
    )


def _months_between(earlier: datetime.date, later: datetime.date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


# --- The model -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    lower: tuple[float, ...]
    upper: tuple[float, ...]


@dataclass(frozen=True)
class Projection:
    method: Method
    history_months: int
    mean: tuple[float, ...]
    band80: Band
    band95: Band


def method_for(months: int) -> Method:
    if months >= HOLT_WINTERS_FROM:
        return Method.HOLT_WINTERS
    if months >= DAMPED_TREND_FROM:
        return Method.DAMPED_TREND
    if months >= SMOOTHING_FROM:
        return Method.SMOOTHING
    return Method.CARRIED_FORWARD


_SIMPLER = {
    Method.HOLT_WINTERS: Method.DAMPED_TREND,
    Method.DAMPED_TREND: Method.SMOOTHING,
    Method.SMOOTHING: Method.CARRIED_FORWARD,
}


def project(values: Sequence[float], *, horizon: int = HORIZON, floor: float = 0.0) -> Projection:
    """Project `values` (one a month, oldest first) `horizon` months ahead with 80% and 95%
    prediction intervals. Counts cannot fall below `floor`, so neither can the projection
    nor its bands."""
    if not values:
        raise NotEnoughHistory("There is no history to project.")
    series = np.asarray(values, dtype=float)
    method = method_for(len(series))
    while True:
        result = _fit(series, method, horizon) if method is not Method.CARRIED_FORWARD else None
        if result is not None or method is Method.CARRIED_FORWARD:
            break
        method = _SIMPLER[method]
    if result is None:
        result = _carried_forward(series, horizon)

    def clip(xs: np.ndarray[Any, Any]) -> tuple[float, ...]:
        return tuple(float(max(x, floor)) for x in xs)

    mean, lo80, hi80, lo95, hi95 = result
    return Projection(
        method=method,
        history_months=len(series),
        mean=clip(mean),
        band80=Band(clip(lo80), clip(hi80)),
        band95=Band(clip(lo95), clip(hi95)),
    )


_Arrays = tuple[
    np.ndarray[Any, Any],
    np.ndarray[Any, Any],
    np.ndarray[Any, Any],
    np.ndarray[Any, Any],
    np.ndarray[Any, Any],
]


def _fit(series: np.ndarray[Any, Any], method: Method, horizon: int) -> _Arrays | None:
    """The ETS fit's mean and exact 80% and 95% intervals; None when the optimiser cannot fit
    (a constant series) so the caller tries a simpler model."""
    if np.ptp(series) == 0:
        return None
    # Imported here, not at the top: statsmodels and pandas take seconds to import, and
    # every process that loads the URLs would pay for it, not just those that forecast.
    import pandas as pd
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel  # type: ignore[import-untyped]

    options: dict[str, Any] = {"error": "add"}
    if method in (Method.HOLT_WINTERS, Method.DAMPED_TREND):
        options.update(trend="add", damped_trend=True)
    if method is Method.HOLT_WINTERS:
        options.update(seasonal="add", seasonal_periods=SEASON)
    # The dates do not matter to the model; statsmodels wants an index to label forecasts.
    index = pd.date_range("2000-01-01", periods=len(series), freq="MS")
    try:
        fitted = ETSModel(pd.Series(series, index=index), initialization_method="estimated", **options).fit(
            disp=False, maxiter=2000
        )
        prediction = fitted.get_prediction(start=len(series), end=len(series) + horizon - 1)
        frame80 = prediction.summary_frame(alpha=0.2)
        frame95 = prediction.summary_frame(alpha=0.05)
    except (ValueError, np.linalg.LinAlgError):
        return None
    arrays: _Arrays = (
        frame80["mean"].to_numpy(),
        frame80["pi_lower"].to_numpy(),
        frame80["pi_upper"].to_numpy(),
        frame95["pi_lower"].to_numpy(),
        frame95["pi_upper"].to_numpy(),
    )
    if not all(np.isfinite(a).all() for a in arrays):
        return None
    return arrays


def _carried_forward(series: np.ndarray[Any, Any], horizon: int) -> _Arrays:
    """A random walk: the last value, its spread growing with the square root of the months
    ahead, from the standard deviation of the month-to-month changes."""
    last = float(series[-1])
    step = float(np.std(np.diff(series), ddof=1)) if len(series) > 2 else 0.0
    ahead = np.sqrt(np.arange(1, horizon + 1))
    mean = np.full(horizon, last)
    z80, z95 = NormalDist().inv_cdf(0.9), NormalDist().inv_cdf(0.975)
    return (
        mean,
        mean - z80 * step * ahead,
        mean + z80 * step * ahead,
        mean - z95 * step * ahead,
        mean + z95 * step * ahead,
    )


# --- The back-test -------------------------------------------------------------------------


@dataclass(frozen=True)
class Backtest:
    """The model fitted on all but the last `held_out` months, its projection of them set
    against what happened: mean absolute error (in the series' own units) and mean absolute
    percentage error (over the months where the actual figure was not zero)."""

    method: Method
    fitted_months: int
    held_out: int
    forecast: tuple[float, ...]
    actual: tuple[float, ...]
    mae: float
    mape: float | None


def backtest(values: Sequence[float], *, holdout: int = HOLDOUT) -> Backtest | None:
    """None when holding out `holdout` months leaves too few to fit on."""
    if len(values) - holdout < SMOOTHING_FROM:
        return None
    fitted, actual = values[:-holdout], values[-holdout:]
    projection = project(fitted, horizon=holdout)
    errors = [abs(a - f) for a, f in zip(actual, projection.mean, strict=True)]
    relative = [e / abs(a) for e, a in zip(errors, actual, strict=True) if a != 0]
    return Backtest(
        method=projection.method,
        fitted_months=len(fitted),
        held_out=holdout,
        forecast=projection.mean,
        actual=tuple(float(a) for a in actual),
        mae=sum(errors) / len(errors),
        mape=100 * sum(relative) / len(relative) if relative else None,
    )


# --- The demand forecast and the social workers it needs ------------------------------------


@dataclass(frozen=True)
class SeriesForecast:
    key: str
    title: str
    measure: str  # what one month's figure is, in words
    history: tuple[int, ...]
    projection: Projection
    backtest: Backtest | None


@dataclass(frozen=True)
class NeedMonth:
    month: datetime.date
    child_protection: float
    looked_after: float
    child_in_need: float
    assessments: float
    weighted: float
    workers: float
    workers_low: float  # the 80% band
    workers_high: float


@dataclass(frozen=True)
class WorkforceNeed:
    caseload: int
    weights: dict[CaseKind, float]
    # The average referrals a month over the last 12 months: children in need plans and
    # assessments in progress are taken to grow or shrink with referrals from this level.
    referrals_baseline: float
    now: NeedMonth
    months: tuple[NeedMonth, ...]


@dataclass(frozen=True)
class DemandForecast:
    history_months: tuple[datetime.date, ...]
    forecast_months: tuple[datetime.date, ...]
    lead_in: int
    series: tuple[SeriesForecast, ...]
    workforce: WorkforceNeed


SERIES: tuple[tuple[str, str, str, Callable[[History], tuple[int, ...]]], ...] = (
    ("referrals", "Referrals", "referrals received in the month", lambda h: h.referrals),
    (
        "child_protection",
        "Children on a child protection plan",
        "children on a plan on the last day of the month",
        lambda h: h.child_protection,
    ),
    (
        "looked_after",
        "Children looked after",
        "children looked after on the last day of the month",
        lambda h: h.looked_after,
    ),
)


def _weighted(cp: float, lac: float, cin: float, assessments: float, weights: dict[CaseKind, float]) -> float:
    return (
        cp * weights[CaseKind.CHILD_PROTECTION]
        + lac * weights[CaseKind.LOOKED_AFTER]
        + cin * weights[CaseKind.CHILD_IN_NEED]
        + assessments * weights[CaseKind.ASSESSMENT]
    )


def workforce_need(
    history: History, projections: dict[str, Projection], *, caseload: int, weights: dict[CaseKind, float]
) -> WorkforceNeed:
    """Open cases each forecast month, weighted as the authority weights caseloads, divided
    by the target caseload. Plans and looked-after children come from their own forecasts;
    children in need plans and assessments in progress are those open at the end of the
    last month, scaled by the forecast referrals over the last 12 months' average. The range
    adds up the three forecasts' 80% bands as if they rose and fell together, so it is
    wider, not narrower, than the truth."""
    recent = history.referrals[-12:]
    baseline = sum(recent) / len(recent)
    cin_now, assessments_now = history.child_in_need[-1], history.assessments[-1]
    cp_now, lac_now = history.child_protection[-1], history.looked_after[-1]

    def scaled(referrals: float) -> float:
        # No referrals for a year: nothing to scale by, so the open cases stay as they are.
        return referrals / baseline if baseline else 1.0

    weighted_now = _weighted(cp_now, lac_now, cin_now, assessments_now, weights)
    now = NeedMonth(
        month=history.months[-1],
        child_protection=cp_now,
        looked_after=lac_now,
        child_in_need=cin_now,
        assessments=assessments_now,
        weighted=weighted_now,
        workers=weighted_now / caseload,
        workers_low=weighted_now / caseload,
        workers_high=weighted_now / caseload,
    )
    referrals, cp, lac = (
        projections["referrals"],
        projections["child_protection"],
        projections["looked_after"],
    )
    months: list[NeedMonth] = []
    for i, month in enumerate(months_from(add_months(history.months[-1], 1), len(referrals.mean))):
        factor = scaled(referrals.mean[i])
        low_factor, high_factor = scaled(referrals.band80.lower[i]), scaled(referrals.band80.upper[i])
        weighted = _weighted(cp.mean[i], lac.mean[i], cin_now * factor, assessments_now * factor, weights)
        low = _weighted(
            cp.band80.lower[i],
            lac.band80.lower[i],
            cin_now * low_factor,
            assessments_now * low_factor,
            weights,
        )
        high = _weighted(
            cp.band80.upper[i],
            lac.band80.upper[i],
            cin_now * high_factor,
            assessments_now * high_factor,
            weights,
        )
        months.append(
            NeedMonth(
                month=month,
                child_protection=cp.mean[i],
                looked_after=lac.mean[i],
                child_in_need=cin_now * factor,
                assessments=assessments_now * factor,
                weighted=weighted,
                workers=weighted / caseload,
                workers_low=low / caseload,
                workers_high=high / caseload,
            )
        )
    return WorkforceNeed(
        caseload=caseload, weights=weights, referrals_baseline=baseline, now=now, months=tuple(months)
    )


def demand_forecast(*, today: datetime.date, caseload: int = DEFAULT_CASELOAD) -> DemandForecast:
    """The whole forecast page's figures. Raises NotEnoughHistory when there is not one
    complete month of referrals yet."""
    if caseload < 1:
        raise ValueError("A target caseload must be at least 1.")
    history = monthly_history(today=today)
    if not len(history):
        raise NotEnoughHistory("There is no complete month of referrals yet.")
    series: list[SeriesForecast] = []
    projections: dict[str, Projection] = {}
    for key, title, measure, values_of in SERIES:
        values = values_of(history)
        projections[key] = project(values)
        series.append(
            SeriesForecast(
                key=key,
                title=title,
                measure=measure,
                history=values,
                projection=projections[key],
                backtest=backtest(values),
            )
        )
    weights = {kind: float(weight) for kind, weight in caseload_weights().items()}
    return DemandForecast(
        history_months=history.months,
        forecast_months=tuple(months_from(add_months(history.months[-1], 1), HORIZON)),
        lead_in=history.lead_in,
        series=tuple(series),
        workforce=workforce_need(history, projections, caseload=caseload, weights=weights),
    )
