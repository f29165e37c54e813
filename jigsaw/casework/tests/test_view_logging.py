"""Every casework page that shows a child writes an access-log row naming that child, the
form pages and the lists included (DESIGN: "every read of a child's record is logged")."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from jigsaw.access.models import AccessLogSubject
from jigsaw.people.models import Person
from tests.casework_factories import make_contact, make_referral
from tests.factories import make_person
from tests.protection_factories import make_conference

pytestmark = pytest.mark.django_db


def _logged_views_of(person: Person) -> int:
    return AccessLogSubject.objects.filter(record_type="people.person", record_id=str(person.pk)).count()


@pytest.mark.parametrize(
    "url_name",
    [
        "casework:start_assessment",
        "casework:new_cin_plan",
        "casework:new_looked_after",
        "casework:close_referral",
    ],
)
def test_the_episode_form_pages_log_the_child(client: Client, social_worker: User, url_name: str) -> None:
    referral = make_referral(worker=social_worker)
    client.force_login(social_worker)
    before = _logged_views_of(referral.person)

    assert client.get(reverse(url_name, args=[referral.pk])).status_code == 200

    assert _logged_views_of(referral.person) == before + 1


@pytest.mark.parametrize("url_name", ["casework:new_early_help", "casework:new_contact"])
def test_the_pages_that_start_from_a_child_log_the_child(
    client: Client, team_manager: User, url_name: str
) -> None:
    child = make_person()
    client.force_login(team_manager)

    assert client.get(reverse(url_name, args=[child.pk])).status_code == 200

    assert _logged_views_of(child) == 1


def test_the_front_door_queue_logs_the_children_it_names(client: Client, front_door_officer: User) -> None:
    waiting = make_contact()
    client.force_login(front_door_officer)

    client.get(reverse("casework:front_door"))

    assert _logged_views_of(waiting.person) == 1


def test_the_chairs_list_logs_the_children_it_names(client: Client, conference_chair: User) -> None:
    referral = make_referral()
    make_conference([referral])
    client.force_login(conference_chair)

    client.get(reverse("casework:conferences"))

    assert _logged_views_of(referral.person) == 1
