"""Practice review forms: the incident, and one form for each step of the review."""

from __future__ import annotations

from typing import Any

from django import forms

from jigsaw.core.forms import DateField, GovukForm
from jigsaw.partners.models import Agency, AgencyKind
from jigsaw.quality.models.practice_reviews import (
    MAX_DOCUMENT_BYTES,
    DocumentKind,
    InspectorateGrade,
    ReviewDecision,
)


class IncidentForm(GovukForm):
    title = forms.CharField(
        label="How the review will be known",
        help_text="For example: Child R. Not the child's name",
        max_length=160,
    )
    what_happened = forms.CharField(
        label="What happened", widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )
    incident_on = DateField(label="Date of the incident", help_text="For example, 14 3 2026")
    notified_panel_on = DateField(
        label="Date the national panel was notified",
        help_text="The rapid review is due 15 working days after this",
    )
    person_id = forms.IntegerField(
        label="The child's Jigsaw person number (optional)",
        help_text="Leave empty if the child is not in the person index",
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-10"}),
        error_messages={"invalid": "The person number is a whole number, for example 1042"},
    )


class RapidReviewForm(GovukForm):
    held_on = DateField(label="Date of the rapid review")


class DecisionForm(GovukForm):
    decision = forms.ChoiceField(label="Decision", choices=ReviewDecision.choices, widget=forms.RadioSelect)
    reasons = forms.CharField(
        label="Reasons",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": "Give the reasons for the decision"},
    )
    decided_on = DateField(label="Date of the decision")


class ReviewersForm(GovukForm):
    chair_name = forms.CharField(label="Independent chair", max_length=160)
    chair_organisation = forms.CharField(label="Chair's organisation", max_length=160, required=False)
    author_name = forms.CharField(label="Independent author", max_length=160)
    author_organisation = forms.CharField(label="Author's organisation", max_length=160, required=False)


class PanelForm(GovukForm):
    # Typed, not picked from a list: a large authority has thousands of people who sign in.
    member = forms.CharField(
        label="Add to the panel",
        help_text="Their Jigsaw username or e-mail address",
        max_length=254,
        error_messages={"required": "Enter the username or e-mail address of the person to add"},
    )


class ImrForm(GovukForm):
    agency = forms.ChoiceField(label="Agency", error_messages={"required": "Choose the agency"})
    requested_on = DateField(label="Asked for on")
    due_on = DateField(label="Due by")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency = self.fields["agency"]
        assert isinstance(agency, forms.ChoiceField)
        agency.choices = [("", "Choose an agency")] + [
            (str(a.pk), a.name)
            for a in Agency.objects.exclude(kind=AgencyKind.SAFEGUARDING_PARTNERSHIP).order_by("name")[:5000]
        ]
        agency.error_messages["invalid_choice"] = "Choose the agency from the list"


class ImrReceivedForm(GovukForm):
    imr = forms.IntegerField(widget=forms.HiddenInput)
    received_on = DateField(label="Date it arrived")


class DocumentForm(GovukForm):
    kind = forms.ChoiceField(label="What is it?", choices=DocumentKind.choices, widget=forms.RadioSelect)
    title = forms.CharField(label="Title", max_length=200)
    file = forms.FileField(
        label="File",
        help_text=f"Up to {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB",
        error_messages={"required": "Choose a file", "empty": "Choose a file: the one chosen is empty"},
    )


class SummaryForm(GovukForm):
    text = forms.CharField(
        label="Executive summary",
        help_text="Confidential to the panel until it is approved and published",
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=20000,
        error_messages={"required": "Enter the executive summary"},
    )


class ApproveForm(GovukForm):
    approved_on = DateField(label="Date approved for publication")


class PublishForm(GovukForm):
    published_on = DateField(label="Date published")


class GradeForm(GovukForm):
    grade = forms.ChoiceField(label="Grade", choices=InspectorateGrade.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label="What the inspectorate said (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=3000,
        required=False,
    )
    graded_on = DateField(label="Date of the grade")


class RecommendationSetForm(GovukForm):
    recommendation_set = forms.ChoiceField(
        label="The review's recommendations", error_messages={"required": "Choose the set of recommendations"}
    )

    def __init__(self, *args: Any, sets: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["recommendation_set"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose a set")] + [(str(pk), title) for pk, title in sets]
        field.error_messages["invalid_choice"] = "Choose the set of recommendations from the list"
