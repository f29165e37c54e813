"""Recording burden as a product metric: every form's required fields, counted.

Social workers must spend their time with children, not with forms. Each form asks only
for what Jigsaw cannot derive; what it already knows (the child, the family, dates,
professionals) is pre-filled or picked. This registry lists, for every form, the fields a
user MUST answer. `jigsaw/core/tests/test_recording_burden.py` compares it with the forms
themselves, so a new required field (or a new form) fails the tests until it is written
down here, on purpose, in review.

Counted: the fields a form itself requires (hidden ones, like the version, are the page's
business, not the user's). Pre-filled fields still count when a user could empty them, so
the count is an upper bound of what a user is asked to type or choose; where an action
insists on a field the form leaves optional (a reason, a family name), it says so below.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator

from django import forms

# Modules whose forms are counted: every app's forms module or package.
FORM_PACKAGES = ["jigsaw.people.forms", "jigsaw.access.forms", "jigsaw.casework.forms"]

# form (module.Class) -> the fields a user must answer.
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    # The person index. Sex, ethnicity, disability and date-of-birth precision are
    # pre-filled ("not known", "exact"); the family name is checked by the action.
    "jigsaw.people.forms.SearchForm": (),
    "jigsaw.people.forms.PersonForm": ("birth_date_precision", "sex", "ethnicity", "disability"),
    "jigsaw.people.forms.AddressForm": (),
    "jigsaw.people.forms.NewPersonForm": ("birth_date_precision", "sex", "ethnicity", "disability"),
    "jigsaw.people.forms.EditPersonForm": ("birth_date_precision", "sex", "ethnicity", "disability"),
    "jigsaw.people.forms.OtherNameForm": ("kind",),
    "jigsaw.people.forms.IdentifierForm": ("kind",),
    "jigsaw.people.forms.MoveForm": (),
    "jigsaw.people.forms.RelationshipForm": ("relative", "kind"),
    "jigsaw.people.forms.HouseholdMemberForm": ("member",),
    # Access.
    "jigsaw.access.forms.BreakGlassForm": (),
    "jigsaw.access.forms.RestrictForm": ("reason",),
    "jigsaw.access.forms.ReviewForm": ("outcome",),
    "jigsaw.access.forms.FindRecordForm": ("person",),
    "jigsaw.access.forms.SubjectAccessForm": ("person", "received_on"),
    # The front door: the child is the page's; the time received is pre-filled with now.
    "jigsaw.casework.forms.front_door.ContactForm": (
        "received_on",
        "received_time",
        "source",
        "concern",
        "consent",
        "urgency",
    ),
    "jigsaw.casework.forms.front_door.DecisionForm": ("decision",),
}


def required_fields(form_class: type[forms.BaseForm]) -> tuple[str, ...]:
    """The visible fields a user must answer (hidden fields, like the version, are the
    page's business, not the user's)."""
    return tuple(
        name
        for name, field in form_class.base_fields.items()
        if field.required and not field.widget.is_hidden
    )


def forms_in_use() -> Iterator[tuple[str, type[forms.BaseForm]]]:
    """Every concrete form class defined in the counted packages."""
    seen: set[str] = set()
    for package_name in FORM_PACKAGES:
        package = importlib.import_module(package_name)
        modules = [package]
        if hasattr(package, "__path__"):
            modules += [
                importlib.import_module(f"{package_name}.{info.name}")
                for info in pkgutil.iter_modules(package.__path__)
            ]
        for module in modules:
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if not issubclass(cls, forms.BaseForm) or cls.__module__ != module.__name__:
                    continue
                name = f"{cls.__module__}.{cls.__name__}"
                if name not in seen:
                    seen.add(name)
                    yield name, cls
