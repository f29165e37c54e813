"""Guidance's forms: issuing a piece of guidance to its audience, and a new version."""

from __future__ import annotations

from typing import Any

from django import forms

from jigsaw.access.roles import Role
from jigsaw.core.forms import GovukForm
from jigsaw.partners.models import Agency, AgencyKind
from jigsaw.partnership.actions.guidance import GuidanceDetails, UploadedFile
from jigsaw.partnership.models.guidance import MAX_GUIDANCE_FILE_BYTES, GuidanceKind, ProcedureKey

_FILE_HELP = f"Optional. A PDF of up to {MAX_GUIDANCE_FILE_BYTES // (1024 * 1024)} MB"


def _file_field() -> forms.FileField:
    return forms.FileField(
        label="PDF file",
        required=False,
        help_text=_FILE_HELP,
        widget=forms.FileInput(attrs={"class": "govuk-file-upload", "accept": "application/pdf"}),
        error_messages={"empty": "The file chosen is empty"},
    )


def uploaded(form: forms.Form) -> UploadedFile | None:
    """The PDF chosen on the form, if any, read into memory (its size is checked by the
    upload limit first, and by the action)."""
    chosen = form.cleaned_data.get("file")
    if chosen is None:
        return None
    if chosen.size > MAX_GUIDANCE_FILE_BYTES:
        return UploadedFile(
            chosen.name or "", chosen.content_type or "", chosen.read(MAX_GUIDANCE_FILE_BYTES + 1)
        )
    return UploadedFile(chosen.name or "", chosen.content_type or "", chosen.read())


class GuidanceForm(GovukForm):
    title = forms.CharField(label="Title", max_length=200)
    kind = forms.ChoiceField(label="Kind of guidance", choices=GuidanceKind.choices, widget=forms.RadioSelect)
    procedure_key = forms.ChoiceField(
        label="Link it from these pages",
        required=False,
        choices=[("", "Not linked"), *ProcedureKey.choices],
        help_text="For a procedure: the pages where it applies show a link to its current version",
    )
    audience = forms.ChoiceField(
        label="Which agencies is it for?",
        choices=[("all", "All agencies"), ("chosen", "Only the agencies and kinds of agency chosen below")],
        widget=forms.RadioSelect,
        initial="all",
    )
    agencies = forms.MultipleChoiceField(
        label="Agencies", required=False, widget=forms.CheckboxSelectMultiple
    )
    agency_kinds = forms.MultipleChoiceField(
        label="Every agency of these kinds",
        required=False,
        choices=AgencyKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    roles = forms.MultipleChoiceField(
        label="Roles",
        required=False,
        choices=Role.choices,
        help_text="Leave all empty to send it to every role",
        widget=forms.CheckboxSelectMultiple,
    )
    body = forms.CharField(
        label="Text of the guidance",
        required=False,
        max_length=50000,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    file = _file_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agencies"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [
            (str(pk), name) for pk, name in Agency.objects.order_by("name").values_list("pk", "name")
        ]

    def details(self) -> GuidanceDetails:
        d = self.cleaned_data
        return GuidanceDetails(
            title=d["title"],
            kind=d["kind"],
            procedure_key=d["procedure_key"],
            all_agencies=d["audience"] == "all",
            agency_ids=tuple(int(pk) for pk in d["agencies"]),
            agency_kinds=tuple(d["agency_kinds"]),
            roles=tuple(d["roles"]),
        )


class NewVersionForm(GovukForm):
    change_note = forms.CharField(label="What has changed", max_length=300)
    body = forms.CharField(
        label="Text of the guidance",
        required=False,
        max_length=50000,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    file = _file_field()
    version = forms.IntegerField(widget=forms.HiddenInput)
