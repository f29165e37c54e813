"""Tags for other apps' pages: `{% procedure_link "escalation" %}` links the current
version of the procedure issued for that part of the work (nothing when none is issued);
`{% board_actions_for recommendation %}` lists the board's actions answering it."""

from __future__ import annotations

from typing import Any

from django import template

from jigsaw.partnership.queries.board import actions_for_recommendation
from jigsaw.partnership.queries.guidance import procedure
from jigsaw.quality.models.recommendations import Recommendation

register = template.Library()


@register.inclusion_tag("partnership/guidance/_procedure_link.html")
def procedure_link(key: str) -> dict[str, Any]:
    found = procedure(key)
    if found is None:
        return {"item": None}
    item, version = found
    return {"item": item, "version": version}


@register.inclusion_tag("partnership/board/_recommendation_actions.html")
def board_actions_for(recommendation: Recommendation) -> dict[str, Any]:
    """`{% board_actions_for recommendation %}`: the board's actions that answer a
    recommendation, for the recommendation's own page (read-only)."""
    return {"recommendation": recommendation, "actions": list(actions_for_recommendation(recommendation))}
