from __future__ import annotations

import datetime
import re

from django import forms
from django.utils import timezone

from jigsaw.casework.models import Consent, FrontDoorDecision, PrimaryNeed, ReferralSource, Urgency
from jigsaw.core.forms import DateField, GovukForm
from jigsaw.partners.models import Agency


class ContactForm(GovukForm):
    received_on = DateField(label="Date received", required=True, help_text="For example, 23 11 2026")
    received_time = forms.CharField(
        label="Time received", help_text="24-hour clock, for example 14:30", max_length=5
    )
    source = forms.ChoiceField(label="Who the contact came from", choices=ReferralSource.choices)
    referrer_agency = forms.ModelChoiceField(
        label="Their agency (if any)", queryset=Agency.objects.order_by("name"), required=False
    )
    referrer_name = forms.CharField(label="Their name (optional)", max_length=160, required=False)
    concern = forms.CharField(label="The concern", widget=forms.Textarea(attrs={"rows": 6}))
    consent = forms.ChoiceField(label="Consent to share", choices=Consent.choices, widget=forms.RadioSelect)
    urgency = forms.ChoiceField(
        label="How urgent", choices=Urgency.choices, widget=forms.RadioSelect, initial=Urgency.ROUTINE
    )

    def clean_received_time(self) -> datetime.time:
        raw = str(self.cleaned_data["received_time"]).strip()
        match = re.fullmatch(r"([01]?\d|2[0-3])[:.]?([0-5]\d)", raw)
        if not match:
            raise forms.ValidationError("Enter the time received as hours and minutes, like 14:30")
        return datetime.time(int(match[1]), int(match[2]))

    def received_at(self) -> datetime.datetime:
        moment = datetime.datetime.combine(
            self.cleaned_data["received_on"], self.cleaned_data["received_time"]
        )
        return timezone.make_aware(moment)


class DecisionForm(GovukForm):
    decision = forms.ChoiceField(
        label="Decision", choices=FrontDoorDecision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="The manager authorising it and the referrer will read this",
    )
    primary_need = forms.ChoiceField(
        label="Primary need",
        choices=[("", "Only for a referral for assessment or a strategy discussion"), *PrimaryNeed.choices],
        required=False,
        help_text="The child's main need, as the children in need census records it",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
