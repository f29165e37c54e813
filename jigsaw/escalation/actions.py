"""The only code that changes an escalation.

Local safeguarding partnerships publish an escalation (professional disagreement)
procedure so that a practitioner who feels a concern about a child has not been dealt with
adequately knows what to do and is heard: they raise it with the practitioner concerned,
then with managers of rising seniority, each with a deadline, up to the partnership's
chair. Working Together to Safeguard Children (2023) asks every agency to have one. Here:

- anyone who works with children raises an escalation, saying what the concern is and the
  outcome they seek; an urgent one starts at the manager stage, due the same working day;
- the holder of each stage responds; the practitioner who raised it accepts the response
  (it closes with the outcome and what was learnt) or takes it to the next stage;
- a stage whose deadline passes with no response moves on by itself (`escalate_overdue`,
  run by `jigsaw tick`), and everyone involved is told.

Each action checks permission, validates in the user's words, writes in one transaction
with its access-log row, refuses a stale form (the version column), and tells people after
the transaction commits.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import (
    AnyUser,
    Permission,
    escalations_visible_to,
    has_permission,
    people_visible_to,
)
from jigsaw.access.roles import Role
from jigsaw.casework.actions.common import EditConflict, check_version
from jigsaw.casework.models import Contact, Referral
from jigsaw.escalation import stages
from jigsaw.escalation.models import (
    Escalation,
    EscalationKind,
    EscalationOutcome,
    EscalationStage,
    EscalationStatus,
    EscalationStep,
    StepEnd,
)
from jigsaw.partners.actions import notify
from jigsaw.partners.models import Agency, AgencyKind, Practitioner
from jigsaw.people.models import Person

__all__ = [
    "EditConflict",
    "EscalationDetails",
    "accept_response",
    "children_escalatable_by",
    "contacts_for",
    "escalate_overdue",
    "go_to_next_stage",
    "may_escalate_about",
    "may_respond",
    "raise_escalation",
    "referrals_for",
    "respond",
]

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class EscalationDetails:
    """What the practitioner raising an escalation tells us; the rest is known."""

    kind: str
    concern: str
    outcome_sought: str
    urgent: bool = False
    contact_id: int | None = None
    referral_id: int | None = None


def _link(escalation: Escalation) -> str:
    return reverse("escalation:detail", args=[escalation.pk])


def _raiser(actor: AnyUser) -> User:
    if not has_permission(actor, Permission.RAISE_ESCALATION):
        raise PermissionDenied
    assert isinstance(actor, User)
    return actor


def children_escalatable_by(user: AnyUser) -> list[int]:
    """The people a user may escalate about: those the access policy lets them see, and
    (for a partner) the children of their own concerns, whose outcome they were told even
    when they are not named for the child."""
    from jigsaw.partners.models import ConcernChild

    visible = set(people_visible_to(user).values_list("pk", flat=True)[:5000])
    own = set(
        ConcernChild.objects.filter(concern__raised_by_id=user.pk, person__isnull=False).values_list(
            "person_id", flat=True
        )
    )
    return sorted(visible | own)


def may_escalate_about(user: AnyUser, person_id: int) -> bool:
    from jigsaw.partners.models import ConcernChild

    return (
        people_visible_to(user).filter(pk=person_id).exists()
        or ConcernChild.objects.filter(concern__raised_by_id=user.pk, person_id=person_id).exists()
    )


def contacts_for(user: AnyUser, person_id: int) -> list[Contact]:
    """The decided contacts about the child a user may escalate: every one for social care,
    and for a partner those that came from their own concerns."""
    decided = Contact.objects.filter(person_id=person_id, decided_at__isnull=False).order_by("-received_at")
    if has_permission(user, Permission.VIEW_CONTACTS):
        return list(decided)
    return list(decided.filter(concern_child__concern__raised_by_id=user.pk))


def referrals_for(user: AnyUser, person_id: int) -> list[Referral]:
    """The child's referrals, for those who may see casework."""
    if not has_permission(user, Permission.VIEW_CASEWORK):
        return []
    return list(Referral.objects.filter(person_id=person_id).order_by("-referred_on"))


