"""The pages of missing episodes and private fostering: forms that post through the
actions (a stale form is a conflict message, not an overwrite), every page that shows a
child logs it, and the panel names only the children the reader may open."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from time_machine import travel

from jigsaw.access.models import AccessLogEntry, AccessLogSubject
from jigsaw.casework.models import MissingEpisode, PrivateFosteringArrangement, PrivateFosteringVisit
from jigsaw.people.models import Person
from tests.casework_factories import make_referral
from tests.factories import make_person, persona, restrict

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2027, 4, 20, 12, 0, tzinfo=datetime.UTC)


def _logged(person: Person) -> int:
    return AccessLogSubject.objects.filter(record_type="people.person", record_id=str(person.pk)).count()


def _report(client: Client, child: Person) -> MissingEpisode:
    response = client.post(
        reverse("casework:new_missing_episode", args=[child.pk]),
        {
            "kind": "home",
            "reported_on_day": "19",
            "reported_on_month": "4",
            "reported_on_year": "2027",
            "reported_time": "22:15",
            "reported_by": "",
            "reported_by_other": "His father",
            "police_reference": "RP-1",
            "risk_factors": ["24A"],
            "circumstances": "Did not come home from football",
        },
    )
    assert response.status_code == 302, response.content.decode()
    return MissingEpisode.objects.get(person=child)


@travel(NOW, tick=False)
def test_reporting_returning_and_the_interview_through_the_pages(client: Client, social_worker: User) -> None:
    child = make_person(given_names="Tom", family_name="Reed")
    client.force_login(social_worker)
    before = _logged(child)
    assert client.get(reverse("casework:new_missing_episode", args=[child.pk])).status_code == 200

    episode = _report(client, child)
    page = client.get(reverse("casework:missing_episode", args=[episode.pk])).content.decode()
    assert "Record the return" in page and "RP-1" in page
    returned = client.post(
        reverse("casework:missing_episode", args=[episode.pk]),
        {
            "return-version": "1",
            "return-returned_on_day": "20",
            "return-returned_on_month": "4",
            "return-returned_on_year": "2027",
            "return-returned_time": "09:00",
            "return-where_found": "Came home on his own",
        },
    )
    assert returned.status_code == 302
    interview = client.post(
        reverse("casework:missing_episode", args=[episode.pk]),
        {
            "interview-version": "2",
            "interview-offered_on_day": "20",
            "interview-offered_on_month": "4",
            "interview-offered_on_year": "2027",
            "interview-offered_time": "10:00",
            "interview-response": "accepted",
            "interview-done_on_day": "20",
            "interview-done_on_month": "4",
            "interview-done_on_year": "2027",
            "interview-done_time": "11:30",
            "interview-interview_by": str(persona("team_manager").practitioner.pk),
            "interview-summary": "Stayed with a cousin",
        },
    )
    assert interview.status_code == 302

    episode.refresh_from_db()
    assert (episode.returned_at, episode.interview_in_time, episode.risk_factors) == (
        datetime.datetime(2027, 4, 20, 8, 0, tzinfo=datetime.UTC),  # 09:00 British Summer Time
        True,
        [],
    )
    # The form page, the episode page (three times: once per step) and the child's own page.
    child_page = client.get(reverse("casework:missing", args=[child.pk])).content.decode()
    assert "Done within 72 hours" in child_page
    assert _logged(child) >= before + 5


@travel(NOW, tick=False)
def test_a_stale_return_form_shows_a_conflict_and_saves_nothing(client: Client, social_worker: User) -> None:
    child = make_person()
    client.force_login(social_worker)
    episode = _report(client, child)
    MissingEpisode.objects.filter(pk=episode.pk).update(version=2)

    response = client.post(
        reverse("casework:missing_episode", args=[episode.pk]),
        {
            "return-version": "1",
            "return-returned_on_day": "20",
            "return-returned_on_month": "4",
            "return-returned_on_year": "2027",
            "return-returned_time": "09:00",
            "return-where_found": "Home",
        },
    )

    assert response.status_code == 200
    assert "Someone else saved changes to this missing episode" in response.content.decode()
    episode.refresh_from_db()
    assert episode.returned_at is None


@travel(NOW, tick=False)
def test_a_bad_time_is_a_clear_message(client: Client, social_worker: User) -> None:
    child = make_person()
    client.force_login(social_worker)
    response = client.post(
        reverse("casework:new_missing_episode", args=[child.pk]),
        {
            "kind": "home",
            "reported_on_day": "19",
            "reported_on_month": "4",
            "reported_on_year": "2027",
            "reported_time": "25:99",
        },
    )
    page = response.content.decode()
    assert "Enter time reported missing as hours and minutes, like 14:30" in page
    assert not MissingEpisode.objects.exists()


def _panel_episode(child: Person) -> None:
    MissingEpisode.objects.create(
        person=child,
        kind="home",
        reported_at=NOW - datetime.timedelta(days=3),
        reported_by_other="Mother",
        recorded_by=persona("social_worker"),
    )


@travel(NOW, tick=False)
def test_the_panel_logs_the_children_it_names_and_counts_the_restricted(
    client: Client, team_manager: User
) -> None:
    seen = make_person(given_names="Nia", family_name="Shown")
    hidden = restrict(make_person(given_names="Secret", family_name="Hidden")).person
    _panel_episode(seen)
    _panel_episode(hidden)
    client.force_login(team_manager)

    page = client.get(reverse("casework:missing_panel")).content.decode()

    assert "Nia Shown" in page and "Secret" not in page
    assert "1 not named below" in page
    entry = AccessLogEntry.objects.get(action="view_missing_panel")
    assert (entry.user, entry.record_type, entry.record_id) == (
        team_manager,
        "casework.missing_panel",
        "2026-05-01/2027-04-20",
    )
    assert entry.detail == {
        "children_listed": 1,
        "children_counted": 2,
        "subjects": ["casework.missing_panel:2026-05-01/2027-04-20", f"people.person:{seen.pk}"],
    }


@travel(NOW, tick=False)
def test_the_partnership_sees_the_figures_and_no_child(client: Client) -> None:
    _panel_episode(make_person(given_names="Nia", family_name="Shown"))
    client.force_login(persona("partnership_member"))

    page = client.get(
        reverse("casework:missing_panel"), {"start_day": "1", "start_month": "4", "start_year": "2027"}
    )

    assert "Nia" not in page.content.decode()
    assert "your role works with the figures" in page.content.decode()
    assert AccessLogEntry.objects.get(action="view_missing_panel").detail == {
        "children_listed": 0,
        "children_counted": 1,
    }


@travel(NOW, tick=False)
def test_private_fostering_through_the_pages(client: Client, social_worker: User) -> None:
    child = make_person(given_names="Ama", family_name="Mensah")
    carer = make_person(given_names="Grace", family_name="Owusu")
    make_referral(child, worker=social_worker)
    client.force_login(social_worker)

    created = client.post(
        reverse("casework:new_private_fostering", args=[child.pk]),
        {
            "carer": str(carer.pk),
            "started_on_day": "1",
            "started_on_month": "4",
            "started_on_year": "2027",
            "notified_on_day": "19",
            "notified_on_month": "4",
            "notified_on_year": "2027",
            "notified_by": "carer",
            "notifying_practitioner": "",
        },
    )
    arrangement = PrivateFosteringArrangement.objects.get(person=child)
    assert created["Location"] == reverse("casework:private_fostering", args=[arrangement.pk])
    visit = client.post(
        reverse("casework:private_fostering", args=[arrangement.pk]),
        {
            "visit-version": "1",
            "visit-visited_on_day": "20",
            "visit-visited_on_month": "4",
            "visit-visited_on_year": "2027",
            "visit-child_seen_alone": "yes",
            "visit-notes": "Settled",
        },
    )
    assert visit.status_code == 302
    assert PrivateFosteringVisit.objects.get(arrangement=arrangement).child_seen_alone is True
    page = client.get(reverse("casework:private_fostering", args=[arrangement.pk])).content.decode()
    assert "Grace Owusu" in page and "Due by 1 June 2027" in page
    person_page = client.get(reverse("people:detail", args=[child.pk])).content.decode()
    assert "Privately fostered" in person_page


@travel(NOW, tick=False)
def test_a_carer_who_is_not_in_the_index_is_refused_on_the_form(client: Client, social_worker: User) -> None:
    child = make_person()
    make_referral(child, worker=social_worker)
    client.force_login(social_worker)

    response = client.post(
        reverse("casework:new_private_fostering", args=[child.pk]),
        {
            "carer": "999999",
            "started_on_day": "1",
            "started_on_month": "4",
            "started_on_year": "2027",
            "notified_on_day": "19",
            "notified_on_month": "4",
            "notified_on_year": "2027",
            "notified_by": "carer",
        },
    )

    assert "Choose the private foster carer from the person index" in response.content.decode()
    assert not PrivateFosteringArrangement.objects.exists()
