"""Conference and core group participation by partners, through the actions: invitations
from the network (agency always the practitioner's, named professional, disclosure,
notification), replies and reports (own invitation only, version-checked), core groups
arranged ahead and recorded, and the attendance figures by agency computed exactly."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404
from time_machine import travel

from jigsaw.access.models import AccessLogEntry
from jigsaw.casework.actions.common import EditConflict
from jigsaw.casework.actions.protection import (
    AttendanceInput,
    ChildDecision,
    CoreGroupMemberInput,
    Participant,
    arrange_core_group,
    record_conference_outcome,
    record_core_group,
    schedule_conference,
)
from jigsaw.casework.models import (
    ChildProtectionConference,
    ConferenceInvitation,
    CoreGroupInvitation,
    CoreGroupMeeting,
    Referral,
)
from jigsaw.partners.actions.conferences import reply_to_invitation, submit_report
from jigsaw.partners.models import Agency, Disclosure, NamedProfessional, Notification, Practitioner
from jigsaw.partners.queries.conferences import AgencyFigures, attendance_by_agency, attendance_csv_rows
from jigsaw.people.models import Person
from tests.casework_factories import make_referral
from tests.factories import make_agency, make_person, persona
from tests.protection_factories import (
    make_conference,
    make_discussion,
    make_plan,
    make_practitioner,
    name_professional,
)

pytestmark = pytest.mark.django_db

D = datetime.date
NOW = datetime.datetime(2026, 11, 23, 10, tzinfo=datetime.UTC)
CONFERENCE_DAY = D(2026, 11, 27)
Callbacks = Callable[..., Any]


def _participant(
    practitioner: Practitioner, mode: str = "in_person", agency_id: int | None = None
) -> Participant:
    return Participant(
        name=practitioner.full_name,
        agency_id=agency_id or practitioner.agency_id,
        practitioner_id=practitioner.pk,
        requested_mode=mode,
    )


def _awaiting_conference(child: Person, worker: User) -> Referral:
    referral = make_referral(child, worker=worker, referred_on=D(2026, 11, 2))
    make_discussion([referral], held_on=D(2026, 11, 9))
    return referral


@travel(NOW, tick=False)
def test_a_conference_invites_the_network_and_tells_partners_where_and_how_to_join(
    social_worker: User,
    conference_chair: User,
    gp: User,
    school_dsl: User,
    django_capture_on_commit_callbacks: Callbacks,
) -> None:
    child = make_person(given_names="Anna", family_name="Kouao")
    referral = _awaiting_conference(child, social_worker)
    name_professional(child, gp.practitioner, "GP")
    officer = make_practitioner()  # no sign-in
    wrong_agency = make_agency("Riverford Housing", "housing")

    with django_capture_on_commit_callbacks(execute=True):
        conference = schedule_conference(
            actor=social_worker,
            referral_id=referral.pk,
            kind="initial",
            date=D(2026, 11, 27),
            chair_id=conference_chair.pk,
            starts_at=datetime.time(10, 0),
            venue="Riverford Civic Centre, room 2",
            remote_joining="Dial 01632 960999, code 4411",
            invitations=[
                _participant(gp.practitioner, "video"),
                # The form said the wrong agency: the practitioner's own is kept.
                _participant(school_dsl.practitioner, agency_id=wrong_agency.pk),
                _participant(officer, "phone"),
                Participant(name="Marie Therese", family_role="parent"),
            ],
        )

    conference.refresh_from_db()
    assert (conference.starts_at, conference.venue, conference.remote_joining) == (
        datetime.time(10, 0),
        "Riverford Civic Centre, room 2",
        "Dial 01632 960999, code 4411",
    )
    assert sorted(
        conference.invitations.values_list("name", "agency__name", "requested_mode", "family_role")
    ) == [
        ("Dawn Hale", "Riverford Police", "phone", ""),
        ("Gp Persona", "Canal Street Surgery", "video", ""),
        ("Marie Therese", None, "in_person", "parent"),
        ("School Dsl Persona", "Riverside Primary School", "in_person", ""),
    ]

    # The partners with a sign-in are told, with the place and the dial-in; no child named.
    notes = Notification.objects.filter(subject__startswith="Invitation").order_by("recipient__username")
    assert [(n.recipient, n.subject) for n in notes] == [
        (gp, "Invitation: Initial child protection conference on 27 November 2026 at 10:00"),
        (school_dsl, "Invitation: Initial child protection conference on 27 November 2026 at 10:00"),
    ]
    gp_invitation = conference.invitations.get(practitioner=gp.practitioner)
    assert notes[0].body == (
        "Initial child protection conference on 27 November 2026 at 10:00\n"
        "Venue: Riverford Civic Centre, room 2\n"
        "To join by phone or video: Dial 01632 960999, code 4411\n"
        "You are asked to join by video.\n"
        "Reply, and send your written report, from Your meetings in Jigsaw."
    )
    assert notes[0].link == f"/partners/meetings/conferences/{gp_invitation.pk}"
    assert not Notification.objects.filter(recipient=social_worker).exists()

    # Invited, the school and the police become named professionals (the GP already was).
    assert sorted(
        NamedProfessional.objects.filter(person=child, ended__isnull=True).values_list(
            "practitioner__full_name", "involvement", "added_by"
        )
    ) == [
        (
            "Dawn Hale",
            "Detective constable, invited to the initial child protection conference",
            social_worker.pk,
        ),
        ("Gp Persona", "GP", None),
        (
            "School Dsl Persona",
            "Partner practitioner, invited to the initial child protection conference",
            social_worker.pk,
        ),
    ]
    assert AccessLogEntry.objects.filter(action="name_professional", user=social_worker).count() == 2

    # Each professional's invitation is a disclosure about the child.
    assert sorted(
        Disclosure.objects.filter(person=child).values_list(
            "kind", "recipient", "recipient_agency__name", "purpose", "legal_basis", "consent", "source_type"
        ),
        key=lambda row: str(row[2]),
    ) == [
        (
            "conference",
            gp.pk,
            "Canal Street Surgery",
            "Invitation to the initial child protection conference on 27 November 2026",
            "public_task",
            "not_needed",
            "casework.conferenceinvitation",
        ),
        (
            "conference",
            None,
            "Riverford Police",
            "Invitation to the initial child protection conference on 27 November 2026",
            "public_task",
            "not_needed",
            "casework.conferenceinvitation",
        ),
        (
            "conference",
            school_dsl.pk,
            "Riverside Primary School",
            "Invitation to the initial child protection conference on 27 November 2026",
            "public_task",
            "not_needed",
            "casework.conferenceinvitation",
        ),
    ]


@travel(NOW, tick=False)
def test_joining_by_phone_or_video_needs_the_way_to_join(social_worker: User, conference_chair: User) -> None:
    referral = _awaiting_conference(make_person(), social_worker)
    with pytest.raises(ValidationError) as refused:
        schedule_conference(
            actor=social_worker,
            referral_id=referral.pk,
            kind="initial",
            date=D(2026, 11, 27),
            chair_id=conference_chair.pk,
            invitations=[_participant(make_practitioner(), "phone")],
        )
    assert refused.value.message_dict == {
        "remote_joining": ["Enter how to join by phone or video: Dawn Hale is asked to join by phone"]
    }
    assert not ChildProtectionConference.objects.exists()
    assert not Disclosure.objects.exists()


def _invited(user: User, *, day: D = CONFERENCE_DAY, remote: str = "") -> ConferenceInvitation:
    referral = make_referral(make_person(given_names="Anna"), worker=persona("social_worker"))
    conference = make_conference([referral], date=day)
    ChildProtectionConference.objects.filter(pk=conference.pk).update(remote_joining=remote)
    practitioner = user.practitioner
    return ConferenceInvitation.objects.create(
        conference=conference,
        practitioner=practitioner,
        name=practitioner.full_name,
        agency=practitioner.agency,
    )


@travel(NOW, tick=False)
def test_a_partner_replies_and_sends_a_report_to_their_own_invitation(
    gp: User, school_dsl: User, social_worker: User, django_capture_on_commit_callbacks: Callbacks
) -> None:
    invitation = _invited(gp)

    with pytest.raises(ValidationError) as refused:
        reply_to_invitation(
            actor=gp, kind="conference", invitation_id=invitation.pk, expected_version=1, reply="video"
        )
    assert refused.value.message_dict == {
        "reply": [
            "No phone or video joining is arranged for this meeting: choose another reply, "
            "or ask the social worker to arrange one"
        ]
    }

    reply_to_invitation(
        actor=gp, kind="conference", invitation_id=invitation.pk, expected_version=1, reply="report"
    )
    invitation.refresh_from_db()
    assert (invitation.reply, invitation.replied_at, invitation.version) == ("report", NOW, 2)

    with django_capture_on_commit_callbacks(execute=True):
        submit_report(
            actor=gp,
            kind="conference",
            invitation_id=invitation.pk,
            expected_version=2,
            report="  Seen twice in October with bruising; mother anxious.  ",
        )
    invitation.refresh_from_db()
    assert (
        invitation.report,
        invitation.report_received,
        invitation.report_received_at,
        invitation.report_received_by,
        invitation.version,
    ) == ("Seen twice in October with bruising; mother anxious.", True, NOW, gp, 3)
    told = Notification.objects.get(recipient=social_worker)
    assert (told.subject, told.body, told.link) == (
        "Report received from Gp Persona (Canal Street Surgery)",
        "For the initial child protection conference on 27 November 2026.",
        f"/casework/conferences/{invitation.conference_id}",
    )
    assert list(
        AccessLogEntry.objects.filter(user=gp)
        .order_by("pk")
        .values_list("action", "record_type", "record_id")
    ) == [
        ("reply_to_meeting_invitation", "casework.conferenceinvitation", str(invitation.pk)),
        ("submit_meeting_report", "casework.conferenceinvitation", str(invitation.pk)),
    ]

    # Someone else's invitation is "not found", whatever they try.
    with pytest.raises(Http404):
        reply_to_invitation(
            actor=school_dsl,
            kind="conference",
            invitation_id=invitation.pk,
            expected_version=3,
            reply="apologies",
        )
    with pytest.raises(Http404):
        submit_report(
            actor=school_dsl, kind="conference", invitation_id=invitation.pk, expected_version=3, report="x"
        )


@travel(NOW, tick=False)
def test_a_reply_from_a_stale_page_is_refused(gp: User) -> None:
    invitation = _invited(gp, remote="https://video.example.gov.uk/cp-4411")
    reply_to_invitation(
        actor=gp, kind="conference", invitation_id=invitation.pk, expected_version=1, reply="video"
    )

    # A second tab, opened before that reply, sends apologies: refused, nothing changed.
    with pytest.raises(EditConflict):
        reply_to_invitation(
            actor=gp, kind="conference", invitation_id=invitation.pk, expected_version=1, reply="apologies"
        )
    with pytest.raises(EditConflict):
        submit_report(
            actor=gp, kind="conference", invitation_id=invitation.pk, expected_version=1, report="Late"
        )
    invitation.refresh_from_db()
    assert (invitation.reply, invitation.report, invitation.version) == ("video", "", 2)


@travel(NOW, tick=False)
def test_no_reply_after_the_day_and_nothing_once_the_meeting_is_recorded(gp: User) -> None:
    past = _invited(gp, day=D(2026, 11, 20))
    with pytest.raises(ValidationError) as refused:
        reply_to_invitation(
            actor=gp, kind="conference", invitation_id=past.pk, expected_version=1, reply="in_person"
        )
    assert refused.value.message_dict == {
        "reply": ["This meeting was on 20 November 2026: you can no longer reply"]
    }
    # A report can still come in until the chair records the conference...
    submit_report(actor=gp, kind="conference", invitation_id=past.pk, expected_version=1, report="Our report")
    # ... and not after.
    ChildProtectionConference.objects.filter(pk=past.conference_id).update(held=True)
    with pytest.raises(ValidationError) as refused:
        submit_report(
            actor=gp, kind="conference", invitation_id=past.pk, expected_version=2, report="Another"
        )
    assert refused.value.message_dict == {
        "report": ["This meeting has been held and recorded: send anything further to the social worker"]
    }


@travel(NOW, tick=False)
def test_the_chair_records_attendance_and_a_report_handed_in_on_the_day(
    gp: User, conference_chair: User, social_worker: User
) -> None:
    invitation = _invited(gp, day=D(2026, 11, 23))
    police = ConferenceInvitation.objects.exclude(pk=invitation.pk).get(family_role="")
    parent = ConferenceInvitation.objects.get(family_role="parent")
    submit_report(
        actor=gp, kind="conference", invitation_id=invitation.pk, expected_version=1, report="GP report"
    )
    conference = invitation.conference
    child = conference.children.get()

    with travel(NOW + datetime.timedelta(hours=3), tick=False):
        record_conference_outcome(
            actor=conference_chair,
            conference_id=conference.pk,
            expected_version=1,
            attendance={
                invitation.pk: AttendanceInput("report", report_received=True),
                police.pk: AttendanceInput("phone", report_received=True),
                parent.pk: AttendanceInput("in_person"),
            },
            child_views="Anna drew her family",
            summary="Plan agreed",
            decisions={child.pk: ChildDecision("plan", "NEG")},
        )

    rows = {
        i.pk: (i.attendance, i.report_received, i.report_received_at, i.report_received_by)
        for i in ConferenceInvitation.objects.all()
    }
    assert rows == {
        # Sent through Jigsaw: when and by whom stay the GP's.
        invitation.pk: ("report", True, NOW, gp),
        # Handed to the chair: received when the outcome was recorded, by the chair.
        police.pk: ("phone", True, NOW + datetime.timedelta(hours=3), conference_chair),
        parent.pk: ("in_person", False, None, None),
    }


@travel(NOW, tick=False)
def test_a_core_group_is_arranged_ahead_and_its_attendance_follows_from_the_record(
    social_worker: User, gp: User, school_dsl: User, django_capture_on_commit_callbacks: Callbacks
) -> None:
    child = make_person(given_names="Anna")
    referral = make_referral(child, worker=social_worker, referred_on=D(2026, 10, 1))
    plan = make_plan(referral, started_on=D(2026, 11, 2))
    officer = make_practitioner()

    with pytest.raises(ValidationError) as refused:
        arrange_core_group(
            actor=social_worker,
            plan_id=plan.pk,
            date=D(2026, 11, 20),
            invitations=[_participant(gp.practitioner)],
        )
    assert refused.value.message_dict == {
        "date": ["The date of the core group must be today or in the future: record a past meeting instead"]
    }

    with django_capture_on_commit_callbacks(execute=True):
        meeting = arrange_core_group(
            actor=social_worker,
            plan_id=plan.pk,
            date=D(2026, 11, 26),
            starts_at=datetime.time(14, 30),
            venue="Riverside Primary School",
            remote_joining="https://video.example.gov.uk/cg-77",
            invitations=[
                _participant(gp.practitioner, "video"),
                _participant(school_dsl.practitioner),
                _participant(officer),
                Participant(name="Marie Therese", family_role="parent"),
            ],
        )
    assert (meeting.held, meeting.held_on, meeting.arranged_by) == (False, D(2026, 11, 26), social_worker)
    assert Notification.objects.get(recipient=gp).subject == (
        "Invitation: Core group meeting on 26 November 2026 at 14:30"
    )
    assert Disclosure.objects.filter(person=child, kind="conference").count() == 3
    # Arranged, not held: the plan's core group clock has not moved.
    plan.refresh_from_db()
    assert plan.next_core_group_due == D(2026, 11, 16)

    gp_invitation = CoreGroupInvitation.objects.get(practitioner=gp.practitioner)
    school_invitation = CoreGroupInvitation.objects.get(practitioner=school_dsl.practitioner)
    reply_to_invitation(
        actor=gp, kind="core_group", invitation_id=gp_invitation.pk, expected_version=1, reply="video"
    )
    reply_to_invitation(
        actor=school_dsl,
        kind="core_group",
        invitation_id=school_invitation.pk,
        expected_version=1,
        reply="apologies",
    )

    with travel(datetime.datetime(2026, 11, 26, 16, tzinfo=datetime.UTC), tick=False):
        record_core_group(
            actor=social_worker,
            plan_id=plan.pk,
            held_on=D(2026, 11, 26),
            summary="Progress on the plan",
            meeting_id=meeting.pk,
            members=[
                CoreGroupMemberInput(_participant(gp.practitioner), attended=True),
                CoreGroupMemberInput(_participant(school_dsl.practitioner), attended=False),
                CoreGroupMemberInput(_participant(officer), attended=False),
                CoreGroupMemberInput(Participant(name="Marie Therese", family_role="parent"), attended=True),
            ],
        )
    meeting.refresh_from_db()
    assert (meeting.held, meeting.summary, CoreGroupMeeting.objects.count()) == (
        True,
        "Progress on the plan",
        1,
    )
    assert sorted(CoreGroupInvitation.objects.values_list("name", "attendance")) == [
        ("Dawn Hale", "absent"),
        ("Gp Persona", "video"),
        ("Marie Therese", "in_person"),
        ("School Dsl Persona", "apologies"),
    ]
    plan.refresh_from_db()
    assert plan.next_core_group_due == D(2026, 12, 24)  # four weeks on, by the policy


def _held_conference(day: D, invited: list[tuple[Agency, str, bool]], *, held: bool = True) -> None:
    conference = make_conference([make_referral()], date=day, held=held)
    conference.invitations.all().delete()
    for n, (agency, attendance, report) in enumerate(invited):
        ConferenceInvitation.objects.create(
            conference=conference,
            name=f"Person {n}",
            agency=agency,
            attendance=attendance,
            report_received=report,
        )
    ConferenceInvitation.objects.create(
        conference=conference, name="A parent", family_role="parent", attendance="in_person"
    )


@travel(NOW, tick=False)
def test_attendance_by_agency_is_counted_exactly(social_worker: User) -> None:
    gp_practice = make_agency("Canal Street Surgery", "gp_practice")
    other_gp = make_agency("Hill Road Surgery", "gp_practice")
    health_visiting = make_agency("Riverford Health Visiting", "health_visiting")
    school = make_agency("Riverside Primary School", "school")
    police = make_agency("Riverford Police", "police")
    _held_conference(
        D(2026, 10, 5),
        [
            (gp_practice, "report", True),
            (health_visiting, "in_person", True),
            (school, "in_person", False),
            (police, "phone", False),
        ],
    )
    _held_conference(
        D(2026, 11, 2),
        [
            (other_gp, "apologies", False),
            (health_visiting, "video", False),
            (school, "absent", False),
            (police, "in_person", True),
        ],
    )
    # Outside the period, and not yet held: neither counted.
    _held_conference(D(2026, 9, 30), [(gp_practice, "in_person", False)])
    _held_conference(D(2026, 11, 20), [(gp_practice, "invited", False)], held=False)
    # A core group arranged and held, one recorded without being arranged, one arranged to come.
    plan = make_plan(make_referral(), started_on=D(2026, 9, 1))
    held = CoreGroupMeeting.objects.create(plan=plan, held_on=D(2026, 10, 20), recorded_by=social_worker)
    CoreGroupInvitation.objects.create(meeting=held, name="GP", agency=gp_practice, attendance="phone")
    CoreGroupInvitation.objects.create(
        meeting=held, name="Teacher", agency=school, attendance="report", report_received=True
    )
    CoreGroupMeeting.objects.create(plan=plan, held_on=D(2026, 10, 6), recorded_by=social_worker)
    coming = CoreGroupMeeting.objects.create(
        plan=plan, held_on=D(2026, 11, 30), held=False, recorded_by=social_worker
    )
    CoreGroupInvitation.objects.create(meeting=coming, name="GP", agency=gp_practice)

    figures = attendance_by_agency(start=D(2026, 10, 1), end=D(2026, 11, 23))

    assert figures.conferences.meetings_held == 2
    assert figures.conferences.rows == [
        # kind, label, invited, in person, phone, video, report only, apologies, absent, reports
        AgencyFigures("gp_practice", "GP practice", 2, 0, 0, 0, 1, 1, 0, 1),
        AgencyFigures("health_visiting", "Health visiting", 2, 1, 0, 1, 0, 0, 0, 1),
        AgencyFigures("school", "School", 2, 1, 0, 0, 0, 0, 1, 0),
        AgencyFigures("police", "Police", 2, 1, 1, 0, 0, 0, 0, 1),
    ]
    assert figures.conferences.total == AgencyFigures("", "All agencies", 8, 3, 1, 1, 1, 1, 1, 3)
    assert figures.conferences.total.attended == 5
    assert (figures.core_groups.meetings_held, figures.core_groups.not_arranged) == (1, 1)
    assert figures.core_groups.rows == [
        AgencyFigures("gp_practice", "GP practice", 1, 0, 1, 0, 0, 0, 0, 0),
        AgencyFigures("school", "School", 1, 0, 0, 0, 1, 0, 0, 1),
    ]
    assert attendance_csv_rows(figures)[-1] == [
        "Core group meetings",
        "All agencies",
        2,
        0,
        1,
        0,
        1,
        1,
        0,
        0,
        1,
    ]