def _practitioner(user: User | None) -> Practitioner | None:
    if user is None:
        return None
    return Practitioner.objects.filter(user=user).select_related("agency", "team").first()


def _children_social_care() -> Agency | None:
    return Agency.objects.filter(kind=AgencyKind.CHILDRENS_SOCIAL_CARE).order_by("pk").first()


@transaction.atomic
def raise_escalation(*, actor: AnyUser, person_id: int, details: EscalationDetails) -> Escalation:
    """Raise an escalation about a child, or about a decision on them. It starts at the
    policy's first stage with the practitioner concerned (an urgent one at the manager
    stage, due the same working day), and its holder is told."""
    user = _raiser(actor)
    if not may_escalate_about(user, person_id):
        raise Http404("No such person")
    person = Person.objects.get(pk=person_id)
    errors: dict[str, str] = {}
    if details.kind not in EscalationKind.values:
        errors["kind"] = "Choose what you are escalating"
    if not details.concern.strip():
        errors["concern"] = "Say what the concern is and why you think it has not been dealt with"
    if not details.outcome_sought.strip():
        errors["outcome_sought"] = "Say what outcome you are seeking"
    contact = referral = None
    if details.contact_id is not None:
        contact = next((c for c in contacts_for(user, person_id) if c.pk == details.contact_id), None)
        if contact is None:
            errors["decision"] = "Choose a decision from the list"
    if details.referral_id is not None:
        referral = next((r for r in referrals_for(user, person_id) if r.pk == details.referral_id), None)
        if referral is None:
            errors["decision"] = "Choose a decision from the list"
    if errors:
        raise ValidationError(errors)

    # Whose decision or work is questioned, and so which agency and team answer.
    respondent: User | None = None
    if contact is not None:
        respondent = contact.decided_by
    elif referral is not None:
        respondent = referral.allocated_worker
    else:
        open_referral = (
            Referral.objects.filter(
                person_id=person_id, closed_on__isnull=True, allocated_worker__isnull=False
            )
            .order_by("-referred_on")
            .first()
        )
        respondent = open_referral.allocated_worker if open_referral else None
    respondent_profile = _practitioner(respondent)
    responding_agency = respondent_profile.agency if respondent_profile else None
    responding_team = respondent_profile.team if respondent_profile else None
    if referral is not None and referral.team is not None:
        responding_team = responding_team or referral.team
        responding_agency = responding_agency or referral.team.agency
    responding_agency = responding_agency or _children_social_care()
    if responding_agency is None:
        raise ValidationError(
            "There is no children's social care agency to escalate to: tell an administrator"
        )
    if respondent is not None and respondent.pk == user.pk:
        respondent = None  # nobody escalates to themselves; their manager holds it

    raiser_profile = _practitioner(user)
    assert raiser_profile is not None
    policy = stages.policy_in_force()
    urgent = details.urgent or details.kind == EscalationKind.URGENT_NOT_ACTED_ON
    stage = stages.first_stage(policy, urgent=urgent)
    now = timezone.now()
    today = timezone.localdate(now)
    escalation = Escalation(
        person=person,
        contact=contact,
        referral=referral,
        kind=details.kind,
        concern=details.concern.strip(),
        outcome_sought=details.outcome_sought.strip(),
        urgent=urgent,
        raised_by=user,
        raising_agency=raiser_profile.agency,
        raised_at=now,
        respondent=respondent,
        responding_agency=responding_agency,
        responding_team=responding_team,
        policy=policy,
        stage=stage,
        stage_started_at=now,
        stage_due_on=stages.due_on(stage, today, same_day=urgent),
    )
    escalation.holder = stages.holder_for(escalation, stage)
    if escalation.holder is not None and escalation.holder.pk == user.pk:
        escalation.holder = None
    escalation.save()
    EscalationStep.objects.create(
        escalation=escalation,
        stage=stage,
        holder=escalation.holder,
        started_at=now,
        due_on=escalation.stage_due_on,
    )
    record_access(
        user=user,
        action="raise_escalation",
        record=escalation,
        detail={"stage": stage.name, "urgent": urgent, "kind": details.kind},
        subjects=[person],
    )
    due = f"{escalation.stage_due_on.day} {escalation.stage_due_on:%B %Y}"
    notify(
        recipients=_told(escalation, exclude=user),
        subject=f"{'Urgent escalation' if urgent else 'Escalation'} {escalation.reference}: "
        f"{stage.name} stage, response due {due}",
        body=f"{raiser_profile.full_name} ({raiser_profile.agency}) has escalated a concern. "
        f"The outcome they seek: {escalation.outcome_sought}",
        link=_link(escalation),
        email=True,
    )
    return escalation


