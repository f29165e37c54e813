"""The partnership's board and guidance: managers, analysts, the partnership and
administrators see the board; the partnership and administrators keep it and issue
guidance; everyone signed in reads the guidance addressed to them (here, to everyone)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from jigsaw.partnership.models.board import AgendaItem, BoardAction, BoardMeeting, BoardMember
from jigsaw.partnership.models.guidance import GuidanceFile, GuidanceItem, GuidanceVersion
from jigsaw.people.models import Person
from tests.factories import persona

VIEWERS = frozenset({"team_manager", "analyst", "partnership_member", "administrator"})
KEEPERS = frozenset({"partnership_member", "administrator"})


def _viewers(who: str) -> int:
    return 200 if who in VIEWERS else 403


def _keepers(who: str) -> int:
    return 200 if who in KEEPERS else 403


def _member() -> BoardMember:
    today = timezone.localdate()
    return BoardMember.objects.create(
        role="lay_member",
        full_name="Pat Lay",
        term_starts_on=today - datetime.timedelta(days=100),
        term_ends_on=today + datetime.timedelta(days=600),
        created_by=persona("partnership_member"),
        created_at=timezone.now(),
    )


def _meeting() -> BoardMeeting:
    return BoardMeeting.objects.create(
        held_on=timezone.localdate(), created_by=persona("partnership_member"), created_at=timezone.now()
    )


def _member_args(person: Person) -> list[object]:
    return [_member().pk]


def _meeting_args(person: Person) -> list[object]:
    return [_meeting().pk]


def _agenda_item_args(person: Person) -> list[object]:
    return [AgendaItem.objects.create(meeting=_meeting(), position=1, title="Minutes").pk]


def _action_args(person: Person) -> list[object]:
    action = BoardAction.objects.create(
        meeting=_meeting(),
        description="Write to the schools",
        owner=_member(),
        due_on=timezone.localdate(),
        created_by=persona("partnership_member"),
        created_at=timezone.now(),
    )
    return [action.pk]


def _version() -> GuidanceVersion:
    item = GuidanceItem.objects.create(
        title="Bruising in babies who are not mobile",
        kind="practice_note",
        created_by=persona("partnership_member"),
        created_at=timezone.now(),
    )
    return GuidanceVersion.objects.create(
        item=item, number=1, body="Refer.", issued_by=persona("partnership_member"), issued_at=timezone.now()
    )


def _item_args(person: Person) -> list[object]:
    return [_version().item_id]


def _file_args(person: Person) -> list[object]:
    pdf = b"%PDF-1.4\n%%EOF\n"
    return [
        GuidanceFile.objects.create(
            version=_version(),
            filename="note.pdf",
            content_type="application/pdf",
            size=len(pdf),
            content=pdf,
        ).pk
    ]


EXPECTED = {
    "partnership:board": _viewers,
    "partnership:meeting": _viewers,
    "partnership:actions": _viewers,
    "partnership:governance": _viewers,
    "partnership:new_member": _keepers,
    "partnership:edit_member": _keepers,
    "partnership:new_meeting": _keepers,
    "partnership:attendance": _keepers,
    "partnership:new_action": _keepers,
    "partnership:decision": _keepers,
    "partnership:edit_action": _keepers,
    "partnership:add_agenda_item": lambda who: 405,  # a POST only
    "partnership:guidance": lambda who: 200,
    "partnership:guidance_item": lambda who: 200,
    "partnership:guidance_file": lambda who: 200,
    "partnership:guidance_acknowledge": lambda who: 405,  # a POST only
    "partnership:guidance_new": _keepers,
    "partnership:guidance_new_version": _keepers,
    "partnership:guidance_readers": _keepers,
}

RECORDS = {
    "partnership:edit_member": _member_args,
    "partnership:meeting": _meeting_args,
    "partnership:attendance": _meeting_args,
    "partnership:new_action": _meeting_args,
    "partnership:add_agenda_item": _meeting_args,
    "partnership:decision": _agenda_item_args,
    "partnership:edit_action": _action_args,
    "partnership:guidance_item": _item_args,
    "partnership:guidance_acknowledge": _item_args,
    "partnership:guidance_new_version": _item_args,
    "partnership:guidance_readers": _item_args,
    "partnership:guidance_file": _file_args,
}
