"""The flag-check form. It parses input; `jigsaw.partners.actions.flags.check_flag`
validates it (an NHS number, or a name and date of birth) and answers."""

from __future__ import annotations

from django import forms

from jigsaw.core.forms import DateField, GovukForm

# The form's fields in the order the page shows them, grouped: why and where first, then
# the child, by NHS number or by name and date of birth.
WHY_FIELDS = ("reason", "where_seen")
NHS_FIELDS = ("nhs_number",)
NAME_FIELDS = ("given_name", "family_name", "date_of_birth", "postcode")


class FlagCheckForm(GovukForm):
    reason = forms.CharField(
        label="Why are you checking?",
        max_length=1000,
        help_text="For example: brought to A&E with a head injury. The child's social worker will see this.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter why you are checking, for example: child brought to A&E with a head injury"
        },
    )
    where_seen = forms.CharField(
        label="Where you saw the child",
        max_length=160,
        help_text="Your organisation is filled in: add the department or place, for example St Mary's A&E",
        error_messages={"required": "Enter where you saw the child, for example: St Mary's A&E"},
    )
    nhs_number = forms.CharField(
        label="NHS number", required=False, help_text="10 digits, for example 943 476 5919", max_length=20
    )
    given_name = forms.CharField(label="First name", required=False, max_length=120)
    family_name = forms.CharField(label="Last name", required=False, max_length=120)
    date_of_birth = DateField(
        label="Date of birth",
        required=False,
        help_text="For example, 27 3 2019. For an unborn baby, the expected date of delivery.",
    )
    postcode = forms.CharField(
        label="Postcode (optional)",
        required=False,
        max_length=10,
        help_text="Where the child lives, if known",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # The Design System's wording, where the label is a question or says "optional".
        self.fields["reason"].error_messages["max_length"] = "The reason must be 1000 characters or fewer"
        self.fields["postcode"].error_messages["max_length"] = "The postcode must be 10 characters or fewer"
        self.fields["nhs_number"].widget.attrs.update(
            {"class": "govuk-input--width-10", "inputmode": "numeric", "spellcheck": "false"}
        )
        self.fields["given_name"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["family_name"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["postcode"].widget.attrs.update(
            {"class": "govuk-input--width-10", "autocomplete": "off", "spellcheck": "false"}
        )

    def fields_in(self, names: tuple[str, ...]) -> list[forms.BoundField]:
        return [self[name] for name in names]

    @property
    def why_fields(self) -> list[forms.BoundField]:
        return self.fields_in(WHY_FIELDS)

    @property
    def nhs_fields(self) -> list[forms.BoundField]:
        return self.fields_in(NHS_FIELDS)

    @property
    def name_fields(self) -> list[forms.BoundField]:
        return self.fields_in(NAME_FIELDS)
