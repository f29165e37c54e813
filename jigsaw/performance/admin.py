from django.contrib import admin

from jigsaw.access.admin import PolicyAdmin
from jigsaw.performance.models import ChildPopulation, IndicatorTarget


@admin.register(ChildPopulation)
class ChildPopulationAdmin(PolicyAdmin[ChildPopulation]):
    """The population figure an administrator enters each year from the ONS estimates."""

    list_display = ["year", "children", "source"]


@admin.register(IndicatorTarget)
class IndicatorTargetAdmin(PolicyAdmin[IndicatorTarget]):
    """The authority's targets, over the catalogue's defaults."""

    list_display = ["indicator", "target", "reason"]
