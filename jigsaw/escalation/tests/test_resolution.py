"""Each stage ends with a recorded response and the originator's acceptance or their
choice to go on; the final outcome and what was learnt are recorded; the holder and nobody
else responds; a stale form is refused."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from jigsaw.access.models import AccessLogEntry
from jigsaw.casework.actions.common import EditConflict
from jigsaw.escalation.actions import (
    EscalationDetails,
    accept_response,
    go_to_next_stage,
    raise_escalation,
    respond,
)
from jigsaw.escalation.models import Escalation, EscalationStatus, EscalationStep, StepEnd
from jigsaw.escalation.tests.helpers import at, decided_contact, name_senior_holders, raise_nfa
from jigsaw.partners.models import Notification
from tests.casework_factories import make_referral
from tests.factories import make_person, persona

pytestmark = pytest.mark.django_db

OnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]

STAGES = [
    "Practitioner to practitioner",
    "Team manager",
    "Service manager",
    "Head of service",
    "Partnership chair",
]


def _respond(escalation: Escalation, holder: User, outcome: str = "not_upheld") -> Escalation:
    return respond(
        actor=holder,
        escalation_id=escalation.pk,
        expected_version=escalation.version,
        response=f"Reviewed at the {escalation.stage.name} stage: the decision stands",
        outcome=outcome,
        learning=f"Learning at the {escalation.stage.name} stage",
    )


def _go_on(escalation: Escalation) -> Escalation:
    return go_to_next_stage(
        actor=persona("school_dsl"),
        escalation_id=escalation.pk,
        expected_version=escalation.version,
        reason="The child is still hungry every morning",
    )


def _holders() -> list[User]:
    senior = name_senior_holders()
    return [persona("front_door_officer"), persona("team_manager"), senior[3], senior[4], senior[5]]


@pytest.mark.parametrize("stage", [0, 1, 2, 3])
def test_the_originator_accepts_the_response_at_each_stage(
    stage: int, django_capture_on_commit_callbacks: OnCommit
) -> None:
    holders = _holders()
    escalation = raise_nfa()
    for earlier in range(stage):
        escalation = _respond(escalation, holders[earlier])
        escalation = _go_on(escalation)
    assert escalation.stage.name == STAGES[stage]
    assert escalation.holder == holders[stage]

    with django_capture_on_commit_callbacks(execute=True):
        escalation = _respond(escalation, holders[stage], outcome="upheld")
    assert escalation.status == EscalationStatus.AWAITING_REPLY
    dsl = persona("school_dsl")
    assert Notification.objects.filter(
        recipient=dsl, subject__contains="accept it or go to the next stage"
    ).exists()

    escalation = accept_response(
        actor=dsl, escalation_id=escalation.pk, expected_version=escalation.version, comment="Thank you"
    )
    assert escalation.status == EscalationStatus.CLOSED
    assert escalation.outcome == "upheld"
    assert escalation.learning == f"Learning at the {STAGES[stage]} stage"
    assert escalation.closed_at is not None
    steps = list(EscalationStep.objects.filter(escalation=escalation).order_by("stage__order"))
    assert [s.ended_how for s in steps] == [StepEnd.WENT_ON] * stage + [StepEnd.ACCEPTED]
    assert [s.responded_by for s in steps] == holders[: stage + 1]
    assert steps[-1].reply == "Thank you"
    assert AccessLogEntry.objects.filter(
        action="accept_escalation_response", user=dsl, record_id=str(escalation.pk)
    ).exists()


def test_the_partnership_chairs_response_is_final() -> None:
    holders = _holders()
    escalation = raise_nfa()
    for stage in range(4):
        escalation = _go_on(_respond(escalation, holders[stage]))
    assert escalation.stage.name == "Partnership chair"
    escalation = _respond(escalation, holders[4], outcome="resolved")
    assert escalation.status == EscalationStatus.CLOSED
    assert escalation.outcome == "resolved"
    assert escalation.learning == "Learning at the Partnership chair stage"
    last = EscalationStep.objects.get(escalation=escalation, stage__order=5)
    assert last.ended_how == StepEnd.FINAL
    with pytest.raises(ValidationError):
        _go_on(escalation)


def test_going_on_needs_a_reason_and_a_response_to_reply_to() -> None:
    escalation = raise_nfa()
    with pytest.raises(ValidationError) as refused:
        _go_on(escalation)  # nothing has been said yet
    assert refused.value.message_dict == {"decision": ["There is no response to reply to at this stage"]}
    escalation = _respond(escalation, persona("front_door_officer"))
    with pytest.raises(ValidationError) as no_reason:
        go_to_next_stage(
            actor=persona("school_dsl"),
            escalation_id=escalation.pk,
            expected_version=escalation.version,
            reason=" ",
        )
    assert no_reason.value.message_dict == {"reason": ["Say why the response does not resolve your concern"]}


def test_a_response_must_say_what_was_done_the_outcome_and_the_learning() -> None:
    escalation = raise_nfa()
    with pytest.raises(ValidationError) as refused:
        respond(
            actor=persona("front_door_officer"),
            escalation_id=escalation.pk,
            expected_version=escalation.version,
            response="",
            outcome="",
            learning="",
        )
    assert refused.value.message_dict == {
        "response": ["Enter your response to the concern"],
        "outcome": ["Choose the outcome of your response"],
        "learning": ["Say what has been learnt, even if the decision stands"],
    }
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.AWAITING_RESPONSE and escalation.version == 1


def test_only_the_holder_responds_and_only_the_originator_replies() -> None:
    escalation = raise_nfa()
    for who in ("team_manager", "social_worker", "school_dsl"):
        with pytest.raises(PermissionDenied):
            _respond(escalation, persona(who))
    with pytest.raises(Http404):  # the GP is not part of it and may not see it
        _respond(escalation, persona("gp"))
    escalation = _respond(escalation, persona("front_door_officer"))
    with pytest.raises(PermissionDenied):
        accept_response(actor=persona("front_door_officer"), escalation_id=escalation.pk, expected_version=2)


def test_a_stale_form_is_refused() -> None:
    escalation = raise_nfa()
    _respond(escalation, persona("front_door_officer"))
    with pytest.raises(EditConflict):
        accept_response(actor=persona("school_dsl"), escalation_id=escalation.pk, expected_version=1)


def test_raising_needs_the_concern_and_the_outcome_sought() -> None:
    person = make_person()
    decided_contact(person)
    with pytest.raises(ValidationError) as refused:
        raise_escalation(
            actor=persona("school_dsl"),
            person_id=person.pk,
            details=EscalationDetails(kind="nfa", concern=" ", outcome_sought=""),
        )
    assert refused.value.message_dict == {
        "concern": ["Say what the concern is and why you think it has not been dealt with"],
        "outcome_sought": ["Say what outcome you are seeking"],
    }
    assert not Escalation.objects.exists()


def test_a_partner_escalates_only_about_children_they_know() -> None:
    stranger = make_person()
    with pytest.raises(Http404):
        raise_escalation(
            actor=persona("gp"),
            person_id=stranger.pk,
            details=EscalationDetails(kind="other", concern="Worried", outcome_sought="A visit"),
        )
    with pytest.raises(PermissionDenied):
        raise_escalation(
            actor=persona("analyst"),
            person_id=stranger.pk,
            details=EscalationDetails(kind="other", concern="Worried", outcome_sought="A visit"),
        )
    # A partner may not pick a contact that did not come from their own concern.
    person = make_person()
    contact = decided_contact(person)
    with pytest.raises(ValidationError) as refused:
        raise_escalation(
            actor=persona("school_dsl"),
            person_id=person.pk,
            details=EscalationDetails(
                kind="nfa", concern="x", outcome_sought="y", contact_id=contact.pk + 999
            ),
        )
    assert refused.value.message_dict == {"decision": ["Choose a decision from the list"]}


def test_a_social_worker_escalates_a_plan_not_progressing_to_the_allocated_worker() -> None:
    with time_machine.travel(at(2026, 5, 22), tick=False):  # the Friday before the spring bank holiday
        worker = persona("social_worker")
        referral = make_referral(worker=worker)
        chair = persona("conference_chair")
        escalation = raise_escalation(
            actor=chair,
            person_id=referral.person_id,
            details=EscalationDetails(
                kind="plan",
                concern="No core group has met since the conference",
                outcome_sought="A core group this week",
                referral_id=referral.pk,
            ),
        )
    assert escalation.respondent == worker
    assert escalation.holder == worker
    assert escalation.responding_team == referral.team
    assert escalation.stage_due_on.isoformat() == "2026-05-27"  # Monday 25 May is a bank holiday
