from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from time_machine import travel

from jigsaw.access.models import AccessLogEntry
from jigsaw.casework import actions
from jigsaw.casework.models import ChronologyEntry, Contact, EarlyHelpEpisode, Referral
from jigsaw.casework.queries import front_door_queue
from tests.factories import make_person

pytestmark = pytest.mark.django_db

LONDON = datetime.timezone(datetime.timedelta(0))
FRIDAY_AFTERNOON = datetime.datetime(2026, 11, 20, 15, 30, tzinfo=LONDON)


def _contact(actor: User) -> Contact:
    return actions.record_contact(
        actor=actor,
        person_id=make_person().pk,
        received_at=FRIDAY_AFTERNOON,
        source="2A",
        concern="Bruises on the arms seen at PE; the child said 'Dad was angry'.",
        consent="not_sought",
        urgency="same_day",
        referrer_name="Ms Patel, DSL",
    )


@travel(datetime.datetime(2026, 11, 20, 16, tzinfo=LONDON), tick=False)
def test_a_friday_contact_is_due_on_monday(front_door_officer: User) -> None:
    contact = _contact(front_door_officer)
    assert contact.decision_due == datetime.date(2026, 11, 23)
    entry = AccessLogEntry.objects.get(action="record_contact")
    assert entry.record_id == str(contact.pk)


def test_partners_and_chairs_cannot_record(school_dsl: User, conference_chair: User) -> None:
    for user in (school_dsl, conference_chair):
        with pytest.raises(PermissionDenied):
            _contact(user)


def test_a_contact_received_in_the_future_is_refused(front_door_officer: User) -> None:
    with pytest.raises(ValidationError) as raised:
        actions.record_contact(
            actor=front_door_officer,
            person_id=make_person().pk,
            received_at=datetime.datetime(2099, 1, 1, tzinfo=LONDON),
            source="6",
            concern="x",
            consent="given",
        )
    assert "received_at" in raised.value.message_dict
    assert Contact.objects.count() == 0


def test_decide_then_authorise_by_another_manager(front_door_officer: User, team_manager: User) -> None:
    contact = _contact(front_door_officer)
    actions.decide_contact(
        actor=front_door_officer,
        contact_id=contact.pk,
        expected_version=1,
        decision="strategy",
        reason="Injury and disclosure: threshold for a strategy discussion met",
        primary_need="N1",
    )
    with pytest.raises(PermissionDenied):
        actions.authorise_decision(actor=front_door_officer, contact_id=contact.pk)
    actions.authorise_decision(actor=team_manager, contact_id=contact.pk)
    contact.refresh_from_db()
    assert (contact.decision, contact.authorised_by) == ("strategy", team_manager)


def test_a_decision_to_assess_asks_for_the_primary_need(front_door_officer: User) -> None:
    contact = _contact(front_door_officer)
    with pytest.raises(ValidationError) as raised:
        actions.decide_contact(
            actor=front_door_officer,
            contact_id=contact.pk,
            expected_version=1,
            decision="assessment",
            reason="Needs an assessment",
        )
    assert "primary_need" in raised.value.message_dict
    contact.refresh_from_db()
    assert (contact.decision, contact.version) == ("", 1)


def test_authorising_a_decision_to_assess_opens_the_referral_from_the_contact(
    front_door_officer: User, team_manager: User
) -> None:
    contact = _contact(front_door_officer)
    actions.decide_contact(
        actor=front_door_officer,
        contact_id=contact.pk,
        expected_version=1,
        decision="assessment",
        reason="Repeated bruising: assess",
        primary_need="N1",
    )
    assert not Referral.objects.exists()  # not until a manager authorises

    actions.authorise_decision(actor=team_manager, contact_id=contact.pk)

    referral = Referral.objects.get()
    assert (
        referral.person,
        referral.contact,
        referral.referred_on,
        referral.source,
        referral.primary_need,
    ) == (
        contact.person,
        contact,
        FRIDAY_AFTERNOON.date(),
        "2A",
        "N1",
    )
    assert referral.allocated_worker is None
    assert referral.team == team_manager.practitioner.team
    assert list(
        ChronologyEntry.objects.filter(person=contact.person).order_by("pk").values_list("kind", flat=True)
    ) == ["contact", "decision", "referral"]
    assert AccessLogEntry.objects.filter(action="open_referral", record_id=str(referral.pk)).exists()


