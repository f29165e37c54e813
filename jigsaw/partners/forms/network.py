"""Forms of the professional network: find a professional, name one around a child (picked
from the directory), add a new one once, end an involvement."""

from __future__ import annotations

from typing import Any

from django import forms

from jigsaw.core.forms import DateField, GovukForm
from jigsaw.partners.actions.network import NewProfessional
from jigsaw.partners.models import Agency, AgencyKind, ConsentStatus, ContactMethod, LegalBasis

INVOLVEMENT_HINT = "For example: GP, class teacher, designated safeguarding lead, health visitor"


class DirectorySearchForm(GovukForm):
    """Find a professional (GET): by name, job title or agency, and kind of agency."""

    q = forms.CharField(label="Name, job title or agency", required=False, max_length=100)
    kind = forms.ChoiceField(
        label="Kind of agency", choices=[("", "All kinds of agency"), *AgencyKind.choices], required=False
    )


class NameProfessionalForm(GovukForm):
    """Name a professional picked from the directory around a child. Consent and the legal
    basis are asked only when naming them lets them open the child's record."""

    practitioner = forms.IntegerField(widget=forms.HiddenInput)
    involvement = forms.CharField(
        label="Their role with the child", max_length=120, help_text=INVOLVEMENT_HINT
    )
    consent = forms.ChoiceField(
        label="Did the family agree to sharing the child's record with them?",
        choices=ConsentStatus.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    legal_basis = forms.ChoiceField(
        label="Legal basis for sharing",
        choices=[("", "As the information-sharing agreement says"), *LegalBasis.choices],
        required=False,
        help_text="Leave as it is unless there is no agreement with their agency, or another basis applies",
    )

    def __init__(self, *args: Any, discloses: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not discloses:
            del self.fields["consent"]
            del self.fields["legal_basis"]


class NewProfessionalForm(GovukForm):
    """A professional not yet in the directory, entered once and then picked by everyone."""

    full_name = forms.CharField(label="Full name", max_length=160)
    agency = forms.ModelChoiceField(
        label="Agency", queryset=Agency.objects.order_by("name"), empty_label="Choose the agency"
    )
    job_title = forms.CharField(label="Job title", max_length=120, required=False)
    involvement = forms.CharField(
        label="Their role with the child", max_length=120, help_text=INVOLVEMENT_HINT
    )
    phone = forms.CharField(
        label="Phone number", max_length=40, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    secure_email = forms.CharField(
        label="Secure email address",
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"spellcheck": "false"}),
    )
    preferred_contact = forms.ChoiceField(
        label="How they prefer to be contacted",
        choices=ContactMethod.choices,
        initial=ContactMethod.PHONE,
        widget=forms.RadioSelect,
    )
    availability = forms.CharField(
        label="When they are available",
        max_length=160,
        required=False,
        help_text="For example: Monday to Wednesday, 9am to 3pm",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].error_messages["required"] = "Choose the agency they work for from the list"
        self.fields["agency"].error_messages["invalid_choice"] = (
            "Choose the agency they work for from the list"
        )

    def details(self) -> NewProfessional:
        agency = self.cleaned_data["agency"]
        return NewProfessional(
            full_name=self.cleaned_data["full_name"],
            agency_id=agency.pk if agency is not None else None,
            job_title=self.cleaned_data["job_title"],
            phone=self.cleaned_data["phone"],
            secure_email=self.cleaned_data["secure_email"],
            preferred_contact=self.cleaned_data["preferred_contact"],
            availability=self.cleaned_data["availability"],
        )


class EndInvolvementForm(GovukForm):
    ended = DateField(label="Date their involvement ended", help_text="For example, 23 11 2026")
