"""The registry of required fields matches the forms, so recording burden is reviewed."""

from __future__ import annotations

from jigsaw.core.recording_burden import REQUIRED_FIELDS, forms_in_use, required_fields


def test_every_form_is_in_the_registry_with_exactly_its_required_fields() -> None:
    actual = {name: required_fields(form) for name, form in forms_in_use()}
    unregistered = sorted(set(actual) - set(REQUIRED_FIELDS))
    assert not unregistered, f"add these forms to jigsaw/core/recording_burden.py: {unregistered}"
    stale = sorted(set(REQUIRED_FIELDS) - set(actual))
    assert not stale, f"these forms are gone; remove them from the registry: {stale}"
    differing = {
        name: {"form requires": actual[name], "registry says": REQUIRED_FIELDS[name]}
        for name in actual
        if set(actual[name]) != set(REQUIRED_FIELDS[name])
    }
    assert not differing, differing


def test_no_form_asks_for_more_than_eight_answers() -> None:
    """A budget: a form that needs more than eight answers should be split or derive more."""
    assert max(len(fields) for fields in REQUIRED_FIELDS.values()) <= 8
