"""What other apps' pages show of delegated tasks: a case-holder's requests on their work
list, and the tasks asked for on an episode. Both read through the access policy; the pages
they sit on already log the children they show."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from jigsaw.access.policy import Permission, has_permission
from jigsaw.casework.models import Referral
from jigsaw.support.queries.tasks import case_tasks, requests_summary

register = template.Library()


@register.inclusion_tag("support/_my_work_requests.html", takes_context=True)
def delegated_requests(context: dict[str, Any]) -> dict[str, Any]:
    """The counts on a case-holder's work list: open requests, late ones, and what was done
    (or handed back) since they last looked."""
    user = context["request"].user
    if not has_permission(user, Permission.REQUEST_SUPPORT):
        return {"summary": None}
    return {"summary": requests_summary(user, today=timezone.localdate())}


@register.inclusion_tag("support/_case_tasks.html", takes_context=True)
def episode_tasks(context: dict[str, Any], referral: Referral) -> dict[str, Any]:
    """The admin asked for on this episode, and the way to ask for more while it is open."""
    user = context["request"].user
    if not has_permission(user, Permission.REQUEST_SUPPORT):
        return {"tasks": None}
    return {
        "tasks": case_tasks(user, referral),
        "referral": referral,
        "today": timezone.localdate(),
        "can_ask": referral.closed_on is None,
    }
