"""Child protection: strategy discussions, section 47 enquiries, conferences, plans, core
groups and visits (Working Together to Safeguard Children 2023, chapter 4; the clocks
come from the timescale policy in force, never from numbers written here)."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping, Sequence

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import AnyUser, Permission
from jigsaw.access.roles import Role
from jigsaw.casework.actions.common import (
    acting_user,
    add_to_chronology,
    check_version,
    not_in_future,
    require_order,
)
from jigsaw.casework.models import (
    AbuseCategory,
    Attendance,
    ChildInNeedPlan,
    ChildProtectionConference,
    ChildProtectionPlan,
    ChronologyKind,
    ConferenceChild,
    ConferenceDecision,
    ConferenceInvitation,
    ConferenceKind,
    CoreGroupInvitation,
    CoreGroupMeeting,
    CoreGroupMember,
    FamilyRole,
    InvitationReply,
    LookedAfterEpisode,
    MeetingMode,
    PlanEndReason,
    Referral,
    Section47Enquiry,
    Section47Outcome,
    StrategyDecision,
    StrategyDiscussion,
    StrategyDiscussionAttendee,
    Timescale,
    TimescaleKey,
    Visit,
    VisitKind,
)
from jigsaw.casework.queries import casework_visible_to, get_casework_for
from jigsaw.casework.queries.protection import get_conference_for, related_open_referrals
from jigsaw.casework.timescales import due_date
from jigsaw.core.templatetags.jigsaw_tags import govuk_date
from jigsaw.partners.actions.conferences import send_invitations
from jigsaw.partners.models import Agency, ContactMethod, Practitioner

INITIAL_KINDS = frozenset({ConferenceKind.INITIAL, ConferenceKind.PRE_BIRTH, ConferenceKind.TRANSFER_IN})
# Ending a plan outside a review conference: the reasons that do not need a conference.
END_OUTSIDE_REVIEW = frozenset(
    {PlanEndReason.MOVED, PlanEndReason.LOOKED_AFTER, PlanEndReason.ADULT, PlanEndReason.DIED}
)


@dataclasses.dataclass(frozen=True)
class Participant:
    """Someone at a strategy discussion, conference or core group: a practitioner from the
    directory, or a person named with their agency, or a family member (no agency)."""

    name: str
    agency_id: int | None = None
    practitioner_id: int | None = None
    family_role: str = ""
    # How an invitee to a conference or core group is asked to join.
    requested_mode: str = MeetingMode.IN_PERSON


@dataclasses.dataclass(frozen=True)
class CoreGroupMemberInput:
    participant: Participant
    attended: bool
    phone: str = ""
    secure_email: str = ""
    preferred_contact: str = ""
    contact_details_agreed: bool = False


@dataclasses.dataclass(frozen=True)
class ChildDecision:
    decision: str
    category: str = ""


@dataclasses.dataclass(frozen=True)
class AttendanceInput:
    attendance: str
    report_received: bool = False


def _date(day: datetime.date) -> str:
    return govuk_date(day)


def _policy_due(key: TimescaleKey, start: datetime.date) -> datetime.date | None:
    """The due date by the policy in force, or None if the policy sets no such clock (the
    2009 policy had no interval between core groups)."""
    try:
        return due_date(key, start)
    except Timescale.DoesNotExist:
        return None


def _locked_referrals(user: AnyUser, ids: Sequence[int]) -> QuerySet[Referral]:
    return casework_visible_to(
        user, Referral.objects.select_for_update().select_related("person"), "person"
    ).filter(pk__in=ids)


def _children_covered(user: User, referral: Referral, other_referral_ids: Sequence[int]) -> list[Referral]:
    """The child's referral and those of the siblings or household children (with an open
    referral) that the same meeting covers; anything else is refused."""
    allowed = {r.pk for r in related_open_referrals(user, referral)}
    unknown = set(other_referral_ids) - allowed - {referral.pk}
    if unknown:
        raise ValidationError(
            {
                "children": "Choose only brothers, sisters or children in the same household with an open referral"
            }
        )
    ids = [referral.pk, *sorted(set(other_referral_ids) - {referral.pk})]
    found = {r.pk: r for r in _locked_referrals(user, ids)}
    return [found[i] for i in ids if i in found]


def _check_participants(participants: Sequence[Participant], field: str) -> None:
    agency_ids = {p.agency_id for p in participants if p.agency_id is not None}
    practitioner_ids = {p.practitioner_id for p in participants if p.practitioner_id is not None}
    if Agency.objects.filter(pk__in=agency_ids).count() != len(agency_ids) or (
        Practitioner.objects.filter(pk__in=practitioner_ids).count() != len(practitioner_ids)
    ):
        raise ValidationError({field: "Choose people and agencies from the lists"})
    for p in participants:
        if not p.name.strip():
            raise ValidationError({field: "Enter the name of everyone you add"})
        if len(p.name) > 160:
            raise ValidationError({field: "Names must be 160 characters or fewer"})
        if p.family_role and p.family_role not in FamilyRole.values:
            raise ValidationError({field: "Choose people from the lists"})
        if not p.family_role and p.agency_id is None:
            raise ValidationError({field: f"Choose the agency {p.name.strip()} is from"})
        if p.requested_mode not in MeetingMode.values:
            raise ValidationError({field: f"Choose how {p.name.strip()} is asked to join"})


def _with_practitioners_agency(participants: Sequence[Participant]) -> list[Participant]:
    """A practitioner from the directory is from their own agency, whatever the form said,
    so attendance by agency always counts them where they work."""
    ids = {p.practitioner_id for p in participants if p.practitioner_id is not None}
    agency_of = dict(Practitioner.objects.filter(pk__in=ids).values_list("pk", "agency_id"))
    return [
        dataclasses.replace(p, agency_id=agency_of[p.practitioner_id])
        if p.practitioner_id is not None and p.practitioner_id in agency_of and not p.family_role
        else p
        for p in participants
    ]


def _check_meeting_place(
    errors: dict[str, str], venue: str, remote_joining: str, invitations: Sequence[Participant]
) -> None:
    if len(venue.strip()) > 200:
        errors["venue"] = "The venue must be 200 characters or fewer"
    if len(remote_joining.strip()) > 1000:
        errors["remote_joining"] = "How to join by phone or video must be 1,000 characters or fewer"
    remote = [i for i in invitations if i.requested_mode in (MeetingMode.PHONE, MeetingMode.VIDEO)]
    if remote and not remote_joining.strip():
        errors["remote_joining"] = (
            f"Enter how to join by phone or video: {remote[0].name.strip()} is asked to join "
            f"{MeetingMode(remote[0].requested_mode).label.lower()}"
        )


# --- Strategy discussions and section 47 enquiries -------------------------------------


@transaction.atomic
def record_strategy_discussion(
    *,
    actor: AnyUser,
    referral_id: int,
    held_on: datetime.date,
    decision: str,
    summary: str,
    other_referral_ids: Sequence[int] = (),
    attendees: Sequence[Participant],
) -> StrategyDiscussion:
    """Record a multi-agency strategy discussion (Working Together 2023, 4.2: social care,
    police and health at least), covering the child and any siblings with it. A decision
    to make section 47 enquiries starts one for each child, with the initial conference
    due by the policy's INITIAL_CONFERENCE timescale (15 working days) from the discussion."""
    user = acting_user(actor, Permission.RECORD_CASEWORK)
    referral = get_casework_for(user, Referral.objects.select_related("person"), referral_id, "person")
    children = _children_covered(user, referral, other_referral_ids)
    errors: dict[str, str] = {}
    if decision not in StrategyDecision.values:
        errors["decision"] = "Choose the decision of the strategy discussion"
    for child in children:
        if not child.is_open:
            errors["children"] = f"The episode of need for {child.person.full_name} is closed"
        require_order(
            errors,
            "held_on",
            held_on,
            child.referred_on,
            f"The strategy discussion cannot be before the referral of {child.person.full_name} "
            f"on {_date(child.referred_on)}",
        )
    not_in_future(errors, "held_on", held_on, "The date of the strategy discussion")
    if not attendees:
        errors["attendees"] = "Choose or add who took part in the strategy discussion"
    elif any(a.family_role for a in attendees):
        errors["attendees"] = "A strategy discussion is between professionals: choose them from the list"
    if decision == StrategyDecision.SECTION_47:
        in_progress = (
            Section47Enquiry.objects.filter(referral__in=children, completed_on__isnull=True)
            .select_related("referral__person")
            .first()
        )
        if in_progress is not None:
            errors["decision"] = (
                f"{in_progress.referral.person.full_name} already has a section 47 enquiry in progress, "
                f"started on {_date(in_progress.started_on)}: record its outcome first"
            )
    if errors:
        raise ValidationError(errors)
    _check_participants(attendees, "attendees")

    discussion = StrategyDiscussion.objects.create(
        held_on=held_on, decision=decision, summary=summary.strip(), recorded_by=user
    )
    discussion.referrals.set(children)
    StrategyDiscussionAttendee.objects.bulk_create(
        StrategyDiscussionAttendee(
            discussion=discussion,
            practitioner_id=a.practitioner_id,
            name=a.name.strip(),
            agency_id=a.agency_id,
        )
        for a in attendees
        if a.agency_id is not None  # every attendee has one (checked above)
    )
    conference_due = due_date(TimescaleKey.INITIAL_CONFERENCE, held_on)
    label = StrategyDecision(decision).label
    for child in children:
        add_to_chronology(
            person=child.person,
            occurred_on=held_on,
            kind=ChronologyKind.STRATEGY_DISCUSSION,
            summary=f"Strategy discussion: {label}",
            detail=discussion.summary,
            source=discussion,
            recorded_by=user,
        )
        if decision == StrategyDecision.SECTION_47:
            enquiry = Section47Enquiry.objects.create(
                referral=child,
                strategy_discussion=discussion,
                started_on=held_on,
                conference_due_on=conference_due,
                recorded_by=user,
            )
            add_to_chronology(
                person=child.person,
                occurred_on=held_on,
                kind=ChronologyKind.SECTION_47,
                summary=f"Section 47 enquiry started; initial conference due by {_date(conference_due)}",
                source=enquiry,
                recorded_by=user,
            )
    record_access(
        user=user,
        action="record_strategy_discussion",
        record=discussion,
        subjects=[c.person for c in children],
    )
    return discussion


