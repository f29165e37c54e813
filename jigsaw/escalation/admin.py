from django.contrib import admin

from jigsaw.access.admin import PolicyAdmin
from jigsaw.escalation.models import EscalationPolicy, EscalationStage, StageHolder


class EscalationStageInline(admin.TabularInline[EscalationStage, EscalationPolicy]):
    model = EscalationStage
    extra = 0
    fields = ["order", "name", "working_days", "holder_kind", "urgent_start", "description"]


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(PolicyAdmin[EscalationPolicy]):
    list_display = ["name", "in_force"]
    inlines = [EscalationStageInline]


class StageHolderInline(admin.TabularInline[StageHolder, EscalationStage]):
    model = StageHolder
    extra = 1
    autocomplete_fields = ["practitioner"]


@admin.register(EscalationStage)
class EscalationStageAdmin(PolicyAdmin[EscalationStage]):
    """A stage, with the practitioners named to hold it for each agency."""

    list_display = ["name", "policy", "order", "working_days", "holder_kind", "urgent_start"]
    list_filter = ["policy"]
    inlines = [StageHolderInline]
