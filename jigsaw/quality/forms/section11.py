"""Section 11 forms: a standard, a round, an agency's answers, and its action plan."""

from __future__ import annotations

from typing import Any

from django import forms

from jigsaw.core.forms import DateField, GovukForm
from jigsaw.partners.models import Agency, AgencyKind
from jigsaw.quality.models.section11 import RATING_MEANING, GapActionStatus, Rating, Section11Answer


class StandardForm(GovukForm):
    number = forms.IntegerField(
        label="Number",
        min_value=1,
        max_value=99,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-2"}),
        error_messages={
            "required": "Enter the standard's number, 1 or more",
            "invalid": "Enter a whole number",
        },
    )
    title = forms.CharField(label="Title", max_length=200)
    good_looks_like = forms.CharField(
        label="What good looks like",
        help_text="What an agency that meets this standard can show",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=3000,
    )


class RoundForm(GovukForm):
    title = forms.CharField(
        label="Title", help_text="For example: Section 11 self-assessment 2026", max_length=160
    )
    period = forms.CharField(
        label="Period covered", help_text="For example: April 2025 to March 2026", max_length=80
    )
    opens_on = DateField(label="Opens on", help_text="For example, 1 4 2026")
    due_on = DateField(label="Returns due by", help_text="For example, 30 6 2026")
    agencies = forms.MultipleChoiceField(
        label="Agencies the round goes to",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose the agencies the round goes to"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies = self.fields["agencies"]
        assert isinstance(agencies, forms.MultipleChoiceField)
        # The partnership does not assess itself.
        agencies.choices = [
            (str(a.pk), a.name)
            for a in Agency.objects.exclude(kind=AgencyKind.SAFEGUARDING_PARTNERSHIP).order_by("name")[:5000]
        ]
        agencies.error_messages["invalid_choice"] = "Choose the agencies from the list"

    def agency_ids(self) -> list[int]:
        return [int(v) for v in self.cleaned_data.get("agencies") or []]


RATING_CHOICES = [(r.value, f"{r.label}: {RATING_MEANING[r]}") for r in Rating]


class AnswersForm(GovukForm):
    """A rating and evidence for every standard of the return (each may be left for later
    while it is a draft)."""

    def __init__(self, *args: Any, answers: list[Section11Answer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answers = answers
        for answer in answers:
            n = answer.standard.number
            self.fields[f"rating_{answer.standard_id}"] = forms.ChoiceField(
                label=f"How well does your agency meet standard {n}?",
                choices=RATING_CHOICES,
                widget=forms.RadioSelect,
                required=False,
                initial=answer.rating or None,
            )
            self.fields[f"evidence_{answer.standard_id}"] = forms.CharField(
                label=f"Evidence for standard {n}",
                help_text="What shows it: policies, audits, figures, what staff and children say",
                widget=forms.Textarea(attrs={"rows": 4}),
                max_length=5000,
                required=False,
                initial=answer.evidence,
            )
            # An action for a gap can be given with the answer, so nothing typed is lost.
            self.fields[f"action_{answer.standard_id}"] = forms.CharField(
                label=f"What will be done to close the gap in standard {n}",
                widget=forms.Textarea(attrs={"rows": 2}),
                max_length=2000,
                required=False,
            )
            self.fields[f"owner_{answer.standard_id}"] = forms.CharField(
                label="Owner", help_text="The person or post responsible", max_length=160, required=False
            )
            self.fields[f"due_on_{answer.standard_id}"] = DateField(label="Due by", required=False)
        # GovukForm set its messages before these fields existed.
        for field in self.fields.values():
            if isinstance(field, forms.ChoiceField):
                field.error_messages["invalid_choice"] = "Choose a rating from the list"
            elif isinstance(field, forms.CharField) and field.max_length:
                field.error_messages["max_length"] = (
                    f"{field.label} must be {field.max_length} characters or fewer"
                )

    def rows(self) -> list[tuple[Section11Answer, list[forms.BoundField]]]:
        """Each answer with its fields: rating, evidence, then the new action's three."""
        names = ("rating", "evidence", "action", "owner", "due_on")
        return [(a, [self[f"{name}_{a.standard_id}"] for name in names]) for a in self.answers]

    def values(self) -> list[dict[str, Any]]:
        """What was given for each standard, by field name without the standard's id."""
        names = ("rating", "evidence", "action", "owner", "due_on")
        return [
            {"standard_id": a.standard_id}
            | {name: self.cleaned_data.get(f"{name}_{a.standard_id}") for name in names}
            for a in self.answers
        ]


class GapActionForm(GovukForm):
    standard = forms.ChoiceField(
        label="Standard", error_messages={"required": "Choose the standard the action is for"}
    )
    action = forms.CharField(
        label="What will be done",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Say what will be done to close the gap"},
    )
    owner = forms.CharField(
        label="Owner",
        help_text="The person or post responsible",
        max_length=160,
        error_messages={"required": "Enter who owns the action"},
    )
    due_on = DateField(label="Due by", help_text="For example, 31 3 2027")

    def __init__(self, *args: Any, answers: list[Section11Answer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        standard = self.fields["standard"]
        assert isinstance(standard, forms.ChoiceField)
        standard.choices = [("", "Choose a standard")] + [
            (str(a.standard_id), f"{a.standard.number}. {a.standard.title}") for a in answers
        ]
        standard.error_messages["invalid_choice"] = "Choose the standard from the list"


class GapActionStatusForm(GovukForm):
    status = forms.ChoiceField(label="Status", choices=GapActionStatus.choices)
