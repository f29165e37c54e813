"""The feedback forms: the family's own (through their link), the paper form as staff type
it in, the link a member of staff makes, the themes a response is tagged with, and the
advocate record of a conference."""

from __future__ import annotations

from typing import Any

from django import forms

from jigsaw.core.forms import DateField, GovukForm
from jigsaw.voice.actions.feedback import FeedbackAnswers
from jigsaw.voice.models.feedback import Answer, GivenBy, Theme

YES_NO = [("yes", "Yes"), ("no", "No")]


def _answer(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=Answer.choices, widget=forms.RadioSelect, required=False)


class FamilyAnswersForm(GovukForm):
    """The questions a child or family member answers: three with a yes / a bit / no, and
    two in their own words. Every one may be skipped (the action wants at least one)."""

    listened = _answer("Did you feel listened to?")
    understood = _answer("Did you understand what was decided and why?")
    helped = _answer("Do you think it will help your family?")
    went_well = forms.CharField(
        label="What went well?", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    could_be_better = forms.CharField(
        label="What could be better?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def answers(self) -> FeedbackAnswers:
        d = self.cleaned_data
        return FeedbackAnswers(
            listened=d["listened"],
            understood=d["understood"],
            helped=d["helped"],
            went_well=d["went_well"],
            could_be_better=d["could_be_better"],
        )


def _set_occasions(form: forms.Form, choices: list[tuple[str, str]]) -> None:
    """The child's conferences and closed episodes, for the "about" question."""
    field = form.fields["about"]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _about() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="What is the feedback about?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the feedback is about"},
    )


class PaperFeedbackForm(FamilyAnswersForm):
    """A paper form typed in by staff: what it was about, who filled it in and when, their
    answers, and (while the form is in hand) its themes."""

    about = _about()
    given_by = forms.ChoiceField(
        label="Who filled in the form?",
        choices=GivenBy.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who filled in the form"},
    )
    given_on = DateField(
        label="Date the form was filled in",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date the form was filled in"},
    )
    themes = forms.MultipleChoiceField(
        label="Themes",
        choices=Theme.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Choose all that the family's answers raise. You can tag them later.",
    )
    field_order = [
        "about",
        "given_by",
        "given_on",
        "listened",
        "understood",
        "helped",
        "went_well",
        "could_be_better",
        "themes",
    ]

    def __init__(self, *args: Any, occasions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_occasions(self, occasions)


class FeedbackLinkForm(GovukForm):
    about = _about()
    given_by = forms.ChoiceField(
        label="Who is the link for?",
        choices=GivenBy.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who the link is for"},
    )

    def __init__(self, *args: Any, occasions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_occasions(self, occasions)


class ThemesForm(GovukForm):
    themes = forms.MultipleChoiceField(
        label="Themes",
        choices=Theme.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Choose all that the family's answers raise",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class AdvocacyForm(GovukForm):
    offered = forms.ChoiceField(
        label="Were the parents offered an advocate?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the parents were offered an advocate"},
    )
    attended = forms.ChoiceField(
        label="Did an advocate come to the conference?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether an advocate came to the conference"},
    )
    organisation = forms.CharField(
        label="Advocate's organisation", required=False, max_length=160, help_text="If an advocate came"
    )
    advocate_name = forms.CharField(label="Advocate's name", required=False, max_length=160)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
