"""What every casework action shares: the acting user, the version check that stops a
silent overwrite, the "dates in order" rule, and the chronology entry each step writes."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Protocol

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone

from jigsaw.access.policy import AnyUser, Permission, has_permission
from jigsaw.casework.models import ChronologyEntry, ChronologyKind
from jigsaw.core.edits import EditConflict as EditConflict  # raised by the actions here too
from jigsaw.people.models import Person

CONFLICT_MESSAGE = (
    "Someone else saved changes to this {what} after you opened it. Yours have not been "
    "saved and are still in the form below: check theirs, then save again."
)


def acting_user(actor: AnyUser, permission: Permission) -> User:
    """The signed-in user, if their role allows `permission`; otherwise PermissionDenied."""
    if not has_permission(actor, permission):
        raise PermissionDenied
    assert isinstance(actor, User)
    return actor


class Versioned(Protocol):
    version: int


def check_version(record: Versioned, expected_version: int, what: str) -> None:
    """Refuse a write made from a stale form (the record was saved since it was opened),
    and move the version on for this write. Call on a row locked with select_for_update."""
    if record.version != expected_version:
        raise EditConflict(CONFLICT_MESSAGE.format(what=what))
    record.version += 1


def require_order(
    errors: dict[str, str],
    field: str,
    later: datetime.date | None,
    earlier: datetime.date | None,
    message: str,
) -> None:
    """Add `message` under `field` if `later` falls before `earlier` (dates in the wrong
    order are refused with a clear message, never saved)."""
    if later is not None and earlier is not None and later < earlier:
        errors[field] = message


def not_in_future(errors: dict[str, str], field: str, day: datetime.date | None, what: str) -> None:
    if day is not None and day > timezone.localdate():
        errors[field] = f"{what} must be today or in the past"


def add_to_chronology(
    *,
    person: Person,
    occurred_on: datetime.date,
    kind: ChronologyKind,
    summary: str,
    source: models.Model | None = None,
    recorded_by: User | None = None,
    detail: str = "",
    occurred_at: datetime.datetime | None = None,
    agency_id: int | None = None,
) -> ChronologyEntry:
    """Write one event into the child's chronology, in the caller's transaction. The
    agency defaults to the recorder's own."""
    if agency_id is None and recorded_by is not None:
        practitioner = getattr(recorded_by, "practitioner", None)
        agency_id = practitioner.agency_id if practitioner is not None else None
    return ChronologyEntry.objects.create(
        person=person,
        occurred_on=occurred_on,
        occurred_at=occurred_at,
        kind=kind,
        agency_id=agency_id,
        summary=summary[:300],
        detail=detail,
        source_type=source._meta.label_lower if source is not None else "",
        source_id=str(source.pk) if source is not None else "",
        recorded_by=recorded_by,
        recorded_at=timezone.now(),
    )


def add_partner_events_to_chronology(entries: Sequence[ChronologyEntry]) -> list[ChronologyEntry]:
    """Write partner events into children's chronologies in one insert, in the caller's
    transaction (a feed delivery brings thousands; one `add_to_chronology` each would be a
    query each). The entries are built by the caller, of kind PARTNER_EVENT."""
    if any(entry.kind != ChronologyKind.PARTNER_EVENT for entry in entries):
        raise ValueError("only partner events are written in bulk")
    now = timezone.now()
    for entry in entries:
        entry.summary = entry.summary[:300]
        entry.recorded_at = entry.recorded_at or now
    return ChronologyEntry.objects.bulk_create(entries, batch_size=2000)
