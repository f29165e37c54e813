"""Escalations in the demo, raised and answered through the same actions as real use.

`write_escalations` runs after the partners' day. With it the demo shows, on the day
`make demo` runs:

- the school's DSL (`partner_practitioner`) escalating the front door's decision on their
  decided concern, with the front door officer who made it (stage 1, awaiting a response);
- the police officer's urgent escalation about a child they are named for, answered the
  same day by the team manager and awaiting the officer's reply;
- the health visitor's escalation of a visit not made, answered by the allocated social
  worker and accepted: closed, upheld, with what was learnt;
- the conference chair's escalation of a plan not progressing, taken on past the social
  worker's response and now with the team manager;
- the partnership member named as the partnership chair for every agency's escalations.

Everything is synthetic; the same demo on the same day gives the same escalations.
"""

from __future__ import annotations

import dataclasses

from django.contrib.auth.models import User
from django.db import transaction

from jigsaw.casework.models import ChildProtectionPlan, Referral
from jigsaw.escalation.actions import (
    EscalationDetails,
    accept_response,
    go_to_next_stage,
    raise_escalation,
    respond,
)
from jigsaw.escalation.models import Escalation, EscalationPolicy, StageHolder
from jigsaw.partners.models import ConcernChild, NamedProfessional


@dataclasses.dataclass
class EscalationActivity:
    raised: int = 0
    closed: int = 0

    def summary(self) -> str:
        return f"Escalations: {self.raised} raised ({self.closed} closed, the rest at their stage with a deadline)."


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, practitioner__isnull=False).first()


def _named_child(user: User) -> int | None:
    """A child the partner is named for who is open to the demo social worker, else any."""
    named = NamedProfessional.objects.filter(practitioner__user=user, ended__isnull=True).order_by("pk")
    allocated = set(
        Referral.objects.filter(
            closed_on__isnull=True, allocated_worker__username="social_worker"
        ).values_list("person_id", flat=True)
    )
    for person_id in named.values_list("person_id", flat=True):
        if person_id in allocated:
            return int(person_id)
    first = named.first()
    return first.person_id if first is not None else None


def write_escalations() -> EscalationActivity:
    activity = EscalationActivity()
    dsl, police, visitor = _user("partner_practitioner"), _user("police_officer"), _user("health_visitor")
    officer, manager, worker = _user("front_door_officer"), _user("team_manager"), _user("social_worker")
    chair, member = _user("conference_chair"), _user("partnership_member")
    policy = EscalationPolicy.objects.filter(in_force=True).first()
    if policy is None or not all((dsl, police, visitor, officer, manager, worker, chair, member)):
        return activity
    assert dsl and police and visitor and officer and manager and worker and chair and member
    with transaction.atomic():
        final = policy.stages.order_by("-order").first()
        if final is not None:
            StageHolder.objects.get_or_create(stage=final, agency=None, practitioner=member.practitioner)

        # The DSL disagrees with the front door's decision on their concern.
        decided = (
            ConcernChild.objects.filter(concern__raised_by=dsl, contact__decided_at__isnull=False)
            .select_related("contact")
            .order_by("pk")
            .first()
        )
        if decided is not None and decided.contact is not None and decided.person_id is not None:
            raise_escalation(
                actor=dsl,
                person_id=decided.person_id,
                details=EscalationDetails(
                    kind="other",
                    concern="Early help was offered, but the child is now a young carer most days and "
                    "attendance has fallen further. We think the family needs an assessment.",
                    outcome_sought="The decision is reviewed and a social worker assesses the family.",
                    contact_id=decided.contact.pk,
                ),
            )
            activity.raised += 1

        # The police officer's urgent concern, answered by the team manager the same day.
        child = _named_child(police)
        if child is not None:
            urgent = raise_escalation(
                actor=police,
                person_id=child,
                details=EscalationDetails(
                    kind="urgent",
                    concern="A second domestic abuse incident at the home in a week; the child was present "
                    "and nobody from social care has been in touch.",
                    outcome_sought="A strategy discussion today.",
                    urgent=True,
                ),
            )
            holder = urgent.holder or manager
            respond(
                actor=holder,
                escalation_id=urgent.pk,
                expected_version=urgent.version,
                response="A strategy discussion is booked for 4pm today; police are invited.",
                outcome="upheld",
                learning="Police incident notifications for children already open must reach the allocated "
                "worker the same day.",
            )
            activity.raised += 1

        # The health visitor's escalation of a missed visit: answered and accepted.
        child = _named_child(visitor)
        if child is not None:
            missed = raise_escalation(
                actor=visitor,
                person_id=child,
                details=EscalationDetails(
                    kind="visit",
                    concern="The agreed joint home visit did not happen and no new date was offered.",
                    outcome_sought="A new date for the joint visit this week.",
                ),
            )
            if missed.holder is not None:
                missed = respond(
                    actor=missed.holder,
                    escalation_id=missed.pk,
                    expected_version=missed.version,
                    response="Apologies: the visit was missed through sickness. It is rebooked for Thursday.",
                    outcome="resolved",
                    learning="Tell the other agencies at once when a joint visit cannot go ahead.",
                )
                accept_response(
                    actor=visitor,
                    escalation_id=missed.pk,
                    expected_version=missed.version,
                    comment="Thank you.",
                )
                activity.closed += 1
            activity.raised += 1

        # The conference chair's escalation of a plan not progressing, taken on to the manager.
        plan = (
            ChildProtectionPlan.objects.filter(ended_on__isnull=True, referral__allocated_worker=worker)
            .select_related("referral")
            .order_by("pk")
            .first()
        )
        if plan is not None:
            stalled = raise_escalation(
                actor=chair,
                person_id=plan.person_id,
                details=EscalationDetails(
                    kind="plan",
                    concern="The plan's actions from the conference are not progressing: no core group has "
                    "reviewed them and the parenting assessment has not started.",
                    outcome_sought="A core group within ten working days and a start date for the assessment.",
                    referral_id=plan.referral_id,
                ),
            )
            if stalled.holder == worker:
                stalled = respond(
                    actor=worker,
                    escalation_id=stalled.pk,
                    expected_version=stalled.version,
                    response="The core group is booked for next month.",
                    outcome="not_upheld",
                    learning="Core group dates should be set at the conference.",
                )
                go_to_next_stage(
                    actor=chair,
                    escalation_id=stalled.pk,
                    expected_version=stalled.version,
                    reason="Next month is outside the plan's timescales.",
                )
            activity.raised += 1
    return activity


def delete_escalations() -> None:
    """Before a demo reset: the escalations protect the people and contacts they concern."""
    Escalation.objects.all().delete()
    StageHolder.objects.all().delete()
