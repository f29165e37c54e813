from __future__ import annotations

from django import forms

from jigsaw.access.models import RestrictionReason, ReviewOutcome
from jigsaw.core.forms import DateField, GovukForm


class BreakGlassForm(GovukForm):
    reason = forms.CharField(
        label="Why do you need this record now?",
        help_text="For example: child brought to A&E tonight with injuries, checking for a plan. "
        "Your reason is recorded and reviewed.",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )


class RestrictForm(GovukForm):
    reason = forms.ChoiceField(
        label="Why restrict this record?", choices=RestrictionReason.choices, widget=forms.RadioSelect
    )
    permitted_users = forms.CharField(
        label="Who else may see it",
        help_text="Usernames, separated by commas. You are always included.",
        required=False,
    )
    note = forms.CharField(label="Note (optional)", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def usernames(self) -> list[str]:
        raw = str(self.cleaned_data["permitted_users"])
        return sorted({u.strip() for u in raw.split(",") if u.strip()})


class ReviewForm(GovukForm):
    outcome = forms.ChoiceField(
        label="Was the access justified?", choices=ReviewOutcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Note",
        help_text="Required when the access was not justified",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class FindRecordForm(GovukForm):
    person = forms.IntegerField(label="Jigsaw ID", min_value=1)


class SubjectAccessForm(GovukForm):
    person = forms.IntegerField(label="Jigsaw ID of the person the request is about", min_value=1)
    requested_by = forms.CharField(label="Who made the request", max_length=160, required=False)
    received_on = DateField(label="Date received", required=True)
