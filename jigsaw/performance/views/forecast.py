"""The demand forecast page: referrals, children on plans and children looked after 12
months ahead, the back-test, and the social workers needed at a target caseload.

Only counts are shown (no child is named), so the page writes nothing to the access log;
nothing is cached, so every look is computed from the casework as it stands."""

from __future__ import annotations

import datetime
import math
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from jigsaw.access.policy import Permission
from jigsaw.access.views import requires
from jigsaw.casework.timescales import add_months
from jigsaw.performance import forecast
from jigsaw.workforce.models import CaseKind
from jigsaw.workforce.queries import agency_staff_rate, vacancy_rate

MAX_CASELOAD = 60


class CaseloadForm(forms.Form):
    caseload = forms.IntegerField(
        label="Target caseload",
        help_text="Cases one full-time social worker should hold, each weighted as the authority weights "
        "caseloads. For example, 18",
        min_value=1,
        max_value=MAX_CASELOAD,
        error_messages={
            "required": "Enter a target caseload",
            "invalid": "Enter the target caseload as a whole number, like 18",
            "min_value": "The target caseload must be at least 1",
            "max_value": f"The target caseload must be {MAX_CASELOAD} or fewer",
        },
    )


def _month(day: datetime.date) -> str:
    return day.strftime("%b %Y")


def _round(value: float) -> float:
    return round(value, 1)


def _series_context(
    series: forecast.SeriesForecast, history_months: tuple[datetime.date, ...]
) -> dict[str, Any]:
    p = series.projection
    forecast_months = forecast.months_from(add_months(history_months[-1], 1), len(p.mean))
    rows = [
        {
            "month": m,
            "mean": round(p.mean[i]),
            "low80": round(p.band80.lower[i]),
            "high80": round(p.band80.upper[i]),
            "low95": round(p.band95.lower[i]),
            "high95": round(p.band95.upper[i]),
        }
        for i, m in enumerate(forecast_months)
    ]
    chart = {
        "title": series.title,
        "labels": [_month(m) for m in (*history_months, *forecast_months)],
        "history": [*series.history, *([None] * len(p.mean))],
        # The forecast line starts at the last actual month so the two lines join.
        "mean": [*([None] * (len(series.history) - 1)), series.history[-1], *map(_round, p.mean)],
        "low80": [*([None] * len(series.history)), *map(_round, p.band80.lower)],
        "high80": [*([None] * len(series.history)), *map(_round, p.band80.upper)],
        "low95": [*([None] * len(series.history)), *map(_round, p.band95.lower)],
        "high95": [*([None] * len(series.history)), *map(_round, p.band95.upper)],
    }
    return {
        "series": series,
        "chart_id": f"forecast-{series.key}",
        "data_id": f"forecast-{series.key}-data",
        "chart": chart,
        "history_rows": list(zip(history_months, series.history, strict=True)),
        "rows": rows,
    }


def _fte_in_post(today: datetime.date) -> dict[str, Any]:
    """Social worker FTE in post and established today, from the workforce's posts."""
    _agency, in_post = agency_staff_rate(on=today)
    vacant, established = vacancy_rate(on=today)
    return {"in_post": in_post, "established": established, "vacant": vacant}


@requires(Permission.VIEW_PERFORMANCE)
def demand_forecast(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = (
        CaseloadForm(request.GET)
        if "caseload" in request.GET
        else CaseloadForm(initial={"caseload": forecast.DEFAULT_CASELOAD})
    )
    caseload = forecast.DEFAULT_CASELOAD
    if form.is_bound and form.is_valid():
        caseload = form.cleaned_data["caseload"]
    try:
        result = forecast.demand_forecast(today=today, caseload=caseload)
    except forecast.NotEnoughHistory:
        return render(request, "performance/forecast.html", {"form": form, "result": None, "today": today})
    need = result.workforce
    context = {
        "form": form,
        "caseload": caseload,
        "today": today,
        "result": result,
        "first_month": result.history_months[0],
        "last_month": result.history_months[-1],
        "months": len(result.history_months),
        "methods": sorted({s.projection.method for s in result.series}, key=list(forecast.Method).index),
        "series": [_series_context(s, result.history_months) for s in result.series],
        "backtests": [(s, s.backtest) for s in result.series],
        "backtest_from": add_months(result.history_months[-1], 1 - forecast.HOLDOUT),
        "min_fit": forecast.SMOOTHING_FROM,
        "min_backtest": forecast.SMOOTHING_FROM + forecast.HOLDOUT,
        "need": need,
        "need_rows": [
            {
                "month": m.month,
                "child_protection": round(m.child_protection),
                "looked_after": round(m.looked_after),
                "child_in_need": round(m.child_in_need),
                "assessments": round(m.assessments),
                "weighted": round(m.weighted),
                "workers": m.workers,
                "workers_low": m.workers_low,
                "workers_high": m.workers_high,
                # Whole people to recruit: part of a worker is still a worker to find.
                "whole": math.ceil(round(m.workers, 6)),
            }
            for m in need.months
        ],
        "peak": max(need.months, key=lambda m: m.workers),
        "weights": [(kind.label, f"{need.weights[kind]:g}") for kind in FORECAST_KINDS],
        "fte": _fte_in_post(today),
    }
    return render(request, "performance/forecast.html", context)


# The kinds of case the conversion counts (early help is led by partners as often as by
# social workers, so it is left out).
FORECAST_KINDS = (
    CaseKind.CHILD_PROTECTION,
    CaseKind.LOOKED_AFTER,
    CaseKind.CHILD_IN_NEED,
    CaseKind.ASSESSMENT,
)


urlpatterns = [path("forecast", demand_forecast, name="forecast")]
