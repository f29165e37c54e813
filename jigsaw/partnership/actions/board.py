"""The only code that changes the board's records.

Working Together to Safeguard Children asks the safeguarding partners to publish who
leads their arrangements and to have them scrutinised; Lord Laming's progress report
(2009) asked for an independent chair and lay members, and that boards review their own
governance. The partnership's business unit (or an administrator) keeps the board's
membership and terms, its meetings (agenda, attendance, decisions) and its action log.

Each action checks permission, validates in the user's words, writes in one transaction
with its access-log row, and refuses a stale form (the version column) where two people
may edit one record at once (a member, a meeting, an action).
"""

from __future__ import annotations

import dataclasses
import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import AnyUser, Permission
from jigsaw.casework.actions.common import EditConflict, acting_user, check_version
from jigsaw.partners.models import Agency
from jigsaw.partnership.models.board import (
    ActionStatus,
    AgendaItem,
    AttendanceStatus,
    BoardAction,
    BoardMeeting,
    BoardMember,
    BoardRole,
    MeetingAttendance,
)
from jigsaw.quality.models.recommendations import Recommendation

__all__ = [
    "ActionDetails",
    "EditConflict",
    "MemberDetails",
    "add_agenda_item",
    "add_board_action",
    "add_meeting",
    "record_attendance",
    "record_decision",
    "save_member",
    "update_board_action",
]


@dataclasses.dataclass(frozen=True)
class MemberDetails:
    role: str
    term_starts_on: datetime.date | None
    term_ends_on: datetime.date | None
    agency_id: int | None = None
    user_id: int | None = None
    full_name: str = ""
    job_title: str = ""
    reappointment_due_on: datetime.date | None = None


def _member_errors(details: MemberDetails) -> dict[str, str]:
    errors: dict[str, str] = {}
    if details.role not in BoardRole.values:
        errors["role"] = "Choose the member's role on the board"
    lay = details.role == BoardRole.LAY_MEMBER
    if details.user_id is None and not details.full_name.strip():
        errors["full_name"] = "Enter the member's name, or choose them from Jigsaw's users"
    if details.user_id is not None and not User.objects.filter(pk=details.user_id, is_active=True).exists():
        errors["user"] = "Choose the Jigsaw user from the list"
    if lay and details.user_id is not None:
        errors["user"] = "A lay member does not sign in to Jigsaw: enter their name instead"
    if lay and details.agency_id is not None:
        errors["agency"] = "A lay member speaks for the public, not for an agency: leave the agency empty"
    if (
        not lay
        and details.role in BoardRole.values
        and details.agency_id is None
        and details.role != BoardRole.INDEPENDENT_CHAIR
    ):
        errors["agency"] = "Choose the agency the member represents"
    if details.agency_id is not None and not Agency.objects.filter(pk=details.agency_id).exists():
        errors["agency"] = "Choose the agency from the list"
    if details.term_starts_on is None:
        errors["term_starts_on"] = "Enter the date the term starts"
    if details.term_ends_on is None:
        errors["term_ends_on"] = "Enter the date the term ends"
    elif details.term_starts_on is not None and details.term_ends_on < details.term_starts_on:
        errors["term_ends_on"] = "The term must end after it starts"
    if (
        details.reappointment_due_on is not None
        and details.term_ends_on is not None
        and details.reappointment_due_on > details.term_ends_on
    ):
        errors["reappointment_due_on"] = "Re-appointment must be due on or before the end of the term"
    return errors


@transaction.atomic
def save_member(
    *,
    actor: AnyUser,
    details: MemberDetails,
    member_id: int | None = None,
    expected_version: int | None = None,
) -> BoardMember:
    """Appoint a member to the board, or change an appointment (refused if someone else
    changed it since the form was opened). Lay members are named, never Jigsaw users."""
    user = acting_user(actor, Permission.MANAGE_BOARD)
    errors = _member_errors(details)
    if errors:
        raise ValidationError(errors)
    assert details.term_starts_on is not None and details.term_ends_on is not None
    if member_id is None:
        member = BoardMember(created_by=user, created_at=timezone.now())
    else:
        found = BoardMember.objects.select_for_update().filter(pk=member_id).first()
        if found is None:
            raise Http404("No such member")
        member = found
        check_version(member, expected_version if expected_version is not None else -1, "member")
    member.role = details.role
    member.agency_id = details.agency_id
    member.user_id = details.user_id
    member.full_name = "" if details.user_id is not None else details.full_name.strip()
    member.job_title = details.job_title.strip()
    member.term_starts_on = details.term_starts_on
    member.term_ends_on = details.term_ends_on
    member.reappointment_due_on = details.reappointment_due_on
    member.save()
    record_access(
        user=user,
        action="appoint_board_member" if member_id is None else "change_board_member",
        record=member,
        detail={
            "role": member.role,
            "agency": member.agency_id,
            "term_ends_on": member.term_ends_on.isoformat(),
        },
    )
    return member