def _told(escalation: Escalation, *, exclude: User | None = None, also: User | None = None) -> list[User]:
    """Everyone involved: who raised it, who holds it now (or its team managers when
    nobody does), whose decision is questioned, and `also` (a previous holder)."""
    people: list[User | None] = [escalation.raised_by, escalation.holder, escalation.respondent, also]
    if escalation.holder is None:
        people.append(stages.team_manager(escalation.responding_agency, escalation.responding_team))
    return [p for p in people if p is not None and (exclude is None or p.pk != exclude.pk)]


def may_respond(user: AnyUser, escalation: Escalation) -> bool:
    """The holder responds; when the policy names nobody for the stage, a team manager of
    the agency that answers it does."""
    if not user.is_authenticated or escalation.status != EscalationStatus.AWAITING_RESPONSE:
        return False
    if escalation.raised_by_id == user.pk:
        return False
    if escalation.holder_id is not None:
        return bool(escalation.holder_id == user.pk)
    profile = getattr(user, "practitioner", None)
    return (
        profile is not None
        and profile.role == Role.TEAM_MANAGER
        and profile.agency_id == escalation.responding_agency_id
    )


def _locked(actor: AnyUser, escalation_id: int) -> Escalation:
    escalation = (
        escalations_visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("stage", "raised_by", "holder", "respondent", "responding_agency", "person")
        .filter(pk=escalation_id)
        .first()
    )
    if escalation is None:
        raise Http404("No such escalation")
    return escalation


def _current_step(escalation: Escalation) -> EscalationStep:
    return EscalationStep.objects.select_for_update().get(escalation=escalation, stage_id=escalation.stage_id)


@transaction.atomic
def respond(
    *,
    actor: AnyUser,
    escalation_id: int,
    expected_version: int,
    response: str,
    outcome: str,
    learning: str,
) -> Escalation:
    """The stage holder's response: what they have done or decided, the outcome it would
    be if accepted, and what has been learnt. At the last stage the response is final and
    closes the escalation; before it, the practitioner who raised it is asked to accept it
    or to go on."""
    escalation = _locked(actor, escalation_id)
    if not may_respond(actor, escalation):
        raise PermissionDenied
    assert isinstance(actor, User)
    check_version(escalation, expected_version, "escalation")
    errors: dict[str, str] = {}
    if not response.strip():
        errors["response"] = "Enter your response to the concern"
    if outcome not in EscalationOutcome.values:
        errors["outcome"] = "Choose the outcome of your response"
    if not learning.strip():
        errors["learning"] = "Say what has been learnt, even if the decision stands"
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    step = _current_step(escalation)
    step.response = response.strip()
    step.proposed_outcome = outcome
    step.learning = learning.strip()
    step.responded_by = actor
    step.responded_at = now
    final = stages.next_stage(escalation.stage) is None
    if final:
        step.ended_at = now
        step.ended_how = StepEnd.FINAL
        _close(escalation, outcome=outcome, learning=step.learning, at=now)
    else:
        escalation.status = EscalationStatus.AWAITING_REPLY
    step.save()
    escalation.save()
    record_access(
        user=actor,
        action="respond_to_escalation",
        record=escalation,
        detail={"stage": escalation.stage.name, "outcome": outcome, "final": final},
        subjects=[escalation.person],
    )
    notify(
        recipients=[escalation.raised_by],
        subject=f"Escalation {escalation.reference}: "
        + ("the final response" if final else "a response: accept it or go to the next stage"),
        body=step.response,
        link=_link(escalation),
        email=True,
    )
    return escalation


