"""The escalation's forms: raising one, the holder's response, and the reply of the
practitioner who raised it."""

from __future__ import annotations

from typing import Any

from django import forms

from jigsaw.casework.models import Contact, Referral
from jigsaw.core.forms import GovukForm
from jigsaw.escalation.models import EscalationKind, EscalationOutcome

NOT_ABOUT_A_DECISION = "none"


def _decision_label(record: Contact | Referral) -> str:
    if isinstance(record, Contact):
        day = record.received_at.date()
        return f"Contact received {day.day} {day:%B %Y}: {record.get_decision_display()}"
    closed = f", closed {record.closed_on.day} {record.closed_on:%B %Y}" if record.closed_on else ""
    return f"Referral of {record.referred_on.day} {record.referred_on:%B %Y}{closed}"


class RaiseForm(GovukForm):
    decision = forms.ChoiceField(
        label="Which decision or piece of work is this about?",
        widget=forms.RadioSelect,
        required=False,
    )
    kind = forms.ChoiceField(
        label="What are you escalating?",
        choices=EscalationKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what you are escalating"},
    )
    concern = forms.CharField(
        label="What is your concern?",
        help_text="What was decided or not done, and why you think the child is not safe enough",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={"required": "Say what the concern is and why you think it has not been dealt with"},
    )
    outcome_sought = forms.CharField(
        label="What outcome are you seeking?",
        help_text="For example: the decision is reviewed and the child is assessed",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Say what outcome you are seeking"},
    )
    urgent = forms.BooleanField(
        label="This is urgent: the child may be at risk of harm if nothing is done today",
        required=False,
    )

    def __init__(self, *args: Any, contacts: list[Contact], referrals: list[Referral], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(f"contact:{c.pk}", _decision_label(c)) for c in contacts]
        choices += [(f"referral:{r.pk}", _decision_label(r)) for r in referrals]
        choices.append((NOT_ABOUT_A_DECISION, "Not about a particular decision: about the child"))
        decision = self.fields["decision"]
        assert isinstance(decision, forms.ChoiceField)
        decision.choices = choices
        decision.initial = choices[0][0]

    def decision_ids(self) -> tuple[int | None, int | None]:
        """(contact id, referral id) chosen, either may be None."""
        value = str(self.cleaned_data.get("decision") or "")
        kind, _, number = value.partition(":")
        if kind == "contact" and number.isdigit():
            return int(number), None
        if kind == "referral" and number.isdigit():
            return None, int(number)
        return None, None


class RespondForm(GovukForm):
    response = forms.CharField(
        label="Your response",
        help_text="What you have done or decided, and why",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={"required": "Enter your response to the concern"},
    )
    outcome = forms.ChoiceField(
        label="If the practitioner accepts your response, the outcome is",
        choices=EscalationOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the outcome of your response"},
    )
    learning = forms.CharField(
        label="What has been learnt",
        help_text="For the practitioners, the agencies or the partnership, even if the decision stands",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=3000,
        error_messages={"required": "Say what has been learnt, even if the decision stands"},
    )


class ReplyForm(GovukForm):
    ACCEPT = "accept"
    GO_ON = "go_on"

    decision = forms.ChoiceField(
        label="Does this response resolve your concern?",
        choices=[(ACCEPT, "Yes, I accept the response"), (GO_ON, "No, take it to the next stage")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the response resolves your concern"},
    )
    comment = forms.CharField(
        label="Your comments, or why the response does not resolve your concern",
        help_text="Needed if you take it to the next stage",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=3000,
        required=False,
    )
