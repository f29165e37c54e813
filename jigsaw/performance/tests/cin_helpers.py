"""Hand-built casework for the census tests: one child with two episodes in 2025-26, each
step saved directly (the census reads records; how they are made is the actions' tests)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from jigsaw.casework.models import (
    Assessment,
    ChildInNeedPlan,
    ChildProtectionConference,
    ChildProtectionPlan,
    ConferenceChild,
    Referral,
    Section47Enquiry,
    StrategyDiscussion,
)
from jigsaw.people.models import Person
from tests.factories import make_person, persona

D = datetime.date


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(14)))


@dataclass
class Journey:
    child: Person
    first: Referral  # closed after assessment with a child in need plan
    second: Referral  # section 47, conference, plan with a review, still open
    assessment: Assessment
    plan: ChildProtectionPlan
    section47: Section47Enquiry


def journey() -> Journey:
    worker, manager = persona("social_worker"), persona("team_manager")
    child = make_person(
        date_of_birth=D(2016, 5, 4), sex="F", ethnicity="WBRI", disability="none", upn="Y801200000021"
    )
    first = Referral.objects.create(
        person=child, referred_on=D(2025, 5, 6), source="2A", primary_need="N4", opened_by=worker
    )
    assessment = Assessment.objects.create(
        referral=first,
        started_on=D(2025, 5, 7),
        due_on=D(2025, 7, 9),
        factors=["3B", "4B"],
        completed_on=D(2025, 6, 20),
        completed_by=worker,
        authorised_by=manager,
        authorised_at=at(D(2025, 6, 23)),
        started_by=worker,
    )
    ChildInNeedPlan.objects.create(
        referral=first, started_on=D(2025, 6, 24), ended_on=D(2025, 9, 30), recorded_by=worker
    )
    Referral.objects.filter(pk=first.pk).update(closed_on=D(2025, 10, 1), closure_reason="RC7")
    second = Referral.objects.create(
        person=child, referred_on=D(2025, 11, 3), source="6", primary_need="N1", opened_by=worker
    )
    discussion = StrategyDiscussion.objects.create(held_on=D(2025, 11, 4), decision="s47", recorded_by=worker)
    discussion.referrals.add(second)
    s47 = Section47Enquiry.objects.create(
        referral=second,
        strategy_discussion=discussion,
        started_on=D(2025, 11, 4),
        conference_due_on=D(2025, 11, 25),
        outcome="conference",
        completed_on=D(2025, 11, 14),
        recorded_by=worker,
    )
    plan = ChildProtectionPlan.objects.create(
        referral=second,
        person=child,
        started_on=D(2025, 11, 24),
        initial_category="NEG",
        latest_category="EMO",
    )
    initial = ChildProtectionConference.objects.create(
        kind="initial", date=D(2025, 11, 24), held=True, scheduled_by=manager
    )
    ConferenceChild.objects.create(
        conference=initial, referral=second, section47=s47, plan=plan, decision="plan", category="NEG"
    )
    review = ChildProtectionConference.objects.create(
        kind="review", date=D(2026, 2, 23), held=True, scheduled_by=manager
    )
    ConferenceChild.objects.create(
        conference=review, referral=second, plan=plan, decision="continue", category="EMO"
    )
    first.refresh_from_db()
    return Journey(child, first, second, assessment, plan, s47)
