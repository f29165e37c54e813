"""The error summary's links move to the first input of the field in error."""

from __future__ import annotations

from django import forms
from django.template.loader import render_to_string

from jigsaw.core.forms import DateField, GovukForm


class _Form(GovukForm):
    name = forms.CharField(label="Name")
    outcome = forms.ChoiceField(label="Outcome", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    factors = forms.MultipleChoiceField(
        label="Factors", choices=[("1", "One")], widget=forms.CheckboxSelectMultiple
    )
    held_on = DateField(label="Date held")


def test_each_link_goes_to_an_input_that_exists() -> None:
    form = _Form(data={})
    assert not form.is_valid()
    html = render_to_string("core/includes/error_summary.html", {"form": form})
    for anchor in ["id_name", "id_outcome_0", "id_factors_0", "id_held_on_0"]:
        assert f'href="#{anchor}"' in html
    page = str(form["outcome"]) + str(form["factors"]) + str(form["held_on"])
    for anchor in ["id_outcome_0", "id_factors_0", "id_held_on_0"]:
        assert f'id="{anchor}"' in page


def test_required_messages_say_what_to_do_in_the_fields_words() -> None:
    form = _Form(data={})
    form.is_valid()
    assert form.errors["name"] == ["Enter name"]
    assert form.errors["outcome"] == ["Choose outcome"]
