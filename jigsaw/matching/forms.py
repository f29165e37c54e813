"""Forms of the matching pages. They parse input; the actions validate and write."""

from __future__ import annotations

from typing import Any

from django import forms

from jigsaw.core.forms import GovukForm
from jigsaw.matching.models import MatchSource, ReviewReason
from jigsaw.people.models import Person

# --- Merge and unmerge (jigsaw/matching/merge_views.py) ---------------------------------

REASON_MAX_LENGTH = 2000


class MergeFindForm(GovukForm):
    other = forms.IntegerField(
        label="Jigsaw ID of the other record",
        min_value=1,
        help_text="Shown above the name on the other record's page",
        error_messages={
            "invalid": "Enter the Jigsaw ID as a number, like 1042",
            "min_value": "Enter the Jigsaw ID as a number, like 1042",
        },
    )


class MergeForm(GovukForm):
    """Which record remains and why; the versions compared ride along, so a change to
    either record in the meantime is caught."""

    survivor = forms.ChoiceField(label="Which record should remain?", widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Why are these the same person?",
        help_text="For example: same NHS number and date of birth; the school confirmed the change of name",
        max_length=REASON_MAX_LENGTH,
        error_messages={"required": "Say why these records are the same person"},
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    person_version = forms.IntegerField(widget=forms.HiddenInput)
    other_version = forms.IntegerField(widget=forms.HiddenInput)
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, person: Person, other: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        survivor = self.fields["survivor"]
        assert isinstance(survivor, forms.ChoiceField)
        survivor.choices = [
            (str(p.pk), f"{p.full_name} (Jigsaw ID {p.pk}): the other becomes an alias of it")
            for p in (person, other)
        ]


class UnmergeForm(GovukForm):
    reason = forms.CharField(
        label="Why are these not the same person?",
        max_length=REASON_MAX_LENGTH,
        error_messages={"required": "Say why these are not the same person"},
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reassign = forms.MultipleChoiceField(
        label="Records added since the merge that belonged to the other person",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, reassignable: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reassign = self.fields["reassign"]
        assert isinstance(reassign, forms.MultipleChoiceField)
        reassign.choices = reassignable


# --- The review queue (jigsaw/matching/review_views.py) ----------------------------------

SAME_PERSON = "same"
NOT_SAME_PERSON = "not_same"


class ReviewFilterForm(GovukForm):
    """The queue's filters; every one optional."""

    source = forms.ChoiceField(label="Where it came from", required=False)
    reason = forms.ChoiceField(label="Why it needs a person", required=False)
    order = forms.ChoiceField(
        label="Order",
        required=False,
        choices=[("", "Most probable first"), ("newest", "Newest first")],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        source = self.fields["source"]
        reason = self.fields["reason"]
        assert isinstance(source, forms.ChoiceField) and isinstance(reason, forms.ChoiceField)
        source.choices = [("", "All"), *MatchSource.choices]
        reason.choices = [("", "All"), *ReviewReason.choices]


class ReviewDecisionForm(GovukForm):
    """The reviewer's decision. A note is asked only when the records are not the same
    person (why not is what the next reviewer needs); which record remains is pre-filled
    with the older one and offered only when both are in the index."""

    decision = forms.ChoiceField(
        label="Are these the same person?",
        choices=[(SAME_PERSON, "Yes, the same person"), (NOT_SAME_PERSON, "No, not the same person")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether these are the same person"},
    )
    survivor = forms.ChoiceField(
        label="If they are the same person, which record should remain?",
        required=False,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=REASON_MAX_LENGTH,
        help_text="Needed when they are not the same person: say why, for example a different date of birth "
        "confirmed by the school",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, people: tuple[Person, Person] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if people is None:
            del self.fields["survivor"]
            return
        survivor = self.fields["survivor"]
        assert isinstance(survivor, forms.ChoiceField)
        older, newer = sorted(people, key=lambda p: p.pk)
        survivor.choices = [
            (str(older.pk), f"{older.full_name} (Jigsaw ID {older.pk}, the older record)"),
            (str(newer.pk), f"{newer.full_name} (Jigsaw ID {newer.pk})"),
        ]
        survivor.initial = str(older.pk)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if (
            cleaned
            and cleaned.get("decision") == NOT_SAME_PERSON
            and not str(cleaned.get("note", "")).strip()
        ):
            self.add_error("note", "Say why these are not the same person")
        return cleaned
