"""The demo authority's child population: the denominator of every rate per 10,000
children on the performance pages.

The demo's casework is planned at English rates per 10,000 of the children it covers
(`write_casework`'s `children_covered`), so that number is the demo authority's child
population in the current year; earlier years are a little smaller, as most authorities'
child populations have grown slowly. Entered as the ONS mid-year estimate would be: one row
a year, for the years the casework spans (it looks back 18 months).
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from jigsaw.performance.models import ChildPopulation, IndicatorMonth, IndicatorRecount, IndicatorTarget

# Year-on-year growth of the child population (synthetic; England's has been near flat).
GROWTH = Decimal("1.004")
SOURCE = "Synthetic: the children the demo's casework covers (demo data)"


def population_years(today: datetime.date) -> list[int]:
    """This year and the two before (the casework's 18 months can reach into them)."""
    return [today.year - 2, today.year - 1, today.year]


@transaction.atomic
def write_child_population(*, children: int, today: datetime.date) -> int:
    """One ChildPopulation row a year; returns how many were written (none without children)."""
    if children <= 0:
        return 0
    written = 0
    for year in population_years(today):
        scaled = Decimal(children) / (GROWTH ** (today.year - year))
        ChildPopulation.objects.update_or_create(
            year=year,
            defaults={"children": int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP)), "source": SOURCE},
        )
        written += 1
    return written


def delete_child_population() -> None:
    ChildPopulation.objects.filter(source=SOURCE).delete()


# The demo partnership's own targets (synthetic, of the kind boards agree): percentages for
# the timeliness and stability measures, cases per worker for the caseload.
TARGETS: dict[str, Decimal] = {
    "decisions_in_time": Decimal("95"),
    "re_referrals": Decimal("20"),
    "assessments_in_time": Decimal("85"),
    "initial_conferences_in_time": Decimal("90"),
    "plans_reviewed_on_time": Decimal("95"),
    "second_plans": Decimal("20"),
    "visits_in_time": Decimal("90"),
    "caseload_per_worker": Decimal("18"),
    "supervision_up_to_date": Decimal("90"),
    "vacancy_rate": Decimal("15"),
    "agency_staff_rate": Decimal("15"),
    "turnover_rate": Decimal("15"),
    "training_takeup": Decimal("90"),
}
TARGET_REASON = "Agreed by the partnership board, April 2026 (demo data)"


@transaction.atomic
def write_targets() -> int:
    """The authority's targets over the catalogue's (which sets none): what the dashboards
    and the board report measure against."""
    for indicator, target in TARGETS.items():
        IndicatorTarget.objects.update_or_create(
            indicator=indicator, defaults={"target": target, "reason": TARGET_REASON}
        )
    return len(TARGETS)


def delete_targets() -> None:
    IndicatorTarget.objects.filter(reason=TARGET_REASON).delete()


def delete_counts() -> None:
    """The kept months of the nightly count: counted from the demo's casework, so they go
    with it."""
    IndicatorMonth.objects.all().delete()
    IndicatorRecount.objects.all().delete()
