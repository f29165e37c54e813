"""The forms of delegated tasks: asking for one, marking one done, handing one back or
cancelling it, and the report's period. The child and the case come from the page."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib.auth.models import User

from jigsaw.casework.models import ChildProtectionConference
from jigsaw.core.forms import DateField, GovukForm
from jigsaw.support.models import TaskKind


def _set_choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _pk(value: str) -> int | None:
    return int(value) if value else None


class RequestTaskForm(GovukForm):
    kind = forms.ChoiceField(label="What needs doing", choices=TaskKind.choices, widget=forms.RadioSelect)
    details = forms.CharField(
        label="What is needed",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what is needed"},
        help_text="For example, who to invite, how long to book the room for, whose report to chase",
    )
    due_on = DateField(
        label="Needed by",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date it is needed by"},
    )
    assignee = forms.ChoiceField(
        label="Who should do it",
        required=False,
        help_text="The team's business support queue, unless you want a particular person",
    )
    conference = forms.ChoiceField(label="For which conference", required=False)

    def __init__(
        self,
        *args: Any,
        staff: list[User],
        conferences: list[ChildProtectionConference],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)

        def name(user: User) -> str:
            practitioner = getattr(user, "practitioner", None)
            label = user.get_full_name() or user.get_username()
            if practitioner is not None:
                label += f" ({practitioner.get_role_display()}"
                label += f", {practitioner.team})" if practitioner.team else ")"
            return label

        _set_choices(
            self,
            "assignee",
            [("", "The team's business support queue"), *((str(u.pk), name(u)) for u in staff)],
        )
        _set_choices(
            self,
            "conference",
            [
                ("", "Not for a conference"),
                *((str(c.pk), f"{c.get_kind_display()}, {c.date:%d %B %Y}") for c in conferences),
            ],
        )
        if not conferences:
            del self.fields["conference"]

    def assignee_id(self) -> int | None:
        return _pk(self.cleaned_data["assignee"])

    def conference_id(self) -> int | None:
        return _pk(self.cleaned_data.get("conference", ""))


class CompleteTaskForm(GovukForm):
    note = forms.CharField(
        label="What was done",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what was done"},
        help_text="For example, who was invited and who has replied",
    )
    booked = forms.CharField(
        label="What was booked",
        required=False,
        max_length=300,
        help_text="For a booking: the room and time, or the video link",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReasonForm(GovukForm):
    reason = forms.CharField(
        label="Why", widget=forms.Textarea(attrs={"rows": 3}), error_messages={"required": "Say why"}
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class TakeTaskForm(GovukForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReportPeriodForm(GovukForm):
    starts = DateField(label="From", required=False, help_text="For example, 1 4 2026")
    ends = DateField(label="To", required=False, help_text="For example, 31 3 2027")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts, ends = cleaned.get("starts"), cleaned.get("ends")
        if starts is not None and ends is not None and starts > ends:
            self.add_error("ends", "The end of the period must be after its start")
        return cleaned

    def period(self, today: datetime.date) -> tuple[datetime.date, datetime.date]:
        """The chosen period; by default the twelve months to today, this one included."""
        valid = self.is_valid()
        ends = (self.cleaned_data.get("ends") if valid else None) or today
        starts = self.cleaned_data.get("starts") if valid else None
        if starts is None:
            starts = (ends.replace(day=1) - datetime.timedelta(days=320)).replace(day=1)
        return starts, ends
