"""Supervision's forms: the policy's interval, and a case supervision with its actions."""

from __future__ import annotations

from typing import Any

from django import forms

from jigsaw.core.forms import DateField, GovukForm
from jigsaw.partners.models import Practitioner
from jigsaw.quality.actions.supervision import ActionDetails, SupervisionDetails

# Action rows on the form (blank rows are ignored).
ACTION_ROWS = 3


class PolicyForm(GovukForm):
    interval_days = forms.IntegerField(
        label="How often must each open case be supervised, in days?",
        help_text="For example, 28 for every 4 weeks",
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-3", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter a number of days",
            "invalid": "Enter the number of days as a whole number",
        },
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


def _worker_choices(workers: list[Practitioner]) -> list[tuple[str, str]]:
    return [
        (str(p.user_id), f"{p.full_name} ({p.team.name if p.team else p.get_role_display()})")
        for p in workers
    ]


class SupervisionForm(GovukForm):
    supervised_on = DateField(
        label="Date of the supervision",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date of the supervision"},
    )
    worker = forms.ChoiceField(
        label="Worker supervised", error_messages={"required": "Choose the worker you supervised"}
    )
    discussion = forms.CharField(
        label="What was discussed",
        help_text="The child's progress, risks, the plan and the worker's analysis",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
        error_messages={"required": "Say what was discussed"},
    )
    decisions = forms.CharField(
        label="What was decided",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": "Say what was decided, even if it was to carry on with the plan"},
    )

    def __init__(self, *args: Any, workers: list[Practitioner], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = _worker_choices(workers)
        choice = self.fields["worker"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [("", "Choose a worker"), *choices]
        self.fields["worker"].widget.attrs["class"] = "govuk-select"
        for n in range(1, ACTION_ROWS + 1):
            self.fields[f"action_{n}_description"] = forms.CharField(
                label="What needs to be done",
                required=False,
                max_length=1000,
                widget=forms.TextInput(attrs={"class": "govuk-input"}),
            )
            owner = forms.ChoiceField(
                label="Who will do it", required=False, choices=[("", "Choose who"), *choices]
            )
            owner.widget.attrs["class"] = "govuk-select"
            self.fields[f"action_{n}_owner"] = owner
            self.fields[f"action_{n}_due_on"] = DateField(label="When it is due", required=False)

    def action_rows(self) -> list[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (self[f"action_{n}_description"], self[f"action_{n}_owner"], self[f"action_{n}_due_on"])
            for n in range(1, ACTION_ROWS + 1)
        ]

    def details(self) -> SupervisionDetails:
        data = self.cleaned_data
        actions = []
        for n in range(1, ACTION_ROWS + 1):
            description = data.get(f"action_{n}_description") or ""
            owner = data.get(f"action_{n}_owner") or ""
            due = data.get(f"action_{n}_due_on")
            if description.strip() or owner or due:
                actions.append(ActionDetails(description, int(owner) if owner else None, due, row=n))
        return SupervisionDetails(
            supervised_on=data["supervised_on"],
            worker_id=int(data["worker"]),
            discussion=data["discussion"],
            decisions=data["decisions"],
            actions=tuple(actions),
        )
