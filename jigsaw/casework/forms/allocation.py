"""The allocation form: pick a worker (each shown with their caseload now) and say why."""

from __future__ import annotations

from typing import Any

from django import forms

from jigsaw.casework.queries.worklists import Caseload
from jigsaw.core.forms import GovukForm


def caseload_label(row: Caseload) -> str:
    """ "Sam Jones, social worker: 12 open cases, weighted 15.50" (and any early help led)."""
    cases = f"{row.cases} open case{'' if row.cases == 1 else 's'}"
    early_help = f", leads {row.early_help} early help" if row.early_help else ""
    role = f", {row.role.lower()}" if row.role else ""
    return f"{row.name}{role}: {cases}{early_help}, weighted {row.weighted}"


class AllocationForm(GovukForm):
    worker = forms.TypedChoiceField(
        label="Allocate to",
        coerce=int,
        widget=forms.RadioSelect,
        help_text="Each worker's open cases now, and their caseload weighted by the kind of case",
    )
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, options: list[Caseload], reallocating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        worker = self.fields["worker"]
        assert isinstance(worker, forms.TypedChoiceField)
        worker.choices = [(row.worker.pk, caseload_label(row)) for row in options]
        worker.error_messages["required"] = "Choose who to allocate the case to"
        worker.error_messages["invalid_choice"] = "Choose a worker from the list"
        reason = self.fields["reason"]
        if reallocating:
            reason.label = "Why the case is moving"
            reason.help_text = "The family and the new worker will ask; it goes into the child's chronology"
        else:
            reason.label = "Reason (optional)"
            reason.help_text = "Anything the worker should know about why they were chosen"
