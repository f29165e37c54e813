"""The admin site asks the access policy too: administrators manage reference data
(agencies, teams, practitioners) and may read the access log, which nobody may edit."""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from jigsaw.access.models import AccessLogEntry
from jigsaw.access.policy import Permission, has_permission


def _site_has_permission(request: HttpRequest) -> bool:
    return has_permission(request.user, Permission.ADMINISTER) or bool(
        request.user.is_active and getattr(request.user, "is_superuser", False)
    )


admin.site.has_permission = _site_has_permission  # type: ignore[method-assign]
admin.site.site_header = "Jigsaw administration"
admin.site.site_title = "Jigsaw administration"


M = TypeVar("M", bound=Model)


class PolicyAdmin(admin.ModelAdmin[M]):
    """Reference data an administrator may manage in full."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _site_has_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _site_has_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _site_has_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _site_has_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _site_has_permission(request)


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(admin.ModelAdmin[AccessLogEntry]):
    list_display = ["at", "user", "action", "record_type", "record_id"]
    list_filter = ["action", "record_type"]
    search_fields = ["record_id", "user__username"]
    date_hierarchy = "at"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_permission(request.user, Permission.VIEW_ACCESS_LOG)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_permission(request.user, Permission.VIEW_ACCESS_LOG)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