@transaction.atomic
def add_meeting(
    *,
    actor: AnyUser,
    held_on: datetime.date | None,
    title: str,
    venue: str = "",
    agenda: list[str] | None = None,
) -> BoardMeeting:
    """Add a meeting of the board with its agenda, in order (one item a line)."""
    user = acting_user(actor, Permission.MANAGE_BOARD)
    errors: dict[str, str] = {}
    if held_on is None:
        errors["held_on"] = "Enter the date of the meeting"
    if not title.strip():
        errors["title"] = "Enter the name of the meeting"
    if errors:
        raise ValidationError(errors)
    assert held_on is not None
    meeting = BoardMeeting.objects.create(
        held_on=held_on, title=title.strip(), venue=venue.strip(), created_by=user, created_at=timezone.now()
    )
    items = [line.strip() for line in agenda or [] if line.strip()]
    AgendaItem.objects.bulk_create(
        [AgendaItem(meeting=meeting, position=n, title=text[:200]) for n, text in enumerate(items, start=1)]
    )
    record_access(user=user, action="add_board_meeting", record=meeting, detail={"agenda_items": len(items)})
    return meeting


def _locked_meeting(meeting_id: int, expected_version: int) -> BoardMeeting:
    meeting = BoardMeeting.objects.select_for_update().filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404("No such meeting")
    check_version(meeting, expected_version, "meeting")
    return meeting


@transaction.atomic
def add_agenda_item(*, actor: AnyUser, meeting_id: int, expected_version: int, title: str) -> AgendaItem:
    """Add an item to the end of a meeting's agenda."""
    user = acting_user(actor, Permission.MANAGE_BOARD)
    if not title.strip():
        raise ValidationError({"title": "Enter the agenda item"})
    meeting = _locked_meeting(meeting_id, expected_version)
    last = AgendaItem.objects.filter(meeting=meeting).aggregate(last=Max("position"))["last"] or 0
    item = AgendaItem.objects.create(meeting=meeting, position=last + 1, title=title.strip())
    meeting.save(update_fields=["version"])
    record_access(user=user, action="add_agenda_item", record=meeting, detail={"item": item.pk})
    return item


@transaction.atomic
def record_decision(*, actor: AnyUser, item_id: int, expected_version: int, decision: str) -> AgendaItem:
    """Record what the board decided on an agenda item (checked against the meeting's version)."""
    user = acting_user(actor, Permission.MANAGE_BOARD)
    if not decision.strip():
        raise ValidationError({"decision": "Enter what the board decided"})
    item = AgendaItem.objects.filter(pk=item_id).first()
    if item is None:
        raise Http404("No such agenda item")
    meeting = _locked_meeting(item.meeting_id, expected_version)
    item.decision = decision.strip()
    item.save(update_fields=["decision"])
    meeting.save(update_fields=["version"])
    record_access(user=user, action="record_board_decision", record=meeting, detail={"item": item.pk})
    return item


