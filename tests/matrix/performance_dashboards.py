"""The dashboards: the service's for team managers; the partnership's, each indicator's page
(with the children behind a figure only for those who may see children) and its CSV and
XLSX for managers, analysts and the partnership."""

from __future__ import annotations

from jigsaw.people.models import Person
from jigsaw.performance.indicators import CATALOGUE

PERFORMANCE = frozenset({"team_manager", "analyst", "partnership_member"})


def _performance(who: str) -> int:
    return 200 if who in PERFORMANCE else 403


def _an_indicator(person: Person) -> list[object]:
    return [next(iter(CATALOGUE))]


EXPECTED = {
    "performance:dashboard_service": lambda who: 200 if who == "team_manager" else 403,
    "performance:dashboard_partnership": _performance,
    "performance:indicator": _performance,
    "performance:indicator_csv": _performance,
    "performance:indicator_xlsx": _performance,
}

RECORDS = {
    "performance:indicator": _an_indicator,
    "performance:indicator_csv": _an_indicator,
    "performance:indicator_xlsx": _an_indicator,
}
