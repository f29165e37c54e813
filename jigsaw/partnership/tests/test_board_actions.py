"""The board's actions: who may keep the board, what is refused and why, stale forms,
and the exact access-log row each change writes."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jigsaw.access.models import AccessLogEntry
from jigsaw.casework.actions.common import EditConflict
from jigsaw.partnership.actions import board as actions
from jigsaw.partnership.models.board import ActionStatus, AttendanceStatus, BoardRole, MeetingAttendance
from jigsaw.partnership.tests.helpers import TERM_END, TERM_START, appoint, council, keeper, police
from jigsaw.quality.tests.recommendations_helpers import set_with_action
from tests.factories import persona

pytestmark = pytest.mark.django_db

MEETING_DAY = datetime.date(2026, 6, 10)


def _meeting() -> int:
    return actions.add_meeting(
        actor=keeper(), held_on=MEETING_DAY, title="Board", agenda=["Minutes", "", "Neglect strategy"]
    ).pk


def test_the_partnership_appoints_a_member_and_the_change_is_logged() -> None:
    member = appoint("Dana Blake", BoardRole.STATUTORY_PARTNER_LEAD, police())
    entry = AccessLogEntry.objects.get(action="appoint_board_member")
    assert (entry.user_id, entry.record_type, entry.record_id) == (
        keeper().pk,
        "partnership.boardmember",
        str(member.pk),
    )
    assert entry.detail == {
        "role": "statutory_partner_lead",
        "agency": police().pk,
        "term_ends_on": TERM_END.isoformat(),
    }


def test_only_the_partnership_and_administrators_keep_the_board() -> None:
    details = actions.MemberDetails(
        role=BoardRole.LAY_MEMBER, full_name="Sam Lay", term_starts_on=TERM_START, term_ends_on=TERM_END
    )
    for who in ("social_worker", "team_manager", "analyst", "police_officer"):
        with pytest.raises(PermissionDenied):
            actions.save_member(actor=persona(who), details=details)
    assert actions.save_member(actor=persona("administrator"), details=details).full_name == "Sam Lay"


def test_a_lay_member_is_named_not_a_user_and_represents_no_agency() -> None:
    with pytest.raises(ValidationError) as refused:
        actions.save_member(
            actor=keeper(),
            details=actions.MemberDetails(
                role=BoardRole.LAY_MEMBER,
                user_id=persona("gp").pk,
                agency_id=police().pk,
                term_starts_on=TERM_START,
                term_ends_on=TERM_START - datetime.timedelta(days=1),
            ),
        )
    assert refused.value.message_dict == {
        "user": ["A lay member does not sign in to Jigsaw: enter their name instead"],
        "agency": ["A lay member speaks for the public, not for an agency: leave the agency empty"],
        "term_ends_on": ["The term must end after it starts"],
    }
    assert not AccessLogEntry.objects.filter(action="appoint_board_member").exists()


def test_a_stale_appointment_form_is_refused() -> None:
    member = appoint("Dana Blake", agency=police())
    changed = actions.MemberDetails(
        role=BoardRole.AGENCY_REPRESENTATIVE,
        agency_id=police().pk,
        full_name="Dana Blake",
        term_starts_on=TERM_START,
        term_ends_on=TERM_END,
        reappointment_due_on=datetime.date(2027, 12, 1),
    )
    saved = actions.save_member(actor=keeper(), details=changed, member_id=member.pk, expected_version=1)
    assert saved.version == 2 and saved.reappointment_due_on == datetime.date(2027, 12, 1)
    with pytest.raises(EditConflict):
        actions.save_member(actor=keeper(), details=changed, member_id=member.pk, expected_version=1)
    assert AccessLogEntry.objects.filter(action="change_board_member").count() == 1


def test_a_meeting_keeps_its_agenda_in_order_and_its_decisions() -> None:
    meeting_id = _meeting()
    item = actions.add_agenda_item(
        actor=keeper(), meeting_id=meeting_id, expected_version=1, title="Any other business"
    )
    assert item.position == 3
    with pytest.raises(EditConflict):
        actions.record_decision(actor=keeper(), item_id=item.pk, expected_version=1, decision="Noted")
    decided = actions.record_decision(actor=keeper(), item_id=item.pk, expected_version=2, decision="Noted")
    assert decided.decision == "Noted"
    entry = AccessLogEntry.objects.get(action="record_board_decision")
    assert (entry.record_type, entry.record_id, entry.detail) == (
        "partnership.boardmeeting",
        str(meeting_id),
        {"item": item.pk},
    )
    titles = list(decided.meeting.agenda_items.values_list("position", "title"))
    assert titles == [(1, "Minutes"), (2, "Neglect strategy"), (3, "Any other business")]


def test_attendance_is_recorded_for_the_whole_meeting_with_deputies_named() -> None:
    meeting_id = _meeting()
    chief = appoint("Dana Blake", agency=police())
    director = appoint("Lee Hart", agency=council())
    later = appoint("New Member", agency=council(), starts=MEETING_DAY + datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as refused:
        actions.record_attendance(
            actor=keeper(),
            meeting_id=meeting_id,
            expected_version=1,
            outcomes={chief.pk: (AttendanceStatus.DEPUTY, " "), director.pk: (AttendanceStatus.ATTENDED, "")},
        )
    assert refused.value.message_dict == {f"deputy_{chief.pk}": ["Enter the name of the deputy who came"]}
    with pytest.raises(ValidationError):
        actions.record_attendance(
            actor=keeper(),
            meeting_id=meeting_id,
            expected_version=1,
            outcomes={later.pk: (AttendanceStatus.ATTENDED, "")},
        )
    actions.record_attendance(
        actor=keeper(),
        meeting_id=meeting_id,
        expected_version=1,
        outcomes={
            chief.pk: (AttendanceStatus.DEPUTY, "Insp. Rao"),
            director.pk: (AttendanceStatus.ATTENDED, "ignored"),
        },
    )
    recorded = set(MeetingAttendance.objects.values_list("member__full_name", "status", "deputy_name"))
    assert recorded == {("Dana Blake", "deputy", "Insp. Rao"), ("Lee Hart", "attended", "")}
    entry = AccessLogEntry.objects.get(action="record_board_attendance")
    assert entry.detail == {"deputy": 1, "attended": 1}
    with pytest.raises(EditConflict):
        actions.record_attendance(actor=keeper(), meeting_id=meeting_id, expected_version=1, outcomes={})


def test_an_action_answers_a_recommendation_and_is_moved_on_with_a_version_check() -> None:
    made = set_with_action(due_on=datetime.date(2026, 12, 1))
    owner = appoint("Dana Blake", agency=police())
    meeting_id = _meeting()
    with pytest.raises(ValidationError) as refused:
        actions.add_board_action(
            actor=keeper(),
            meeting_id=meeting_id,
            details=actions.ActionDetails(
                description="", owner_id=None, due_on=MEETING_DAY - datetime.timedelta(days=1)
            ),
        )
    assert set(refused.value.message_dict) == {"description", "owner", "due_on"}
    action = actions.add_board_action(
        actor=keeper(),
        meeting_id=meeting_id,
        details=actions.ActionDetails(
            description="Report progress on recording concerns",
            owner_id=owner.pk,
            due_on=datetime.date(2026, 9, 1),
            recommendation_id=made.recommendation.pk,
        ),
    )
    entry = AccessLogEntry.objects.get(action="add_board_action")
    assert entry.detail == {"meeting": meeting_id, "recommendation": made.recommendation.pk}
    done = actions.update_board_action(
        actor=keeper(),
        action_id=action.pk,
        expected_version=1,
        status=ActionStatus.DONE,
        due_on=action.due_on,
        today=datetime.date(2026, 8, 20),
    )
    assert (done.status, done.completed_on, done.version) == ("done", datetime.date(2026, 8, 20), 2)
    with pytest.raises(EditConflict):
        actions.update_board_action(
            actor=keeper(), action_id=action.pk, expected_version=1, status="open", due_on=action.due_on
        )
    assert AccessLogEntry.objects.get(action="update_board_action").detail == {"from": "open", "to": "done"}
    with pytest.raises(PermissionDenied):
        actions.update_board_action(
            actor=persona("team_manager"),
            action_id=action.pk,
            expected_version=2,
            status="open",
            due_on=action.due_on,
        )
