"""Form pieces that follow the GOV.UK Design System (date input, error summary order)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from jigsaw.core.text import in_sentence


class DateInputWidget(forms.MultiWidget):
    """Day, month and year boxes, as the GOV.UK date input pattern asks."""

    template_name = "core/widgets/date_input.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            "day": forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "class": "govuk-input govuk-date-input__input govuk-input--width-2",
                }
            ),
            "month": forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "class": "govuk-input govuk-date-input__input govuk-input--width-2",
                }
            ),
            "year": forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "class": "govuk-input govuk-date-input__input govuk-input--width-4",
                }
            ),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class DateField(forms.MultiValueField):
    widget = DateInputWidget

    def __init__(self, **kwargs: Any) -> None:
        fields = (forms.CharField(), forms.CharField(), forms.CharField())
        kwargs.setdefault("require_all_fields", False)
        super().__init__(fields=fields, **kwargs)

    def compress(self, data_list: list[Any]) -> datetime.date | None:
        if not data_list or not any(data_list):
            return None
        label = str(self.label or "The date").capitalize()
        if not all(data_list):
            missing = [name for name, v in zip(("day", "month", "year"), data_list, strict=True) if not v]
            raise ValidationError(f"{label} must include a {' and '.join(missing)}")
        try:
            day, month, year = (int(str(v).strip()) for v in data_list)
        except ValueError:
            raise ValidationError(f"{label} must be a real date, in numbers") from None
        if year < 1000:
            raise ValidationError(f"{label} must include a year with 4 numbers")
        try:
            return datetime.date(year, month, day)
        except (ValueError, OverflowError):
            raise ValidationError(f"{label} must be a real date") from None


def apply_validation_error(form: forms.Form, error: ValidationError) -> None:
    """Put an action's ValidationError (field -> messages) onto the form that called it."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class GovukForm(forms.Form):
    """A form whose built-in messages read as the GOV.UK Design System writes them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            label = str(field.label or "This")
            max_length = getattr(field, "max_length", None)
            if max_length:
                field.error_messages["max_length"] = f"{label} must be {max_length} characters or fewer"
            # Django's own "This field is required." is replaced; a message a form set itself stays.
            if field.error_messages.get("required") == forms.Field.default_error_messages["required"]:
                verb = "Choose" if isinstance(field, forms.ChoiceField) else "Enter"
                field.error_messages["required"] = f"{verb} {in_sentence(label)}"
            if isinstance(field, forms.ChoiceField):
                field.error_messages["invalid_choice"] = f"Choose {in_sentence(label)} from the list"
