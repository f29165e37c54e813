"""Training's forms: a course, a session, a learner, and finding people to book."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms

from jigsaw.access.roles import Role
from jigsaw.core.forms import DateField, GovukForm
from jigsaw.partners.models import Agency, AgencyKind
from jigsaw.quality.actions.training import CourseDetails, LearnerDetails, SessionDetails
from jigsaw.quality.models.training import Course, CourseKind, LearnerGroup

_TIME = re.compile(r"^\s*([0-9]{1,2})[:.]([0-9]{2})\s*$")


class TimeField(forms.CharField):
    """A time typed as 9:30 or 14.00 (the 24-hour clock)."""

    def clean(self, value: Any) -> datetime.time | None:
        text = super().clean(value)
        if not text:
            return None
        match = _TIME.match(text)
        if match is None:
            raise forms.ValidationError(f"{self.label} must be a time such as 9:30 or 14:00")
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour > 23 or minute > 59:
            raise forms.ValidationError(f"{self.label} must be a real time, such as 9:30 or 14:00")
        return datetime.time(hour, minute)


def _agencies() -> list[tuple[str, str]]:
    return [
        ("", "Choose an agency"),
        *((str(pk), name) for pk, name in Agency.objects.order_by("name").values_list("pk", "name")),
    ]


class CourseForm(GovukForm):
    title = forms.CharField(
        label="Course title", max_length=200, error_messages={"required": "Enter the course title"}
    )
    kind = forms.ChoiceField(label="Kind of course", choices=CourseKind.choices, widget=forms.RadioSelect)
    agency = forms.ChoiceField(
        label="Agency offering the course", required=False, help_text="Needed for a single-agency course"
    )
    refresher_months = forms.IntegerField(
        label="Refresher period, in months",
        required=False,
        help_text="How long the training lasts before it must be refreshed. Leave empty if it does not expire.",
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-3", "inputmode": "numeric"}),
        error_messages={"invalid": "Enter the refresher period as a whole number of months"},
    )
    description = forms.CharField(
        label="What the course covers",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    mandatory_groups = forms.MultipleChoiceField(
        label="Mandatory for these groups",
        required=False,
        choices=LearnerGroup.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    mandatory_roles = forms.MultipleChoiceField(
        label="Mandatory for staff in these Jigsaw roles",
        required=False,
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    mandatory_agency_kinds = forms.MultipleChoiceField(
        label="Mandatory for all staff of these kinds of agency",
        required=False,
        choices=AgencyKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice = self.fields["agency"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = _agencies()

    @staticmethod
    def initial_for(course: Course) -> dict[str, Any]:
        return {
            "title": course.title,
            "kind": course.kind,
            "agency": str(course.agency_id or ""),
            "refresher_months": course.refresher_months,
            "description": course.description,
            "mandatory_groups": course.mandatory_groups,
            "mandatory_roles": course.mandatory_roles,
            "mandatory_agency_kinds": course.mandatory_agency_kinds,
            "version": course.version,
        }

    def details(self) -> CourseDetails:
        d = self.cleaned_data
        return CourseDetails(
            title=d["title"],
            kind=d["kind"],
            description=d["description"],
            agency_id=int(d["agency"]) if d["agency"] else None,
            refresher_months=d["refresher_months"],
            mandatory_groups=tuple(d["mandatory_groups"]),
            mandatory_roles=tuple(d["mandatory_roles"]),
            mandatory_agency_kinds=tuple(d["mandatory_agency_kinds"]),
        )


class SessionForm(GovukForm):
    day = DateField(
        label="Date of the session",
        help_text="For example, 14 5 2027",
        error_messages={"required": "Enter the date of the session"},
    )
    starts = TimeField(label="Start time", help_text="For example, 9:30", max_length=5)
    ends = TimeField(label="End time", help_text="For example, 12:30", max_length=5)
    online = forms.BooleanField(label="The session is online", required=False)
    venue = forms.CharField(label="Venue", required=False, max_length=200)
    trainer = forms.CharField(label="Trainer", max_length=160)
    places = forms.IntegerField(
        label="Number of places",
        min_value=1,
        max_value=500,
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-3", "inputmode": "numeric"}),
        error_messages={
            "invalid": "Enter the number of places as a whole number",
            "min_value": "Enter the number of places, 1 or more",
        },
    )

    def details(self) -> SessionDetails:
        d = self.cleaned_data
        return SessionDetails(
            day=d["day"],
            starts=d["starts"],
            ends=d["ends"],
            online=bool(d["online"]),
            venue=d["venue"],
            trainer=d["trainer"],
            places=d["places"],
        )


class LearnerForm(GovukForm):
    full_name = forms.CharField(
        label="Full name", max_length=160, error_messages={"required": "Enter the learner's full name"}
    )
    group = forms.ChoiceField(label="Group", choices=LearnerGroup.choices, widget=forms.RadioSelect)
    agency = forms.ChoiceField(label="Agency", required=False, help_text="For staff of an agency")
    body = forms.CharField(
        label="Body",
        required=False,
        max_length=160,
        help_text="For councillors and governors: for example, Riverford Council (elected members), or a school's governing board",
    )
    role = forms.ChoiceField(
        label="Jigsaw role, if they have one", required=False, choices=[("", "None"), *Role.choices]
    )
    job_title = forms.CharField(label="Job title", required=False, max_length=120)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice = self.fields["agency"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = _agencies()

    def details(self) -> LearnerDetails:
        d = self.cleaned_data
        return LearnerDetails(
            full_name=d["full_name"],
            group=d["group"],
            agency_id=int(d["agency"]) if d["agency"] else None,
            body=d["body"],
            role=d["role"],
            job_title=d["job_title"],
        )