@transaction.atomic
def complete_section47(
    *,
    actor: AnyUser,
    section47_id: int,
    expected_version: int,
    outcome: str,
    completed_on: datetime.date,
) -> Section47Enquiry:
    """Record the outcome of a section 47 enquiry (Children Act 1989, s47): concerns
    substantiated and a conference needed, a child in need plan instead, or not
    substantiated. It cannot end before it started, nor in the future."""
    user = acting_user(actor, Permission.RECORD_CASEWORK)
    enquiry = get_casework_for(
        user,
        Section47Enquiry.objects.select_for_update().select_related("referral__person"),
        section47_id,
        "referral__person",
    )
    check_version(enquiry, expected_version, "section 47 enquiry")
    errors: dict[str, str] = {}
    if outcome not in Section47Outcome.values:
        errors["outcome"] = "Choose the outcome of the enquiry"
    require_order(
        errors,
        "completed_on",
        completed_on,
        enquiry.started_on,
        f"The enquiry cannot end before it started on {_date(enquiry.started_on)}",
    )
    not_in_future(errors, "completed_on", completed_on, "The date the enquiry ended")
    if errors:
        raise ValidationError(errors)
    enquiry.outcome = outcome
    enquiry.completed_on = completed_on
    enquiry.save(update_fields=["outcome", "completed_on", "version"])
    add_to_chronology(
        person=enquiry.referral.person,
        occurred_on=completed_on,
        kind=ChronologyKind.SECTION_47,
        summary=f"Section 47 enquiry completed: {Section47Outcome(outcome).label}",
        source=enquiry,
        recorded_by=user,
    )
    record_access(user=user, action="complete_section47", record=enquiry, subjects=[enquiry.referral.person])
    return enquiry


