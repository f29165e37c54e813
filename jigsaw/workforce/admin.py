from django.contrib import admin

from jigsaw.access.admin import PolicyAdmin
from jigsaw.workforce.models import Team


@admin.register(Team)
class TeamAdmin(PolicyAdmin[Team]):
    list_display = ["name", "agency", "phone", "secure_email"]
    list_filter = ["agency"]
    search_fields = ["name"]
