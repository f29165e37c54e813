"""What the child's page asks of supervision: may this user see or record it?"""

from __future__ import annotations

from django import template

from jigsaw.access.policy import AnyUser, Permission, has_permission

register = template.Library()


@register.filter
def may_view_supervision(user: AnyUser) -> bool:
    return has_permission(user, Permission.VIEW_SUPERVISION)


@register.filter
def may_record_supervision(user: AnyUser) -> bool:
    return has_permission(user, Permission.RECORD_SUPERVISION)
