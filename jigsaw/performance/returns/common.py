"""What the statutory returns share: the collection year's period, read the DfE's way
("year 2026" is the year the collection ends: 1 April 2025 to 31 March 2026)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

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
