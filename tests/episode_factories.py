"""Records inside an episode of need saved directly, for tests (and the permission matrix)
that need a journey already under way. Tests of an action itself go through the action."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.utils import timezone

from jigsaw.access.roles import Role
from jigsaw.casework.models import (
    Assessment,
    ChildInNeedPlan,
    EarlyHelpEpisode,
    LookedAfterEpisode,
    Referral,
)
from jigsaw.partners.models import Practitioner
from jigsaw.people.models import Person
from tests.factories import make_user, persona


def make_assessment(
    referral: Referral,
    *,
    started_on: datetime.date | None = None,
    completed_by: User | None = None,
    outcome: str = "",
    **fields: object,
) -> Assessment:
    """An assessment of `referral`; completed today (with no factors identified) when
    `completed_by` is given."""
    values: dict[str, object] = {
        "referral": referral,
        "started_on": started_on or referral.referred_on,
        "due_on": referral.referred_on + datetime.timedelta(days=63),
        "started_by": persona("social_worker"),
    }
    if completed_by is not None:
        values.update(
            completed_on=timezone.localdate(),
            completed_by=completed_by,
            outcome=outcome or "nfa",
            factors=["21"],
        )
    values.update(fields)
    return Assessment.objects.create(**values)


def make_cin_plan(referral: Referral, **fields: object) -> ChildInNeedPlan:
    values: dict[str, object] = {
        "referral": referral,
        "started_on": referral.referred_on,
        "next_review_due": referral.referred_on + datetime.timedelta(days=90),
        "recorded_by": persona("social_worker"),
    }
    values.update(fields)
    return ChildInNeedPlan.objects.create(**values)


def make_early_help(person: Person, **fields: object) -> EarlyHelpEpisode:
    values: dict[str, object] = {
        "person": person,
        "started_on": timezone.localdate(),
        "recorded_by": persona("social_worker"),
    }
    values.update(fields)
    return EarlyHelpEpisode.objects.create(**values)


def make_looked_after(referral: Referral, **fields: object) -> LookedAfterEpisode:
    values: dict[str, object] = {
        "person": referral.person,
        "referral": referral,
        "started_on": referral.referred_on,
        "legal_status": "V2",
        "placement": "U6",
        "recorded_by": persona("social_worker"),
    }
    values.update(fields)
    return LookedAfterEpisode.objects.create(**values)


def another_manager() -> User:
    """A second team manager in the persona team's team: sign-off needs someone other than
    the worker who completed or proposed."""
    manager = persona("team_manager")
    user = make_user("second_manager", first_name="Second", last_name="Manager")
    Practitioner.objects.get_or_create(
        user=user,
        defaults={
            "full_name": user.get_full_name(),
            "agency": manager.practitioner.agency,
            "team": manager.practitioner.team,
            "role": Role.TEAM_MANAGER,
            "job_title": "Team manager",
        },
    )
    return user