# --- Conferences -------------------------------------------------------------------------


def conference_chairs() -> QuerySet[User]:
    """The users who chair conferences (independent reviewing officers)."""
    return User.objects.filter(is_active=True, practitioner__role=Role.CONFERENCE_CHAIR).order_by(
        "first_name", "last_name", "username"
    )


def _awaiting_initial(referral: Referral) -> Section47Enquiry | None:
    """The child's section 47 enquiry whose initial conference is still to be arranged."""
    return (
        Section47Enquiry.objects.filter(referral=referral, outcome__in=["", Section47Outcome.CONFERENCE])
        .exclude(conferences__conference__kind__in=[ConferenceKind.INITIAL, ConferenceKind.PRE_BIRTH])
        .select_related("strategy_discussion")
        .order_by("-started_on", "-pk")
        .first()
    )


def _open_plan(person_id: int, *, lock: bool = False) -> ChildProtectionPlan | None:
    plans = ChildProtectionPlan.objects.filter(person_id=person_id, ended_on__isnull=True)
    return (plans.select_for_update() if lock else plans).first()


@transaction.atomic
def schedule_conference(
    *,
    actor: AnyUser,
    referral_id: int,
    kind: str,
    date: datetime.date,
    chair_id: int,
    other_referral_ids: Sequence[int] = (),
    invitations: Sequence[Participant],
    starts_at: datetime.time | None = None,
    venue: str = "",
    remote_joining: str = "",
) -> ChildProtectionConference:
    """Arrange a child protection conference for the child and any siblings with it.
    An initial (or pre-birth) conference follows a section 47 enquiry and is due by the
    enquiry's `conference_due_on`; it cannot be before the strategy discussion that
    started the enquiry. A review is due by the plan's `next_review_due`. A pre-birth
    conference is for an unborn child; a transfer-in for a child on another authority's
    plan (so none here yet). The professionals invited are told where and when, and how to
    join by phone or video; a professional from the directory is counted with their own
    agency."""
    user = acting_user(actor, Permission.RECORD_CASEWORK)
    referral = get_casework_for(user, Referral.objects.select_related("person"), referral_id, "person")
    children = _children_covered(user, referral, other_referral_ids)
    errors: dict[str, str] = {}
    if kind not in ConferenceKind.values:
        raise ValidationError({"kind": "Choose the kind of conference"})
    if kind == ConferenceKind.PRE_BIRTH and not referral.person.is_unborn:
        errors["kind"] = f"A pre-birth conference is for an unborn child; {referral.person.full_name} is born"
    if not conference_chairs().filter(pk=chair_id).exists():
        errors["chair"] = "Choose the conference chair from the list"
    if not invitations:
        errors["invitations"] = "Choose who to invite"
    _check_meeting_place(errors, venue, remote_joining, invitations)
    links: dict[int, tuple[Section47Enquiry | None, ChildProtectionPlan | None]] = {}
    dues: list[datetime.date] = []
    for child in children:
        name = child.person.full_name
        if not child.is_open:
            errors["children"] = f"The episode of need for {name} is closed"
            continue
        plan = _open_plan(child.person_id)
        if kind == ConferenceKind.REVIEW:
            if plan is None:
                errors["children"] = f"{name} has no child protection plan to review"
                continue
            require_order(
                errors,
                "date",
                date,
                plan.started_on,
                f"The review conference cannot be before the plan for {name} started on "
                f"{_date(plan.started_on)}",
            )
            if plan.next_review_due:
                dues.append(plan.next_review_due)
            links[child.pk] = (None, plan)
            continue
        if plan is not None:
            errors["children"] = (
                f"{name} already has a child protection plan, from {_date(plan.started_on)}: "
                "arrange a review conference"
            )
            continue
        if kind == ConferenceKind.TRANSFER_IN:
            require_order(
                errors,
                "date",
                date,
                child.referred_on,
                f"The conference cannot be before the referral of {name} on {_date(child.referred_on)}",
            )
            links[child.pk] = (None, None)
            continue
        enquiry = _awaiting_initial(child)
        arranged = (
            ConferenceChild.objects.filter(
                referral=child, conference__held=False, conference__kind__in=list(INITIAL_KINDS)
            )
            .select_related("conference")
            .first()
        )
        if enquiry is None and arranged is not None:
            kind_name = arranged.conference.get_kind_display().lower()
            article = "an" if kind_name[0] in "aeiou" else "a"
            errors["children"] = (
                f"{name} already has {article} {kind_name} conference arranged "
                f"for {_date(arranged.conference.date)}"
            )
            continue
        if enquiry is None:
            errors["children"] = (
                f"{name} has no section 47 enquiry waiting for an initial conference: "
                "record the strategy discussion first"
            )
            continue
        require_order(
            errors,
            "date",
            date,
            enquiry.strategy_discussion.held_on,
            f"The conference cannot be before the strategy discussion on "
            f"{_date(enquiry.strategy_discussion.held_on)}",
        )
        dues.append(enquiry.conference_due_on)
        links[child.pk] = (enquiry, None)
    if errors:
        raise ValidationError(errors)
    _check_participants(invitations, "invitations")
    invitations = _with_practitioners_agency(invitations)

    conference = ChildProtectionConference.objects.create(
        kind=kind,
        date=date,
        starts_at=starts_at,
        venue=venue.strip(),
        remote_joining=remote_joining.strip(),
        due_on=min(dues) if dues else None,
        chair_id=chair_id,
        scheduled_by=user,
    )
    ConferenceChild.objects.bulk_create(
        ConferenceChild(
            conference=conference, referral=child, section47=links[child.pk][0], plan=links[child.pk][1]
        )
        for child in children
    )
    sent = ConferenceInvitation.objects.bulk_create(
        ConferenceInvitation(
            conference=conference,
            practitioner_id=i.practitioner_id,
            name=i.name.strip(),
            agency_id=i.agency_id,
            family_role=i.family_role,
            requested_mode=i.requested_mode,
        )
        for i in invitations
    )
    send_invitations(user=user, meeting=conference, invitations=sent, children=[c.person for c in children])
    label = ConferenceKind(kind).label
    for child in children:
        add_to_chronology(
            person=child.person,
            occurred_on=timezone.localdate(),
            kind=ChronologyKind.CONFERENCE,
            summary=f"{label} child protection conference arranged for {_date(date)}",
            source=conference,
            recorded_by=user,
        )
    record_access(
        user=user, action="schedule_conference", record=conference, subjects=[c.person for c in children]
    )
    return conference


