"""Every URL, every role: the status each gets. A new URL must be added here to pass."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from jigsaw.access.models import SubjectAccessRequest
from jigsaw.access.roles import Role
from jigsaw.casework.models import Contact
from jigsaw.people.models import Person
from tests.factories import PERSONAS, make_person, open_by_breaking_glass, persona, restrict
from tests.matrix import EXPECTED, RECORDS

ROLES = ["anonymous", *PERSONAS]
SOCIAL_CARE = {"social_worker", "team_manager", "front_door_officer", "conference_chair"}
RECORDERS = SOCIAL_CARE - {"conference_chair"}


def _status(url_name: str, who: str) -> int:
    """The expected status of a GET of `url_name` by `who`."""
    if url_name in {"health", "session_status"}:
        return 200
    if url_name == "login":
        return 200 if who == "anonymous" else 302
    if url_name.startswith("api:"):
        return EXPECTED[url_name](who)  # systems with tokens, not sign-in: tests/matrix/partners_feeds.py
    if url_name.startswith("voice:family_"):
        return EXPECTED[url_name](who)  # the family's feedback link, no sign-in: tests/matrix/voice.py
    if who == "anonymous":
        return 302  # to the sign-in page
    if url_name in {"logout", "session_keep_alive"}:
        return 405  # a POST only
    if url_name == "second_factor":
        return 302  # nobody here has an authenticator yet: to set one up
    if url_name == "second_factor_setup":
        return 200
    if url_name in EXPECTED:
        return EXPECTED[url_name](who)
    if url_name == "home":
        return 200
    if url_name == "admin:index":
        return 200 if who == "administrator" else 302
    if url_name == "people:search":
        return 200 if who in SOCIAL_CARE else 403
    if url_name == "people:create":
        return 200 if who in RECORDERS else 403
    if url_name == "people:detail":
        return 200 if who in SOCIAL_CARE else 404
    if url_name in {
        "people:edit",
        "people:add_name",
        "people:add_identifier",
        "people:record_move",
        "people:add_relationship",
        "people:add_household_member",
    }:
        return 200 if who in RECORDERS else 404
    if url_name == "access:overview":
        return 200 if who == "data_protection_officer" else 403
    if url_name in {"access:history", "access:history_csv"}:
        return 200 if who == "data_protection_officer" else 404
    if url_name == "access:review":
        return 200 if who == "data_protection_officer" else 403
    if url_name == "access:break_glass":
        return 200 if who in SOCIAL_CARE else 403
    if url_name == "casework:front_door":
        return 200 if who in SOCIAL_CARE else 403
    if url_name == "casework:new_contact":
        return 200 if who in RECORDERS else 403
    if url_name == "casework:contact":
        return 200 if who in SOCIAL_CARE else 404
    if url_name == "casework:authorise":
        return 405  # a POST only (who may is tested in jigsaw/casework/tests)
    if url_name in {"access:new_subject_access_request", "access:subject_access_export"}:
        return 200 if who == "data_protection_officer" else 403
    if url_name == "access:restrict":
        return 200 if who in {"team_manager", "data_protection_officer"} else 403
    raise AssertionError(f"no expectation for {url_name}: add it to the permission matrix")


def _url_names() -> list[str]:
    names: list[str] = []

    def walk(patterns: list[URLPattern | URLResolver], namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue  # the admin site is checked through its index
                walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif p.name:
                names.append(f"{namespace}{p.name}")

    walk(get_resolver().url_patterns, "")
    return sorted([*names, "admin:index"])


URL_NAMES = _url_names()


def _args_for(url_name: str, person: Person) -> list[object]:
    """The arguments a URL needs: most take a person; some a restricted person, a review or
    a subject access request."""
    if url_name == "access:subject_access_export":
        sar = SubjectAccessRequest.objects.create(
            person=person,
            requested_by="The subject",
            received_on=timezone.localdate(),
            due_on=timezone.localdate(),
            recorded_by=persona("data_protection_officer"),
        )
        return [sar.pk, "json"]
    if url_name in RECORDS:
        return RECORDS[url_name](person)
    return [_record_for(url_name, person)]


def _record_for(url_name: str, person: Person) -> int:
    if url_name in {"casework:contact", "casework:authorise"}:
        return Contact.objects.create(
            person=person,
            received_at=timezone.now(),
            source="2A",
            concern="Bruising seen at school",
            consent="given",
            decision_due=timezone.localdate(),
            recorded_by=persona("front_door_officer"),
        ).pk
    if url_name == "access:break_glass":
        return restrict(make_person(family_name="Restricted")).person_id
    if url_name == "access:review":
        return open_by_breaking_glass(restrict(make_person(family_name="Restricted")).person).pk
    return person.pk


def test_every_role_is_in_the_matrix() -> None:
    assert {PERSONAS[p][0] for p in PERSONAS} == set(Role)


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", URL_NAMES)
@pytest.mark.parametrize("who", ROLES)
def test_url_status_for_role(client: Client, url_name: str, who: str) -> None:
    expected = _status(url_name, who)
    person = make_person()
    try:
        url = reverse(url_name)
    except NoReverseMatch:
        url = reverse(url_name, args=_args_for(url_name, person))
    if who != "anonymous":
        client.force_login(persona(who))

    response = client.get(url)

    assert response.status_code == expected, f"{who} GET {url}"
    if who == "anonymous" and expected == 302:
        final = client.get(url, follow=True).redirect_chain[-1][0]
        assert final.startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize("who", sorted(set(PERSONAS) - RECORDERS))
def test_roles_that_may_not_record_cannot_post_either(client: Client, who: str) -> None:
    person = make_person(family_name="Untouched")
    client.force_login(persona(who))

    client.post(reverse("people:create"), {"family_name": "Intruder"})
    client.post(reverse("people:edit", args=[person.pk]), {"family_name": "Changed", "version": 1})

    person.refresh_from_db()
    assert person.family_name == "Untouched"
    assert not person.__class__.objects.filter(family_name="Intruder").exists()
