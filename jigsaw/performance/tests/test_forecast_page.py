"""The demand forecast page: who may see it, what it states, and the target caseload."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jigsaw.casework.timescales import add_months
from tests.casework_factories import make_referral
from tests.factories import make_person, persona
from tests.protection_factories import make_plan

pytestmark = pytest.mark.django_db


def _two_years_of_referrals() -> None:
    """Three referrals a month for the 24 complete months before this one, one of them put
    on a child protection plan each month (so the plans rise)."""
    first = add_months(timezone.localdate().replace(day=1), -24)
    for i in range(24):
        month = add_months(first, i)
        for day in (2, 12, 22):
            referral = make_referral(make_person(), referred_on=month.replace(day=day))
        make_plan(referral, started_on=month.replace(day=25))


@pytest.mark.parametrize("who", ["team_manager", "analyst", "partnership_member"])
def test_those_who_see_performance_see_the_forecast(client: Client, who: str) -> None:
    _two_years_of_referrals()
    client.force_login(persona(who))
    page = client.get(reverse("performance:forecast")).content.decode()
    assert "Demand forecast" in page
    assert "projected from 24 months" in page
    # The method is stated in plain words, with the history it used.
    assert "Holt-Winters exponential smoothing" in page
    # The three series, each a chart fed by json_script and the same figures in a table.
    for key in ("referrals", "child_protection", "looked_after"):
        assert f'id="forecast-{key}-data"' in page
        assert f'data-forecast-chart="forecast-{key}-data"' in page
    assert "Referrals: the forecast" in page
    assert "vendor/chartjs/chart.umd.min.js" in page
    assert "performance/forecast.js" in page
    # The back-test, fitted on 12 months.
    assert "Mean absolute percentage error" in page
    assert "12 months" in page


@pytest.mark.parametrize("who", ["social_worker", "front_door_officer", "administrator", "gp"])
def test_others_are_refused(client: Client, who: str) -> None:
    client.force_login(persona(who))
    assert client.get(reverse("performance:forecast")).status_code == 403


def test_the_target_caseload_changes_the_social_workers_needed(client: Client) -> None:
    _two_years_of_referrals()
    client.force_login(persona("analyst"))
    default = client.get(reverse("performance:forecast")).context
    halved = client.get(reverse("performance:forecast"), {"caseload": "9"}).context
    assert default["caseload"] == 18
    assert halved["caseload"] == 9
    assert halved["need"].now.workers == pytest.approx(2 * default["need"].now.workers)
    # 24 plans open at the end of last month, each weighted 1.5 by default: 36 / 18.
    assert default["need"].now.child_protection == 24
    assert default["need"].now.workers == pytest.approx(24 * 1.5 / 18)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("lots", "Enter the target caseload as a whole number, like 18"),
        ("0", "The target caseload must be at least 1"),
        ("500", "The target caseload must be 60 or fewer"),
    ],
)
def test_a_bad_caseload_is_explained_and_the_default_used(client: Client, value: str, message: str) -> None:
    _two_years_of_referrals()
    client.force_login(persona("analyst"))
    response = client.get(reverse("performance:forecast"), {"caseload": value})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert response.context["caseload"] == 18


def test_with_no_history_the_page_says_so(client: Client) -> None:
    client.force_login(persona("analyst"))
    page = client.get(reverse("performance:forecast")).content.decode()
    assert "no complete month of referrals" in page


def test_the_forecast_is_on_the_performance_page(client: Client) -> None:
    client.force_login(persona("analyst"))
    page = client.get(reverse("performance:home")).content.decode()
    assert f'href="{reverse("performance:forecast")}"' in page


def test_a_short_history_uses_a_simpler_method_and_says_so(client: Client) -> None:
    month = add_months(timezone.localdate().replace(day=1), -6)
    for i in range(6):
        for day in (3, 13, 23):
            make_referral(make_person(), referred_on=add_months(month, i).replace(day=day))
    client.force_login(persona("analyst"))
    response = client.get(reverse("performance:forecast"))
    page = response.content.decode()
    assert "simple exponential smoothing" in page or "carried forward" in page
    assert "Not enough history: a back-test needs at least 16 months" in page
    assert response.context["months"] == 6
    assert isinstance(response.context["first_month"], datetime.date)
