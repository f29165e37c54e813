"""The child protection actions: strategy discussion → section 47 → conference → plan →
core groups, visits, reviews and the plan's end, with the policy's clocks over bank
holidays, refusals in the user's words, conflicts, the chronology and the access log."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from time_machine import travel

from jigsaw.access.models import AccessLogEntry
from jigsaw.casework.actions import protection as protection_actions
from jigsaw.casework.actions.common import EditConflict
from jigsaw.casework.actions.protection import (
    AttendanceInput,
    ChildDecision,
    CoreGroupMemberInput,
    Participant,
    complete_section47,
    end_plan,
    record_conference_outcome,
    record_core_group,
    record_strategy_discussion,
    record_visit,
    schedule_conference,
)
from jigsaw.casework.models import (
    ChildProtectionConference,
    ChildProtectionPlan,
    ChronologyEntry,
    ConferenceChild,
    CoreGroupMeeting,
    Referral,
    Section47Enquiry,
    StrategyDiscussion,
    Visit,
)
from jigsaw.casework.queries.protection import episode_protection, related_open_referrals
from jigsaw.people.models import Address, Household, HouseholdMember, Relationship
from tests.casework_factories import make_referral
from tests.factories import make_person, persona
from tests.protection_factories import make_parent, make_plan, make_practitioner, make_sibling

pytestmark = pytest.mark.django_db

D = datetime.date
UTC = datetime.UTC
REFERRED = D(2026, 3, 2)
HELD = D(2026, 3, 3)  # a Tuesday; the initial conference is due 15 working days later
CONFERENCE = D(2026, 3, 20)  # a Friday: 10 working days later runs over Easter


def _police() -> Participant:
    officer = make_practitioner()
    return Participant(name=officer.full_name, agency_id=officer.agency_id, practitioner_id=officer.pk)


def _siblings(worker: User) -> tuple[Referral, Referral]:
    child = make_person(given_names="Anna")
    sibling = make_sibling(child)
    make_parent(child)
    return (
        make_referral(child, worker=worker, referred_on=REFERRED),
        make_referral(sibling, worker=worker, referred_on=REFERRED),
    )


def _discuss(
    actor: User, referral: Referral, *others: Referral, held_on: D = HELD, decision: str = "s47"
) -> StrategyDiscussion:
    return record_strategy_discussion(
        actor=actor,
        referral_id=referral.pk,
        held_on=held_on,
        decision=decision,
        summary="Police hold two callouts for domestic abuse; health saw a bruise.",
        other_referral_ids=[o.pk for o in others],
        attendees=[_police(), Participant(name="Sam Ward", agency_id=make_practitioner().agency_id)],
    )


def _schedule(
    actor: User, referral: Referral, *others: Referral, on: D = CONFERENCE, kind: str = "initial"
) -> ChildProtectionConference:
    return schedule_conference(
        actor=actor,
        referral_id=referral.pk,
        kind=kind,
        date=on,
        chair_id=persona("conference_chair").pk,
        other_referral_ids=[o.pk for o in others],
        invitations=[_police(), Participant(name="Marie Therese", family_role="parent")],
    )


def _outcome(
    chair: User, conference: ChildProtectionConference, decisions: dict[int, ChildDecision]
) -> ChildProtectionConference:
    conference.refresh_from_db()
    return record_conference_outcome(
        actor=chair,
        conference_id=conference.pk,
        expected_version=conference.version,
        attendance={
            i.pk: AttendanceInput("in_person", report_received=True) for i in conference.invitations.all()
        },
        child_views="Anna said she is scared when Dad shouts.",
        summary="Significant harm from neglect; a plan is needed.",
        decisions=decisions,
    )


def _by_referral(conference: ChildProtectionConference, referral: Referral) -> int:
    return ConferenceChild.objects.get(conference=conference, referral=referral).pk


@travel(datetime.datetime(2026, 3, 3, 17, tzinfo=UTC), tick=False)
def test_one_strategy_discussion_covers_siblings_and_starts_an_enquiry_for_each(social_worker: User) -> None:
    anna, kevin = _siblings(social_worker)

    discussion = _discuss(social_worker, anna, kevin)

    assert set(discussion.referrals.all()) == {anna, kevin}
    assert [(a.name, a.agency.name) for a in discussion.attendees.all()] == [
        ("Dawn Hale", "Riverford Police"),
        ("Sam Ward", "Riverford Police"),
    ]
    enquiries = Section47Enquiry.objects.filter(strategy_discussion=discussion)
    assert {e.referral_id for e in enquiries} == {anna.pk, kevin.pk}
    assert {e.conference_due_on for e in enquiries} == {D(2026, 3, 24)}
    for child in (anna, kevin):
        kinds = list(
            ChronologyEntry.objects.filter(person=child.person).order_by("pk").values_list("kind", "summary")
        )
        assert kinds == [
            ("strategy", "Strategy discussion: Section 47 enquiry"),
            ("s47", "Section 47 enquiry started; initial conference due by 24 March 2026"),
        ]
    entry = AccessLogEntry.objects.get(action="record_strategy_discussion")
    assert entry.user == social_worker
    assert entry.record_id == str(discussion.pk)
    assert set(entry.subjects.values_list("record_id", flat=True)) >= {
        str(anna.person_id),
        str(kevin.person_id),
    }


@travel(datetime.datetime(2026, 4, 1, 9, tzinfo=UTC), tick=False)
def test_the_initial_conference_clock_skips_easter(social_worker: User) -> None:
    referral = make_referral(worker=social_worker, referred_on=REFERRED)
    _discuss(social_worker, referral, held_on=D(2026, 3, 30))
    # 15 working days from Monday 30 March, without Good Friday and Easter Monday.
    assert referral.section47s.get().conference_due_on == D(2026, 4, 22)


@travel(datetime.datetime(2026, 3, 3, 17, tzinfo=UTC), tick=False)
def test_a_strategy_discussion_refuses_wrong_dates_strangers_and_nobody(social_worker: User) -> None:
    referral = make_referral(worker=social_worker, referred_on=REFERRED)
    stranger = make_referral(referred_on=REFERRED)
    with pytest.raises(ValidationError) as raised:
        _discuss(social_worker, referral, held_on=D(2026, 3, 1))
    assert raised.value.message_dict["held_on"] == [
        f"The strategy discussion cannot be before the referral of {referral.person.full_name} on 2 March 2026"
    ]
    with pytest.raises(ValidationError) as raised:
        _discuss(social_worker, referral, held_on=D(2026, 3, 4))
    assert "must be today or in the past" in raised.value.message_dict["held_on"][0]
    with pytest.raises(ValidationError) as raised:
        _discuss(social_worker, referral, stranger)
    assert "children" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        record_strategy_discussion(
            actor=social_worker,
            referral_id=referral.pk,
            held_on=HELD,
            decision="s47",
            summary="",
            attendees=[],
        )
    assert raised.value.message_dict["attendees"] == [
        "Choose or add who took part in the strategy discussion"
    ]
    assert not StrategyDiscussion.objects.exists()
    assert not ChronologyEntry.objects.exists()


@travel(datetime.datetime(2026, 3, 3, 17, tzinfo=UTC), tick=False)
def test_a_second_enquiry_while_one_is_in_progress_is_refused(social_worker: User) -> None:
    referral = make_referral(worker=social_worker, referred_on=REFERRED)
    _discuss(social_worker, referral)
    with pytest.raises(ValidationError) as raised:
        _discuss(social_worker, referral)
    assert "already has a section 47 enquiry in progress, started on 3 March 2026" in str(raised.value)
    # A decision that starts no enquiry is still recorded.
    _discuss(social_worker, referral, decision="single_agency")
    assert referral.section47s.count() == 1


def test_only_social_workers_and_managers_record_strategy_discussions(
    conference_chair: User, school_dsl: User
) -> None:
    referral = make_referral(referred_on=REFERRED)
    for user in (conference_chair, school_dsl):
        with pytest.raises(PermissionDenied):
            _discuss(user, referral)


@travel(datetime.datetime(2026, 3, 18, 12, tzinfo=UTC), tick=False)
def test_section47_outcome_dates_and_conflict(social_worker: User, team_manager: User) -> None:
    referral = make_referral(worker=social_worker, referred_on=REFERRED)
    _discuss(social_worker, referral)
    enquiry = referral.section47s.get()
    with pytest.raises(ValidationError) as raised:
        complete_section47(
            actor=social_worker,
            section47_id=enquiry.pk,
            expected_version=1,
            outcome="cin",
            completed_on=D(2026, 3, 2),
        )
    assert raised.value.message_dict["completed_on"] == [
        "The enquiry cannot end before it started on 3 March 2026"
    ]

    complete_section47(
        actor=team_manager,
        section47_id=enquiry.pk,
        expected_version=1,
        outcome="conference",
        completed_on=D(2026, 3, 17),
    )
    with pytest.raises(EditConflict):
        complete_section47(
            actor=social_worker,
            section47_id=enquiry.pk,
            expected_version=1,
            outcome="not_substantiated",
            completed_on=D(2026, 3, 17),
        )
    enquiry.refresh_from_db()
    assert (enquiry.outcome, enquiry.completed_on, enquiry.version) == ("conference", D(2026, 3, 17), 2)
    assert (
        ChronologyEntry.objects.filter(
            person=referral.person, summary__startswith="Section 47 enquiry completed"
        ).count()
        == 1
    )
    assert AccessLogEntry.objects.filter(action="complete_section47", record_id=str(enquiry.pk)).count() == 1


@travel(datetime.datetime(2026, 3, 20, 16, tzinfo=UTC), tick=False)
def test_a_conference_before_the_strategy_discussion_is_refused(social_worker: User) -> None:
    referral = make_referral(worker=social_worker, referred_on=REFERRED)
    _discuss(social_worker, referral)
    with pytest.raises(ValidationError) as raised:
        _schedule(social_worker, referral, on=D(2026, 3, 2))
    assert raised.value.message_dict["date"] == [
        "The conference cannot be before the strategy discussion on 3 March 2026"
    ]
    assert not ChildProtectionConference.objects.exists()


@travel(datetime.datetime(2026, 3, 20, 16, tzinfo=UTC), tick=False)
def test_a_conference_needs_an_enquiry_and_pre_birth_needs_an_unborn_child(social_worker: User) -> None:
    referral = make_referral(worker=social_worker, referred_on=REFERRED)
    with pytest.raises(ValidationError) as raised:
        _schedule(social_worker, referral)
    assert (
        "has no section 47 enquiry waiting for an initial conference"
        in raised.value.message_dict["children"][0]
    )
    _discuss(social_worker, referral)
    with pytest.raises(ValidationError) as raised:
        _schedule(social_worker, referral, kind="pre_birth")
    assert "A pre-birth conference is for an unborn child" in raised.value.message_dict["kind"][0]

    unborn = make_referral(
        make_person(given_names="Baby", date_of_birth=D(2026, 6, 1), birth_date_precision="expected"),
        worker=social_worker,
        referred_on=REFERRED,
    )
    _discuss(social_worker, unborn)
    conference = _schedule(social_worker, unborn, kind="pre_birth")
    assert conference.due_on == D(2026, 3, 24)


@travel(datetime.datetime(2026, 3, 20, 17, tzinfo=UTC), tick=False)
def test_siblings_at_one_conference_get_their_own_decisions_and_plans(
    social_worker: User, conference_chair: User
) -> None:
    anna, kevin = _siblings(social_worker)
    _discuss(social_worker, anna, kevin)
    conference = _schedule(social_worker, anna, kevin)
    assert conference.due_on == D(2026, 3, 24)
    assert conference.chair == conference_chair
    assert list(conference.invitations.values_list("name", "family_role")) == [
        ("Dawn Hale", ""),
        ("Marie Therese", "parent"),
    ]

    _outcome(
        conference_chair,
        conference,
        {
            _by_referral(conference, anna): ChildDecision("plan", "NEG"),
            _by_referral(conference, kevin): ChildDecision("no_plan", "EMO"),
        },
    )

    conference.refresh_from_db()
    assert conference.held and conference.outcome_recorded_by == conference_chair
    assert set(conference.invitations.values_list("attendance", "report_received")) == {("in_person", True)}
    plan = ChildProtectionPlan.objects.get()
    assert plan.person == anna.person
    assert (plan.started_on, plan.initial_category, plan.latest_category) == (CONFERENCE, "NEG", "NEG")
    assert plan.next_review_due == D(2026, 6, 20)  # 3 months
    # 10 working days from Friday 20 March: over Good Friday and Easter Monday.
    assert plan.next_core_group_due == D(2026, 4, 7)
    assert plan.next_visit_due == D(2026, 4, 7)
    kevin_at = ConferenceChild.objects.get(conference=conference, referral=kevin)
    assert (kevin_at.decision, kevin_at.category, kevin_at.plan) == ("no_plan", "", None)
    # Each child's enquiry ended with the conference.
    assert set(Section47Enquiry.objects.values_list("outcome", "completed_on")) == {
        ("conference", CONFERENCE)
    }
    assert list(
        ChronologyEntry.objects.filter(person=anna.person, kind__in=["conference", "plan"])
        .order_by("pk")
        .values_list("summary", flat=True)
    ) == [
        "Initial child protection conference arranged for 20 March 2026",
        "Initial child protection conference: Child protection plan (Neglect)",
        "Child protection plan started: Neglect",
    ]
    assert list(
        ChronologyEntry.objects.filter(person=kevin.person, kind__in=["conference", "plan"])
        .order_by("pk")
        .values_list("summary", flat=True)
    ) == [
        "Initial child protection conference arranged for 20 March 2026",
        "Initial child protection conference: No child protection plan",
    ]
    entry = AccessLogEntry.objects.get(action="record_conference_outcome")
    assert entry.user == conference_chair
    assert set(entry.subjects.values_list("record_id", flat=True)) >= {
        str(anna.person_id),
        str(kevin.person_id),
    }


@travel(datetime.datetime(2026, 3, 20, 17, tzinfo=UTC), tick=False)
def test_the_outcome_is_the_chairs_needs_every_decision_and_checks_the_version(
    social_worker: User, conference_chair: User, team_manager: User
) -> None:
    referral = make_referral(worker=social_worker, referred_on=REFERRED)
    _discuss(social_worker, referral)
    conference = _schedule(social_worker, referral)
    child = _by_referral(conference, referral)
    with pytest.raises(PermissionDenied):
        _outcome(social_worker, conference, {child: ChildDecision("plan", "NEG")})
    with pytest.raises(ValidationError) as raised:
        _outcome(conference_chair, conference, {child: ChildDecision("plan", "")})
    assert raised.value.message_dict[f"category_{child}"] == [
        f"Choose the category of the plan for {referral.person.full_name}"
    ]
    with pytest.raises(ValidationError) as raised:
        _outcome(conference_chair, conference, {child: ChildDecision("continue", "NEG")})
    assert f"decision_{child}" in raised.value.message_dict

    stale = conference.version
    _outcome(team_manager, conference, {child: ChildDecision("plan", "PHY")})
    with pytest.raises(EditConflict):
        record_conference_outcome(
            actor=conference_chair,
            conference_id=conference.pk,
            expected_version=stale,
            attendance={},
            child_views="",
            summary="",
            decisions={child: ChildDecision("no_plan")},
        )
    assert ChildProtectionPlan.objects.get().latest_category == "PHY"


@travel(datetime.datetime(2026, 3, 10, 17, tzinfo=UTC), tick=False)
def test_the_outcome_waits_for_the_conference_day(social_worker: User, conference_chair: User) -> None:
    referral = make_referral(worker=social_worker, referred_on=REFERRED)
    _discuss(social_worker, referral)
    conference = _schedule(social_worker, referral)
    with pytest.raises(ValidationError) as raised:
        _outcome(conference_chair, conference, {_by_referral(conference, referral): ChildDecision("no_plan")})
    assert raised.value.messages == [
        "You can record the outcome once the conference has been held: it is on 20 March 2026"
    ]


@travel(datetime.datetime(2026, 3, 20, 17, tzinfo=UTC), tick=False)
def test_a_child_has_one_open_plan(social_worker: User, conference_chair: User) -> None:
    referral = make_referral(worker=social_worker, referred_on=REFERRED)
    _discuss(social_worker, referral)
    conference = _schedule(social_worker, referral)
    # A plan started elsewhere (transfer-in recorded by hand) after the conference was arranged.
    make_plan(referral, started_on=D(2026, 3, 10))
    with pytest.raises(ValidationError) as raised:
        _outcome(
            conference_chair, conference, {_by_referral(conference, referral): ChildDecision("plan", "NEG")}
        )
    assert "already has an open child protection plan, from 10 March 2026" in str(raised.value)
    assert ChildProtectionPlan.objects.count() == 1
    with pytest.raises(ValidationError) as raised:
        _schedule(social_worker, referral, kind="transfer_in")
    assert "arrange a review conference" in raised.value.message_dict["children"][0]


@travel(datetime.datetime(2026, 6, 15, 17, tzinfo=UTC), tick=False)
def test_review_conferences_continue_with_a_new_category_or_end_the_plan(
    social_worker: User, conference_chair: User
) -> None:
    anna, kevin = _siblings(social_worker)
    anna_plan = make_plan(anna, started_on=CONFERENCE)
    kevin_plan = make_plan(kevin, started_on=CONFERENCE, category="EMO")
    with pytest.raises(ValidationError) as raised:
        _schedule(social_worker, anna, on=D(2026, 3, 19), kind="review")
    assert raised.value.message_dict["date"] == [
        f"The review conference cannot be before the plan for {anna.person.full_name} started on 20 March 2026"
    ]
    review = _schedule(social_worker, anna, kevin, on=D(2026, 6, 15), kind="review")
    assert review.due_on == D(2026, 6, 20)

    _outcome(
        conference_chair,
        review,
        {
            _by_referral(review, anna): ChildDecision("continue", "MUL"),
            _by_referral(review, kevin): ChildDecision("end"),
        },
    )

    anna_plan.refresh_from_db()
    kevin_plan.refresh_from_db()
    assert (anna_plan.initial_category, anna_plan.latest_category) == ("NEG", "MUL")
    assert anna_plan.next_review_due == D(2026, 12, 15)  # 6 months after the review
    assert anna_plan.ended_on is None
    assert (kevin_plan.ended_on, kevin_plan.end_reason) == (D(2026, 6, 15), "not_at_risk")
    assert ChronologyEntry.objects.filter(person=kevin.person, kind="plan").get().summary == (
        "Child protection plan ended: no longer at continuing risk of significant harm"
    )


@travel(datetime.datetime(2026, 5, 1, 17, tzinfo=UTC), tick=False)
def test_ending_a_plan_outside_a_review(social_worker: User, team_manager: User) -> None:
    referral = make_referral(worker=social_worker, referred_on=REFERRED)
    plan = make_plan(referral, started_on=CONFERENCE)
    with pytest.raises(ValidationError) as raised:
        end_plan(
            actor=social_worker, plan_id=plan.pk, expected_version=1, ended_on=D(2026, 3, 19), reason="moved"
        )
    assert raised.value.message_dict["ended_on"] == ["The plan cannot end before it started on 20 March 2026"]
    with pytest.raises(ValidationError) as raised:
        end_plan(
            actor=social_worker,
            plan_id=plan.pk,
            expected_version=1,
            ended_on=D(2026, 4, 30),
            reason="not_at_risk",
        )
    assert "only at a review conference" in raised.value.message_dict["reason"][0]

    end_plan(
        actor=team_manager,
        plan_id=plan.pk,
        expected_version=1,
        ended_on=D(2026, 4, 30),
        reason="looked_after",
    )
    with pytest.raises(EditConflict):
        end_plan(
            actor=social_worker, plan_id=plan.pk, expected_version=1, ended_on=D(2026, 4, 29), reason="moved"
        )
    plan.refresh_from_db()
    assert (plan.ended_on, plan.end_reason, plan.version) == (D(2026, 4, 30), "looked_after", 2)
    assert ChronologyEntry.objects.get(person=referral.person, kind="plan").summary == (
        "Child protection plan ended: Became looked after"
    )
    assert AccessLogEntry.objects.filter(action="end_plan", record_id=str(plan.pk)).count() == 1


@travel(datetime.datetime(2026, 4, 7, 17, tzinfo=UTC), tick=False)
def test_core_groups_keep_the_four_weekly_clock(social_worker: User) -> None:
    referral = make_referral(worker=social_worker, referred_on=REFERRED)
    plan = make_plan(referral, started_on=CONFERENCE)
    officer = make_practitioner()
    member = CoreGroupMemberInput(
        participant=Participant(officer.full_name, agency_id=officer.agency_id, practitioner_id=officer.pk),
        attended=True,
        phone="01632 960999",
        secure_email="dawn@police.example.gov.uk",
        preferred_contact="phone",
        contact_details_agreed=True,
    )
    parent = CoreGroupMemberInput(
        participant=Participant("Marie Therese", family_role="parent"), attended=False
    )
    with pytest.raises(ValidationError) as raised:
        record_core_group(
            actor=social_worker, plan_id=plan.pk, held_on=D(2026, 3, 19), summary="", members=[member]
        )
    assert raised.value.message_dict["held_on"] == [
        "The core group cannot be before the plan started on 20 March 2026"
    ]

    meeting = record_core_group(
        actor=social_worker,
        plan_id=plan.pk,
        held_on=D(2026, 4, 7),
        summary="Agreed actions",
        members=[member, parent],
    )
    plan.refresh_from_db()
    assert plan.next_core_group_due == D(2026, 5, 5)
    agreed = meeting.members.get(practitioner=officer)
    assert (agreed.phone, agreed.secure_email, agreed.preferred_contact, agreed.contact_details_agreed) == (
        "01632 960999",
        "dawn@police.example.gov.uk",
        "phone",
        True,
    )
    # A meeting recorded late does not move the clock back.
    record_core_group(
        actor=social_worker, plan_id=plan.pk, held_on=D(2026, 4, 1), summary="", members=[member]
    )
    plan.refresh_from_db()
    assert plan.next_core_group_due == D(2026, 5, 5)
    assert ChronologyEntry.objects.filter(person=referral.person, kind="core_group").count() == 2
    assert AccessLogEntry.objects.filter(action="record_core_group").count() == 2
    assert CoreGroupMeeting.objects.count() == 2


@travel(datetime.datetime(2026, 4, 1, 17, tzinfo=UTC), tick=False)
def test_a_seen_visit_restarts_the_visit_clock_and_an_unseen_one_does_not(social_worker: User) -> None:
    referral = make_referral(worker=social_worker, referred_on=REFERRED)
    plan = make_plan(referral, started_on=CONFERENCE)
    assert plan.next_visit_due == D(2026, 4, 7)

    record_visit(
        actor=social_worker,
        referral_id=referral.pk,
        visited_on=D(2026, 4, 1),
        child_seen=False,
        seen_alone=False,
        note="",
    )
    plan.refresh_from_db()
    assert plan.next_visit_due == D(2026, 4, 7)

    visit = record_visit(
        actor=social_worker,
        referral_id=referral.pk,
        visited_on=D(2026, 4, 1),
        child_seen=True,
        seen_alone=True,
        note="Anna showed me her room.",
    )
    plan.refresh_from_db()
    assert plan.next_visit_due == D(2026, 4, 17)  # 10 working days, over Easter
    assert (visit.plan, visit.kind) == (plan, "statutory")
    assert list(
        ChronologyEntry.objects.filter(person=referral.person, kind="visit")
        .order_by("pk")
        .values_list("summary", flat=True)
    ) == [
        "Statutory visit (child on a plan): child not seen",
        "Statutory visit (child on a plan): child seen alone",
    ]
    assert AccessLogEntry.objects.filter(action="record_visit").count() == 2


@travel(datetime.datetime(2026, 4, 1, 17, tzinfo=UTC), tick=False)
def test_a_pre_birth_visit_to_the_mother_restarts_an_unborn_childs_visit_clock(social_worker: User) -> None:
    unborn = make_person(given_names="Baby", date_of_birth=D(2026, 6, 1), birth_date_precision="expected")
    referral = make_referral(unborn, worker=social_worker, referred_on=REFERRED)
    plan = make_plan(referral, started_on=CONFERENCE)

    record_visit(
        actor=social_worker,
        referral_id=referral.pk,
        visited_on=D(2026, 4, 1),
        child_seen=False,
        seen_alone=False,
        note="Visited the mother at home; the pregnancy is going well.",
    )

    plan.refresh_from_db()
    assert plan.next_visit_due == D(2026, 4, 17)


@travel(datetime.datetime(2026, 4, 1, 17, tzinfo=UTC), tick=False)
def test_a_visit_refuses_seen_alone_without_seen_and_wrong_dates(social_worker: User) -> None:
    referral = make_referral(worker=social_worker, referred_on=REFERRED)
    with pytest.raises(ValidationError) as raised:
        record_visit(
            actor=social_worker,
            referral_id=referral.pk,
            visited_on=D(2026, 4, 1),
            child_seen=False,
            seen_alone=True,
            note="",
        )
    assert raised.value.message_dict["seen_alone"] == [
        "The child cannot have been seen alone if they were not seen"
    ]
    with pytest.raises(ValidationError) as raised:
        record_visit(
            actor=social_worker,
            referral_id=referral.pk,
            visited_on=D(2026, 3, 1),
            child_seen=True,
            seen_alone=False,
            note="",
        )
    assert raised.value.message_dict["visited_on"] == [
        "The visit cannot be before the referral on 2 March 2026"
    ]
    assert not Visit.objects.exists()
    # Without a plan, a visit is an assessment visit and starts no clock.
    visit = record_visit(
        actor=social_worker,
        referral_id=referral.pk,
        visited_on=D(2026, 4, 1),
        child_seen=True,
        seen_alone=False,
        note="",
    )
    assert (visit.plan, visit.kind) == (None, "assessment")


def test_siblings_and_household_children_with_open_referrals(social_worker: User) -> None:
    child = make_person(given_names="Anna")
    sibling = make_sibling(child)
    parent = make_parent(child)
    half = make_person(given_names="Lee")
    Relationship.objects.create(person=half, relative=parent, kind="parent")
    lodger_child = make_person(given_names="Kim")
    household = Household.objects.create(
        address=Address.objects.create(line_1="1 High St", town="Riverford", postcode="RV1 1AA")
    )
    HouseholdMember.objects.create(household=household, person=child)
    HouseholdMember.objects.create(household=household, person=lodger_child)
    no_referral = make_sibling(child)
    referral = make_referral(child)
    others = [make_referral(p) for p in (sibling, half, lodger_child)]
    make_referral(make_person(), referred_on=REFERRED)  # a stranger
    assert no_referral.referrals.count() == 0

    found = related_open_referrals(social_worker, referral)

    assert {r.pk for r in found} == {r.pk for r in others}


@travel(datetime.datetime(2026, 4, 20, 12, tzinfo=UTC), tick=False)
def test_the_episode_summary_is_bounded_and_flags_what_is_overdue(
    social_worker: User, django_assert_max_num_queries: object
) -> None:
    anna, kevin = _siblings(social_worker)
    _discuss(social_worker, anna, kevin)
    conference = _schedule(social_worker, anna, kevin)
    _outcome(
        persona("conference_chair"),
        conference,
        {
            _by_referral(conference, anna): ChildDecision("plan", "NEG"),
            _by_referral(conference, kevin): ChildDecision("plan", "NEG"),
        },
    )
    for day in (1, 2, 3):
        record_visit(
            actor=social_worker,
            referral_id=anna.pk,
            visited_on=D(2026, 4, day),
            child_seen=True,
            seen_alone=False,
            note="",
        )
    anna.refresh_from_db()

    with django_assert_max_num_queries(12):  # type: ignore[operator]
        protection = episode_protection(social_worker, anna, today=D(2026, 4, 20))

    assert len(protection.strategy_discussions) == 1
    [s47] = protection.section47s
    assert (s47.conference_due_on, s47.conference_held_on, s47.overdue) == (D(2026, 3, 24), CONFERENCE, False)
    [row] = protection.conferences
    assert row.child.decision == "plan" and not row.overdue
    plan = protection.open_plan
    assert plan is not None
    # The first core group was due on 7 April and none is recorded; the last visit (3
    # April) made the next due on 20 April, which is today: not yet overdue.
    assert plan.core_group_overdue and not plan.visit_overdue and not plan.review_overdue
    assert len(protection.visits) == 3
    assert protection.can_record and not protection.can_chair


@travel(datetime.datetime(2026, 3, 20, 17, tzinfo=UTC), tick=False)
def test_a_plan_started_at_the_same_moment_elsewhere_gives_the_clear_message(
    social_worker: User, conference_chair: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    referral = make_referral(worker=social_worker, referred_on=REFERRED)
    _discuss(social_worker, referral)
    conference = _schedule(social_worker, referral)
    make_plan(referral, started_on=D(2026, 3, 19))
    # As if the other plan were committed after this action's own check had run.
    monkeypatch.setattr(protection_actions, "_open_plan", lambda person_id, lock=False: None)
    with pytest.raises(ValidationError) as raised:
        _outcome(
            conference_chair, conference, {_by_referral(conference, referral): ChildDecision("plan", "NEG")}
        )
    assert "already has an open child protection plan" in str(raised.value)
    conference.refresh_from_db()
    assert not conference.held
    assert ChildProtectionPlan.objects.count() == 1


@travel(datetime.datetime(2026, 3, 10, 17, tzinfo=UTC), tick=False)
def test_an_initial_conference_is_arranged_once(social_worker: User) -> None:
    referral = make_referral(worker=social_worker, referred_on=REFERRED)
    _discuss(social_worker, referral)
    _schedule(social_worker, referral)
    with pytest.raises(ValidationError) as raised:
        _schedule(social_worker, referral, on=D(2026, 3, 23))
    assert raised.value.message_dict["children"] == [
        f"{referral.person.full_name} already has an initial conference arranged for 20 March 2026"
    ]