def _valid_decisions(kind: str) -> set[str]:
    if kind == ConferenceKind.REVIEW:
        return {ConferenceDecision.CONTINUE_PLAN, ConferenceDecision.END_PLAN}
    return {ConferenceDecision.PLAN, ConferenceDecision.NO_PLAN}


@transaction.atomic
def record_conference_outcome(
    *,
    actor: AnyUser,
    conference_id: int,
    expected_version: int,
    attendance: Mapping[int, AttendanceInput],
    child_views: str,
    summary: str,
    decisions: Mapping[int, ChildDecision],
) -> ChildProtectionConference:
    """The chair records a held conference: who attended and how, the child's views, the
    summary, and the decision for each child (Working Together 2023, 4.4). A decision for
    a plan at an initial, pre-birth or transfer-in conference starts the plan with its
    clocks from the conference date: first review (3 months), first core group (10
    working days), visits (10 working days). A review continues the plan (the next review
    6 months on; the category may change) or ends it. A child has one open plan at most."""
    user = acting_user(actor, Permission.CHAIR_CONFERENCE)
    conference = get_conference_for(user, conference_id, lock=True)
    check_version(conference, expected_version, "conference")
    if conference.held:
        raise ValidationError("The outcome of this conference has already been recorded")
    errors: dict[str, str] = {}
    not_in_future(errors, "__all__", conference.date, "The conference")
    if errors:
        raise ValidationError(
            f"You can record the outcome once the conference has been held: it is on {_date(conference.date)}"
        )
    invitations = list(conference.invitations.select_for_update(of=("self",)))
    for invitation in invitations:
        given = attendance.get(invitation.pk)
        if given is None or given.attendance not in Attendance.values:
            errors[f"attendance_{invitation.pk}"] = f"Choose how {invitation.name} took part"
    children = list(
        ConferenceChild.objects.select_for_update(of=("self",))
        .filter(conference=conference)
        .select_related("referral__person", "plan", "section47")
    )
    allowed = _valid_decisions(conference.kind)
    for cc in children:
        name = cc.referral.person.full_name
        choice = decisions.get(cc.pk)
        if choice is None or choice.decision not in allowed:
            errors[f"decision_{cc.pk}"] = f"Choose the decision for {name}"
            continue
        needs_category = choice.decision in (ConferenceDecision.PLAN, ConferenceDecision.CONTINUE_PLAN)
        if needs_category and choice.category not in AbuseCategory.values:
            errors[f"category_{cc.pk}"] = f"Choose the category of the plan for {name}"
        if choice.decision == ConferenceDecision.PLAN:
            existing = _open_plan(cc.referral.person_id)
            if existing is not None:
                errors[f"decision_{cc.pk}"] = (
                    f"{name} already has an open child protection plan, from {_date(existing.started_on)}: "
                    "it must end before another can start"
                )
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    for invitation in invitations:
        given = attendance[invitation.pk]
        invitation.attendance = given.attendance
        if given.report_received and invitation.report_received_at is None:
            # A report handed to the chair: received when the outcome is recorded, by them.
            invitation.report_received_at = now
            invitation.report_received_by = user
        elif not given.report_received:
            invitation.report_received_at = None
            invitation.report_received_by = None
        invitation.report_received = given.report_received
        invitation.version += 1
    ConferenceInvitation.objects.bulk_update(
        invitations,
        ["attendance", "report_received", "report_received_at", "report_received_by", "version"],
    )
    conference.child_views = child_views.strip()
    conference.summary = summary.strip()
    conference.held = True
    conference.outcome_recorded_by = user
    conference.outcome_recorded_at = timezone.now()
    conference.save()
    kind_label = ConferenceKind(conference.kind).label
    for cc in children:
        choice = decisions[cc.pk]
        person = cc.referral.person
        cc.decision = choice.decision
        cc.category = (
            choice.category
            if choice.decision in (ConferenceDecision.PLAN, ConferenceDecision.CONTINUE_PLAN)
            else ""
        )
        text = ConferenceDecision(choice.decision).label
        if cc.category:
            text += f" ({AbuseCategory(cc.category).label})"
        add_to_chronology(
            person=person,
            occurred_on=conference.date,
            kind=ChronologyKind.CONFERENCE,
            summary=f"{kind_label} child protection conference: {text}",
            detail=conference.summary,
            source=conference,
            recorded_by=user,
        )
        if cc.section47 is not None and cc.section47.completed_on is None:
            # The enquiry's outcome was the conference: it ends with it.
            cc.section47.outcome = Section47Outcome.CONFERENCE
            cc.section47.completed_on = conference.date
            cc.section47.version += 1
            cc.section47.save(update_fields=["outcome", "completed_on", "version"])
        if choice.decision == ConferenceDecision.PLAN:
            cc.plan = _start_plan(cc, conference, user)
        elif cc.plan is not None and choice.decision == ConferenceDecision.CONTINUE_PLAN:
            plan = ChildProtectionPlan.objects.select_for_update().get(pk=cc.plan.pk)
            plan.latest_category = cc.category
            plan.next_review_due = due_date(TimescaleKey.LATER_REVIEW, conference.date)
            plan.version += 1
            plan.save(update_fields=["latest_category", "next_review_due", "version"])
            cc.plan = plan
        elif cc.plan is not None and choice.decision == ConferenceDecision.END_PLAN:
            plan = ChildProtectionPlan.objects.select_for_update().get(pk=cc.plan.pk)
            if plan.ended_on is None:
                plan.ended_on = conference.date
                plan.end_reason = PlanEndReason.NO_LONGER_AT_RISK
                plan.version += 1
                plan.save(update_fields=["ended_on", "end_reason", "version"])
                add_to_chronology(
                    person=person,
                    occurred_on=conference.date,
                    kind=ChronologyKind.PLAN,
                    summary="Child protection plan ended: no longer at continuing risk of significant harm",
                    source=plan,
                    recorded_by=user,
                )
            cc.plan = plan
        cc.save(update_fields=["decision", "category", "plan"])
    record_access(
        user=user,
        action="record_conference_outcome",
        record=conference,
        subjects=[cc.referral.person for cc in children],
    )
    return conference


