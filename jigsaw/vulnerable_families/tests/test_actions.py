"""Vulnerable families meetings' actions: who may record (and who gets "not found"),
what is refused and why, stale forms, the chronology, and the exact access-log rows."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from jigsaw.access.models import AccessLogEntry
from jigsaw.casework.actions.common import EditConflict
from jigsaw.casework.models import ChronologyEntry, ChronologyKind
from jigsaw.people.normalise import format_nhs_number
from jigsaw.vulnerable_families import actions
from jigsaw.vulnerable_families.models import FamilyDiscussion, Outcome
from jigsaw.vulnerable_families.tests.helpers import (
    MEETING_DAY,
    add_family,
    child,
    gp,
    health_team,
    health_visitor,
    meeting,
    other_gp,
    practitioner_of,
    standing,
)
from tests.casework_factories import make_contact
from tests.factories import persona, restrict

pytestmark = pytest.mark.django_db


def _details(**changes: object) -> actions.StandingDetails:
    hv, doctor = health_visitor(), gp()
    values: dict[str, object] = {
        "health_visiting_id": health_team().pk,
        "gp_practice_id": practitioner_of(doctor).agency_id,
        "health_visiting_lead_id": practitioner_of(hv).pk,
        "gp_lead_id": practitioner_of(doctor).pk,
        "cadence_weeks": 6,
    }
    values.update(changes)
    return actions.StandingDetails(**values)  # type: ignore[arg-type]


def test_a_health_visitor_sets_up_the_meeting_and_it_is_logged() -> None:
    found = standing()
    assert (found.health_visiting, found.cadence_weeks) == (health_team(), 6)
    entry = AccessLogEntry.objects.get(action="set_up_vulnerable_families_meeting")
    assert (entry.user_id, entry.record_type, entry.record_id, entry.detail) == (
        health_visitor().pk,
        "vulnerable_families.standingmeeting",
        str(found.pk),
        {"cadence_weeks": 6},
    )


def test_only_health_visitors_and_gps_set_up_a_meeting() -> None:
    for who in ("social_worker", "team_manager", "analyst", "partnership_member"):
        with pytest.raises(PermissionDenied):
            actions.save_standing_meeting(actor=persona(who), details=_details())
    # A school's safeguarding lead is a partner practitioner, but not of health.
    with pytest.raises(PermissionDenied):
        actions.save_standing_meeting(actor=persona("school_dsl"), details=_details())
    # A GP of another practice may not set up a meeting for two other agencies.
    with pytest.raises(ValidationError) as refused:
        actions.save_standing_meeting(actor=other_gp(), details=_details())
    assert refused.value.message_dict == {
        "__all__": ["You can set up a meeting only for your own health visiting team or GP practice"]
    }


def test_the_leads_must_work_for_their_side_and_the_cadence_be_sensible() -> None:
    with pytest.raises(ValidationError) as refused:
        actions.save_standing_meeting(
            actor=health_visitor(),
            details=_details(health_visiting_lead_id=practitioner_of(gp()).pk, cadence_weeks=0),
        )
    assert refused.value.message_dict == {
        "health_visiting_lead": ["Choose the lead from the health visiting team's practitioners"],
        "cadence_weeks": ["Enter how often the meeting is held: between 1 and 26 weeks"],
    }


def test_a_pair_has_one_standing_meeting_and_a_stale_change_is_refused() -> None:
    found = standing()
    with pytest.raises(ValidationError) as refused:
        actions.save_standing_meeting(actor=gp(), details=_details())
    assert "already have a meeting" in refused.value.message_dict["gp_practice"][0]
    # The GP changes the cadence; the health visitor's form, opened before, is stale.
    actions.save_standing_meeting(
        actor=gp(), details=_details(cadence_weeks=8), standing_id=found.pk, expected_version=1
    )
    with pytest.raises(EditConflict):
        actions.save_standing_meeting(
            actor=health_visitor(),
            details=_details(cadence_weeks=4),
            standing_id=found.pk,
            expected_version=1,
        )
    found.refresh_from_db()
    assert (found.cadence_weeks, found.version) == (8, 2)


def test_a_gp_of_another_practice_gets_not_found_for_everything() -> None:
    on = meeting()
    family = add_family(on, child())
    stranger = other_gp()
    with pytest.raises(Http404):
        actions.schedule_meeting(actor=stranger, standing_id=on.standing_id, held_on=MEETING_DAY)
    with pytest.raises(Http404):
        actions.record_attendance(
            actor=stranger, meeting_id=on.pk, expected_version=on.version, attendee_ids=[]
        )
    with pytest.raises(Http404):
        actions.record_discussion(
            actor=stranger,
            discussion_id=family,
            expected_version=1,
            concern="x",
            outcome=Outcome.KEEP_ON_LIST,
        )
    with pytest.raises(Http404):
        actions.add_family_action(
            actor=stranger, discussion_id=family, description="x", owner_id=None, due_on=MEETING_DAY
        )
    with pytest.raises(PermissionDenied):
        actions.record_discussion(
            actor=persona("social_worker"),
            discussion_id=family,
            expected_version=1,
            concern="x",
            outcome=Outcome.KEEP_ON_LIST,
        )
    assert not AccessLogEntry.objects.filter(user=stranger).exists()


def test_a_meeting_is_arranged_once_a_day_and_logged() -> None:
    on = meeting()
    entry = AccessLogEntry.objects.get(action="schedule_vulnerable_families_meeting")
    assert (entry.record_type, entry.record_id, entry.detail) == (
        "vulnerable_families.meeting",
        str(on.pk),
        {"held_on": MEETING_DAY.isoformat(), "carried_forward": 0},
    )
    with pytest.raises(ValidationError) as refused:
        actions.schedule_meeting(actor=gp(), standing_id=on.standing_id, held_on=MEETING_DAY)
    assert refused.value.message_dict == {
        "held_on": ["There is already a meeting on this day: open it from the list"]
    }


def test_attendance_is_from_the_two_agencies_and_a_stale_form_is_refused() -> None:
    on = meeting()
    hv, doctor = practitioner_of(health_visitor()), practitioner_of(gp())
    school = practitioner_of(persona("school_dsl"))
    with pytest.raises(ValidationError):
        actions.record_attendance(
            actor=gp(), meeting_id=on.pk, expected_version=1, attendee_ids=[hv.pk, school.pk]
        )
    actions.record_attendance(
        actor=gp(), meeting_id=on.pk, expected_version=1, attendee_ids=[hv.pk, doctor.pk]
    )
    with pytest.raises(EditConflict):
        actions.record_attendance(
            actor=health_visitor(), meeting_id=on.pk, expected_version=1, attendee_ids=[]
        )
    assert set(on.attendees.all()) == {hv, doctor}
    entry = AccessLogEntry.objects.get(action="record_vulnerable_families_attendance")
    assert (entry.user_id, entry.detail) == (gp().pk, {"attended": 2})


def test_a_family_of_two_children_is_listed_by_nhs_number_and_logged_naming_them() -> None:
    on = meeting()
    first, second = child(), child()
    family = FamilyDiscussion.objects.get(pk=add_family(on, first, second))
    assert set(family.children.all()) == {first, second}
    entry = AccessLogEntry.objects.get(action="add_vulnerable_family")
    assert entry.record_id == str(on.pk)
    assert entry.detail == {
        "family": family.pk,
        "children": 2,
        "subjects": [
            f"vulnerable_families.meeting:{on.pk}",
            f"people.person:{first.pk}",
            f"people.person:{second.pk}",
        ],
    }


def test_a_child_jigsaw_cannot_confirm_is_refused_without_saying_why() -> None:
    on = meeting()
    hidden = child()
    restrict(hidden)
    listed = child()
    add_family(on, listed)
    unknown = "9434765919"
    on.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        actions.add_family(
            actor=health_visitor(),
            meeting_id=on.pk,
            expected_version=on.version,
            nhs_numbers=["123", hidden.nhs_number, unknown, listed.nhs_number],
        )
    assert refused.value.message_dict["nhs_numbers"] == [
        "123 is not a valid NHS number: enter 10 digits, like 943 476 5919",
        f"Jigsaw cannot confirm a child with NHS number {format_nhs_number(hidden.nhs_number)}: check the "
        "number. If you are worried about a child Jigsaw does not know, raise a concern with the front door",
        "Jigsaw cannot confirm a child with NHS number 943 476 5919: check the number. If you are worried "
        "about a child Jigsaw does not know, raise a concern with the front door",
        f"The child with NHS number {format_nhs_number(listed.nhs_number)} is already on this meeting's list",
    ]
    assert FamilyDiscussion.objects.filter(meeting=on).count() == 1


def test_adding_a_family_from_a_stale_page_is_refused() -> None:
    on = meeting()
    add_family(on, child())
    with pytest.raises(EditConflict):
        actions.add_family(actor=gp(), meeting_id=on.pk, expected_version=1, nhs_numbers=[child().nhs_number])


def test_a_referral_followed_is_dated_linked_and_in_each_childs_chronology() -> None:
    on = meeting()
    first, second = child(), child()
    family = add_family(on, first, second)
    contact = make_contact(
        first,
        referrer_agency=health_team(),
        received_at=datetime.datetime(2026, 3, 5, 10, 0, tzinfo=datetime.UTC),
    )
    with pytest.raises(ValidationError) as refused:
        actions.record_discussion(
            actor=gp(),
            discussion_id=family,
            expected_version=1,
            concern="Bruise on baby",
            outcome=Outcome.REFERRAL,
        )
    assert refused.value.message_dict == {"referral_made_on": ["Enter the date the referral was made"]}
    recorded = actions.record_discussion(
        actor=gp(),
        discussion_id=family,
        expected_version=1,
        concern="Bruise on the baby's arm seen at the 8-week check; mother's partner new",
        outcome=Outcome.REFERRAL,
        referral_made_on=datetime.date(2026, 3, 5),
        contact_id=contact.pk,
    )
    assert (recorded.referral_followed, recorded.contact, recorded.version) == (True, contact, 2)
    entries = ChronologyEntry.objects.filter(source_type="vulnerable_families.familydiscussion")
    assert {e.person_id for e in entries} == {first.pk, second.pk}
    entry = entries.get(person=first)
    assert (entry.kind, entry.agency_id, entry.occurred_on, entry.recorded_by_id) == (
        ChronologyKind.PARTNER_EVENT,
        health_team().pk,
        MEETING_DAY,
        gp().pk,
    )
    assert entry.summary.endswith(": referral to children's social care made")
    assert "Referral to children's social care made on 05/03/2026." in entry.detail
    log = AccessLogEntry.objects.get(action="record_vulnerable_family_discussion")
    assert log.detail["outcome"] == "referral"
    assert log.detail["contact"] == contact.pk
    assert f"people.person:{second.pk}" in log.detail["subjects"]


def test_recording_the_discussion_again_changes_the_chronology_in_place() -> None:
    on = meeting()
    baby = child()
    family = add_family(on, baby)
    actions.record_discussion(
        actor=gp(), discussion_id=family, expected_version=1, concern="Low mood", outcome=Outcome.KEEP_ON_LIST
    )
    with pytest.raises(EditConflict):
        actions.record_discussion(
            actor=health_visitor(),
            discussion_id=family,
            expected_version=1,
            concern="x",
            outcome=Outcome.EARLY_HELP,
        )
    actions.record_discussion(
        actor=health_visitor(),
        discussion_id=family,
        expected_version=2,
        concern="Low mood",
        outcome=Outcome.EARLY_HELP,
    )
    entries = ChronologyEntry.objects.filter(person=baby, source_type="vulnerable_families.familydiscussion")
    assert [e.summary.rsplit(": ", 1)[1] for e in entries] == ["early help offered"]


def test_only_a_referral_is_dated_and_the_contact_must_be_the_familys() -> None:
    on = meeting()
    family = add_family(on, child())
    elsewhere = make_contact(child(), referrer_agency=health_team())
    with pytest.raises(ValidationError) as refused:
        actions.record_discussion(
            actor=gp(),
            discussion_id=family,
            expected_version=1,
            concern="Missed appointments",
            outcome=Outcome.NO_FURTHER_ACTION,
            referral_made_on=datetime.date(2026, 3, 5),
            contact_id=elsewhere.pk,
        )
    assert set(refused.value.message_dict) == {"referral_made_on", "contact"}
    with pytest.raises(ValidationError) as refused:
        actions.record_discussion(
            actor=gp(),
            discussion_id=family,
            expected_version=1,
            concern="Missed appointments",
            outcome=Outcome.REFERRAL,
            referral_made_on=datetime.date(2026, 3, 5),
            contact_id=elsewhere.pk,
        )
    assert refused.value.message_dict == {"contact": ["Choose the front door's contact from the list"]}


def test_an_action_goes_to_a_practitioner_of_either_agency_and_is_done_once() -> None:
    on = meeting()
    family = add_family(on, child())
    with pytest.raises(ValidationError) as refused:
        actions.add_family_action(
            actor=health_visitor(),
            discussion_id=family,
            description="Visit",
            owner_id=practitioner_of(persona("school_dsl")).pk,
            due_on=MEETING_DAY - datetime.timedelta(days=1),
        )
    assert refused.value.message_dict == {
        "owner": ["Choose who will do it, from the two agencies' practitioners"],
        "due_on": ["It must be due on or after the day of the meeting"],
    }
    action = actions.add_family_action(
        actor=health_visitor(),
        discussion_id=family,
        description="Offer a new birth visit at home",
        owner_id=practitioner_of(gp()).pk,
        due_on=MEETING_DAY + datetime.timedelta(days=14),
    )
    entry = AccessLogEntry.objects.get(action="add_vulnerable_family_action")
    assert entry.detail == {
        "family": family,
        "owner": practitioner_of(gp()).pk,
        "due_on": (MEETING_DAY + datetime.timedelta(days=14)).isoformat(),
    }
    done = actions.set_action_done(
        actor=gp(), action_id=action.pk, expected_version=1, done=True, today=datetime.date(2026, 3, 10)
    )
    assert done.done_on == datetime.date(2026, 3, 10)
    with pytest.raises(EditConflict):
        actions.set_action_done(actor=health_visitor(), action_id=action.pk, expected_version=1, done=False)
    with pytest.raises(Http404):
        actions.set_action_done(actor=other_gp(), action_id=action.pk, expected_version=2, done=False)
    assert (
        AccessLogEntry.objects.filter(
            action="complete_vulnerable_family_action", record_id=str(action.pk)
        ).count()
        == 1
    )
