"""The concern form (the multi-agency referral form) and the front door's triage forms.

Nothing on the concern form is required by the form itself: a draft is saved as it is
typed, half-answered. The action that sends it (`submit_concern`) asks for what the front
door cannot work without, all at once, in the referrer's words.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from django import forms

from jigsaw.core.forms import DateField, GovukForm
from jigsaw.partners.actions.concerns import ChildDetails, ConcernAnswers
from jigsaw.partners.models import Concern, ConcernChild, ConcernUrgency, ConsentStatus, LegalBasis
from jigsaw.people.queries import SearchQuery

_YES_NO = [("yes", "Yes"), ("no", "No"), ("unknown", "I do not know")]
_SEX = [("F", "Female"), ("M", "Male"), ("U", "Not known")]


def _text(label: str, help_text: str = "", rows: int = 5) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class ConcernForm(GovukForm):
    """What the worry is, how urgent, and on what basis it is shared."""

    concern = _text(
        "What are you worried about?",
        "What you have seen or heard, when, and what the family has told you",
        rows=6,
    )
    child_views = _text("What has the child said, if anything?", "In their own words, if you can", rows=3)
    immediate_risk = _text(
        "Is anyone at risk right now? Who is with the child?",
        "For example: the child is at school until 3pm and says they are scared to go home",
        rows=3,
    )
    urgency = forms.ChoiceField(
        label="How urgent is this?",
        choices=ConcernUrgency.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text="If a child is in danger now, call 999 as well",
    )
    parents_aware = forms.ChoiceField(
        label="Do the parents or carers know you are raising this concern?",
        choices=_YES_NO,
        required=False,
        widget=forms.RadioSelect,
    )
    consent = forms.ChoiceField(
        label="Has the family agreed to this being shared?",
        choices=ConsentStatus.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    legal_basis = forms.ChoiceField(
        label="If the family has not agreed: the legal basis for sharing",
        choices=[c for c in LegalBasis.choices if c[0] != LegalBasis.CONSENT],
        required=False,
        widget=forms.RadioSelect,
    )
    without_consent_reason = _text(
        "Why you are sharing without consent",
        "For example: asking would put the child at greater risk",
        rows=3,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    # This page (browser tab): a new one each time the form is opened.
    editor = forms.CharField(widget=forms.HiddenInput, required=False, max_length=32)

    @classmethod
    def initial_for(cls, concern: Concern) -> dict[str, Any]:
        aware = {True: "yes", False: "no", None: ""}[concern.parents_aware]
        return {
            "concern": concern.concern,
            "child_views": concern.child_views,
            "immediate_risk": concern.immediate_risk,
            "urgency": concern.urgency,
            "parents_aware": aware,
            "consent": concern.consent,
            "legal_basis": concern.legal_basis,
            "without_consent_reason": concern.without_consent_reason,
            "version": concern.version,
            "editor": secrets.token_hex(8),
        }

    def answers(self, concern: Concern) -> ConcernAnswers:
        """The answers as typed; one that did not pass the form keeps what was saved."""
        data = getattr(self, "cleaned_data", {})
        aware_saved = {True: "yes", False: "no", None: "unknown"}[concern.parents_aware]
        aware = data.get("parents_aware", aware_saved)
        return ConcernAnswers(
            concern=data.get("concern", concern.concern),
            child_views=data.get("child_views", concern.child_views),
            immediate_risk=data.get("immediate_risk", concern.immediate_risk),
            urgency=data.get("urgency", concern.urgency),
            consent=data.get("consent", concern.consent),
            legal_basis=data.get("legal_basis", concern.legal_basis),
            without_consent_reason=data.get("without_consent_reason", concern.without_consent_reason),
            parents_aware={"yes": True, "no": False}.get(aware),
        )


class ChildForm(GovukForm):
    """One child, as the referrer knows them (prefixed "child-<id>" on the page)."""

    given_name = forms.CharField(label="Given name", required=False, max_length=120)
    family_name = forms.CharField(label="Family name", required=False, max_length=120)
    date_of_birth = DateField(label="Date of birth", required=False, help_text="For example, 27 3 2015")
    unborn_due_date = DateField(
        label="Due date (unborn baby only)",
        required=False,
        help_text="Instead of a date of birth; give the mother's family name above",
    )
    sex = forms.ChoiceField(label="Sex", choices=_SEX, required=False, widget=forms.RadioSelect)
    address = forms.CharField(
        label="Address (if known)", required=False, max_length=250, help_text="House, street and town"
    )
    postcode = forms.CharField(label="Postcode (if known)", required=False, max_length=8)
    nhs_number = forms.CharField(label="NHS number (if known)", required=False, max_length=14)
    upn = forms.CharField(label="Unique pupil number (UPN, if known)", required=False, max_length=13)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("given_name", "family_name", "postcode", "nhs_number", "upn"):
            self.fields[name].widget.attrs.setdefault("class", "govuk-!-width-one-half")
        self.fields["given_name"].widget.attrs["autocomplete"] = "off"
        # A half-typed date is named as such ("must include a month"), not "incomplete".
        for name in ("date_of_birth", "unborn_due_date"):
            date_field = self.fields[name]
            assert isinstance(date_field, DateField)
            for part in date_field.fields:
                part.required = False
        self.fields["family_name"].widget.attrs["autocomplete"] = "off"

    def clean_nhs_number(self) -> str:
        digits = re.sub(r"[\s-]", "", str(self.cleaned_data["nhs_number"]))
        if len(digits) > 10:
            raise forms.ValidationError("Enter the NHS number's 10 digits")
        return digits

    @classmethod
    def initial_for(cls, child: ConcernChild) -> dict[str, Any]:
        return {
            "given_name": child.given_name,
            "family_name": child.family_name,
            "date_of_birth": child.date_of_birth,
            "unborn_due_date": child.unborn_due_date,
            "sex": child.sex,
            "address": child.address,
            "postcode": child.postcode,
            "nhs_number": child.nhs_number,
            "upn": child.upn,
        }

    def details(self, child: ConcernChild) -> ChildDetails:
        """The child as typed; a field that did not pass the form keeps what was saved."""
        data = getattr(self, "cleaned_data", {})
        return ChildDetails(
            given_name=data.get("given_name", child.given_name),
            family_name=data.get("family_name", child.family_name),
            date_of_birth=data.get("date_of_birth", child.date_of_birth),
            unborn_due_date=data.get("unborn_due_date", child.unborn_due_date),
            sex=data.get("sex", child.sex),
            address=data.get("address", child.address),
            postcode=data.get("postcode", child.postcode),
            nhs_number=data.get("nhs_number", child.nhs_number),
            upn=data.get("upn", child.upn),
        )


class TriageSearchForm(GovukForm):
    """Look for the child in the index under another name or date of birth."""

    name = forms.CharField(
        label="Name", required=False, help_text="Given and family name, or family name only"
    )
    date_of_birth = DateField(label="Date of birth", required=False, help_text="For example, 27 3 2015")

    def to_query(self) -> SearchQuery:
        return SearchQuery(name=self.cleaned_data["name"], date_of_birth=self.cleaned_data["date_of_birth"])


class TriageChoiceForm(GovukForm):
    """The front door's answer for one child: this person in the index (or a new one)."""

    child = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    person = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1)