def _start_plan(
    cc: ConferenceChild, conference: ChildProtectionConference, user: User
) -> ChildProtectionPlan:
    start = conference.date
    try:
        # The checks above ran under lock, but a plan started at the same moment by
        # another conference only shows here, as the database's one-open-plan rule.
        with transaction.atomic():
            plan = ChildProtectionPlan.objects.create(
                referral=cc.referral,
                person=cc.referral.person,
                started_on=start,
                initial_category=cc.category,
                latest_category=cc.category,
                next_review_due=due_date(TimescaleKey.FIRST_REVIEW, start),
                next_core_group_due=due_date(TimescaleKey.FIRST_CORE_GROUP, start),
                next_visit_due=due_date(TimescaleKey.PLAN_VISIT, start),
            )
    except IntegrityError:
        raise ValidationError(
            {
                f"decision_{cc.pk}": f"{cc.referral.person.full_name} already has an open child protection "
                "plan: it must end before another can start"
            }
        ) from None
    add_to_chronology(
        person=cc.referral.person,
        occurred_on=start,
        kind=ChronologyKind.PLAN,
        summary=f"Child protection plan started: {AbuseCategory(cc.category).label}",
        source=plan,
        recorded_by=user,
    )
    return plan


# --- Plans -------------------------------------------------------------------------------


