from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from jigsaw.access.admin import PolicyAdmin
from jigsaw.workforce.models import CaseloadWeight, Team


@admin.register(Team)
class TeamAdmin(PolicyAdmin[Team]):
    list_display = ["name", "agency", "phone", "secure_email"]
    list_filter = ["agency"]
    search_fields = ["name"]


@admin.register(CaseloadWeight)
class CaseloadWeightAdmin(PolicyAdmin[CaseloadWeight]):
    """Every kind of case has one weight (loaded by the migrations); an administrator
    changes the weights, never the kinds."""

    list_display = ["kind", "weight"]
    list_editable = ["weight"]
    readonly_fields = ["kind"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
