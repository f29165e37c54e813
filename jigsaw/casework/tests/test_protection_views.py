"""The child protection pages: what each form pre-fills, what a POST records, who may
record, conflicts shown without losing the user's input, and the episode's summary."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from time_machine import travel

from jigsaw.access.models import AccessLogEntry
from jigsaw.casework.models import (
    ChildProtectionConference,
    ChildProtectionPlan,
    ConferenceChild,
    CoreGroupMeeting,
    Section47Enquiry,
    StrategyDiscussion,
    Visit,
)
from jigsaw.casework.queries.protection import episode_protection
from tests.casework_factories import make_referral
from tests.factories import make_person
from tests.protection_factories import (
    make_conference,
    make_discussion,
    make_journey,
    make_parent,
    make_plan,
    make_practitioner,
    make_sibling,
    name_professional,
)

pytestmark = pytest.mark.django_db

D = datetime.date
NOW = datetime.datetime(2026, 3, 20, 15, tzinfo=datetime.UTC)


def _login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def _date(prefix: str, day: D) -> dict[str, str]:
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month), f"{prefix}_year": str(day.year)}


@travel(NOW, tick=False)
def test_the_strategy_discussion_form_offers_siblings_and_named_professionals(
    client: Client, social_worker: User
) -> None:
    child = make_person(given_names="Anna")
    sibling = make_sibling(child)
    teacher = make_practitioner("Ms Patel", agency="Riverside Primary School", kind="school")
    name_professional(child, teacher, "Designated safeguarding lead")
    referral = make_referral(child, worker=social_worker, referred_on=D(2026, 3, 2))
    sibling_referral = make_referral(sibling, referred_on=D(2026, 3, 2))
    url = reverse("casework:new_strategy_discussion", args=[referral.pk])

    page = _login(client, social_worker).get(url).content.decode()

    assert "Ms Patel, Designated safeguarding lead (Riverside Primary School)" in page
    assert sibling.full_name in page
    assert 'name="held_on_day" value="20"' in page
    assert AccessLogEntry.objects.filter(action="view", record_id=str(referral.pk)).exists()

    response = client.post(
        url,
        {
            **_date("held_on", D(2026, 3, 19)),
            "decision": "s47",
            "summary": "Police and school shared concerns",
            "children": [str(sibling_referral.pk)],
            "attendees": [f"p{teacher.pk}"],
            "extra_name_1": "DC Hale",
            "extra_agency_1": str(make_practitioner().agency_id),
        },
    )

    discussion = StrategyDiscussion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("casework:strategy_discussion", args=[discussion.pk])
    assert sorted(discussion.attendees.values_list("name", "agency__name")) == [
        ("DC Hale", "Riverford Police"),
        ("Ms Patel", "Riverside Primary School"),
    ]
    assert Section47Enquiry.objects.count() == 2
    shown = client.get(response["Location"]).content.decode()
    assert "Ms Patel" in shown and "DC Hale" in shown and sibling.full_name in shown
    assert shown.count("initial conference due by 13 April 2026") == 2


@travel(NOW, tick=False)
def test_an_extra_person_needs_an_agency(client: Client, social_worker: User) -> None:
    referral = make_referral(worker=social_worker, referred_on=D(2026, 3, 2))
    response = _login(client, social_worker).post(
        reverse("casework:new_strategy_discussion", args=[referral.pk]),
        {**_date("held_on", D(2026, 3, 19)), "decision": "nfa", "summary": "x", "extra_name_1": "DC Hale"},
    )
    assert response.status_code == 200
    assert "Choose the agency DC Hale is from" in response.content.decode()
    assert not StrategyDiscussion.objects.exists()


def test_partners_and_chairs_cannot_open_the_recording_forms(
    client: Client, conference_chair: User, school_dsl: User
) -> None:
    journey = make_journey()
    for user in (conference_chair, school_dsl):
        client.force_login(user)
        for name, pk in [
            ("casework:new_strategy_discussion", journey.referral.pk),
            ("casework:new_conference", journey.referral.pk),
            ("casework:new_visit", journey.referral.pk),
            ("casework:new_core_group", journey.plan.pk),
            ("casework:end_plan", journey.plan.pk),
        ]:
            assert client.post(reverse(name, args=[pk]), {}).status_code == 403


@travel(NOW, tick=False)
def test_the_section47_page_flags_an_overdue_conference_and_records_the_outcome(
    client: Client, social_worker: User
) -> None:
    referral = make_referral(worker=social_worker, referred_on=D(2026, 2, 2))
    make_discussion([referral], held_on=D(2026, 2, 3))
    enquiry = referral.section47s.get()
    url = reverse("casework:section47", args=[enquiry.pk])

    page = _login(client, social_worker).get(url).content.decode()
    assert "24 February 2026" in page and "Overdue" in page

    response = client.post(url, {"outcome": "cin", **_date("completed_on", D(2026, 2, 2)), "version": "1"})
    assert "The enquiry cannot end before it started on 3 February 2026" in response.content.decode()

    response = client.post(url, {"outcome": "cin", **_date("completed_on", D(2026, 3, 19)), "version": "1"})
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert (enquiry.outcome, enquiry.completed_on) == ("cin", D(2026, 3, 19))

    # A second form opened before that save gets the conflict, with its input kept.
    response = client.post(
        url, {"outcome": "not_substantiated", **_date("completed_on", D(2026, 3, 18)), "version": "1"}
    )
    page = response.content.decode()
    assert "Someone else saved changes to this section 47 enquiry" in page
    assert 'value="not_substantiated" checked' in page
    enquiry.refresh_from_db()
    assert enquiry.outcome == "cin"


@travel(NOW, tick=False)
def test_a_chair_may_read_the_section47_but_not_record_it(client: Client, conference_chair: User) -> None:
    referral = make_referral(referred_on=D(2026, 3, 2))
    make_discussion([referral], held_on=D(2026, 3, 3))
    url = reverse("casework:section47", args=[referral.section47s.get().pk])
    client.force_login(conference_chair)
    assert "Record the outcome" not in client.get(url).content.decode()
    assert (
        client.post(
            url, {"outcome": "cin", **_date("completed_on", D(2026, 3, 19)), "version": "1"}
        ).status_code
        == 404
    )
    assert Section47Enquiry.objects.get().outcome == ""


@travel(NOW, tick=False)
def test_the_conference_form_pre_fills_children_invitations_and_due_date(
    client: Client, social_worker: User, conference_chair: User
) -> None:
    child = make_person(given_names="Anna")
    sibling = make_sibling(child)
    make_parent(child)
    gp = make_practitioner("Dr Okafor", agency="Canal Street Surgery", kind="gp_practice")
    name_professional(child, gp, "GP")
    referral = make_referral(child, worker=social_worker, referred_on=D(2026, 3, 2))
    sibling_referral = make_referral(sibling, referred_on=D(2026, 3, 2))
    make_discussion([referral, sibling_referral], held_on=D(2026, 3, 16))
    url = reverse("casework:new_conference", args=[referral.pk])

    page = _login(client, social_worker).get(url).content.decode()

    # Due 15 working days after 16 March 2026, over Easter.
    assert "The initial conference is due by <strong>8 April 2026</strong>" in page
    assert 'name="date_day" value="8"' in page
    assert f'name="children" type="checkbox" value="{sibling_referral.pk}" checked' in page
    assert "Dawn Hale" in page  # at the strategy discussion
    assert "Dr Okafor, GP (Canal Street Surgery)" in page
    assert "Marie Therese" in page

    data = {
        "kind": "initial",
        **_date("date", D(2026, 4, 2)),
        "chair": str(conference_chair.pk),
        "children": [str(sibling_referral.pk)],
        "professionals": [f"p{gp.pk}", f"p{make_practitioner().pk}"],
        "family": [
            f"f{pk}" for pk in child.relationships.filter(kind="parent").values_list("relative_id", flat=True)
        ],
        "advocate": "Jo Bright",
    }
    response = client.post(url, data)

    conference = ChildProtectionConference.objects.get()
    assert response.status_code == 302
    assert (conference.date, conference.due_on, conference.chair) == (
        D(2026, 4, 2),
        D(2026, 4, 8),
        conference_chair,
    )
    assert set(conference.children.values_list("referral_id", flat=True)) == {
        referral.pk,
        sibling_referral.pk,
    }
    assert sorted(conference.invitations.values_list("name", "family_role")) == [
        ("Dawn Hale", ""),
        ("Dr Okafor", ""),
        ("Jo Bright", "advocate"),
        ("Marie Therese", "parent"),
    ]


@travel(NOW, tick=False)
def test_a_conference_before_its_strategy_discussion_is_refused_on_the_page(
    client: Client, social_worker: User, conference_chair: User
) -> None:
    referral = make_referral(worker=social_worker, referred_on=D(2026, 3, 2))
    make_discussion([referral], held_on=D(2026, 3, 3))
    response = _login(client, social_worker).post(
        reverse("casework:new_conference", args=[referral.pk]),
        {
            "kind": "initial",
            **_date("date", D(2026, 3, 2)),
            "chair": str(conference_chair.pk),
            "professionals": [f"p{make_practitioner().pk}"],
        },
    )
    assert (
        "The conference cannot be before the strategy discussion on 3 March 2026" in response.content.decode()
    )
    assert not ChildProtectionConference.objects.exists()


@travel(NOW, tick=False)
def test_the_chair_records_attendance_views_and_a_decision_per_child(
    client: Client, social_worker: User, conference_chair: User
) -> None:
    anna = make_referral(make_person(given_names="Anna"), worker=social_worker, referred_on=D(2026, 3, 2))
    kevin = make_referral(make_sibling(anna.person), referred_on=D(2026, 3, 2))
    make_discussion([anna, kevin], held_on=D(2026, 3, 3))
    conference = make_conference([anna, kevin], date=D(2026, 3, 20))
    url = reverse("casework:conference", args=[conference.pk])

    page = _login(client, social_worker).get(url).content.decode()
    assert "Record the outcome" not in page  # the chair's task
    assert client.post(url, {}).status_code == 404

    client.force_login(conference_chair)
    page = client.get(url).content.decode()
    assert "Record the outcome" in page and "Attended by video" in page
    invitations = {i.name: i.pk for i in conference.invitations.all()}
    children = {c.referral_id: c.pk for c in conference.children.all()}
    data = {
        "version": str(conference.version),
        "child_views": "Anna drew her family; Kevin did not want to come.",
        "summary": "Neglect of both children's basic needs.",
        f"attendance_{invitations['Dawn Hale']}": "video",
        f"report_{invitations['Dawn Hale']}": "on",
        f"attendance_{invitations['Marie Therese']}": "in_person",
        f"decision_{children[anna.pk]}": "plan",
        f"category_{children[anna.pk]}": "NEG",
        f"decision_{children[kevin.pk]}": "plan",
    }
    response = client.post(url, data)
    assert f"Choose the category of the plan for {kevin.person.full_name}" in response.content.decode()
    assert not ChildProtectionPlan.objects.exists()

    data[f"category_{children[kevin.pk]}"] = "EMO"
    response = client.post(url, data)

    assert response.status_code == 302
    assert dict(ChildProtectionPlan.objects.values_list("person_id", "latest_category")) == {
        anna.person_id: "NEG",
        kevin.person_id: "EMO",
    }
    assert set(conference.invitations.values_list("name", "attendance", "report_received")) == {
        ("Dawn Hale", "video", True),
        ("Marie Therese", "in_person", False),
    }
    page = client.get(url).content.decode()
    assert "Attended by video" in page and "Anna drew her family" in page
    assert 'name="version"' not in page  # recorded once


@travel(NOW, tick=False)
def test_a_stale_outcome_form_shows_the_conflict(
    client: Client, social_worker: User, conference_chair: User
) -> None:
    referral = make_referral(worker=social_worker, referred_on=D(2026, 3, 2))
    make_discussion([referral], held_on=D(2026, 3, 3))
    conference = make_conference([referral], date=D(2026, 3, 20))
    ChildProtectionConference.objects.filter(pk=conference.pk).update(version=2)
    child = conference.children.get()
    data = {
        "version": "1",
        "child_views": "x",
        "summary": "My careful summary",
        f"decision_{child.pk}": "no_plan",
    }
    data |= {f"attendance_{i.pk}": "apologies" for i in conference.invitations.all()}
    response = _login(client, conference_chair).post(
        reverse("casework:conference", args=[conference.pk]), data
    )
    page = response.content.decode()
    assert "Someone else saved changes to this conference" in page
    assert "My careful summary" in page


@travel(NOW, tick=False)
def test_the_chairs_list(client: Client, conference_chair: User) -> None:
    upcoming = make_journey(start=D(2026, 3, 1))
    ConferenceChild.objects.create(
        conference=make_conference([], date=D(2026, 3, 27), kind="review"), referral=upcoming.referral
    )
    late = make_referral(referred_on=D(2026, 2, 1))
    make_discussion([late], held_on=D(2026, 2, 2))
    ChildProtectionConference.objects.filter(pk=make_conference([late], date=D(2026, 3, 2)).pk).update(
        due_on=D(2026, 2, 23)
    )

    page = _login(client, conference_chair).get(reverse("casework:conferences")).content.decode()

    assert "Awaiting their outcome" in page and "Coming up" in page and "Held in the last 90 days" in page
    assert "27 March 2026" in page and "15 March 2026" in page
    assert late.person.full_name in page and "Overdue" in page


@travel(NOW, tick=False)
def test_the_plan_page_and_ending_it(client: Client, social_worker: User) -> None:
    journey = make_journey(start=D(2026, 1, 5))
    plan = journey.plan
    page = _login(client, social_worker).get(reverse("casework:plan", args=[plan.pk])).content.decode()
    assert "Neglect" in page and "Overdue" in page and "26 January 2026" in page
    assert AccessLogEntry.objects.filter(action="view", record_id=str(plan.pk)).exists()

    url = reverse("casework:end_plan", args=[plan.pk])
    response = client.post(url, {**_date("ended_on", D(2026, 1, 1)), "reason": "moved", "version": "1"})
    assert "The plan cannot end before it started on 19 January 2026" in response.content.decode()
    response = client.post(url, {**_date("ended_on", D(2026, 3, 19)), "reason": "moved", "version": "1"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.ended_on, plan.end_reason) == (D(2026, 3, 19), "moved")
    response = client.post(url, {**_date("ended_on", D(2026, 3, 18)), "reason": "died", "version": "1"})
    assert "Someone else saved changes to this plan" in response.content.decode()


@travel(NOW, tick=False)
def test_the_first_core_group_is_pre_filled_from_the_conference(client: Client, social_worker: User) -> None:
    referral = make_referral(worker=social_worker, referred_on=D(2026, 3, 2))
    make_discussion([referral], held_on=D(2026, 3, 3))
    conference = make_conference([referral], date=D(2026, 3, 10), held=True)
    plan = make_plan(referral, started_on=D(2026, 3, 10))
    conference.children.update(plan=plan, decision="plan", category="NEG")
    officer = make_practitioner()
    url = reverse("casework:new_core_group", args=[plan.pk])

    page = _login(client, social_worker).get(url).content.decode()

    assert "Dawn Hale, Detective constable (Riverford Police)" in page
    assert 'value="01632 960111"' in page and 'value="dawn.hale@police.example.gov.uk"' in page
    assert "Marie Therese (parent or carer)" in page
    assert "Social Worker Persona" in page  # the allocated worker
    parent_key = f"i{conference.invitations.get(family_role='parent').pk}"
    worker_key = f"p{social_worker.practitioner.pk}"
    response = client.post(
        url,
        {
            **_date("held_on", D(2026, 3, 19)),
            f"member_p{officer.pk}": "on",
            f"attended_p{officer.pk}": "on",
            f"phone_p{officer.pk}": "07700 900123",
            f"email_p{officer.pk}": "dawn.hale@police.example.gov.uk",
            f"contact_p{officer.pk}": "phone",
            f"agreed_p{officer.pk}": "on",
            f"member_{parent_key}": "on",
            f"member_{worker_key}": "on",
            f"attended_{worker_key}": "on",
            "extra_name_1": "Ms Patel",
            "extra_agency_1": str(
                make_practitioner("Ms Patel", agency="Riverside Primary School", kind="school").agency_id
            ),
            "phone_extra_1": "01632 960222",
        },
    )

    meeting = CoreGroupMeeting.objects.get()
    assert response.status_code == 302
    members = {m.name: m for m in meeting.members.all()}
    assert set(members) == {"Dawn Hale", "Marie Therese", "Social Worker Persona", "Ms Patel"}
    assert (members["Dawn Hale"].phone, members["Dawn Hale"].preferred_contact) == ("07700 900123", "phone")
    assert members["Dawn Hale"].contact_details_agreed and not members["Marie Therese"].attended
    assert members["Ms Patel"].phone == "01632 960222"
    plan.refresh_from_db()
    assert plan.next_core_group_due == D(2026, 4, 16)
    page = client.get(reverse("casework:core_group", args=[meeting.pk])).content.decode()
    assert "07700 900123" in page and "Ms Patel" in page

    # The next meeting starts from this one's members.
    page = client.get(url).content.decode()
    assert "Ms Patel (Riverside Primary School)" in page


@travel(NOW, tick=False)
def test_recording_a_visit(client: Client, social_worker: User) -> None:
    referral = make_referral(worker=social_worker, referred_on=D(2026, 3, 2))
    plan = make_plan(referral, started_on=D(2026, 3, 10))
    url = reverse("casework:new_visit", args=[referral.pk])
    page = _login(client, social_worker).get(url).content.decode()
    assert 'name="visited_on_day" value="20"' in page and "24 March 2026" in page

    response = client.post(
        url, {**_date("visited_on", D(2026, 3, 20)), "child_seen": "no", "seen_alone": "yes"}
    )
    assert "The child cannot have been seen alone if they were not seen" in response.content.decode()
    assert not Visit.objects.exists()

    response = client.post(
        url, {**_date("visited_on", D(2026, 3, 20)), "child_seen": "yes", "seen_alone": "yes"}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.next_visit_due == D(2026, 4, 7)


@travel(NOW, tick=False)
def test_the_episode_summary_renders_with_next_steps(social_worker: User, conference_chair: User) -> None:
    journey = make_journey(start=D(2026, 1, 5))
    held = make_conference([journey.referral], date=D(2026, 3, 19), kind="review")
    protection = episode_protection(conference_chair, journey.referral, today=timezone.localdate())

    html = render_to_string("casework/protection/_episode.html", {"protection": protection})

    assert "<h1" not in html
    assert "Child protection plan: Neglect" in html
    assert reverse("casework:conference", args=[held.pk]) in html
    assert "Record the outcome of the review conference on 19 March 2026" in html
    assert reverse("casework:section47", args=[journey.section47.pk]) in html
    assert reverse("casework:new_visit", args=[journey.referral.pk]) not in html  # a chair records no visits

    mine = render_to_string(
        "casework/protection/_episode.html",
        {"protection": episode_protection(social_worker, journey.referral, today=timezone.localdate())},
    )
    assert reverse("casework:new_visit", args=[journey.referral.pk]) in mine
    assert reverse("casework:new_core_group", args=[journey.plan.pk]) in mine
    assert "Record the outcome of" not in mine


def test_someone_who_cannot_see_the_child_gets_not_found(client: Client, school_dsl: User) -> None:
    journey = make_journey()
    client.force_login(school_dsl)
    for name, pk in [
        ("casework:strategy_discussion", journey.discussion.pk),
        ("casework:section47", journey.section47.pk),
        ("casework:conference", journey.conference.pk),
        ("casework:plan", journey.plan.pk),
        ("casework:core_group", journey.core_group.pk),
    ]:
        assert client.get(reverse(name, args=[pk])).status_code == 404