def _locked_plan(user: User, plan_id: int) -> ChildProtectionPlan:
    return get_casework_for(
        user,
        ChildProtectionPlan.objects.select_for_update().select_related("person", "referral"),
        plan_id,
        "person",
    )


@transaction.atomic
def end_plan(
    *, actor: AnyUser, plan_id: int, expected_version: int, ended_on: datetime.date, reason: str
) -> ChildProtectionPlan:
    """End a plan outside a review conference, for a reason that needs none: the child
    moved to another authority, became looked after, reached 18 or died. Ending because
    the child is no longer at risk is a review conference's decision."""
    user = acting_user(actor, Permission.RECORD_CASEWORK)
    plan = _locked_plan(user, plan_id)
    check_version(plan, expected_version, "plan")
    if plan.ended_on is not None:
        raise ValidationError(f"This plan ended on {_date(plan.ended_on)}")
    errors: dict[str, str] = {}
    if reason not in END_OUTSIDE_REVIEW:
        errors["reason"] = (
            "Choose why the plan ends; a plan ends because the child is no longer at risk only at a "
            "review conference"
        )
    require_order(
        errors,
        "ended_on",
        ended_on,
        plan.started_on,
        f"The plan cannot end before it started on {_date(plan.started_on)}",
    )
    not_in_future(errors, "ended_on", ended_on, "The date the plan ended")
    if errors:
        raise ValidationError(errors)
    plan.ended_on = ended_on
    plan.end_reason = reason
    plan.save(update_fields=["ended_on", "end_reason", "version"])
    add_to_chronology(
        person=plan.person,
        occurred_on=ended_on,
        kind=ChronologyKind.PLAN,
        summary=f"Child protection plan ended: {PlanEndReason(reason).label}",
        source=plan,
        recorded_by=user,
    )
    record_access(user=user, action="end_plan", record=plan, subjects=[plan.person])
    return plan


# --- Core groups -------------------------------------------------------------------------


