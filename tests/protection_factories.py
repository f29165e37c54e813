"""Child protection records saved directly, for tests (and the permission matrix) that need
a journey already under way. Tests of an action itself go through the action."""

from __future__ import annotations

import dataclasses
import datetime

from django.contrib.auth.models import User
from django.utils import timezone

from jigsaw.casework.models import (
    ChildProtectionConference,
    ChildProtectionPlan,
    ConferenceChild,
    ConferenceInvitation,
    CoreGroupMeeting,
    CoreGroupMember,
    Referral,
    Section47Enquiry,
    StrategyDiscussion,
    StrategyDiscussionAttendee,
    TimescaleKey,
)
from jigsaw.casework.timescales import due_date
from jigsaw.partners.models import AgencyKind, NamedProfessional, Practitioner
from jigsaw.people.models import Person, Relationship, RelationshipKind
from tests.casework_factories import make_referral
from tests.factories import make_agency, make_person, persona


def make_practitioner(
    name: str = "Dawn Hale",
    *,
    agency: str = "Riverford Police",
    kind: str = AgencyKind.POLICE,
    phone: str = "01632 960111",
    secure_email: str = "dawn.hale@police.example.gov.uk",
    preferred_contact: str = "secure_email",
) -> Practitioner:
    """A partner professional in the directory (without a sign-in)."""
    practitioner, _ = Practitioner.objects.get_or_create(
        full_name=name,
        agency=make_agency(agency, kind),
        defaults={
            "role": "partner_practitioner",
            "job_title": "Detective constable",
            "phone": phone,
            "secure_email": secure_email,
            "preferred_contact": preferred_contact,
        },
    )
    return practitioner


def name_professional(person: Person, practitioner: Practitioner, involvement: str = "Class teacher") -> None:
    NamedProfessional.objects.create(person=person, practitioner=practitioner, involvement=involvement)


def make_parent(child: Person, *, given_names: str = "Marie", family_name: str = "Therese") -> Person:
    parent = make_person(
        given_names=given_names, family_name=family_name, date_of_birth=datetime.date(1990, 1, 1)
    )
    Relationship.objects.create(person=child, relative=parent, kind=RelationshipKind.PARENT)
    return parent


def make_sibling(child: Person, **fields: object) -> Person:
    sibling = make_person(given_names="Kevin", date_of_birth=datetime.date(2018, 6, 1), **fields)
    Relationship.objects.create(person=child, relative=sibling, kind=RelationshipKind.SIBLING)
    return sibling


def make_discussion(
    referrals: list[Referral],
    *,
    held_on: datetime.date | None = None,
    decision: str = "s47",
    recorded_by: User | None = None,
) -> StrategyDiscussion:
    """A strategy discussion (with a police attendee) and, for "s47", an enquiry per child."""
    held_on = held_on or timezone.localdate()
    user = recorded_by or persona("social_worker")
    discussion = StrategyDiscussion.objects.create(
        held_on=held_on,
        decision=decision,
        summary="Police and health shared what they know",
        recorded_by=user,
    )
    discussion.referrals.set(referrals)
    officer = make_practitioner()
    StrategyDiscussionAttendee.objects.create(
        discussion=discussion, practitioner=officer, name=officer.full_name, agency=officer.agency
    )
    if decision == "s47":
        for referral in referrals:
            Section47Enquiry.objects.create(
                referral=referral,
                strategy_discussion=discussion,
                started_on=held_on,
                conference_due_on=due_date(TimescaleKey.INITIAL_CONFERENCE, held_on),
                recorded_by=user,
            )
    return discussion


def make_conference(
    referrals: list[Referral],
    *,
    date: datetime.date | None = None,
    kind: str = "initial",
    held: bool = False,
) -> ChildProtectionConference:
    """A conference for these children, linked to their section 47 enquiries (initial) or
    open plans (review), with the police officer and a parent invited."""
    date = date or timezone.localdate()
    conference = ChildProtectionConference.objects.create(
        kind=kind,
        date=date,
        chair=persona("conference_chair"),
        scheduled_by=persona("social_worker"),
        held=held,
        outcome_recorded_by=persona("conference_chair") if held else None,
        outcome_recorded_at=timezone.now() if held else None,
    )
    for referral in referrals:
        ConferenceChild.objects.create(
            conference=conference,
            referral=referral,
            section47=referral.section47s.first() if kind != "review" else None,
            plan=ChildProtectionPlan.objects.filter(person=referral.person, ended_on__isnull=True).first(),
        )
    officer = make_practitioner()
    ConferenceInvitation.objects.create(
        conference=conference, practitioner=officer, name=officer.full_name, agency=officer.agency
    )
    ConferenceInvitation.objects.create(conference=conference, name="Marie Therese", family_role="parent")
    return conference


def make_plan(
    referral: Referral, *, started_on: datetime.date | None = None, category: str = "NEG"
) -> ChildProtectionPlan:
    """An open plan with its clocks set from its start, as an initial conference sets them."""
    start = started_on or timezone.localdate()
    return ChildProtectionPlan.objects.create(
        referral=referral,
        person=referral.person,
        started_on=start,
        initial_category=category,
        latest_category=category,
        next_review_due=due_date(TimescaleKey.FIRST_REVIEW, start),
        next_core_group_due=due_date(TimescaleKey.FIRST_CORE_GROUP, start),
        next_visit_due=due_date(TimescaleKey.PLAN_VISIT, start),
    )


@dataclasses.dataclass(frozen=True)
class Journey:
    referral: Referral
    discussion: StrategyDiscussion
    section47: Section47Enquiry
    conference: ChildProtectionConference
    plan: ChildProtectionPlan
    core_group: CoreGroupMeeting


def make_journey(person: Person | None = None, *, start: datetime.date | None = None) -> Journey:
    """A child through strategy discussion, section 47, a held initial conference that
    started a plan, and a first core group."""
    start = start or timezone.localdate() - datetime.timedelta(days=30)
    referral = make_referral(person or make_person(), worker=persona("social_worker"), referred_on=start)
    discussion = make_discussion([referral], held_on=start)
    section47 = referral.section47s.get()
    conference_on = start + datetime.timedelta(days=14)
    section47.outcome = "conference"
    section47.completed_on = conference_on
    section47.save()
    conference = make_conference([referral], date=conference_on, held=True)
    plan = make_plan(referral, started_on=conference_on)
    ConferenceChild.objects.filter(conference=conference).update(plan=plan, decision="plan", category="NEG")
    meeting = CoreGroupMeeting.objects.create(
        plan=plan, held_on=conference_on + datetime.timedelta(days=7), recorded_by=persona("social_worker")
    )
    officer = make_practitioner()
    CoreGroupMember.objects.create(
        meeting=meeting,
        practitioner=officer,
        name=officer.full_name,
        agency=officer.agency,
        phone=officer.phone,
        secure_email=officer.secure_email,
        preferred_contact=officer.preferred_contact,
        contact_details_agreed=True,
    )
    return Journey(referral, discussion, section47, conference, plan, meeting)
