"""Read-side functions of the workforce app."""

from __future__ import annotations

from decimal import Decimal

from jigsaw.workforce.models import CaseKind, CaseloadWeight

# A kind with no weight row (an emptied table) counts as one ordinary case.
ORDINARY = Decimal("1.00")


def caseload_weights() -> dict[CaseKind, Decimal]:
    """The weight of one case of each kind, as the authority has set them."""
    found = {CaseKind(kind): weight for kind, weight in CaseloadWeight.objects.values_list("kind", "weight")}
    return {kind: found.get(kind, ORDINARY) for kind in CaseKind}


def weighted_caseload(kinds: list[CaseKind], weights: dict[CaseKind, Decimal]) -> Decimal:
    """The sum of the weights of a worker's cases, one kind per case."""
    return sum((weights[kind] for kind in kinds), Decimal("0.00"))
