"""Forms of the child's record over time: case notes, their addenda, and the chronology's
filters."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from jigsaw.casework.models import CaseNoteKind, ChronologyKind, Referral
from jigsaw.casework.queries.chronology import ChronologyFilters
from jigsaw.core.forms import DateField, GovukForm
from jigsaw.partners.models import Agency

# Long enough for the fullest note of a home visit; a limit keeps a pasted file out.
NOTE_MAX_LENGTH = 20_000

_TIME = re.compile(r"([01]?\d|2[0-3])[:.]?([0-5]\d)")


class _EventTime(GovukForm):
    """The date and time of the event a note records (pre-filled with now by the view)."""

    occurred_on = DateField(label="Date of the event", help_text="For example, 23 11 2026")
    occurred_time = forms.CharField(
        label="Time of the event",
        help_text="24-hour clock, for example 14:30",
        max_length=5,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}),
    )

    def clean_occurred_time(self) -> datetime.time:
        match = _TIME.fullmatch(str(self.cleaned_data["occurred_time"]).strip())
        if not match:
            raise forms.ValidationError("Enter the time of the event as hours and minutes, like 14:30")
        return datetime.time(int(match[1]), int(match[2]))

    def occurred_at(self) -> datetime.datetime:
        moment = datetime.datetime.combine(
            self.cleaned_data["occurred_on"], self.cleaned_data["occurred_time"]
        )
        return timezone.make_aware(moment)

    @staticmethod
    def initial_for(moment: datetime.datetime) -> dict[str, Any]:
        local = timezone.localtime(moment)
        return {"occurred_on": local.date(), "occurred_time": f"{local:%H:%M}"}


class CaseNoteForm(_EventTime):
    kind = forms.ChoiceField(label="Kind of note", choices=CaseNoteKind.choices, widget=forms.RadioSelect)
    text = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=NOTE_MAX_LENGTH,
        help_text="What happened, who was there, what the child said and did, and what happens next",
    )
    # Only asked when the child has more than one open referral; with exactly one, the view
    # links it without asking.
    referral = forms.ModelChoiceField(
        label="Which episode of need this note belongs to",
        queryset=Referral.objects.none(),
        required=False,
    )

    field_order = ["kind", "occurred_on", "occurred_time", "text", "referral"]

    def __init__(self, *args: Any, open_referrals: QuerySet[Referral] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = open_referrals if open_referrals is not None else Referral.objects.none()
        field = self.fields["referral"]
        assert isinstance(field, forms.ModelChoiceField)
        if choices.count() > 1:
            field.queryset = choices
            field.empty_label = "Not about one episode"
        else:
            del self.fields["referral"]


class CaseNoteEditForm(_EventTime):
    text = forms.CharField(
        label="Note", widget=forms.Textarea(attrs={"rows": 10}), max_length=NOTE_MAX_LENGTH
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    field_order = ["occurred_on", "occurred_time", "text"]


class AddendumForm(GovukForm):
    addendum = forms.CharField(
        label="Addendum",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=NOTE_MAX_LENGTH,
        help_text="What to correct or add. The note itself stays as it was written.",
    )


class ChronologyFilterForm(GovukForm):
    """The chronology's filters, from the query string (GET)."""

    agency = forms.ModelChoiceField(
        label="Agency", queryset=Agency.objects.none(), required=False, empty_label="All agencies"
    )
    kind = forms.ChoiceField(
        label="Kind of event", choices=[("", "All kinds of event"), *ChronologyKind.choices], required=False
    )
    significant = forms.BooleanField(label="Significant events only", required=False)
    date_from = DateField(label="From", required=False, help_text="For example, 1 9 2025")
    date_to = DateField(label="To", required=False, help_text="For example, 31 12 2025")

    def __init__(self, *args: Any, agencies: QuerySet[Agency] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = agencies if agencies is not None else Agency.objects.none()

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        start, end = self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")
        if start is not None and end is not None and end < start:
            self.add_error("date_to", "The 'to' date cannot be before the 'from' date")
        return cleaned

    def filters(self) -> ChronologyFilters:
        """The filters asked for; none when the form is unbound or has an error."""
        if not self.is_bound or not self.is_valid():
            return ChronologyFilters()
        agency = self.cleaned_data["agency"]
        return ChronologyFilters(
            agency_id=agency.pk if agency is not None else None,
            kind=self.cleaned_data["kind"],
            significant_only=self.cleaned_data["significant"],
            date_from=self.cleaned_data["date_from"],
            date_to=self.cleaned_data["date_to"],
        )


class SignificantForm(forms.Form):
    """Mark or unmark an entry significant, and the filters to return to."""

    mark = forms.BooleanField(required=False)
