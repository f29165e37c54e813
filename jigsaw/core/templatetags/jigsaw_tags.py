"""Template helpers: GOV.UK classes on form widgets, dates and ages as users read them."""

from __future__ import annotations

import datetime

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString

from jigsaw.people.normalise import format_nhs_number

register = template.Library()

_CLASSES = {
    forms.Select: "govuk-select",
    forms.Textarea: "govuk-textarea",
    forms.PasswordInput: "govuk-input govuk-!-width-one-half",
    forms.TextInput: "govuk-input",
    forms.EmailInput: "govuk-input",
    forms.NumberInput: "govuk-input govuk-input--width-5",
}


@register.filter
def widget_kind(field: BoundField) -> str:
    widget = field.field.widget
    if isinstance(widget, forms.MultiWidget):
        return "date"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    return "input"


@register.filter
def error_anchor(field: BoundField) -> str:
    """The id of the input an error summary link should move to: the first box of a date,
    the first of a set of radios or checkboxes (the Design System's rule)."""
    if widget_kind(field) in {"date", "radios"}:
        return f"{field.auto_id}_0"
    return str(field.auto_id)


@register.filter
def add_error_class(field: BoundField) -> SafeString:
    widget = field.field.widget
    attrs: dict[str, str | bool] = {}
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
    if isinstance(widget, forms.MultiWidget):
        if field.errors:
            for sub in widget.widgets:
                css = sub.attrs.get("class", "")
                if "govuk-input--error" not in css:
                    sub.attrs["class"] = f"{css} govuk-input--error"
        return field.as_widget()
    for cls, css in _CLASSES.items():
        if isinstance(widget, cls):
            extra = widget.attrs.get("class")
            attrs["class"] = f"{css} {extra}" if extra else css
            break
    if field.errors:
        base = str(attrs.get("class", ""))
        error_class = "govuk-select--error" if "govuk-select" in base else "govuk-input--error"
        attrs["class"] = f"{base} {error_class}"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.filter
def govuk_date(value: datetime.date | None) -> str:
    """13 March 2015, as GOV.UK style writes dates."""
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


@register.filter
def likelihood(probability: float) -> str:
    """A match probability as people read it, never rounded to a certainty it is not."""
    text = f"{probability * 100:.1f}%"
    if text == "100.0%" and probability < 1:
        return "more than 99.9%"
    if text == "0.0%" and probability > 0:
        return "less than 0.1%"
    return text


@register.filter
def nhs(value: str) -> str:
    return format_nhs_number(value) if value else ""


@register.filter
def words(value: str) -> str:
    """An identifier as words: "break_glass" -> "break glass"."""
    return value.replace("_", " ")
