"""Forms for handling emerging concerns at the front door."""

from __future__ import annotations

from django import forms

from jigsaw.core.forms import GovukForm
from jigsaw.partners.models import EmergingConcernStatus


class EmergingConcernFilterForm(GovukForm):
    status = forms.ChoiceField(
        label="Show", choices=[("", "All"), *EmergingConcernStatus.choices], required=False
    )


class DismissEmergingConcernForm(GovukForm):
    prefix = "dismiss"  # two forms on one page: their fields' ids must differ
    note = forms.CharField(
        label="Why no action is needed",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="The next officer to see this child's alerts will read it",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ContactRecordedForm(GovukForm):
    prefix = "contact"
    note = forms.CharField(
        label="Note (optional)", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