def test_authorising_early_help_opens_an_early_help_episode(
    front_door_officer: User, team_manager: User
) -> None:
    contact = _contact(front_door_officer)
    actions.decide_contact(
        actor=front_door_officer,
        contact_id=contact.pk,
        expected_version=1,
        decision="early_help",
        reason="Family agree to support from the school",
        primary_need="N4",
    )
    actions.authorise_decision(actor=team_manager, contact_id=contact.pk)
    contact.refresh_from_db()
    episode = EarlyHelpEpisode.objects.get()
    assert (episode.person, episode.contact, episode.lead_professional) == (contact.person, contact, None)
    assert contact.primary_need == ""  # only a referral records it
    assert not Referral.objects.exists()


def test_a_manager_cannot_authorise_their_own_decision(front_door_officer: User, team_manager: User) -> None:
    contact = _contact(front_door_officer)
    actions.decide_contact(
        actor=team_manager, contact_id=contact.pk, expected_version=1, decision="nfa", reason="No concern"
    )
    with pytest.raises(ValidationError, match="another manager must authorise it"):
        actions.authorise_decision(actor=team_manager, contact_id=contact.pk)
    # The database refuses it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.filter(pk=contact.pk).update(authorised_by=team_manager)


def test_two_deciders_at_once_the_second_is_told(front_door_officer: User, team_manager: User) -> None:
    contact = _contact(front_door_officer)
    actions.decide_contact(
        actor=front_door_officer,
        contact_id=contact.pk,
        expected_version=1,
        decision="early_help",
        reason="Family agree",
    )
    with pytest.raises(actions.EditConflict):
        actions.decide_contact(
            actor=team_manager, contact_id=contact.pk, expected_version=1, decision="nfa", reason="x"
        )
    contact.refresh_from_db()
    assert contact.decision == "early_help"


@travel(datetime.datetime(2026, 11, 24, 9, tzinfo=LONDON), tick=False)
def test_the_queue_shows_what_is_overdue(front_door_officer: User) -> None:
    contact = _contact(front_door_officer)
    queue = front_door_queue(front_door_officer, today=datetime.date(2026, 11, 24))
    assert [(r.contact, r.overdue) for r in queue["decision"]] == [(contact, True)]


def test_the_pages(client: Client, front_door_officer: User, team_manager: User) -> None:
    person = make_person()
    client.force_login(front_door_officer)
    response = client.post(
        reverse("casework:new_contact", args=[person.pk]),
        {
            "received_on_day": "20",
            "received_on_month": "11",
            "received_on_year": "2026",
            "received_time": "15:30",
            "source": "3E",
            "concern": "Child brought to A&E with a burn",
            "consent": "given",
            "urgency": "immediate",
        },
    )
    contact = Contact.objects.get()
    assert response["Location"] == reverse("casework:contact", args=[contact.pk])
    assert "Immediate" in client.get(reverse("casework:front_door")).content.decode()
    client.post(
        reverse("casework:contact", args=[contact.pk]),
        {"decision": "strategy", "reason": "Burn, unexplained", "version": "1", "primary_need": "N1"},
    )
    client.force_login(team_manager)
    assert (
        "Authorise this decision"
        in client.get(reverse("casework:contact", args=[contact.pk])).content.decode()
    )
    response = client.post(reverse("casework:authorise", args=[contact.pk]))
    contact.refresh_from_db()
    assert contact.authorised_by == team_manager
    assert response["Location"] == reverse("casework:referral", args=[contact.referral.pk])
