"""Forms of the partner feeds: a CSV file of events, and an agency system's token."""

from __future__ import annotations

from typing import Any

from django import forms

from jigsaw.core.forms import GovukForm
from jigsaw.partners.ingest import KINDS_BY_AGENCY, MAX_FILE_BYTES
from jigsaw.partners.models import Agency, FeedScope


class EventUploadForm(GovukForm):
    """One CSV file of one kind of event (the kind is the page's)."""

    file = forms.FileField(
        label="CSV file",
        help_text=f"Save your spreadsheet as CSV (comma separated); at most {MAX_FILE_BYTES // (1024 * 1024)} MB",
        error_messages={"required": "Choose the CSV file to upload", "empty": "The file is empty"},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                f"The file must be smaller than {MAX_FILE_BYTES // (1024 * 1024)} MB: split it into smaller files"
            )
        return upload


class IssueTokenForm(GovukForm):
    """A token for an agency's system: which agency, what the system is called, and the
    kinds of event it may send."""

    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.filter(kind__in=list(KINDS_BY_AGENCY)).order_by("name"),
        empty_label="Choose the agency",
    )
    name = forms.CharField(label="Name of the system", max_length=120, help_text="For example: Niche RMS")
    scopes = forms.MultipleChoiceField(
        label="What the system may send",
        choices=FeedScope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose what the system may send"},
    )
