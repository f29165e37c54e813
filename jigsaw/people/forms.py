"""Forms of the person pages. They parse input; the actions validate and write."""

from __future__ import annotations

import datetime

from django import forms

from jigsaw.core.forms import DateField, GovukForm
from jigsaw.people.actions import AddressDetails, PersonDetails
from jigsaw.people.models import (
    BirthDatePrecision,
    Disability,
    Ethnicity,
    IdentifierKind,
    NameKind,
    RelationshipKind,
    Sex,
)
from jigsaw.people.queries import SearchQuery


class SearchForm(GovukForm):
    name = forms.CharField(
        label="Name", required=False, help_text="Given and family name, or family name only"
    )
    date_of_birth = DateField(label="Date of birth", required=False, help_text="For example, 27 3 2007")
    nhs_number = forms.CharField(label="NHS number", required=False)
    upn = forms.CharField(label="Unique pupil number (UPN)", required=False)
    identifier = forms.CharField(
        label="Other identifier", required=False, help_text="Police reference or local ID"
    )
    postcode = forms.CharField(label="Postcode", required=False)

    def to_query(self) -> SearchQuery:
        d = self.cleaned_data
        return SearchQuery(
            name=d["name"],
            date_of_birth=d["date_of_birth"],
            nhs_number=d["nhs_number"],
            upn=d["upn"],
            identifier=d["identifier"],
            postcode=d["postcode"],
        )


class PersonForm(GovukForm):
    given_names = forms.CharField(label="Given names", required=False, max_length=120)
    family_name = forms.CharField(
        label="Family name",
        required=False,
        max_length=120,
        error_messages={"max_length": "Family name must be 120 characters or fewer"},
    )
    date_of_birth = DateField(
        label="Date of birth",
        required=False,
        help_text="For an unborn child, the expected due date. For example, 27 3 2007",
    )
    birth_date_precision = forms.ChoiceField(
        label="How sure is the date of birth?",
        choices=BirthDatePrecision.choices,
        initial=BirthDatePrecision.EXACT,
        widget=forms.RadioSelect,
    )
    date_of_death = DateField(label="Date of death", required=False)
    sex = forms.ChoiceField(label="Sex", choices=Sex.choices, initial=Sex.UNKNOWN, widget=forms.RadioSelect)
    gender = forms.CharField(label="Gender, as the person describes it", required=False, max_length=60)
    ethnicity = forms.ChoiceField(label="Ethnicity", choices=Ethnicity.choices, initial=Ethnicity.NOBT)
    first_language = forms.CharField(label="First language", required=False, max_length=60)
    disability = forms.ChoiceField(
        label="Disability", choices=Disability.choices, initial=Disability.NOT_KNOWN
    )
    nhs_number = forms.CharField(label="NHS number", required=False)
    upn = forms.CharField(label="Unique pupil number (UPN)", required=False)

    def to_details(self) -> PersonDetails:
        d = self.cleaned_data
        return PersonDetails(
            given_names=d["given_names"],
            family_name=d["family_name"],
            date_of_birth=d["date_of_birth"],
            birth_date_precision=d["birth_date_precision"],
            date_of_death=d["date_of_death"],
            sex=d["sex"],
            gender=d["gender"],
            ethnicity=d["ethnicity"],
            first_language=d["first_language"],
            disability=d["disability"],
            nhs_number=d["nhs_number"],
            upn=d["upn"],
        )


class AddressForm(GovukForm):
    line_1 = forms.CharField(label="Address line 1", required=False, max_length=120)
    line_2 = forms.CharField(label="Address line 2 (optional)", required=False, max_length=120)
    town = forms.CharField(label="Town or city", required=False, max_length=80)
    postcode = forms.CharField(label="Postcode", required=False)

    def address_details(self) -> AddressDetails:
        d = self.cleaned_data
        return AddressDetails(line_1=d["line_1"], line_2=d["line_2"], town=d["town"], postcode=d["postcode"])


class NewPersonForm(PersonForm, AddressForm):
    """Adding a person also asks where they live now (optional), and whether the user has
    seen the likely existing matches."""

    field_order = list(PersonForm.base_fields)  # the person first, then the address
    moved_in = DateField(label="Date they moved in (if known)", required=False)
    confirmed_new = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def address(self) -> AddressDetails | None:
        d = self.cleaned_data
        if not any(d[f].strip() for f in ("line_1", "line_2", "town", "postcode")):
            return None
        return self.address_details()

    def search_query(self) -> SearchQuery:
        d = self.cleaned_data
        return SearchQuery(
            name=f"{d['given_names']} {d['family_name']}".strip(),
            date_of_birth=d["date_of_birth"],
            nhs_number=d["nhs_number"],
            upn=d["upn"],
            postcode=d["postcode"],
        )


class EditPersonForm(PersonForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class OtherNameForm(GovukForm):
    kind = forms.ChoiceField(
        label="Kind of name", choices=NameKind.choices, widget=forms.RadioSelect, initial=NameKind.PREVIOUS
    )
    given_names = forms.CharField(label="Given names", required=False, max_length=120)
    family_name = forms.CharField(label="Family name", required=False, max_length=120)
    used_from = DateField(label="Used from (if known)", required=False)
    used_to = DateField(label="Used until (if known)", required=False)


class IdentifierForm(GovukForm):
    kind = forms.ChoiceField(
        label="Kind of identifier", choices=IdentifierKind.choices, widget=forms.RadioSelect
    )
    value = forms.CharField(label="Identifier", required=False, max_length=60)
    issued_by = forms.CharField(label="Issued by (optional)", required=False, max_length=120)


class MoveForm(AddressForm):
    moved_in = DateField(label="Date they moved in", required=False, help_text="Leave blank if not known")


class RelationshipForm(GovukForm):
    relative = forms.IntegerField(
        label="Jigsaw ID of the relative",
        min_value=1,
        help_text="Shown on each person's page. Find the relative first if you do not know it.",
        error_messages={
            "required": "Enter the relative's Jigsaw ID",
            "invalid": "Enter the Jigsaw ID as a number",
        },
    )
    kind = forms.ChoiceField(
        label="The relative is this person's",
        choices=RelationshipKind.choices,
        widget=forms.RadioSelect,
    )
    started = DateField(label="Since (if known)", required=False)

    def started_on(self) -> datetime.date | None:
        value: datetime.date | None = self.cleaned_data["started"]
        return value


class HouseholdMemberForm(GovukForm):
    member = forms.IntegerField(
        label="Jigsaw ID of the person who lives here",
        min_value=1,
        error_messages={"required": "Enter their Jigsaw ID", "invalid": "Enter the Jigsaw ID as a number"},
    )
    joined = DateField(label="Since (if known)", required=False)
