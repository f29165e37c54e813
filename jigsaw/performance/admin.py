from django.contrib import admin

from jigsaw.access.admin import PolicyAdmin
from jigsaw.performance.models import ChildPopulation


@admin.register(ChildPopulation)
class ChildPopulationAdmin(PolicyAdmin[ChildPopulation]):
    """The population figure an administrator enters each year from the ONS estimates."""

    list_display = ["year", "children", "source"]
