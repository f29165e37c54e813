"""The indicator catalogue: every indicator Jigsaw computes, defined once in code.

Each module below registers its indicators when imported (one module per group);
CATALOGUE lists them all in dashboard order: by group, in the order `Group` lists the
groups, then in the order each module defines them. See `base.py` for what an indicator is,
`series.py` for an indicator over many months and `targets.py` for targets."""

# Imported for their registrations.
from jigsaw.performance.indicators import (  # noqa: F401
    assessment,
    children_in_need,
    early_help,
    front_door,
    partnership,
    protection,
    workforce,
)
from jigsaw.performance.indicators.base import Figure, Group, Indicator, Scope, registered
from jigsaw.performance.indicators.series import series
from jigsaw.performance.indicators.targets import target_for, targets_for

_GROUPS = list(Group)
CATALOGUE: dict[str, Indicator] = dict(
    sorted(registered().items(), key=lambda item: _GROUPS.index(item[1].group))  # a stable sort
)

__all__ = ["CATALOGUE", "Figure", "Indicator", "Scope", "series", "target_for", "targets_for"]
