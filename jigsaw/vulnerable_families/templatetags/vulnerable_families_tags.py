"""The small section other pages show a health visitor or GP: their actions from
vulnerable families meetings (counts only, no child named)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from jigsaw.access.policy import AnyUser, takes_part_in_vulnerable_families
from jigsaw.vulnerable_families.queries import my_open_actions

register = template.Library()


@register.inclusion_tag("vulnerable_families/_due_actions.html")
def vulnerable_families_actions(user: AnyUser) -> dict[str, Any]:
    if not takes_part_in_vulnerable_families(user):
        return {"takes_part": False}
    today = timezone.localdate()
    open_actions = my_open_actions(user)
    return {
        "takes_part": True,
        "open": open_actions.count(),
        "overdue": open_actions.filter(due_on__lt=today).count(),
    }
