"""Work in progress saved directly, for the tests of allocation and the work lists: workers
in a team, and the dated records (assessments, section 47 enquiries, plans) a work list
reads. Tests of an action itself go through the action."""

from __future__ import annotations

import datetime
import itertools

from django.contrib.auth.models import User
from django.utils import timezone

from jigsaw.access.roles import Role
from jigsaw.casework.models import (
    Allocation,
    Assessment,
    ChildInNeedPlan,
    ChildProtectionConference,
    ChildProtectionPlan,
    ConferenceChild,
    EarlyHelpEpisode,
    LookedAfterEpisode,
    Referral,
    Section47Enquiry,
    StrategyDiscussion,
)
from jigsaw.partners.models import Practitioner
from jigsaw.people.models import Person
from jigsaw.workforce.models import Team
from tests.factories import make_agency, make_person, make_team, make_user, persona

_workers_made = itertools.count(1)


def make_worker(
    full_name: str = "",
    *,
    role: Role = Role.SOCIAL_WORKER,
    team: Team | None = None,
) -> User:
    """A worker who signs in, in `team` (the personas' team by default)."""
    number = next(_workers_made)
    given, _, family = (full_name or f"Sam Jones{number}").partition(" ")
    user = make_user(f"worker{number}", first_name=given, last_name=family)
    Practitioner.objects.create(
        user=user,
        full_name=user.get_full_name(),
        agency=make_agency(),
        team=team or persona("team_manager").practitioner.team,
        role=role,
        job_title=role.label,
    )
    return user


def other_team(name: str = "Children in Need Team 2") -> Team:
    return make_team(make_agency(), name)


def make_assessment(
    referral: Referral,
    *,
    due_on: datetime.date,
    started_on: datetime.date | None = None,
    completed_on: datetime.date | None = None,
    completed_by: User | None = None,
) -> Assessment:
    return Assessment.objects.create(
        referral=referral,
        started_on=started_on
        or min(d for d in (referral.referred_on, due_on, completed_on) if d is not None),
        due_on=due_on,
        completed_on=completed_on,
        completed_by=completed_by,
        started_by=persona("social_worker"),
    )


def make_section47(
    referral: Referral, *, conference_due_on: datetime.date, outcome: str = ""
) -> Section47Enquiry:
    started = conference_due_on - datetime.timedelta(days=21)
    discussion = StrategyDiscussion.objects.create(
        held_on=started, decision="s47", recorded_by=persona("social_worker")
    )
    discussion.referrals.add(referral)
    return Section47Enquiry.objects.create(
        referral=referral,
        strategy_discussion=discussion,
        started_on=started,
        conference_due_on=conference_due_on,
        outcome=outcome,
        recorded_by=persona("social_worker"),
    )


def hold_initial_conference(section47: Section47Enquiry, *, on: datetime.date) -> ChildProtectionConference:
    conference = ChildProtectionConference.objects.create(
        kind="initial", date=on, held=True, scheduled_by=persona("social_worker")
    )
    ConferenceChild.objects.create(
        conference=conference, referral=section47.referral, section47=section47, decision="no_plan"
    )
    return conference


def make_cp_plan(
    referral: Referral,
    *,
    category: str = "NEG",
    started_on: datetime.date | None = None,
    next_review_due: datetime.date | None = None,
    next_core_group_due: datetime.date | None = None,
    next_visit_due: datetime.date | None = None,
) -> ChildProtectionPlan:
    return ChildProtectionPlan.objects.create(
        referral=referral,
        person=referral.person,
        started_on=started_on or referral.referred_on,
        initial_category=category,
        latest_category=category,
        next_review_due=next_review_due,
        next_core_group_due=next_core_group_due,
        next_visit_due=next_visit_due,
    )


def make_cin_plan(referral: Referral, *, next_review_due: datetime.date | None = None) -> ChildInNeedPlan:
    return ChildInNeedPlan.objects.create(
        referral=referral,
        started_on=referral.referred_on,
        next_review_due=next_review_due,
        recorded_by=persona("social_worker"),
    )


def make_looked_after(referral: Referral) -> LookedAfterEpisode:
    return LookedAfterEpisode.objects.create(
        person=referral.person,
        referral=referral,
        started_on=referral.referred_on,
        legal_status="C2",
        placement="U4",
        recorded_by=persona("social_worker"),
    )


def make_early_help(lead: User, person: Person | None = None) -> EarlyHelpEpisode:
    return EarlyHelpEpisode.objects.create(
        person=person or make_person(),
        started_on=timezone.localdate(),
        lead_professional=lead.practitioner,
        recorded_by=persona("team_manager"),
    )


def make_team_workload(
    episodes: int, *, workers: list[User], today: datetime.date, unallocated_every: int = 25
) -> list[Referral]:
    """`episodes` open referrals in the personas' team, spread over `workers` (every
    `unallocated_every`-th left unallocated, none if 0), each at a stage with dated work, a share of
    it overdue: a team manager's page at scale."""
    manager = persona("team_manager")
    team = manager.practitioner.team
    people = Person.objects.bulk_create(
        [
            Person(given_names="Child", family_name=f"Workload{n}", date_of_birth=datetime.date(2016, 1, 1))
            for n in range(episodes)
        ]
    )
    referrals = Referral.objects.bulk_create(
        [
            Referral(
                person=person,
                referred_on=today - datetime.timedelta(days=60),
                source="2A",
                primary_need="N1",
                team=team,
                opened_by=manager,
                allocated_worker=None
                if unallocated_every and n % unallocated_every == 0
                else workers[n % len(workers)],
            )
            for n, person in enumerate(people)
        ]
    )
    now = timezone.now()
    Allocation.objects.bulk_create(
        [
            Allocation(referral=r, worker_id=r.allocated_worker_id, allocated_by=manager, allocated_at=now)
            for r in referrals
            if r.allocated_worker_id is not None
        ]
    )
    started = today - datetime.timedelta(days=60)
    Assessment.objects.bulk_create(
        [
            Assessment(
                referral=r,
                started_on=started,
                due_on=today + datetime.timedelta(days=(n % 20) - 10),
                started_by=manager,
            )
            for n, r in enumerate(referrals)
            if n % 4 == 0
        ]
    )
    ChildProtectionPlan.objects.bulk_create(
        [
            ChildProtectionPlan(
                referral=r,
                person_id=r.person_id,
                started_on=started,
                initial_category="NEG",
                latest_category="NEG",
                next_review_due=today + datetime.timedelta(days=(n % 30) - 5),
                next_core_group_due=today + datetime.timedelta(days=(n % 9) - 3),
                next_visit_due=today + datetime.timedelta(days=(n % 11) - 4),
            )
            for n, r in enumerate(referrals)
            if n % 4 == 1
        ]
    )
    ChildInNeedPlan.objects.bulk_create(
        [
            ChildInNeedPlan(
                referral=r,
                started_on=started,
                next_review_due=today + datetime.timedelta(days=(n % 14) - 7),
                recorded_by=manager,
            )
            for n, r in enumerate(referrals)
            if n % 4 == 2
        ]
    )
    LookedAfterEpisode.objects.bulk_create(
        [
            LookedAfterEpisode(
                person_id=r.person_id,
                referral=r,
                started_on=started,
                legal_status="C2",
                placement="U4",
                recorded_by=manager,
            )
            for n, r in enumerate(referrals)
            if n % 4 == 3
        ]
    )
    return referrals
