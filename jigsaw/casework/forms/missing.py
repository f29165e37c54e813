"""Forms of missing episodes and private fostering. Times are asked as a date and a 24-hour
time (the 72-hour clock of the return interview needs the hour); people and professionals
are picked, not retyped."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from jigsaw.casework.forms.episodes import DATE_HINT, LeadProfessionalField, VersionedForm
from jigsaw.casework.models import (
    EXPLOITATION_FACTORS,
    InterviewResponse,
    MissingKind,
    NotifiedBy,
    Referral,
)
from jigsaw.core.forms import DateField, GovukForm

_TIME = re.compile(r"([01]?\d|2[0-3])[:.]?([0-5]\d)")
TIME_HINT = "24-hour clock, for example 14:30"
YES_NO = [("yes", "Yes"), ("no", "No")]

Choices = list[tuple[str, list[tuple[int, str]]]]


class TimeField(forms.CharField):
    """A time of day typed as hours and minutes ("14:30", "1430" or "14.30")."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 5)
        kwargs.setdefault("help_text", TIME_HINT)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"})
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> datetime.time | None:
        text = str(super().clean(value) or "").strip()
        if not text:
            return None
        match = _TIME.fullmatch(text)
        if not match:
            label = str(self.label or "The time")
            raise forms.ValidationError(
                f"Enter {label[0].lower() + label[1:]} as hours and minutes, like 14:30"
            )
        return datetime.time(int(match[1]), int(match[2]))


def moment(day: datetime.date | None, time: datetime.time | None) -> datetime.datetime | None:
    """A date and a time of day as one aware moment (None when either is missing)."""
    if day is None or time is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, time))


def moment_initial(name: str, value: datetime.datetime | None) -> dict[str, Any]:
    """The initial date and time boxes for the moment `value` (fields `<name>_on` and `<name>_time`)."""
    if value is None:
        return {}
    local = timezone.localtime(value)
    return {f"{name}_on": local.date(), f"{name}_time": f"{local:%H:%M}"}


def _risk_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label="Concerns about exploitation",
        choices=[(str(code), code.label) for code in EXPLOITATION_FACTORS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Tick any the episode raised (the same factors the assessment records)",
    )


class _PractitionerPick:
    """Fills a practitioner field's grouped choices (those working with the child first)."""

    def set_choices(self, form: forms.Form, field: str, choices: Choices, blank: str) -> None:
        form.fields[field].choices = [("", blank), *choices]  # type: ignore[attr-defined]


