"""Forms of the episode of need. Each asks only what Jigsaw cannot derive: dates are
pre-filled with today, the closure reason follows from the assessment, and the lead
professional is picked from the practitioners already working with the child first."""

from __future__ import annotations

from typing import Any

from django import forms

from jigsaw.casework.models import (
    AssessmentFactor,
    AssessmentOutcome,
    ClosureReason,
    EarlyHelpEndReason,
    LegalStatus,
    PlacementType,
)
from jigsaw.core.forms import DateField, GovukForm

DATE_HINT = "For example, 23 11 2026"


class VersionedForm(GovukForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class StartAssessmentForm(GovukForm):
    started_on = DateField(label="Date the assessment started", required=True, help_text=DATE_HINT)


SEEN_ALONE_CHOICES = [("yes", "Yes"), ("no", "No"), ("", "Not recorded yet")]


class AssessmentForm(VersionedForm):
    child_seen_on = DateField(
        label="Date the child was seen", required=False, help_text="Leave blank until the child has been seen"
    )
    seen_alone = forms.ChoiceField(
        label="Was the child seen alone?",
        choices=SEEN_ALONE_CHOICES,
        widget=forms.RadioSelect,
        required=False,
    )
    factors = forms.MultipleChoiceField(
        label="Factors identified",
        choices=AssessmentFactor.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Tick every factor the assessment found, or only “21 No factors identified”",
    )
    analysis = forms.CharField(label="Analysis", widget=forms.Textarea(attrs={"rows": 8}), required=False)
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=AssessmentOutcome.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    completed_on = DateField(
        label="Date completed",
        required=False,
        help_text="Used when you complete the assessment; leave blank for today",
    )

    def seen_alone_value(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data["seen_alone"])

    @staticmethod
    def seen_alone_initial(value: bool | None) -> str:
        return "" if value is None else ("yes" if value else "no")


class CinPlanForm(GovukForm):
    started_on = DateField(label="Date the plan started", required=True, help_text=DATE_HINT)


class CinPlanReviewForm(VersionedForm):
    reviewed_on = DateField(label="Date of the review", required=True, help_text=DATE_HINT)
    summary = forms.CharField(
        label="Summary of the review",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What has changed for the child, and what happens next",
    )


class CinPlanEndForm(VersionedForm):
    ended_on = DateField(label="Date the plan ended", required=True, help_text=DATE_HINT)


class LeadProfessionalField(forms.TypedChoiceField):
    """A practitioner of any agency, from grouped choices (those already working with the
    child first); the action checks the practitioner still exists."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("empty_value", None)
        super().__init__(**kwargs)


def _with_blank(groups: list[tuple[str, list[tuple[int, str]]]]) -> list[Any]:
    return [("", "Not agreed yet"), *groups]


class EarlyHelpForm(GovukForm):
    started_on = DateField(label="Date early help started", required=True, help_text=DATE_HINT)
    lead_professional = LeadProfessionalField(
        label="Lead professional",
        required=False,
        help_text="From any agency. Those already working with the child are listed first.",
    )

    def __init__(self, *args: Any, lead_choices: list[tuple[str, list[tuple[int, str]]]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["lead_professional"].choices = _with_blank(lead_choices)  # type: ignore[attr-defined]


class EarlyHelpUpdateForm(VersionedForm):
    lead_professional = LeadProfessionalField(
        label="Lead professional",
        required=False,
        help_text="From any agency. Those already working with the child are listed first.",
    )
    assessment_completed_on = DateField(
        label="Date the early help assessment was completed", required=False, help_text=DATE_HINT
    )

    def __init__(self, *args: Any, lead_choices: list[tuple[str, list[tuple[int, str]]]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["lead_professional"].choices = _with_blank(lead_choices)  # type: ignore[attr-defined]


class EarlyHelpEndForm(VersionedForm):
    ended_on = DateField(label="Date early help ended", required=True, help_text=DATE_HINT)
    end_reason = forms.ChoiceField(
        label="Why it ended", choices=EarlyHelpEndReason.choices, widget=forms.RadioSelect
    )


class LookedAfterForm(GovukForm):
    started_on = DateField(label="Date the child became looked after", required=True, help_text=DATE_HINT)
    legal_status = forms.ChoiceField(label="Legal status", choices=[("", ""), *LegalStatus.choices])
    placement = forms.ChoiceField(label="Placement", choices=[("", ""), *PlacementType.choices])


class LookedAfterEndForm(VersionedForm):
    ended_on = DateField(label="Date the episode ended", required=True, help_text=DATE_HINT)
    reason_ended = forms.CharField(
        label="Why the child stopped being looked after",
        max_length=120,
        help_text="For example: returned home to their parents",
    )


class ClosureForm(VersionedForm):
    closed_on = DateField(label="Closure date", required=True, help_text=DATE_HINT)
    reason = forms.ChoiceField(
        label="Reason for closing", choices=ClosureReason.choices, widget=forms.RadioSelect
    )
    summary = forms.CharField(
        label="Closure summary",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Why the episode is closing and what support continues: the manager authorising it reads this",
    )
