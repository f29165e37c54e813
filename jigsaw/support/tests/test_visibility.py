"""The new roles: business support officers and social work assistants see the tasks of
their team and those given to them, and nothing else of a child: not the child's record,
not a restricted child, not the front door; and they decide nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jigsaw.access.policy import Permission, delegated_tasks_visible_to, has_permission, people_visible_to
from jigsaw.access.roles import SOCIAL_CARE_ROLES, Role
from jigsaw.casework.actions import front_door
from jigsaw.casework.models import Contact
from jigsaw.support.tests.helpers import ask, open_episode
from tests.factories import persona, restrict

pytestmark = pytest.mark.django_db

SUPPORT = ("business_support", "social_work_assistant")


@pytest.mark.parametrize("who", SUPPORT)
def test_support_staff_are_not_social_care_case_holders(who: str) -> None:
    user = persona(who)
    assert Role(user.practitioner.role) not in SOCIAL_CARE_ROLES
    for permission in (
        Permission.VIEW_PERSON,
        Permission.FIND_PEOPLE,
        Permission.VIEW_CASEWORK,
        Permission.RECORD_CASEWORK,
        Permission.DECIDE_CONTACT,
        Permission.AUTHORISE_DECISION,
        Permission.BREAK_GLASS,
        Permission.REQUEST_SUPPORT,
    ):
        assert not has_permission(user, permission), permission
    assert has_permission(user, Permission.DO_SUPPORT_TASKS)
    assert not people_visible_to(user).exists()


@pytest.mark.parametrize("who", SUPPORT)
def test_they_see_their_teams_task_but_not_the_childs_record(client: Client, who: str) -> None:
    task = ask()
    client.force_login(persona(who))
    assert client.get(reverse("support:task", args=[task.pk])).status_code == 200
    assert client.get(reverse("people:detail", args=[task.person_id])).status_code == 404
    assert client.get(reverse("casework:referral", args=[task.referral_id])).status_code == 404


def test_a_business_support_officer_cannot_see_a_restricted_childs_task() -> None:
    task = ask()
    restriction = restrict(task.person)
    officer = persona("business_support")
    assert not delegated_tasks_visible_to(officer).filter(pk=task.pk).exists()
    restriction.permitted_users.add(officer)
    assert delegated_tasks_visible_to(officer).filter(pk=task.pk).exists()


def test_a_restricted_childs_task_is_not_found_on_its_page(client: Client) -> None:
    task = ask()
    restrict(task.person)
    client.force_login(persona("business_support"))
    assert client.get(reverse("support:task", args=[task.pk])).status_code == 404
    queue = client.get(reverse("support:queue"))
    assert task.person.full_name not in queue.content.decode()


def test_a_business_support_officer_cannot_decide_a_contact() -> None:
    referral = open_episode()
    contact = Contact.objects.create(
        person=referral.person,
        received_at=timezone.now(),
        source="2A",
        concern="Bruising seen at school",
        consent="given",
        decision_due=timezone.localdate(),
        recorded_by=persona("front_door_officer"),
    )
    with pytest.raises(PermissionDenied):
        front_door.decide_contact(
            actor=persona("business_support"),
            contact_id=contact.pk,
            decision="nfa",
            reason="Not for us",
            expected_version=contact.version,
        )
    contact.refresh_from_db()
    assert contact.decided_at is None


@pytest.mark.parametrize("who", ["analyst", "gp", "partnership_member", "front_door_officer"])
def test_other_roles_see_no_task(who: str) -> None:
    ask()
    assert not delegated_tasks_visible_to(persona(who)).exists()
