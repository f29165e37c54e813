"""Reading the escalation policy: the stage an escalation starts at, the next one, when a
stage is due (in England's working days, from the casework timescales' calendar) and who
holds it. The actions, the `tick` and the published procedure all ask here."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User

from jigsaw.access.roles import Role
from jigsaw.casework.timescales import add_working_days, is_working_day
from jigsaw.escalation.models import (
    Escalation,
    EscalationPolicy,
    EscalationStage,
    HolderKind,
    StageHolder,
)
from jigsaw.partners.models import Agency, Practitioner
from jigsaw.workforce.models import Team


def policy_in_force() -> EscalationPolicy:
    policy = EscalationPolicy.objects.filter(in_force=True).first()
    if policy is None:
        raise EscalationPolicy.DoesNotExist(
            "No escalation policy is in force: an administrator must choose one"
        )
    return policy


def first_stage(policy: EscalationPolicy, *, urgent: bool) -> EscalationStage:
    """Where an escalation starts: the first stage, or for an urgent concern the stage the
    policy marks (the team manager, by default)."""
    stages = policy.stages.order_by("order")
    start = stages.filter(urgent_start=True).first() if urgent else None
    stage = start or stages.first()
    if stage is None:
        raise EscalationStage.DoesNotExist(f"The escalation policy {policy} has no stages")
    return stage


def next_stage(stage: EscalationStage) -> EscalationStage | None:
    return (
        EscalationStage.objects.filter(policy_id=stage.policy_id, order__gt=stage.order)
        .order_by("order")
        .first()
    )


def same_or_next_working_day(day: datetime.date) -> datetime.date:
    return day if is_working_day(day) else add_working_days(day, 1)


def due_on(stage: EscalationStage, start: datetime.date, *, same_day: bool = False) -> datetime.date:
    """The last day of the stage: `working_days` working days after it started, or for an
    urgent start the same working day (the end of it)."""
    if same_day:
        return same_or_next_working_day(start)
    return add_working_days(start, stage.working_days)


def named_holder(stage: EscalationStage, agency: Agency | None) -> Practitioner | None:
    """The practitioner the policy names for the agency at this stage, else the one it names
    for every agency."""
    holders = StageHolder.objects.filter(
        stage=stage, practitioner__user__isnull=False, practitioner__user__is_active=True
    ).select_related("practitioner__user")
    if agency is not None:
        for_agency = holders.filter(agency=agency).first()
        if for_agency is not None:
            return for_agency.practitioner
    everyone = holders.filter(agency__isnull=True).first()
    return everyone.practitioner if everyone is not None else None


def team_manager(agency: Agency, team: Team | None) -> User | None:
    """A team manager who signs in: of the team concerned if it has one, else of the agency
    (the first by name, so the same one every time)."""
    managers = Practitioner.objects.filter(
        agency=agency, role=Role.TEAM_MANAGER, user__isnull=False, user__is_active=True
    ).select_related("user")
    if team is not None:
        in_team = managers.filter(team=team).order_by("full_name", "pk").first()
        if in_team is not None:
            return in_team.user
    first = managers.order_by("full_name", "pk").first()
    return first.user if first is not None else None


def holder_for(escalation: Escalation, stage: EscalationStage) -> User | None:
    """Who holds `stage` of this escalation: a practitioner the policy names for the
    responding agency, else whoever the stage's kind of holder points to; None when nobody
    is (then the responding agency's team managers may respond)."""
    named = named_holder(stage, escalation.responding_agency)
    if named is not None:
        return named.user
    if stage.holder_kind == HolderKind.PRACTITIONER:
        return escalation.respondent
    if stage.holder_kind == HolderKind.TEAM_MANAGER:
        return team_manager(escalation.responding_agency, escalation.responding_team)
    return None
