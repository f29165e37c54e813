"""Saving a form through an action, with the version check that every edit goes through.

Each record a user edits carries a `version`; the form carries the version the user opened,
and the action refuses (`EditConflict`) when the record has moved on since. The page then
shows the form again with what the user typed, says someone else saved first, and moves the
form on to the record's current version, so that saving again (after checking theirs) goes
through. `submit` is that one pattern for every form view.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Final, Literal, Protocol, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from jigsaw.core.forms import apply_validation_error

Saved = TypeVar("Saved")


class Versioned(Protocol):
    """A record with a version that every save moves on."""

    version: int

    def refresh_from_db(self) -> None: ...


class Refused(enum.Enum):
    """What `submit` answers when the action refused: the form then says why."""

    REFUSED = "refused"


REFUSED: Final = Refused.REFUSED


class EditConflict(Exception):
    """Someone else saved this record after the user opened it."""


def submit(
    request: HttpRequest,
    form: forms.Form,
    action: Callable[[], Saved],
    *,
    current_version: Callable[[], int],
) -> Saved | Literal[Refused.REFUSED]:
    """Run the action, which saves what the valid form says, and answer what it returned.

    On a refusal the form carries the reasons, field by field where the action named the
    field. On an edit conflict it keeps the user's answers, takes the record's current
    version from `current_version` (which re-reads the record) and says what happened.
    Either way the answer is REFUSED and the caller shows the form again.
    """
    try:
        return action()
    except ValidationError as error:
        apply_validation_error(form, error)
    except EditConflict as conflict:
        data = request.POST.copy()
        data["version"] = str(current_version())
        form.data = data
        form.add_error(None, str(conflict))
    return REFUSED


def version_of(record: Versioned | None) -> Callable[[], int]:
    """For `submit`: re-read the record and give its current version. (A record not yet
    saved, None, cannot be in conflict: nobody else can have saved it.)"""

    def current() -> int:
        if record is None:
            raise RuntimeError("a record not yet saved cannot be in conflict")
        record.refresh_from_db()
        return record.version

    return current
