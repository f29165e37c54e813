"""The workforce's forms: a post, ending one, an appointment and its end, an absence and a
staff record. Each gives its action the details it needs; the action decides."""

from __future__ import annotations

from typing import Any

from django import forms

from jigsaw.core.forms import DateField, GovukForm
from jigsaw.partners.models import Practitioner
from jigsaw.workforce.actions import AbsenceDetails, AppointmentDetails, PostDetails, StaffRecordDetails
from jigsaw.workforce.models import AbsenceKind, Contract, LeavingReason, Post, PostKind, Qualification


def _fte_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        help_text="1.0 is full time; 0.6 is three days a week",
        max_digits=3,
        decimal_places=2,
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-4", "inputmode": "decimal"}),
        error_messages={
            "required": "Enter the full-time equivalent, for example 1.0 or 0.6",
            "invalid": "Enter the full-time equivalent as a number, for example 1.0 or 0.6",
            "max_digits": "Enter the full-time equivalent as a number no more than 1.0",
            "max_decimal_places": "Give the full-time equivalent to 2 decimal places at most",
            "max_whole_digits": "Enter the full-time equivalent as a number no more than 1.0",
        },
    )


def _worker_choices(workers: list[Practitioner]) -> list[tuple[str, str]]:
    return [("", "Choose a worker"), *((str(w.pk), f"{w.full_name}, {w.job_title}") for w in workers)]


class Versioned(GovukForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def version_or_stale(self) -> int:
        """The version the form was opened at (a form without one is treated as stale)."""
        version = self.cleaned_data.get("version")
        return version if isinstance(version, int) else -1


class PostForm(Versioned):
    title = forms.CharField(
        label="Post title", max_length=120, help_text="For example, Social worker (level 2)"
    )
    kind = forms.ChoiceField(label="Kind of post", choices=PostKind.choices, widget=forms.RadioSelect)
    fte = _fte_field("Full-time equivalent of the post")
    established_on = DateField(label="Date the post was established", help_text="For example, 1 4 2024")

    @staticmethod
    def initial_for(post: Post) -> dict[str, Any]:
        return {
            "title": post.title,
            "kind": post.kind,
            "fte": post.fte,
            "established_on": post.established_on,
            "version": post.version,
        }

    def details(self, team_id: int) -> PostDetails:
        d = self.cleaned_data
        return PostDetails(
            team_id=team_id,
            title=d["title"],
            kind=d["kind"],
            fte=d["fte"],
            established_on=d["established_on"],
        )


class DisestablishForm(Versioned):
    on = DateField(
        label="First day the post no longer exists",
        help_text="Its workers' appointments must have ended before this day",
        error_messages={"required": "Enter the first day the post no longer exists"},
    )


class AppointForm(Versioned):
    practitioner = forms.ChoiceField(label="Worker")
    contract = forms.ChoiceField(label="Contract", choices=Contract.choices, widget=forms.RadioSelect)
    fte = _fte_field("Full-time equivalent they work in this post")
    started_on = DateField(label="First day in the post", help_text="For example, 6 1 2025")

    def __init__(self, *args: Any, workers: list[Practitioner], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice = self.fields["practitioner"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = _worker_choices(workers)

    def details(self) -> AppointmentDetails:
        d = self.cleaned_data
        return AppointmentDetails(
            practitioner_id=int(d["practitioner"]),
            contract=d["contract"],
            fte=d["fte"],
            started_on=d["started_on"],
        )


class EndAppointmentForm(Versioned):
    ended_on = DateField(label="Last day in the post", help_text="For example, 31 3 2025")
    reason = forms.ChoiceField(
        label="Why the appointment ended", choices=LeavingReason.choices, widget=forms.RadioSelect
    )


class AbsenceForm(Versioned):
    practitioner = forms.ChoiceField(label="Worker")
    kind = forms.ChoiceField(label="Kind of absence", choices=AbsenceKind.choices, widget=forms.RadioSelect)
    first_day = DateField(label="First day of the absence", help_text="For example, 3 2 2025")
    last_day = DateField(
        label="Last day of the absence",
        help_text="The working days are counted for you, without weekends and bank holidays",
    )

    def __init__(self, *args: Any, workers: list[Practitioner], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice = self.fields["practitioner"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = _worker_choices(workers)

    def details(self) -> AbsenceDetails:
        d = self.cleaned_data
        return AbsenceDetails(
            practitioner_id=int(d["practitioner"]),
            kind=d["kind"],
            first_day=d["first_day"],
            last_day=d["last_day"],
        )


class StaffRecordForm(Versioned):
    registration_number = forms.CharField(
        label="Social Work England registration number",
        required=False,
        max_length=12,
        help_text="SW followed by digits, for example SW12345. Leave empty if not registered.",
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10", "spellcheck": "false"}),
    )
    qualification = forms.ChoiceField(
        label="Social work qualification", choices=Qualification.choices, widget=forms.RadioSelect
    )
    qualified_on = DateField(label="Date qualified", required=False, help_text="Leave empty if not qualified")
    joined_service_on = DateField(label="Date they joined the service", required=False)

    def details(self) -> StaffRecordDetails:
        d = self.cleaned_data
        return StaffRecordDetails(
            registration_number=d["registration_number"],
            qualification=d["qualification"],
            qualified_on=d["qualified_on"],
            joined_service_on=d["joined_service_on"],
        )