@transaction.atomic
def arrange_core_group(
    *,
    actor: AnyUser,
    plan_id: int,
    date: datetime.date,
    starts_at: datetime.time | None = None,
    venue: str = "",
    remote_joining: str = "",
    invitations: Sequence[Participant],
) -> CoreGroupMeeting:
    """Arrange a core group meeting of an open plan ahead, and invite its members (Working
    Together 2023, 4.5: the core group meets within 10 working days of the conference,
    then regularly). The meeting is not held until it is recorded; the professionals
    invited are told where and when, and how to join by phone or video."""
    user = acting_user(actor, Permission.RECORD_CASEWORK)
    plan = _locked_plan(user, plan_id)
    if plan.ended_on is not None:
        raise ValidationError(f"This plan ended on {_date(plan.ended_on)}")
    errors: dict[str, str] = {}
    if date < timezone.localdate():
        errors["date"] = (
            "The date of the core group must be today or in the future: record a past meeting instead"
        )
    require_order(
        errors,
        "date",
        date,
        plan.started_on,
        f"The core group cannot be before the plan started on {_date(plan.started_on)}",
    )
    if not invitations:
        errors["invitations"] = "Choose who to invite"
    _check_meeting_place(errors, venue, remote_joining, invitations)
    if errors:
        raise ValidationError(errors)
    _check_participants(invitations, "invitations")
    invitations = _with_practitioners_agency(invitations)
    meeting = CoreGroupMeeting.objects.create(
        plan=plan,
        held_on=date,
        held=False,
        starts_at=starts_at,
        venue=venue.strip(),
        remote_joining=remote_joining.strip(),
        recorded_by=user,
        arranged_by=user,
    )
    sent = CoreGroupInvitation.objects.bulk_create(
        CoreGroupInvitation(
            meeting=meeting,
            practitioner_id=i.practitioner_id,
            name=i.name.strip(),
            agency_id=i.agency_id,
            family_role=i.family_role,
            requested_mode=i.requested_mode,
        )
        for i in invitations
    )
    send_invitations(user=user, meeting=meeting, invitations=sent, children=[plan.person])
    add_to_chronology(
        person=plan.person,
        occurred_on=timezone.localdate(),
        kind=ChronologyKind.CORE_GROUP,
        summary=f"Core group meeting arranged for {_date(date)}",
        source=meeting,
        recorded_by=user,
    )
    record_access(user=user, action="arrange_core_group", record=meeting, subjects=[plan.person])
    return meeting


def _core_group_attendance(invitation: CoreGroupInvitation, member: CoreGroupMemberInput | None) -> str:
    """How an invitee took part, from what the recorder already said (attended or not)
    and what the invitee replied: the form asks nothing more. Someone who attended took
    part the way they said they would (phone, video), otherwise in person; someone who
    did not sent a report, apologies, or neither."""
    if member is not None and member.attended:
        if invitation.reply in (InvitationReply.PHONE, InvitationReply.VIDEO):
            return str(invitation.reply)
        return Attendance.IN_PERSON
    if invitation.report_received or invitation.reply == InvitationReply.REPORT_ONLY:
        return Attendance.REPORT_ONLY
    if invitation.reply == InvitationReply.APOLOGIES:
        return Attendance.APOLOGIES
    return Attendance.DID_NOT_ATTEND


def _participant_key(p: Participant | CoreGroupInvitation) -> tuple[str, ...]:
    if p.practitioner_id is not None:
        return ("p", str(p.practitioner_id))
    return ("n", p.name.strip().casefold(), p.family_role, str(p.agency_id or ""))


@transaction.atomic
def record_core_group(
    *,
    actor: AnyUser,
    plan_id: int,
    held_on: datetime.date,
    summary: str,
    members: Sequence[CoreGroupMemberInput],
    meeting_id: int | None = None,
) -> CoreGroupMeeting:
    """Record a core group meeting of a plan, with the contact details and best contact
    method agreed for every professional. The next core group is due by the policy's
    CORE_GROUP_INTERVAL from the latest meeting (the first one was due FIRST_CORE_GROUP
    after the conference). A meeting arranged ahead (`meeting_id`) becomes held, and each
    invitee's attendance follows from the members who attended and their replies."""
    user = acting_user(actor, Permission.RECORD_CASEWORK)
    plan = _locked_plan(user, plan_id)
    errors: dict[str, str] = {}
    if plan.ended_on is not None:
        raise ValidationError(f"This plan ended on {_date(plan.ended_on)}")
    arranged: CoreGroupMeeting | None = None
    if meeting_id is not None:
        arranged = CoreGroupMeeting.objects.select_for_update().filter(pk=meeting_id, plan=plan).first()
        if arranged is None:
            raise ValidationError("This core group is not one of this plan's")
        if arranged.held:
            raise ValidationError("This core group has already been recorded")
    require_order(
        errors,
        "held_on",
        held_on,
        plan.started_on,
        f"The core group cannot be before the plan started on {_date(plan.started_on)}",
    )
    not_in_future(errors, "held_on", held_on, "The date of the core group")
    if not members:
        errors["members"] = "Choose or add the members of the core group"
    for m in members:
        if m.preferred_contact and m.preferred_contact not in ContactMethod.values:
            errors["members"] = f"Choose the best way to contact {m.participant.name}"
        if len(m.phone) > 40:
            errors["members"] = f"The phone number of {m.participant.name} must be 40 characters or fewer"
    if errors:
        raise ValidationError(errors)
    _check_participants([m.participant for m in members], "members")
    latest = plan.core_groups.filter(held=True).order_by("-held_on").values_list("held_on", flat=True).first()
    if arranged is not None:
        meeting = arranged
        meeting.held_on = held_on
        meeting.held = True
        meeting.summary = summary.strip()
        meeting.recorded_by = user
        meeting.version += 1
        meeting.save(update_fields=["held_on", "held", "summary", "recorded_by", "version"])
        by_key = {_participant_key(m.participant): m for m in members}
        invited = list(meeting.invitations.select_for_update(of=("self",)))
        for invitation in invited:
            invitation.attendance = _core_group_attendance(
                invitation, by_key.get(_participant_key(invitation))
            )
            invitation.version += 1
        CoreGroupInvitation.objects.bulk_update(invited, ["attendance", "version"])
    else:
        meeting = CoreGroupMeeting.objects.create(
            plan=plan, held_on=held_on, summary=summary.strip(), recorded_by=user
        )
    CoreGroupMember.objects.bulk_create(
        CoreGroupMember(
            meeting=meeting,
            practitioner_id=m.participant.practitioner_id,
            name=m.participant.name.strip(),
            agency_id=m.participant.agency_id,
            family_role=m.participant.family_role,
            attended=m.attended,
            phone=m.phone.strip(),
            secure_email=m.secure_email.strip(),
            preferred_contact=m.preferred_contact,
            contact_details_agreed=m.contact_details_agreed,
        )
        for m in members
    )
    # A meeting recorded late (older than the latest) does not move the clock back.
    clock_from = max(held_on, latest) if latest else held_on
    plan.next_core_group_due = _policy_due(TimescaleKey.CORE_GROUP_INTERVAL, clock_from)
    plan.version += 1
    plan.save(update_fields=["next_core_group_due", "version"])
    add_to_chronology(
        person=plan.person,
        occurred_on=held_on,
        kind=ChronologyKind.CORE_GROUP,
        summary=f"Core group meeting ({sum(1 for m in members if m.attended)} attended)",
        detail=meeting.summary,
        source=meeting,
        recorded_by=user,
    )
    record_access(user=user, action="record_core_group", record=meeting, subjects=[plan.person])
    return meeting