class MissingReportForm(GovukForm, _PractitionerPick):
    kind = forms.ChoiceField(label="Missing from", choices=MissingKind.choices, widget=forms.RadioSelect)
    reported_on = DateField(label="Date reported missing", help_text=DATE_HINT)
    reported_time = TimeField(label="Time reported missing")
    reported_by = LeadProfessionalField(
        label="Professional who reported it",
        required=False,
        help_text="From any agency. Leave blank if a parent or carer reported it.",
    )
    reported_by_other = forms.CharField(
        label="Or, who reported it",
        required=False,
        max_length=120,
        help_text="For example: her foster carer, or his mother",
    )
    police_reference = forms.CharField(label="Police reference", required=False, max_length=40)
    risk_factors = _risk_field()
    circumstances = forms.CharField(
        label="Circumstances",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="When and where the child was last seen, who with, and any known risks",
    )

    def __init__(self, *args: Any, reporter_choices: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reported_time"].required = True
        self.set_choices(self, "reported_by", reporter_choices, "Not a professional")

    def reported_at(self) -> datetime.datetime:
        found = moment(self.cleaned_data["reported_on"], self.cleaned_data["reported_time"])
        assert found is not None
        return found


class MissingReturnForm(VersionedForm):
    returned_on = DateField(label="Date the child returned or was found", help_text=DATE_HINT)
    returned_time = TimeField(label="Time the child returned or was found")
    where_found = forms.CharField(
        label="Where the child was found or returned to",
        max_length=200,
        help_text="For example: returned to the placement by police from a flat in the town centre",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["returned_time"].required = True

    def returned_at(self) -> datetime.datetime:
        found = moment(self.cleaned_data["returned_on"], self.cleaned_data["returned_time"])
        assert found is not None
        return found


class ReturnInterviewForm(VersionedForm, _PractitionerPick):
    offered_on = DateField(label="Date the return interview was offered", help_text=DATE_HINT)
    offered_time = TimeField(label="Time the return interview was offered")
    response = forms.ChoiceField(
        label="Did the child accept the interview?",
        choices=InterviewResponse.choices,
        widget=forms.RadioSelect,
    )
    done_on = DateField(
        label="Date the interview was done", required=False, help_text="Leave blank until it is done"
    )
    done_time = TimeField(label="Time the interview was done", required=False)
    interview_by = LeadProfessionalField(
        label="Who did the interview",
        required=False,
        help_text="Ideally someone independent of the child's placement and social worker",
    )
    summary = forms.CharField(
        label="What the child said",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Why they went, where they were, who with, and what would stop it happening again",
    )
    risk_factors = _risk_field()

    def __init__(self, *args: Any, interviewer_choices: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offered_time"].required = True
        self.set_choices(self, "interview_by", interviewer_choices, "Not done yet")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            cleaned.get("done_on") is not None
            and cleaned.get("done_time") is None
            and "done_time" not in self.errors
        ):
            self.add_error("done_time", "Enter the time the interview was done")
        return cleaned

    def offered_at(self) -> datetime.datetime | None:
        return moment(self.cleaned_data["offered_on"], self.cleaned_data["offered_time"])

    def done_at(self) -> datetime.datetime | None:
        return moment(self.cleaned_data["done_on"], self.cleaned_data["done_time"])


class PrivateFosteringForm(GovukForm, _PractitionerPick):
    carer = forms.IntegerField(
        label="Jigsaw ID of the private foster carer",
        min_value=1,
        help_text="Shown on each person's page. Find or add the carer first if you do not know it.",
        error_messages={
            "required": "Enter the carer's Jigsaw ID",
            "invalid": "Enter the Jigsaw ID as a number",
        },
    )
    started_on = DateField(label="Date the arrangement started", help_text="Or will start, if it is planned")
    notified_on = DateField(label="Date the authority was notified", help_text=DATE_HINT)
    notified_by = forms.ChoiceField(
        label="Who notified", choices=NotifiedBy.choices, widget=forms.RadioSelect
    )
    notifying_practitioner = LeadProfessionalField(
        label="The professional who notified",
        required=False,
        help_text="Only if a professional notified",
    )
    # Only asked when the child has more than one open episode; with one, it is used.
    referral = forms.ModelChoiceField(
        label="Which episode of need the arrangement belongs to",
        queryset=Referral.objects.none(),
        required=False,
    )

    def __init__(
        self, *args: Any, notifier_choices: Choices, open_referrals: QuerySet[Referral], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices(self, "notifying_practitioner", notifier_choices, "Not a professional")
        field = self.fields["referral"]
        assert isinstance(field, forms.ModelChoiceField)
        if open_referrals.count() > 1:
            field.queryset = open_referrals
        else:
            del self.fields["referral"]


class PrivateFosteringVisitForm(VersionedForm):
    visited_on = DateField(label="Date of the visit", help_text=DATE_HINT)
    child_seen_alone = forms.ChoiceField(
        label="Was the child seen alone?", choices=YES_NO, widget=forms.RadioSelect
    )
    notes = forms.CharField(
        label="Notes of the visit",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The child's wishes and feelings, their care, health and schooling",
    )


class PrivateFosteringAssessmentForm(VersionedForm):
    completed_on = DateField(label="Date the assessment was completed", help_text=DATE_HINT)
    suitable = forms.ChoiceField(
        label="Is the arrangement suitable?", choices=YES_NO, widget=forms.RadioSelect
    )
    summary = forms.CharField(
        label="The assessment's conclusions",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The carer, the household, the accommodation, and the parents' part in the arrangement",
    )


class PrivateFosteringEndForm(VersionedForm):
    ended_on = DateField(label="Date the arrangement ended", help_text=DATE_HINT)
    end_reason = forms.CharField(
        label="Why it ended",
        max_length=200,
        help_text="For example: returned home to her mother",
    )
