"""The indicator catalogue: every indicator Jigsaw computes, defined once in code.

Each module below registers its indicators when imported; CATALOGUE lists them all in
order. See `base.py` for what an indicator is."""

from jigsaw.performance.indicators.base import Figure, Indicator, Scope, registered

CATALOGUE: dict[str, Indicator] = registered()

__all__ = ["CATALOGUE", "Figure", "Indicator", "Scope"]
