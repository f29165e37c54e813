from typing import Any, TypeVar

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from jigsaw.access.admin import PolicyAdmin
from jigsaw.workforce.models import Absence, Appointment, CaseloadWeight, Post, StaffRecord, Team

M = TypeVar("M", bound=models.Model)


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


class _ReadOnlyAdmin(PolicyAdmin[M]):
    """The establishment changes only through its actions (version checks, the access log,
    the FTE rules): the admin site shows it, for looking things up, and changes nothing."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Post)
class PostAdmin(_ReadOnlyAdmin[Post]):
    list_display = ["title", "team", "kind", "fte", "established_on", "disestablished_on"]
    list_filter = ["kind", "team"]
    search_fields = ["title", "team__name"]


@admin.register(Appointment)
class AppointmentAdmin(_ReadOnlyAdmin[Appointment]):
    list_display = ["practitioner", "post", "contract", "fte", "started_on", "ended_on", "leaving_reason"]
    list_filter = ["contract", "leaving_reason"]
    search_fields = ["practitioner__full_name", "post__title"]
    list_select_related = ["practitioner", "practitioner__agency", "post", "post__team"]


@admin.register(Absence)
class AbsenceAdmin(_ReadOnlyAdmin[Absence]):
    list_display = ["practitioner", "kind", "first_day", "last_day", "working_days"]
    list_filter = ["kind"]
    search_fields = ["practitioner__full_name"]
    list_select_related = ["practitioner", "practitioner__agency"]


@admin.register(StaffRecord)
class StaffRecordAdmin(_ReadOnlyAdmin[StaffRecord]):
    list_display = ["practitioner", "registration_number", "qualification", "qualified_on"]
    list_filter = ["qualification"]
    search_fields = ["practitioner__full_name", "registration_number"]
    list_select_related = ["practitioner", "practitioner__agency"]
