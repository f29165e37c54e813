from django.contrib import admin

from jigsaw.access.admin import PolicyAdmin
from jigsaw.casework.models import Timescale, TimescalePolicy


class TimescaleInline(admin.TabularInline[Timescale, TimescalePolicy]):
    model = Timescale
    extra = 0


@admin.register(TimescalePolicy)
class TimescalePolicyAdmin(PolicyAdmin[TimescalePolicy]):
    list_display = ["name", "source", "in_force"]
    inlines = [TimescaleInline]
