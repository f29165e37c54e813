"""Forms of conference participation: an invitee's reply and written report, and the
period of the attendance figures."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms

from jigsaw.casework.models import InvitationReply
from jigsaw.core.forms import DateField, GovukForm
from jigsaw.partners.actions.conferences import REPORT_MAX


class ReplyForm(GovukForm):
    reply = forms.ChoiceField(
        label="Your reply",
        choices=InvitationReply.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose your reply"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReportForm(GovukForm):
    report = forms.CharField(
        label="Your report for the meeting",
        max_length=REPORT_MAX,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="What your agency knows about the child and family, your concerns, and what you can offer",
        error_messages={"required": "Enter your report"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class PeriodForm(GovukForm):
    """The period of the figures; both ends are pre-filled (the last 12 months)."""

    start = DateField(label="From", required=False, help_text="For example, 1 4 2026")
    end = DateField(label="To", required=False, help_text="For example, 31 3 2027")

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A year back (from 29 February, from the 28th), the day after.
        a_year_back = today.replace(
            year=today.year - 1, day=min(today.day, 28) if today.month == 2 else today.day
        )
        self.default_start = a_year_back + datetime.timedelta(days=1)
        self.default_end = today

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start = cleaned.get("start") or self.default_start
        end = cleaned.get("end") or self.default_end
        if "start" not in self.errors and "end" not in self.errors and end < start:
            self.add_error("end", "The end of the period must be the same as or after its start")
        cleaned["start"], cleaned["end"] = start, end
        return cleaned

    def period(self) -> tuple[datetime.date, datetime.date]:
        """The period asked for, or the default one when the form is not valid."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        return self.default_start, self.default_end