def _close(escalation: Escalation, *, outcome: str, learning: str, at: datetime.datetime) -> None:
    escalation.status = EscalationStatus.CLOSED
    escalation.outcome = outcome
    escalation.learning = learning
    escalation.closed_at = at


def _originators(actor: AnyUser, escalation_id: int, expected_version: int) -> tuple[User, Escalation]:
    escalation = _locked(actor, escalation_id)
    if escalation.raised_by_id != actor.pk:
        raise PermissionDenied
    assert isinstance(actor, User)
    check_version(escalation, expected_version, "escalation")
    if escalation.status != EscalationStatus.AWAITING_REPLY:
        raise ValidationError({"decision": "There is no response to reply to at this stage"})
    return actor, escalation


@transaction.atomic
def accept_response(
    *, actor: AnyUser, escalation_id: int, expected_version: int, comment: str = ""
) -> Escalation:
    """The practitioner who raised it accepts the stage's response: the escalation closes
    with the response's outcome and what was learnt, and those involved are told."""
    user, escalation = _originators(actor, escalation_id, expected_version)
    now = timezone.now()
    step = _current_step(escalation)
    step.reply = comment.strip()
    step.ended_at = now
    step.ended_how = StepEnd.ACCEPTED
    step.save()
    _close(escalation, outcome=step.proposed_outcome, learning=step.learning, at=now)
    escalation.save()
    record_access(
        user=user,
        action="accept_escalation_response",
        record=escalation,
        detail={"stage": escalation.stage.name, "outcome": escalation.outcome},
        subjects=[escalation.person],
    )
    notify(
        recipients=_told(escalation, exclude=user, also=step.responded_by),
        subject=f"Escalation {escalation.reference} is closed: {escalation.get_outcome_display()}",
        body=step.reply,
        link=_link(escalation),
    )
    return escalation


@transaction.atomic
def go_to_next_stage(*, actor: AnyUser, escalation_id: int, expected_version: int, reason: str) -> Escalation:
    """The practitioner who raised it does not accept the response and takes it to the next
    stage, saying why; the next stage's holder and everyone involved are told."""
    user, escalation = _originators(actor, escalation_id, expected_version)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the response does not resolve your concern"})
    following = stages.next_stage(escalation.stage)
    if following is None:
        raise ValidationError({"decision": "This is the last stage: its response is final"})
    now = timezone.now()
    step = _current_step(escalation)
    step.reply = reason.strip()
    step.ended_at = now
    step.ended_how = StepEnd.WENT_ON
    step.save()
    previous_holder = escalation.holder
    _move_to(escalation, following, now)
    escalation.save()
    _start_step(escalation, now)
    record_access(
        user=user,
        action="escalate_to_next_stage",
        record=escalation,
        detail={"stage": following.name},
        subjects=[escalation.person],
    )
    _tell_moved(escalation, previous_holder, because="the practitioner who raised it went on", exclude=user)
    return escalation


def _move_to(escalation: Escalation, stage: EscalationStage, now: datetime.datetime) -> None:
    escalation.stage = stage
    escalation.stage_started_at = now
    escalation.stage_due_on = stages.due_on(stage, timezone.localdate(now))
    escalation.status = EscalationStatus.AWAITING_RESPONSE
    holder = stages.holder_for(escalation, stage)
    escalation.holder = None if holder is not None and holder.pk == escalation.raised_by_id else holder


def _start_step(escalation: Escalation, now: datetime.datetime) -> EscalationStep:
    return EscalationStep.objects.create(
        escalation=escalation,
        stage=escalation.stage,
        holder=escalation.holder,
        started_at=now,
        due_on=escalation.stage_due_on,
    )


