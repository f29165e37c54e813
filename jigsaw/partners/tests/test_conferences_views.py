"""Conference participation through the pages: the conference form pre-filled from the
network, "Your meetings" naming only the children the partner may see, replying and
sending a report (with the conflict of a stale page), the attendance figures and their
CSV file, and a core group arranged ahead then recorded."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from time_machine import travel

from jigsaw.access.models import AccessLogEntry
from jigsaw.casework.models import (
    ChildProtectionConference,
    ConferenceInvitation,
    CoreGroupInvitation,
    CoreGroupMeeting,
)
from tests.casework_factories import make_referral
from tests.factories import make_agency, make_person, persona, restrict
from tests.protection_factories import make_conference, make_discussion, make_plan, name_professional

pytestmark = pytest.mark.django_db

D = datetime.date
NOW = datetime.datetime(2026, 11, 23, 10, tzinfo=datetime.UTC)


def _date(prefix: str, day: D) -> dict[str, str]:
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month), f"{prefix}_year": str(day.year)}


@travel(NOW, tick=False)
def test_the_conference_form_pre_ticks_the_network_and_asks_how_each_joins(
    client: Client, social_worker: User, conference_chair: User, gp: User, school_dsl: User
) -> None:
    child = make_person(given_names="Anna")
    name_professional(child, gp.practitioner, "GP")
    name_professional(child, school_dsl.practitioner, "Designated safeguarding lead")
    referral = make_referral(child, worker=social_worker, referred_on=D(2026, 11, 2))
    make_discussion([referral], held_on=D(2026, 11, 9))
    url = reverse("casework:new_conference", args=[referral.pk])
    client.force_login(social_worker)

    page = client.get(url).content.decode()
    gp_key, school_key = f"p{gp.practitioner.pk}", f"p{school_dsl.practitioner.pk}"
    assert f'name="professionals" type="checkbox" value="{gp_key}" checked' in page
    assert f'name="professionals" type="checkbox" value="{school_key}" checked' in page
    assert "Gp Persona, GP (Canal Street Surgery)" in page
    assert f'name="mode_{gp_key}"' in page and "How Gp Persona is asked to join" in page

    data = {
        "kind": "initial",
        **_date("date", D(2026, 11, 27)),
        "chair": str(conference_chair.pk),
        "starts_at": "9.30",
        "venue": "Riverford Civic Centre, room 2",
        "professionals": [gp_key, school_key],
        f"mode_{gp_key}": "video",
        f"mode_{school_key}": "in_person",
    }
    page = client.post(url, data).content.decode()
    assert "Enter how to join by phone or video: Gp Persona is asked to join by video" in page
    assert not ChildProtectionConference.objects.exists()

    response = client.post(url, {**data, "remote_joining": "https://video.example.gov.uk/cp-4411"})

    assert response.status_code == 302
    conference = ChildProtectionConference.objects.get()
    assert (conference.starts_at, conference.venue, conference.remote_joining) == (
        datetime.time(9, 30),
        "Riverford Civic Centre, room 2",
        "https://video.example.gov.uk/cp-4411",
    )
    assert sorted(conference.invitations.values_list("name", "agency__name", "requested_mode")) == [
        ("Gp Persona", "Canal Street Surgery", "video"),
        ("School Dsl Persona", "Riverside Primary School", "in_person"),
    ]
    page = client.get(reverse("casework:conference", args=[conference.pk])).content.decode()
    assert "Riverford Civic Centre, room 2" in page and "09:30" in page


@travel(NOW, tick=False)
def test_your_meetings_names_only_the_children_the_partner_may_see(client: Client, gp: User) -> None:
    seen = make_person(given_names="Anna", family_name="Kouao")
    hidden = make_person(given_names="Peter", family_name="Connelly")
    restrict(hidden)
    for child, day in ((seen, D(2026, 11, 27)), (hidden, D(2026, 11, 30))):
        name_professional(child, gp.practitioner, "GP")
        conference = make_conference([make_referral(child)], date=day)
        ConferenceInvitation.objects.create(
            conference=conference,
            practitioner=gp.practitioner,
            name="Gp Persona",
            agency=gp.practitioner.agency,
        )
    client.force_login(gp)

    page = client.get(reverse("partners:meetings")).content.decode()

    assert "Initial child protection conference on 27 November 2026" in page
    assert "Initial child protection conference on 30 November 2026" in page
    assert "Anna Kouao" in page
    assert "Peter" not in page and "Connelly" not in page
    assert "1 child you cannot see" in page
    entry = AccessLogEntry.objects.get(action="view_my_meetings")
    assert (entry.user, entry.detail) == (gp, {"subjects": [f"people.person:{seen.pk}"]})


@travel(NOW, tick=False)
def test_a_partner_replies_and_sends_a_report_on_the_invitation_page(
    client: Client, gp: User, school_dsl: User
) -> None:
    child = make_person(given_names="Anna", family_name="Kouao")
    name_professional(child, gp.practitioner, "GP")
    conference = make_conference([make_referral(child)], date=D(2026, 11, 27))
    ChildProtectionConference.objects.filter(pk=conference.pk).update(
        venue="Riverford Civic Centre", remote_joining="Dial 01632 960999"
    )
    invitation = ConferenceInvitation.objects.create(
        conference=conference,
        practitioner=gp.practitioner,
        name="Gp Persona",
        agency=gp.practitioner.agency,
        requested_mode="phone",
    )
    url = reverse("partners:conference_invitation", args=[invitation.pk])
    client.force_login(gp)

    page = client.get(url).content.decode()
    assert "Anna Kouao" in page and "Riverford Civic Centre" in page and "Dial 01632 960999" in page
    assert "By phone" in page

    response = client.post(url, {"form": "reply", "reply-reply": "phone", "reply-version": "1"})
    assert response.status_code == 302
    response = client.post(
        url, {"form": "report", "report-report": "Seen in October with bruising.", "report-version": "2"}
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert (
        invitation.reply,
        invitation.report,
        invitation.report_received,
        invitation.report_received_by,
    ) == (
        "phone",
        "Seen in October with bruising.",
        True,
        gp,
    )

    # A report typed on a page opened before those changes: refused, and the text is kept.
    stale = client.post(url, {"form": "report", "report-report": "My second thoughts", "report-version": "1"})
    text = stale.content.decode()
    assert "Someone else saved changes to this invitation after you opened it" in text
    assert "My second thoughts" in text
    invitation.refresh_from_db()
    assert invitation.report == "Seen in October with bruising."

    # The social worker reads the reply and the report on the conference's page.
    client.force_login(persona("social_worker"))
    page = client.get(reverse("casework:conference", args=[conference.pk])).content.decode()
    assert "Will join by phone" in page
    assert "Report from Gp Persona, received 23 November 2026 10:00" in page
    assert "Seen in October with bruising." in page

    # Nobody else may open it.
    client.force_login(school_dsl)
    assert client.get(url).status_code == 404
    assert (
        client.post(url, {"form": "reply", "reply-reply": "apologies", "reply-version": "3"}).status_code
        == 404
    )


@travel(NOW, tick=False)
def test_the_attendance_figures_and_their_csv_name_no_child(
    client: Client, analyst: User, social_worker: User
) -> None:
    police = make_agency("Riverford Police", "police")
    child = make_person(given_names="Anna", family_name="Kouao")
    conference = make_conference([make_referral(child)], date=D(2026, 11, 2), held=True)
    conference.invitations.filter(family_role="").update(
        attendance="phone", report_received=True, agency=police
    )
    client.force_login(analyst)

    page = client.get(reverse("partners:conference_attendance")).content.decode()
    assert "held from 24 November 2025 to 23 November 2026" in page
    assert "Child protection conferences: 1 held" in page
    assert "Kouao" not in page

    response = client.get(
        reverse("partners:conference_attendance_csv"),
        {
            "start_day": "1",
            "start_month": "11",
            "start_year": "2026",
            "end_day": "23",
            "end_month": "11",
            "end_year": "2026",
        },
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="conference-attendance-2026-11-01-to-2026-11-23.csv"'
    )
    assert response.content.decode("utf-8-sig").splitlines() == [
        "Meeting,Agency,Invited,Attended in person,Attended by phone,Attended by video,Attended in all,"
        "Report only,Apologies,Did not attend,Reports received",
        "Child protection conferences,Police,1,0,1,0,1,0,0,0,1",
        "Child protection conferences,All agencies,1,0,1,0,1,0,0,0,1",
        "Core group meetings,All agencies,0,0,0,0,0,0,0,0,0",
    ]
    assert list(
        AccessLogEntry.objects.filter(user=analyst)
        .exclude(action="sign_in")
        .values_list("action", flat=True)
        .order_by("pk")
    ) == [
        "view_conference_attendance",
        "export_conference_attendance",
    ]

    page = client.get(
        reverse("partners:conference_attendance"),
        {
            "start_day": "23",
            "start_month": "11",
            "start_year": "2026",
            "end_day": "1",
            "end_month": "11",
            "end_year": "2026",
        },
    ).content.decode()
    assert "The end of the period must be the same as or after its start" in page

    client.force_login(social_worker)
    assert client.get(reverse("partners:conference_attendance")).status_code == 403


@travel(NOW, tick=False)
def test_a_core_group_is_arranged_on_its_page_and_recorded_from_its_invitations(
    client: Client, social_worker: User, gp: User
) -> None:
    child = make_person(given_names="Anna")
    name_professional(child, gp.practitioner, "GP")
    plan = make_plan(
        make_referral(child, worker=social_worker, referred_on=D(2026, 10, 1)), started_on=D(2026, 11, 2)
    )
    client.force_login(social_worker)
    url = reverse("casework:arrange_core_group", args=[plan.pk])
    key = f"p{gp.practitioner.pk}"

    page = client.get(url).content.decode()
    assert f'name="invitees" type="checkbox" value="{key}" checked' in page

    response = client.post(
        url,
        {
            **_date("date", D(2026, 11, 25)),
            "starts_at": "14:00",
            "venue": "Riverside Primary School",
            "invitees": [key],
        },
    )
    assert response.status_code == 302
    meeting = CoreGroupMeeting.objects.get()
    assert (meeting.held, meeting.held_on, meeting.starts_at) == (False, D(2026, 11, 25), datetime.time(14))
    invitation = CoreGroupInvitation.objects.get()
    page = client.get(reverse("casework:core_group", args=[meeting.pk])).content.decode()
    assert "Arranged" in page and "Gp Persona" in page and "No reply yet" in page
    assert "Record the meeting" not in page  # not before the day
    page = client.get(reverse("casework:plan", args=[plan.pk])).content.decode()
    assert "Core group on 25 November 2026 at 14:00" in page and "(1 invited)" in page

    with travel(datetime.datetime(2026, 11, 25, 16, tzinfo=datetime.UTC), tick=False):
        client.force_login(social_worker)  # a new day, a new session
        record_url = reverse("casework:record_core_group", args=[meeting.pk])
        page = client.get(record_url).content.decode()
        assert 'name="held_on_day" value="25"' in page
        response = client.post(
            record_url,
            {
                **_date("held_on", D(2026, 11, 25)),
                "summary": "Progress",
                f"member_{key}": "on",
                f"attended_{key}": "on",
            },
        )
    assert response.status_code == 302
    meeting.refresh_from_db()
    invitation.refresh_from_db()
    assert (meeting.held, meeting.summary, invitation.attendance) == (True, "Progress", "in_person")
    assert meeting.members.get().name == "Gp Persona"
