"""The episode of need's pages as each persona uses them, and Hypothesis at every form."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from time_machine import travel

from jigsaw.access.models import AccessLogEntry
from jigsaw.casework.models import (
    Assessment,
    ChildInNeedPlan,
    ChildInNeedPlanReview,
    EarlyHelpEpisode,
    LookedAfterEpisode,
    Referral,
)
from jigsaw.partners.models import NamedProfessional, Practitioner
from tests.casework_factories import make_referral
from tests.episode_factories import (
    another_manager,
    make_assessment,
    make_cin_plan,
    make_early_help,
    make_looked_after,
)
from tests.factories import make_agency, make_person, persona
from tests.fuzzing import fuzz_form

pytestmark = pytest.mark.django_db

LONDON = datetime.timezone(datetime.timedelta(0))
D = datetime.date


def _date(name: str, day: datetime.date) -> dict[str, str]:
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


def _page(client: Client, name: str, *args: object) -> str:
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


@travel(datetime.datetime(2027, 2, 1, 9, tzinfo=LONDON), tick=False)
def test_the_episode_page(client: Client, social_worker: User) -> None:
    person = make_person()
    make_referral(person, referred_on=D(2026, 3, 2), closed_on=D(2026, 4, 1), closure_reason="RC8")
    referral = make_referral(person, referred_on=D(2026, 11, 23), primary_need="N1", source="3E")
    make_assessment(referral, started_on=D(2026, 11, 24), due_on=D(2027, 1, 28))
    client.force_login(social_worker)

    html = _page(client, "casework:referral", referral.pk)

    assert "Episode of need from 23 November 2026" in html
    assert "Re-referral" in html
    assert "Unallocated" in html
    assert "N1 Abuse or neglect" in html and "Health: A&amp;E" in html
    assert "28 January 2027" in html and "Overdue" in html
    assert "Child protection" in html  # the protection part of the page
    assert reverse("casework:new_strategy_discussion", args=[referral.pk]) in html
    assert reverse("casework:new_cin_plan", args=[referral.pk]) in html
    assert reverse("casework:close_referral", args=[referral.pk]) in html
    # An assessment is in progress: no second one is offered.
    assert reverse("casework:start_assessment", args=[referral.pk]) not in html
    entry = AccessLogEntry.objects.filter(action="view").latest("pk")
    assert (entry.user, entry.record_type, entry.record_id) == (
        social_worker,
        "casework.referral",
        str(referral.pk),
    )


def test_the_chair_reads_but_is_offered_nothing_to_record(client: Client, conference_chair: User) -> None:
    referral = make_referral(worker=persona("social_worker"))
    client.force_login(conference_chair)
    html = _page(client, "casework:referral", referral.pk)
    assert "Social Worker Persona" in html and "Unallocated" not in html
    assert reverse("casework:start_assessment", args=[referral.pk]) not in html
    assert reverse("casework:close_referral", args=[referral.pk]) not in html


def test_partners_find_nothing(client: Client, school_dsl: User) -> None:
    referral = make_referral()
    # Even a partner named for the child sees no casework.
    NamedProfessional.objects.create(
        person=referral.person,
        practitioner=school_dsl.practitioner,
        involvement="Designated safeguarding lead",
    )
    client.force_login(school_dsl)
    for name, pk in [
        ("casework:referral", referral.pk),
        ("casework:assessment", make_assessment(referral).pk),
        ("casework:cin_plan", make_cin_plan(referral).pk),
        ("casework:early_help", make_early_help(referral.person).pk),
        ("casework:looked_after", make_looked_after(referral).pk),
    ]:
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
    assert client.get(reverse("casework:close_referral", args=[referral.pk])).status_code == 403


@travel(datetime.datetime(2026, 12, 1, 10, tzinfo=LONDON), tick=False)
def test_start_record_complete_and_authorise_an_assessment(
    client: Client, social_worker: User, team_manager: User
) -> None:
    referral = make_referral(referred_on=D(2026, 11, 23), worker=social_worker)
    client.force_login(social_worker)
    url = reverse("casework:start_assessment", args=[referral.pk])
    html = _page(client, "casework:start_assessment", referral.pk)
    assert 'name="started_on_month" value="12"' in html  # pre-filled today
    assert "The assessment is due by 28 January 2027, counted from the referral on 23 November 2026" in html
    response = client.post(url, _date("started_on", D(2026, 12, 1)))
    assessment = Assessment.objects.get()
    assert response["Location"] == reverse("casework:assessment", args=[assessment.pk])

    url = reverse("casework:assessment", args=[assessment.pk])
    form = {"version": "1", **_date("child_seen_on", D(2026, 12, 1)), "seen_alone": "yes", "outcome": "nfa"}
    refused = client.post(url, {**form, "factors": ["21", "4B"]})
    assert refused.status_code == 200
    assert "cannot be chosen with other factors" in refused.content.decode()
    assert 'value="4B" checked' in refused.content.decode()  # nothing the worker ticked is lost

    saved = client.post(url, {**form, "factors": ["21"], "analysis": "Seen at home with mother."})
    assert saved.status_code == 302
    completed = client.post(
        url,
        {**form, "version": "2", "factors": ["21"], "analysis": "Seen at home with mother.", "complete": "1"},
    )
    assert completed.status_code == 302
    assessment.refresh_from_db()
    assert (assessment.completed_on, assessment.seen_alone, assessment.analysis) == (
        D(2026, 12, 1),
        True,
        "Seen at home with mother.",
    )

    # The worker's own page says a manager authorises it; the manager's offers the button.
    assert "Authorise this assessment" not in _page(client, "casework:assessment", assessment.pk)
    client.force_login(team_manager)
    assert "Authorise this assessment" in _page(client, "casework:assessment", assessment.pk)
    response = client.post(reverse("casework:authorise_assessment", args=[assessment.pk]), follow=True)
    html = response.content.decode()
    assert "The assessment is authorised. Next: propose closing the episode (RC8)" in html
    assert "Propose closure (RC8)" in html

    close = _page(client, "casework:close_referral", referral.pk)
    assert 'value="RC8" checked' in close


def test_self_authorisation_is_refused_with_a_message(client: Client, team_manager: User) -> None:
    assessment = make_assessment(make_referral(), completed_by=team_manager)
    client.force_login(team_manager)
    assert "You completed this assessment" in _page(client, "casework:assessment", assessment.pk)
    response = client.post(reverse("casework:authorise_assessment", args=[assessment.pk]), follow=True)
    assert "You completed this assessment: another manager must authorise it" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.authorised_at is None
    assert client.get(reverse("casework:authorise_assessment", args=[assessment.pk])).status_code == 405


def test_a_stale_assessment_form_keeps_the_users_input(client: Client, social_worker: User) -> None:
    assessment = make_assessment(make_referral())
    Assessment.objects.filter(pk=assessment.pk).update(version=2, analysis="Theirs")
    client.force_login(social_worker)
    response = client.post(
        reverse("casework:assessment", args=[assessment.pk]),
        {"version": "1", "analysis": "Mine, typed for an hour", "factors": ["16A"]},
    )
    html = response.content.decode()
    assert "Someone else saved changes to this assessment" in html
    assert "Mine, typed for an hour" in html
    assessment.refresh_from_db()
    assert assessment.analysis == "Theirs"


def test_an_authorised_cin_plan_outcome_leads_to_the_plan_form(client: Client, social_worker: User) -> None:
    referral = make_referral(worker=social_worker)
    make_assessment(
        referral,
        completed_by=social_worker,
        outcome="cin_plan",
        authorised_by=another_manager(),
        authorised_at=timezone.now(),
    )
    client.force_login(social_worker)
    html = _page(client, "casework:referral", referral.pk)
    assert "Record the child in need plan" in html
    client.post(
        reverse("casework:new_cin_plan", args=[referral.pk]), _date("started_on", timezone.localdate())
    )
    plan = ChildInNeedPlan.objects.get()
    html = _page(client, "casework:cin_plan", plan.pk)
    assert "No review yet" in html

    # A review before the plan: refused on the review form, the end form untouched.
    response = client.post(
        reverse("casework:cin_plan", args=[plan.pk]),
        {
            "review-version": "1",
            **_date("review-reviewed_on", plan.started_on - datetime.timedelta(days=3)),
            "review-summary": "x",
        },
    )
    assert "The review cannot be before the plan started" in response.content.decode()
    client.post(
        reverse("casework:cin_plan", args=[plan.pk]),
        {
            "review-version": "1",
            **_date("review-reviewed_on", plan.started_on),
            "review-summary": "Going well",
        },
    )
    assert ChildInNeedPlanReview.objects.get().summary == "Going well"
    response = client.post(
        reverse("casework:cin_plan", args=[plan.pk]),
        {"end-version": "2", **_date("end-ended_on", plan.started_on - datetime.timedelta(days=1))},
    )
    assert "The plan cannot end before it started" in response.content.decode()
    client.post(
        reverse("casework:cin_plan", args=[plan.pk]),
        {"end-version": "2", **_date("end-ended_on", plan.started_on)},
    )
    plan.refresh_from_db()
    assert plan.ended_on == plan.started_on


def test_early_help_pages(client: Client, social_worker: User) -> None:
    person = make_person()
    visitor = Practitioner.objects.create(
        full_name="Zara Young",
        agency=make_agency("Riverford Health Visiting", "health_visiting"),
        role="partner_practitioner",
        job_title="Health visitor",
    )
    NamedProfessional.objects.create(person=person, practitioner=visitor, involvement="Health visitor")
    persona("gp")
    client.force_login(social_worker)
    html = _page(client, "casework:new_early_help", person.pk)
    # Those already working with the child are listed first, before everyone (A to Z).
    order = [
        html.index(text) for text in ("Already working", "Zara Young", "All practitioners", "Gp Persona")
    ]
    assert order == sorted(order)
    client.post(
        reverse("casework:new_early_help", args=[person.pk]), _date("started_on", timezone.localdate())
    )
    episode = EarlyHelpEpisode.objects.get()
    assert "Not agreed yet" in _page(client, "casework:early_help", episode.pk)
    client.post(
        reverse("casework:early_help", args=[episode.pk]),
        {"update-version": "1", "update-lead_professional": str(visitor.pk)},
    )
    episode.refresh_from_db()
    assert episode.lead_professional == visitor
    stale = client.post(
        reverse("casework:early_help", args=[episode.pk]),
        {"end-version": "1", **_date("end-ended_on", timezone.localdate()), "end-end_reason": "needs_met"},
    )
    assert "Someone else saved changes to this early help episode" in stale.content.decode()
    assert "already has early help" in _page(client, "casework:new_early_help", person.pk)


def test_looked_after_pages(client: Client, social_worker: User) -> None:
    referral = make_referral()
    client.force_login(social_worker)
    client.post(
        reverse("casework:new_looked_after", args=[referral.pk]),
        {**_date("started_on", referral.referred_on), "legal_status": "V2", "placement": "U6"},
    )
    episode = LookedAfterEpisode.objects.get()
    assert "V2 Single period of accommodation under section 20" in _page(
        client, "casework:referral", referral.pk
    )
    response = client.post(
        reverse("casework:looked_after", args=[episode.pk]),
        {
            "version": "1",
            **_date("ended_on", referral.referred_on - datetime.timedelta(days=1)),
            "reason_ended": "Home",
        },
    )
    assert "The episode cannot end before it started" in response.content.decode()
    client.post(
        reverse("casework:looked_after", args=[episode.pk]),
        {"version": "1", **_date("ended_on", referral.referred_on), "reason_ended": "Returned home"},
    )
    episode.refresh_from_db()
    assert episode.reason_ended == "Returned home"


def test_closing_an_episode(client: Client, social_worker: User, team_manager: User) -> None:
    referral = make_referral(worker=social_worker)
    plan = make_cin_plan(referral)
    client.force_login(social_worker)
    assert "End the child in need plan before closing the episode" in _page(
        client, "casework:close_referral", referral.pk
    )
    ChildInNeedPlan.objects.filter(pk=plan.pk).update(ended_on=referral.referred_on)
    response = client.post(
        reverse("casework:close_referral", args=[referral.pk]),
        {"version": "1", **_date("closed_on", referral.referred_on), "reason": "RC7", "summary": "Needs met"},
    )
    assert response["Location"] == reverse("casework:referral", args=[referral.pk])
    html = _page(client, "casework:referral", referral.pk)
    assert "Closure awaiting authorisation" in html and "Authorise the closure" not in html

    client.force_login(team_manager)
    assert "Authorise the closure" in _page(client, "casework:referral", referral.pk)
    client.post(reverse("casework:authorise_closure", args=[referral.pk]))
    referral.refresh_from_db()
    assert referral.closed_on == referral.referred_on and referral.allocated_worker is None
    html = _page(client, "casework:referral", referral.pk)
    assert "Closed on" in html and "Propose closure" not in html
    assert client.get(reverse("casework:authorise_closure", args=[referral.pk])).status_code == 405


def test_the_proposer_cannot_authorise_their_closure(client: Client, team_manager: User) -> None:
    referral = make_referral()
    client.force_login(team_manager)
    client.post(
        reverse("casework:close_referral", args=[referral.pk]),
        {"version": "1", **_date("closed_on", referral.referred_on), "reason": "RC7", "summary": "Needs met"},
    )
    assert "Authorise the closure" not in _page(client, "casework:referral", referral.pk)
    response = client.post(reverse("casework:authorise_closure", args=[referral.pk]), follow=True)
    assert "You proposed this closure: another manager must authorise it" in response.content.decode()
    assert Referral.objects.get().closed_on is None


# --- Fuzzing: every form --------------------------------------------------------------

DATE_PARTS = ("_day", "_month", "_year")


def _dates(*names: str) -> list[str]:
    return [f"{name}{part}" for name in names for part in DATE_PARTS]


def test_fuzz_start_assessment(client: Client, social_worker: User) -> None:
    client.force_login(social_worker)
    fuzz_form(client, reverse("casework:start_assessment", args=[make_referral().pk]), _dates("started_on"))


def test_fuzz_assessment(client: Client, social_worker: User) -> None:
    client.force_login(social_worker)
    assessment = make_assessment(make_referral())
    fuzz_form(
        client,
        reverse("casework:assessment", args=[assessment.pk]),
        [
            "version",
            "seen_alone",
            "factors",
            "analysis",
            "outcome",
            "complete",
            *_dates("child_seen_on", "completed_on"),
        ],
    )


def test_fuzz_new_cin_plan(client: Client, social_worker: User) -> None:
    client.force_login(social_worker)
    fuzz_form(client, reverse("casework:new_cin_plan", args=[make_referral().pk]), _dates("started_on"))


def test_fuzz_cin_plan(client: Client, social_worker: User) -> None:
    client.force_login(social_worker)
    plan = make_cin_plan(make_referral())
    fuzz_form(
        client,
        reverse("casework:cin_plan", args=[plan.pk]),
        [
            "review-version",
            "review-summary",
            *_dates("review-reviewed_on"),
            "end-version",
            *_dates("end-ended_on"),
        ],
    )


def test_fuzz_new_early_help(client: Client, social_worker: User) -> None:
    client.force_login(social_worker)
    fuzz_form(
        client,
        reverse("casework:new_early_help", args=[make_person().pk]),
        ["lead_professional", *_dates("started_on")],
    )


def test_fuzz_early_help(client: Client, social_worker: User) -> None:
    client.force_login(social_worker)
    episode = make_early_help(make_person())
    fuzz_form(
        client,
        reverse("casework:early_help", args=[episode.pk]),
        [
            "update-version",
            "update-lead_professional",
            *_dates("update-assessment_completed_on"),
            "end-version",
            "end-end_reason",
            *_dates("end-ended_on"),
        ],
    )


def test_fuzz_new_looked_after(client: Client, social_worker: User) -> None:
    client.force_login(social_worker)
    fuzz_form(
        client,
        reverse("casework:new_looked_after", args=[make_referral().pk]),
        ["legal_status", "placement", *_dates("started_on")],
    )


def test_fuzz_looked_after(client: Client, social_worker: User) -> None:
    client.force_login(social_worker)
    episode = make_looked_after(make_referral())
    fuzz_form(
        client,
        reverse("casework:looked_after", args=[episode.pk]),
        ["version", "reason_ended", *_dates("ended_on")],
    )


def test_fuzz_close_referral(client: Client, social_worker: User) -> None:
    client.force_login(social_worker)
    fuzz_form(
        client,
        reverse("casework:close_referral", args=[make_referral().pk]),
        ["version", "reason", "summary", *_dates("closed_on")],
    )