def _tell_moved(
    escalation: Escalation, previous_holder: User | None, *, because: str, exclude: User | None
) -> None:
    due = escalation.stage_due_on
    notify(
        recipients=_told(escalation, exclude=exclude, also=previous_holder),
        subject=f"Escalation {escalation.reference} is now at the {escalation.stage.name} stage "
        f"({because}); response due {due.day} {due:%B %Y}",
        link=_link(escalation),
        email=True,
    )


def escalate_overdue(*, now: datetime.datetime | None = None) -> int:
    """Move every escalation whose stage deadline has passed with no response to its next
    stage, and tell everyone involved; at the last stage, tell them once that its deadline
    has passed. Returns how many moved.

    Safe to run from cron every minute on several machines at once: each escalation is
    moved in its own transaction, by a compare-and-set on (stage, version) so that only one
    run can move it, after locking it with SKIP LOCKED where the database can (another run
    holding it is simply passed by); and each stage is entered at most once (a unique
    constraint), so it never moves twice.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = Escalation.objects.filter(status=EscalationStatus.AWAITING_RESPONSE, stage_due_on__lt=today)
    moved = 0
    for pk in list(due.order_by("stage_due_on", "pk").values_list("pk", flat=True)):
        try:
            moved += _escalate_one(pk, now=now, today=today)
        except IntegrityError:
            # Another run entered the next stage first (the unique constraint caught it).
            logger.info("Escalation %s was moved on by another run", pk)
    return moved


@transaction.atomic
def _escalate_one(pk: int, *, now: datetime.datetime, today: datetime.date) -> int:
    candidates = Escalation.objects.filter(
        pk=pk, status=EscalationStatus.AWAITING_RESPONSE, stage_due_on__lt=today
    ).select_related("stage", "raised_by", "holder", "respondent", "responding_agency", "person")
    if connection.features.has_select_for_update_skip_locked:
        candidates = candidates.select_for_update(skip_locked=True, of=("self",))
    escalation = candidates.first()
    if escalation is None:
        return 0  # moved already, answered, or being moved by another run right now
    old_stage_id, old_version = escalation.stage_id, escalation.version
    following = stages.next_stage(escalation.stage)
    if following is None:
        if escalation.final_overdue_told_at is not None:
            return 0
        told = Escalation.objects.filter(
            pk=pk, version=old_version, final_overdue_told_at__isnull=True
        ).update(final_overdue_told_at=now, version=old_version + 1)
        if told:
            record_access(user=None, action="escalation_final_deadline_passed", record=escalation)
            notify(
                recipients=_told(escalation),
                subject=f"Escalation {escalation.reference}: the {escalation.stage.name} stage's deadline has "
                "passed with no response",
                link=_link(escalation),
                email=True,
            )
        return 0
    previous_holder, missed = escalation.holder, escalation.stage_due_on
    _move_to(escalation, following, now)
    # Compare-and-set: only the run that still sees the old stage and version moves it.
    updated = Escalation.objects.filter(pk=pk, stage_id=old_stage_id, version=old_version).update(
        stage=following,
        stage_started_at=now,
        stage_due_on=escalation.stage_due_on,
        holder=escalation.holder,
        status=EscalationStatus.AWAITING_RESPONSE,
        version=old_version + 1,
    )
    if updated != 1:
        return 0
    escalation.version = old_version + 1
    EscalationStep.objects.filter(escalation_id=pk, stage_id=old_stage_id, ended_at__isnull=True).update(
        ended_at=now, ended_how=StepEnd.DEADLINE_PASSED
    )
    _start_step(escalation, now)
    record_access(
        user=None,
        action="escalate_automatically",
        record=escalation,
        detail={"stage": following.name, "deadline_passed": str(missed)},
        subjects=[escalation.person],
    )
    _tell_moved(escalation, previous_holder, because="the deadline passed with no response", exclude=None)
    return 1
