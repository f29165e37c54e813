"""The dashboards and the indicator pages, for each persona, on hand-built casework: the
figure shown is the one the records give, the children behind it are only those the reader
may see, and analysts and the partnership see teams and agencies, never a name."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from jigsaw.access.models import AccessLogEntry
from jigsaw.performance.export import FIGURE_HEADER
from jigsaw.performance.indicators import CATALOGUE
from jigsaw.performance.indicators.series import has_monthly
from jigsaw.performance.queries.dashboards import Section, Tile
from jigsaw.performance.views.dashboards import SERVICE_GROUPS
from jigsaw.workforce.models import Team
from tests.casework_factories import make_referral
from tests.factories import make_agency, make_person, make_team, persona, restrict

pytestmark = pytest.mark.django_db

# The most queries a dashboard may ask, whatever the data: each indicator's trend from its
# grouped monthly form (one or two queries; three for visits, which read the policy) and its
# period's figure (one or two more), plus the view's own handful (the session, the user and
# their practitioner, the picker, the targets in one query). Measured at 59 and 68; a
# change that brings back month-by-month counting (hundreds) fails here.
SERVICE_QUERIES = 64
PARTNERSHIP_QUERIES = 75


def _referrals_tile(response: object) -> Tile:
    sections: list[Section] = response.context["sections"]  # type: ignore[attr-defined]
    return next(t for s in sections for t in s.tiles if t.indicator.key == "referrals")


def _team_of(user: User) -> Team:
    team = user.practitioner.team
    assert team is not None
    return team


@pytest.fixture
def manager() -> User:
    return persona("team_manager")


@pytest.fixture
def casework(manager: User) -> dict[str, object]:
    """This month: three referrals in the manager's team (one of a restricted child), two
    in another team."""
    other_team = make_team(manager.practitioner.agency, "Child in Need Team 2")
    seen = [
        make_person(given_names="Marnie", family_name="Holt"),
        make_person(given_names="Ezra", family_name="Lowe"),
    ]
    hidden = make_person(given_names="Sealed", family_name="Adoption")
    for child in [*seen, hidden]:
        make_referral(child)
    restrict(hidden)
    for _ in range(2):
        make_referral(make_person(given_names="Other", family_name="Teamchild"), team=other_team)
    return {"seen": seen, "hidden": hidden, "other_team": other_team}


def test_a_manager_sees_their_own_team_by_default(
    client: Client, manager: User, casework: dict[str, object]
) -> None:
    client.force_login(manager)

    response = client.get(reverse("performance:dashboard_service"))

    assert response.status_code == 200
    tile = _referrals_tile(response)
    assert tile.value == Decimal(3)
    assert tile.trend[-1].value == Decimal(3)  # this month, the last of the trend
    page = response.content.decode()
    assert f'<option value="{manager.practitioner.team_id}" selected>' in page
    assert 'data-figure="referrals">3<' in page
    assert 'id="data-referrals"' in page  # the chart's figures, for charts.js
    assert "Figures as a table" in page
    assert "vendor/chartjs/chart.umd.min.js" in page


def test_a_manager_picks_another_team_or_the_whole_service(
    client: Client, manager: User, casework: dict[str, object]
) -> None:
    client.force_login(manager)
    url = reverse("performance:dashboard_service")
    other = casework["other_team"]

    assert _referrals_tile(client.get(url, {"team": other.pk})).value == Decimal(2)  # type: ignore[attr-defined]
    assert _referrals_tile(client.get(url, {"team": "all"})).value == Decimal(5)


def test_the_service_dashboard_is_for_managers_only(client: Client) -> None:
    for who in ["social_worker", "analyst", "partnership_member", "gp"]:
        client.force_login(persona(who))
        assert client.get(reverse("performance:dashboard_service")).status_code == 403, who


@pytest.mark.parametrize("who", ["analyst", "partnership_member", "team_manager"])
def test_the_partnership_dashboard_shows_the_whole_authority(
    client: Client, who: str, casework: dict[str, object]
) -> None:
    client.force_login(persona(who))

    response = client.get(reverse("performance:dashboard_partnership"))

    assert response.status_code == 200
    assert _referrals_tile(response).value == Decimal(5)
    assert "Partnership" in [s.group.value for s in response.context["sections"]]


def test_the_agency_filter_narrows_only_what_is_counted_by_agency(
    client: Client, casework: dict[str, object]
) -> None:
    school = make_agency("Riverside Primary School", "school")
    client.force_login(persona("analyst"))

    response = client.get(reverse("performance:dashboard_partnership"), {"agency": school.pk})

    tile = _referrals_tile(response)
    assert tile.value == Decimal(5)  # referrals are counted by team, not agency
    assert tile.wider_note == "For the whole authority: this indicator is not counted by agency."


def test_a_choice_not_in_the_list_is_reported_and_the_default_shown(
    client: Client, manager: User, casework: dict[str, object]
) -> None:
    client.force_login(manager)

    response = client.get(reverse("performance:dashboard_service"), {"period": "q1900-7", "team": "99999"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose a period from the list; the last 12 months are shown" in page
    assert "Choose a team from the list; the whole service is shown" in page
    assert _referrals_tile(response).value == Decimal(5)


def test_a_figure_opens_the_children_behind_it_that_the_manager_may_see(
    client: Client, manager: User, casework: dict[str, object]
) -> None:
    client.force_login(manager)
    before = AccessLogEntry.objects.count()

    response = client.get(
        reverse("performance:indicator", args=["referrals"]), {"team": _team_of(manager).pk}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Marnie Holt" in page and "Ezra Lowe" in page
    assert "Sealed" not in page
    assert "Teamchild" not in page  # another team's
    assert "3 children are behind this figure. 1 is a restricted record you may not open" in page
    # The list read is logged, naming each child listed.
    assert AccessLogEntry.objects.count() == before + 1
    entry = AccessLogEntry.objects.latest("id")
    seen = casework["seen"]
    assert entry.action == "view_indicator_children"
    assert (entry.record_type, entry.record_id, entry.user_id) == (
        "performance.indicator",
        "referrals",
        manager.pk,
    )
    assert sorted(entry.detail["subjects"]) == sorted(
        ["performance.indicator:referrals", *(f"people.person:{c.pk}" for c in seen)]  # type: ignore[attr-defined]
    )


@pytest.mark.parametrize("who", ["analyst", "partnership_member"])
def test_analysts_and_the_partnership_see_teams_not_children(
    client: Client, who: str, manager: User, casework: dict[str, object]
) -> None:
    client.force_login(persona(who))
    before = AccessLogEntry.objects.filter(action="view_indicator_children").count()

    response = client.get(reverse("performance:indicator", args=["referrals"]))

    assert response.status_code == 200
    page = response.content.decode()
    for name in ["Marnie", "Ezra", "Sealed", "Teamchild"]:
        assert name not in page
    assert "Your role works with figures, not with individual children" in page
    by_team = {p.name: p.numerator for p in response.context["by_team"]}
    assert by_team[_team_of(manager).name] == 3
    assert by_team["Child in Need Team 2"] == 2
    assert AccessLogEntry.objects.filter(action="view_indicator_children").count() == before


def test_the_indicator_page_states_its_definition_and_its_months(client: Client, manager: User) -> None:
    make_referral()
    client.force_login(manager)
    month = f"m{timezone.localdate():%Y-%m}"

    response = client.get(reverse("performance:indicator", args=["referrals"]), {"period": month})

    page = response.content.decode()
    assert response.context["choices"].period.key == month
    assert "Referrals with a referral date in the period" in page  # the numerator
    assert "Neither higher nor lower is better" in page
    assert "Children Act 1989" in page  # the rule
    assert f"?period={month}" in page  # each month's figure links to its own records


def test_an_unknown_indicator_is_not_found(client: Client, manager: User) -> None:
    client.force_login(manager)
    assert client.get(reverse("performance:indicator", args=["no_such_thing"])).status_code == 404


def test_a_csv_export_reads_back(client: Client, manager: User, casework: dict[str, object]) -> None:
    client.force_login(persona("analyst"))

    response = client.get(reverse("performance:indicator_csv", args=["referrals"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="referrals-last12.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Indicator", "Referrals"]
    header = rows.index(FIGURE_HEADER)
    months = rows[header + 1 : header + 13]
    # The 12 months to today, the last this month's: the five referrals, whole authority.
    assert months[-1][0] == timezone.localdate().replace(day=1).isoformat()
    assert (months[-1][2], months[-1][3]) == ("Whole authority", "5")
    assert [m[3] for m in months[:-1]] == ["0"] * 11
    assert AccessLogEntry.objects.filter(action="export_indicator", record_id="referrals").exists()


def test_an_xlsx_export_reads_back(client: Client, manager: User, casework: dict[str, object]) -> None:
    client.force_login(manager)

    response = client.get(
        reverse("performance:indicator_xlsx", args=["referrals"]), {"team": _team_of(manager).pk}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    figures = list(book["Figures"].iter_rows(values_only=True))
    assert list(figures[0]) == FIGURE_HEADER
    assert len(figures) == 13
    # This month, the manager's team only: its three referrals.
    assert figures[-1][2:4] == (f"Team: {_team_of(manager).name}", 3)


@pytest.mark.parametrize(
    ("url", "params", "indicators", "limit"),
    [
        ("performance:dashboard_service", {"team": "all"}, "service", SERVICE_QUERIES),
        ("performance:dashboard_partnership", {}, "partnership", PARTNERSHIP_QUERIES),
    ],
)
def test_a_dashboard_asks_a_fixed_number_of_queries_whatever_the_months(
    client: Client,
    casework: dict[str, object],
    url: str,
    params: dict[str, str],
    indicators: str,
    limit: int,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    client.force_login(persona("team_manager") if indicators == "service" else persona("analyst"))
    chosen = [i for i in CATALOGUE.values() if indicators == "partnership" or i.group in SERVICE_GROUPS]
    # Every indicator but those counted only as things stand answers a trend from its
    # grouped monthly form: no month by month fallback that would multiply the queries.
    assert [i.key for i in chosen if not i.current_only and not has_monthly(i)] == []

    with django_assert_max_num_queries(limit):
        response = client.get(reverse(url), params)

    assert response.status_code == 200
    tiles = [t for s in response.context["sections"] for t in s.tiles]
    assert len(tiles) == len(chosen)
    # Counted only as things stand: as at today, no trend.
    current = [t for t in tiles if t.indicator.current_only]
    assert current and all(t.trend == () and t.as_at == timezone.localdate() for t in current)
    assert "the records keep only the current state" in response.content.decode()


def test_training_take_up_by_agency_is_worked_out_once_however_many_agencies() -> None:
    """The analyst's page splits training take-up by agency: the take-up figures are read
    once and split, so more agencies cost no more queries (they once cost eight each)."""
    from jigsaw.access.roles import Role
    from jigsaw.partners.models import AgencyKind
    from jigsaw.quality.models.training import Learner
    from jigsaw.quality.tests.test_training_queries import _attended, _course

    course = _course(mandatory_groups=[], mandatory_roles=[Role.SOCIAL_WORKER])
    url = reverse("performance:indicator", args=["training_takeup"])
    client = Client()
    client.force_login(persona("analyst"))

    def agency_with(name: str, trained: int, untrained: int) -> None:
        agency = make_agency(name, AgencyKind.ACUTE_HEALTH)
        for n in range(trained + untrained):
            learner = Learner.objects.create(full_name=f"{name} {n}", agency=agency, role=Role.SOCIAL_WORKER)
            if n < trained:
                _attended(learner, course, timezone.localdate() - datetime.timedelta(days=30))

    agency_with("Riverford Hospital", 1, 1)
    with CaptureQueriesContext(connection) as first:
        response = client.get(url)
    parts = {p.name: (p.numerator, p.denominator) for p in response.context["by_agency"]}
    assert parts == {"Riverford Hospital": (Decimal(1), Decimal(2))}

    for name in (
        "Riverford GP Federation",
        "Riverford Mental Health",
        "Riverford Dental",
        "Riverford Ambulance",
    ):
        agency_with(name, 2, 1)
    with CaptureQueriesContext(connection) as more:
        response = client.get(url)
    parts = {p.name: (p.numerator, p.denominator) for p in response.context["by_agency"]}
    assert parts["Riverford Hospital"] == (Decimal(1), Decimal(2))
    assert parts["Riverford Dental"] == (Decimal(2), Decimal(3)) and len(parts) == 5
    assert len(more) == len(first) < 20