@transaction.atomic
def record_attendance(
    *, actor: AnyUser, meeting_id: int, expected_version: int, outcomes: dict[int, tuple[str, str]]
) -> BoardMeeting:
    """Record who came to a meeting, all members at once: attended, sent apologies, absent,
    or sent a deputy (named). Only members whose term covers the meeting's date count."""
    user = acting_user(actor, Permission.MANAGE_BOARD)
    meeting = _locked_meeting(meeting_id, expected_version)
    members = set(
        BoardMember.objects.filter(
            term_starts_on__lte=meeting.held_on, term_ends_on__gte=meeting.held_on
        ).values_list("pk", flat=True)
    )
    errors: dict[str, str] = {}
    for member_id, (status, deputy) in outcomes.items():
        if member_id not in members:
            errors["__all__"] = "Record attendance only for members whose term covers the meeting"
        elif status not in AttendanceStatus.values:
            errors[f"status_{member_id}"] = "Choose attended, sent apologies, absent or sent a deputy"
        elif status == AttendanceStatus.DEPUTY and not deputy.strip():
            errors[f"deputy_{member_id}"] = "Enter the name of the deputy who came"
    if errors:
        raise ValidationError(errors)
    MeetingAttendance.objects.filter(meeting=meeting, member_id__in=list(outcomes)).delete()
    MeetingAttendance.objects.bulk_create(
        [
            MeetingAttendance(
                meeting=meeting,
                member_id=member_id,
                status=status,
                deputy_name=deputy.strip() if status == AttendanceStatus.DEPUTY else "",
            )
            for member_id, (status, deputy) in outcomes.items()
        ]
    )
    meeting.save(update_fields=["version"])
    counts: dict[str, int] = {}
    for status, _ in outcomes.values():
        counts[status] = counts.get(status, 0) + 1
    record_access(user=user, action="record_board_attendance", record=meeting, detail=counts)
    return meeting


@dataclasses.dataclass(frozen=True)
class ActionDetails:
    description: str
    owner_id: int | None
    due_on: datetime.date | None
    agenda_item_id: int | None = None
    recommendation_id: int | None = None


@transaction.atomic
def add_board_action(*, actor: AnyUser, meeting_id: int, details: ActionDetails) -> BoardAction:
    """Give a member an action from a meeting, optionally answering a recommendation."""
    user = acting_user(actor, Permission.MANAGE_BOARD)
    meeting = BoardMeeting.objects.filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404("No such meeting")
    errors: dict[str, str] = {}
    if not details.description.strip():
        errors["description"] = "Enter the action"
    if details.owner_id is None or not BoardMember.objects.filter(pk=details.owner_id).exists():
        errors["owner"] = "Choose the member who owns the action"
    if details.due_on is None:
        errors["due_on"] = "Enter the date the action is due"
    elif details.due_on < meeting.held_on:
        errors["due_on"] = "The action must be due on or after the meeting"
    if (
        details.agenda_item_id is not None
        and not AgendaItem.objects.filter(pk=details.agenda_item_id, meeting=meeting).exists()
    ):
        errors["agenda_item"] = "Choose an item of this meeting's agenda"
    if (
        details.recommendation_id is not None
        and not Recommendation.objects.filter(pk=details.recommendation_id).exists()
    ):
        errors["recommendation"] = "Choose the recommendation from the list"
    if errors:
        raise ValidationError(errors)
    assert details.owner_id is not None and details.due_on is not None
    action = BoardAction.objects.create(
        meeting=meeting,
        agenda_item_id=details.agenda_item_id,
        description=details.description.strip(),
        owner_id=details.owner_id,
        due_on=details.due_on,
        recommendation_id=details.recommendation_id,
        created_by=user,
        created_at=timezone.now(),
    )
    record_access(
        user=user,
        action="add_board_action",
        record=action,
        detail={"meeting": meeting.pk, "recommendation": details.recommendation_id},
    )
    return action


@transaction.atomic
def update_board_action(
    *,
    actor: AnyUser,
    action_id: int,
    expected_version: int,
    status: str,
    due_on: datetime.date | None,
    today: datetime.date | None = None,
) -> BoardAction:
    """Move an action on (its status and due date); done actions are dated today."""
    user = acting_user(actor, Permission.MANAGE_BOARD)
    action = BoardAction.objects.select_for_update().filter(pk=action_id).first()
    if action is None:
        raise Http404("No such action")
    errors: dict[str, str] = {}
    if status not in ActionStatus.values:
        errors["status"] = "Choose the action's status"
    if due_on is None:
        errors["due_on"] = "Enter the date the action is due"
    if errors:
        raise ValidationError(errors)
    assert due_on is not None
    check_version(action, expected_version, "action")
    was = action.status
    action.status = status
    action.due_on = due_on
    if status == ActionStatus.DONE and was != ActionStatus.DONE:
        action.completed_on = today or timezone.localdate()
    elif status != ActionStatus.DONE:
        action.completed_on = None
    action.save()
    record_access(user=user, action="update_board_action", record=action, detail={"from": was, "to": status})
    return action
