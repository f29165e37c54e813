"""Forms of recommendations: a set (typed in or imported from a file), a recommendation,
the agency's response, the partnership's status, an action and its progress."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from jigsaw.core.forms import DateField, GovukForm
from jigsaw.partners.models import Agency, Practitioner
from jigsaw.quality.actions.recommendations import (
    EVIDENCE_MAX_BYTES,
    EVIDENCE_TYPES,
    IMPORT_MAX_BYTES,
    NUMBER_MAX,
    SetDetails,
)
from jigsaw.quality.models.recommendations import Rag, RecommendationSource, Response

_FILE = forms.ClearableFileInput(attrs={"class": "govuk-file-upload"})


class SetForm(GovukForm):
    title = forms.CharField(
        label="Title of the report",
        max_length=200,
        help_text="For example: Child safeguarding practice review: Child R",
        error_messages={"required": "Enter the title of the report"},
    )
    source = forms.ChoiceField(
        label="Where do the recommendations come from?",
        choices=RecommendationSource.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where the recommendations come from"},
    )
    source_reference = forms.CharField(
        label="The report's reference (optional)",
        max_length=120,
        required=False,
        help_text="For example: CSPR 2026/01",
    )
    source_date = DateField(
        label="Date of the report (optional)", required=False, help_text="For example, 14 3 2026"
    )
    reports_to = forms.CharField(
        label="Which body is its progress reported to?",
        max_length=160,
        help_text="For example: Children's Services Scrutiny Committee",
        error_messages={"required": "Enter the body the set reports to"},
    )

    def details(self) -> SetDetails:
        data = self.cleaned_data
        return SetDetails(
            title=data["title"],
            source=data["source"],
            reports_to=data["reports_to"],
            source_reference=data["source_reference"],
            source_date=data["source_date"],
        )


class ImportForm(SetForm):
    file = forms.FileField(
        label="CSV file of the recommendations",
        help_text=f"Save your spreadsheet as CSV (comma separated); at most {IMPORT_MAX_BYTES // (1024 * 1024)} MB",
        widget=_FILE,
        error_messages={"required": "Choose the CSV file to upload", "empty": "The file is empty"},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                f"The file must be smaller than {IMPORT_MAX_BYTES // (1024 * 1024)} MB: split it into smaller files"
            )
        return upload


class RecommendationForm(GovukForm):
    number = forms.CharField(
        label="Number",
        max_length=NUMBER_MAX,
        help_text="As the report numbers it: 1, 2, 3a",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
        error_messages={"required": "Enter the recommendation's number, as the report numbers it"},
    )
    text = forms.CharField(
        label="The recommendation",
        help_text="As the report words it. Recommendations are about practice: name no child",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        error_messages={"required": "Enter the recommendation"},
    )
    agency = forms.ModelChoiceField(
        label="Owning agency",
        queryset=Agency.objects.order_by("name"),
        empty_label="Choose the agency",
        error_messages={"required": "Choose the agency that owns the recommendation"},
    )


class ResponseForm(GovukForm):
    response = forms.ChoiceField(
        label="The agency's response",
        choices=Response.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the agency's response"},
    )
    comment = forms.CharField(
        label="Comment",
        help_text="Needed when it is accepted in part (which parts, and why not the rest) or not accepted (why)",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        required=False,
    )


class StatusForm(GovukForm):
    DERIVED = "derived"

    rag = forms.ChoiceField(
        label="Status",
        choices=[(DERIVED, "Use the status its actions give"), *Rag.choices],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the status"},
    )
    reason = forms.CharField(
        label="Why is the status not the one its actions give?",
        help_text="Needed when you set a status; it is shown with your name and the date",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
    )

    def rag_value(self) -> str:
        value = str(self.cleaned_data["rag"])
        return "" if value == self.DERIVED else value


class OwnerField(forms.ModelChoiceField[Practitioner]):
    def label_from_instance(self, obj: Practitioner) -> str:
        return f"{obj.full_name}, {obj.job_title}" if obj.job_title else obj.full_name


class ActionForm(GovukForm):
    description = forms.CharField(
        label="The action",
        help_text="What will be done, so that anyone can tell when it is done",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        error_messages={"required": "Enter what the action is"},
    )
    owner = OwnerField(
        label="Owner",
        queryset=Practitioner.objects.none(),
        empty_label="Choose who owns the action",
        error_messages={"required": "Choose who owns the action"},
    )
    due_on = DateField(label="Due date", help_text="For example, 31 3 2027")

    def __init__(self, *args: Any, owners: QuerySet[Practitioner], agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, OwnerField)
        owner.queryset = owners
        owner.help_text = f"Someone who works for {agency.name}, which owns the recommendation"
        self.fields["due_on"].error_messages["required"] = "Enter the date the action is due"


class ProgressForm(GovukForm):
    note = forms.CharField(
        label="Progress",
        help_text="What has been done since the last update, and what is left",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={"required": "Enter the progress made"},
    )
    evidence = forms.FileField(
        label="Evidence (optional)",
        help_text=(
            f"A file that shows the progress: {', '.join(sorted({e.lstrip('.').upper() for e in EVIDENCE_TYPES}))}; "
            f"at most {EVIDENCE_MAX_BYTES // (1024 * 1024)} MB"
        ),
        widget=_FILE,
        required=False,
    )
    done = forms.BooleanField(
        label="The action is done",
        help_text="Leave this unticked on an action that is done to reopen it",
        required=False,
    )
