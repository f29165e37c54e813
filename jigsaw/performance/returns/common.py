"""What the statutory returns share: the collection year's period, read the DfE's way
("year 2026" is the year the collection ends: 1 April 2025 to 31 March 2026)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import Lookup
from django.utils import timezone


@dataclass(frozen=True)
class CollectionPeriod:
    year: int
    start: datetime.date
    end: datetime.date  # the reference date

    def __str__(self) -> str:
        return f"{self.start.year} to {self.end.year}"

    def covers(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


def collection_period(year: int) -> CollectionPeriod:
    """The census year ending on 31 March of `year`."""
    return CollectionPeriod(year, datetime.date(year - 1, 4, 1), datetime.date(year, 3, 31))


def latest_complete_year(today: datetime.date | None = None) -> int:
    """The latest collection year that has ended by `today` (the one a return is made for)."""
    today = today or timezone.localdate()
    return today.year if today > datetime.date(today.year, 3, 31) else today.year - 1


def chunked(ids: list[int], size: int) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


class IdsIn(Lookup):  # type: ignore[type-arg]  # Lookup is generic only in django-stubs
    """`column IN (1, 2, 3)` for whole-number keys, written into the SQL as literals.

    Django's own `__in` prepares every key in Python (a ForeignKey's lookup normalises and
    converts each value twice), which for a census of 400,000 children cost more than the
    queries did. The keys here come from the database and are checked to be whole numbers,
    so writing them into the statement is safe, and it also lifts the databases' parameter
    limits. Used as `queryset.filter(IdsIn(F("referral_id"), ids))`."""

    lookup_name = "ids_in"
    prepare_rhs = False

    def get_prep_lookup(self) -> Any:
        return [int(pk) for pk in self.rhs]

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        if not self.rhs:
            raise EmptyResultSet
        lhs, params = self.process_lhs(compiler, connection)
        keys = ",".join(map(str, self.rhs))
        return f"{lhs} IN ({keys})", list(params)  # whole numbers only: get_prep_lookup
