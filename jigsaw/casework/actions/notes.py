"""Case notes and the chronology: a note is written into the child's chronology; its author
may correct it for 24 hours, after which it is locked and corrected only by addenda; and
any chronology entry may be marked significant for the conference and the court."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import AnyUser, Permission, get_person_for
from jigsaw.casework.actions.common import acting_user, add_to_chronology, check_version
from jigsaw.casework.models import (
    CaseNote,
    CaseNoteAddendum,
    CaseNoteKind,
    ChronologyEntry,
    ChronologyKind,
)
from jigsaw.casework.queries import casework_visible_to
from jigsaw.casework.queries.chronology import open_referrals_of

LOCKED_MESSAGE = (
    "This note is locked: it was recorded more than 24 hours ago. Add an addendum to correct or add to it."
)
NOT_AUTHOR_MESSAGE = (
    "Only the person who wrote this note can change it. Add an addendum to correct or add to it."
)
FUTURE_MESSAGE = "The date and time of the event must be now or in the past"
SUMMARY_TEXT = 200


def _summary(note: CaseNote) -> str:
    """The chronology line of a note: its kind and the start of its text."""
    text = " ".join(note.text.split())
    if len(text) > SUMMARY_TEXT:
        text = text[: SUMMARY_TEXT - 1].rstrip() + "…"
    return f"{CaseNoteKind(note.kind).label}: {text}"


def _note_entries(note: CaseNote) -> list[ChronologyEntry]:
    """The note's chronology entry (one, written with it), locked for the change."""
    return list(
        ChronologyEntry.objects.select_for_update().filter(
            source_type=CaseNote._meta.label_lower, source_id=str(note.pk)
        )
    )


@transaction.atomic
def add_case_note(
    *,
    actor: AnyUser,
    person_id: int,
    kind: str,
    occurred_at: datetime.datetime,
    text: str,
    referral_id: int | None = None,
) -> CaseNote:
    """Record a case note about a child, with the time of the event and the time it was
    written down (both kept, as recording guidance asks), in the child's chronology. A note
    cannot record an event that has not happened yet."""
    user = acting_user(actor, Permission.RECORD_CASEWORK)
    person = get_person_for(actor, person_id, Permission.VIEW_CASEWORK)
    now = timezone.now()
    errors: dict[str, str] = {}
    if kind not in CaseNoteKind.values:
        errors["kind"] = "Choose the kind of note"
    if not text.strip():
        errors["text"] = "Enter the note"
    if occurred_at > now:
        errors["occurred_on"] = FUTURE_MESSAGE
    referral = None
    if referral_id is not None:
        referral = open_referrals_of(actor, person).filter(pk=referral_id).first()
        if referral is None:
            errors["referral"] = "Choose one of this child's open episodes of need"
    if errors:
        raise ValidationError(errors)
    note = CaseNote.objects.create(
        person=person,
        referral=referral,
        kind=kind,
        occurred_at=occurred_at,
        recorded_at=now,
        text=text.strip(),
        author=user,
    )
    add_to_chronology(
        person=person,
        occurred_on=timezone.localdate(occurred_at),
        occurred_at=occurred_at,
        kind=ChronologyKind.CASE_NOTE,
        summary=_summary(note),
        source=note,
        recorded_by=user,
    )
    record_access(user=user, action="add_case_note", record=note, subjects=[person])
    return note


@transaction.atomic
def edit_case_note(
    *,
    actor: AnyUser,
    note_id: int,
    expected_version: int,
    text: str,
    occurred_at: datetime.datetime,
) -> CaseNote:
    """Correct a case note: only its author, only within 24 hours of recording it (after
    that the record stands as written and corrections are addenda, so what was known when
    stays visible). The chronology entry follows the corrected note."""
    user = acting_user(actor, Permission.RECORD_CASEWORK)
    note = (
        casework_visible_to(actor, CaseNote.objects.select_related("person"), "person")
        .select_for_update()
        .filter(pk=note_id)
        .first()
    )
    if note is None:
        raise Http404("No such case note")
    if note.author_id != user.pk:
        raise ValidationError(NOT_AUTHOR_MESSAGE)
    if note.locked(timezone.now()):
        raise ValidationError(LOCKED_MESSAGE)
    errors: dict[str, str] = {}
    if not text.strip():
        errors["text"] = "Enter the note"
    if occurred_at > note.recorded_at:
        errors["occurred_on"] = (
            "The event must have happened before the note was recorded, at "
            f"{timezone.localtime(note.recorded_at):%H:%M on %-d %B %Y}"
        )
    if errors:
        raise ValidationError(errors)
    check_version(note, expected_version, "case note")
    note.text = text.strip()
    note.occurred_at = occurred_at
    note.save(update_fields=["text", "occurred_at", "version"])
    for entry in _note_entries(note):
        entry.summary = _summary(note)[:300]
        entry.occurred_on = timezone.localdate(occurred_at)
        entry.occurred_at = occurred_at
        entry.save(update_fields=["summary", "occurred_on", "occurred_at"])
    record_access(user=user, action="edit_case_note", record=note, subjects=[note.person])
    return note


@transaction.atomic
def add_addendum(*, actor: AnyUser, note_id: int, text: str) -> CaseNoteAddendum:
    """Add to or correct a case note without changing it (a locked note is never edited).
    Anyone who records casework may add one; the chronology entry of the note says so."""
    user = acting_user(actor, Permission.RECORD_CASEWORK)
    note = (
        casework_visible_to(actor, CaseNote.objects.select_related("person"), "person")
        .filter(pk=note_id)
        .first()
    )
    if note is None:
        raise Http404("No such case note")
    if not text.strip():
        raise ValidationError({"addendum": "Enter the addendum"})
    now = timezone.now()
    addendum = CaseNoteAddendum.objects.create(note=note, text=text.strip(), author=user, recorded_at=now)
    author = user.get_full_name() or user.get_username()
    line = f"Addendum, {timezone.localtime(now):%-d %B %Y %H:%M}, {author}: {addendum.text}"
    for entry in _note_entries(note):
        entry.detail = "\n".join(part for part in (entry.detail, line) if part)
        entry.save(update_fields=["detail"])
    record_access(
        user=user,
        action="add_addendum",
        record=note,
        detail={"addendum": addendum.pk},
        subjects=[note.person],
    )
    return addendum


@transaction.atomic
def mark_significant(*, actor: AnyUser, entry_id: int, significant: bool) -> ChronologyEntry:
    """Mark (or unmark) an event in a child's chronology as significant: the significant
    events are the ones a conference or a court reads first."""
    user = acting_user(actor, Permission.RECORD_CASEWORK)
    entry = (
        casework_visible_to(actor, ChronologyEntry.objects.select_related("person"), "person")
        .select_for_update()
        .filter(pk=entry_id)
        .first()
    )
    if entry is None:
        raise Http404("No such chronology entry")
    if entry.significant != significant:
        entry.significant = significant
        entry.save(update_fields=["significant"])
    record_access(
        user=user,
        action="mark_significant" if significant else "unmark_significant",
        record=entry,
        subjects=[entry.person],
    )
    return entry