# --- Visits ------------------------------------------------------------------------------


def _visit_kind(referral: Referral, plan: ChildProtectionPlan | None, on: datetime.date) -> VisitKind:
    """What kind of visit it was follows from the child's plans on the day."""
    if plan is not None:
        return VisitKind.STATUTORY
    if LookedAfterEpisode.objects.filter(
        person_id=referral.person_id, started_on__lte=on, ended_on__isnull=True
    ).exists():
        return VisitKind.LOOKED_AFTER
    if ChildInNeedPlan.objects.filter(referral=referral, started_on__lte=on, ended_on__isnull=True).exists():
        return VisitKind.CHILD_IN_NEED
    return VisitKind.ASSESSMENT


@transaction.atomic
def record_visit(
    *,
    actor: AnyUser,
    referral_id: int,
    visited_on: datetime.date,
    child_seen: bool,
    seen_alone: bool,
    note: str,
) -> Visit:
    """Record a visit to a child. A child on a plan must be seen at the policy's
    PLAN_VISIT interval (10 working days): a visit where the child was seen restarts that
    clock; one where they were not seen does not. An unborn child on a pre-birth plan
    cannot be seen: a visit to the expectant mother restarts it."""
    user = acting_user(actor, Permission.RECORD_CASEWORK)
    referral = get_casework_for(
        user, Referral.objects.select_for_update().select_related("person"), referral_id, "person"
    )
    errors: dict[str, str] = {}
    if seen_alone and not child_seen:
        errors["seen_alone"] = "The child cannot have been seen alone if they were not seen"
    require_order(
        errors,
        "visited_on",
        visited_on,
        referral.referred_on,
        f"The visit cannot be before the referral on {_date(referral.referred_on)}",
    )
    not_in_future(errors, "visited_on", visited_on, "The date of the visit")
    if not referral.is_open:
        errors["visited_on"] = "This episode of need is closed"
    if errors:
        raise ValidationError(errors)
    plan = (
        ChildProtectionPlan.objects.select_for_update()
        .filter(referral=referral, ended_on__isnull=True, started_on__lte=visited_on)
        .first()
    )
    visit = Visit.objects.create(
        referral=referral,
        plan=plan,
        visited_on=visited_on,
        kind=_visit_kind(referral, plan, visited_on),
        child_seen=child_seen,
        seen_alone=seen_alone and child_seen,
        note=note.strip(),
        visited_by=user,
    )
    if plan is not None and (child_seen or referral.person.is_unborn):
        next_due = due_date(TimescaleKey.PLAN_VISIT, visited_on)
        # A visit recorded late does not move the clock back.
        if plan.next_visit_due is None or next_due > plan.next_visit_due:
            plan.next_visit_due = next_due
            plan.version += 1
            plan.save(update_fields=["next_visit_due", "version"])
    seen = ("seen alone" if seen_alone else "seen") if child_seen else "not seen"
    add_to_chronology(
        person=referral.person,
        occurred_on=visited_on,
        kind=ChronologyKind.VISIT,
        summary=f"{VisitKind(visit.kind).label}: child {seen}",
        detail=visit.note,
        source=visit,
        recorded_by=user,
    )
    record_access(user=user, action="record_visit", record=visit, subjects=[referral.person])
    return visit
