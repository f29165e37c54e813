"""Targets: the authority's own (IndicatorTarget) over the catalogue's default."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from jigsaw.performance.indicators.base import Indicator
from jigsaw.performance.models import IndicatorTarget


def target_for(indicator: Indicator) -> Decimal | None:
    """The target to show for an indicator: the authority's, else the catalogue's (or none)."""
    own = IndicatorTarget.objects.filter(indicator=indicator.key).values_list("target", flat=True).first()
    return own if own is not None else indicator.target


def targets_for(indicators: Iterable[Indicator]) -> dict[str, Decimal | None]:
    """`target_for` for many indicators in one query (a dashboard's)."""
    chosen = list(indicators)
    own = dict(
        IndicatorTarget.objects.filter(indicator__in=[i.key for i in chosen]).values_list(
            "indicator", "target"
        )
    )
    return {i.key: own.get(i.key, i.target) for i in chosen}
