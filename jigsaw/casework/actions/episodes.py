"""Episodes of need: opening a referral, the assessment and its sign-off, child in need
plans, early help, looked-after episodes, and closing the episode with a manager's
authorisation."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import AnyUser, Permission, get_person_for
from jigsaw.casework.actions.common import (
    acting_user,
    add_to_chronology,
    check_version,
    not_in_future,
    require_order,
)
from jigsaw.casework.models import (
    Allocation,
    Assessment,
    AssessmentFactor,
    AssessmentOutcome,
    ChildInNeedPlan,
    ChildInNeedPlanReview,
    ChronologyKind,
    ClosureReason,
    Contact,
    EarlyHelpEndReason,
    EarlyHelpEpisode,
    LegalStatus,
    LookedAfterEpisode,
    PlacementType,
    PrimaryNeed,
    Referral,
    Timescale,
    TimescaleKey,
)
from jigsaw.casework.queries import get_casework_for
from jigsaw.casework.queries.episodes import closure_blockers, factor_labels
from jigsaw.casework.timescales import add_months, due_date, policy_in_force
from jigsaw.partners.models import Practitioner

# Working Together sets no national timescale for reviewing a child in need plan; the
# common local practice, used here, is at least every 3 months.
CIN_PLAN_REVIEW_MONTHS = 3

NO_FACTORS = AssessmentFactor.NO_FACTORS.value


@transaction.atomic
def open_referral(*, actor: User, contact: Contact) -> Referral:
    """Open the referral (and so the episode of need) that an authorised front-door
    decision asks for. Everything is taken from the contact: the child, the date it came
    in (the CIN census referral date), its source and the primary need chosen with the
    decision. It starts unallocated, in the authorising manager's team."""
    practitioner = getattr(actor, "practitioner", None)
    referral = Referral.objects.create(
        person=contact.person,
        contact=contact,
        referred_on=timezone.localdate(contact.received_at),
        source=contact.source,
        primary_need=contact.primary_need or PrimaryNeed.N0,
        team_id=practitioner.team_id if practitioner is not None else None,
        opened_by=actor,
    )
    add_to_chronology(
        person=contact.person,
        occurred_on=referral.referred_on,
        kind=ChronologyKind.REFERRAL,
        summary=f"Referral to children's social care ({referral.get_primary_need_display()})",
        source=referral,
        recorded_by=actor,
    )
    record_access(user=actor, action="open_referral", record=referral, subjects=[contact.person])
    return referral


# --- Fetching for a change: through the visibility rule, locked ----------------------


def _locked_referral(actor: AnyUser, referral_id: int) -> Referral:
    return get_casework_for(actor, Referral.objects.select_for_update(), referral_id, "person")


def _open_referral(actor: AnyUser, referral_id: int, field: str) -> Referral:
    referral = _locked_referral(actor, referral_id)
    if referral.closed_on is not None:
        raise ValidationError({field: "This episode is closed: nothing more can be recorded in it"})
    return referral


def _locked_assessment(actor: AnyUser, assessment_id: int) -> Assessment:
    return get_casework_for(actor, Assessment.objects.select_for_update(), assessment_id, "referral__person")


def _locked_cin_plan(actor: AnyUser, plan_id: int) -> ChildInNeedPlan:
    return get_casework_for(actor, ChildInNeedPlan.objects.select_for_update(), plan_id, "referral__person")


def _locked_early_help(actor: AnyUser, episode_id: int) -> EarlyHelpEpisode:
    return get_casework_for(actor, EarlyHelpEpisode.objects.select_for_update(), episode_id, "person")


def _locked_looked_after(actor: AnyUser, episode_id: int) -> LookedAfterEpisode:
    return get_casework_for(actor, LookedAfterEpisode.objects.select_for_update(), episode_id, "person")


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


# --- Assessment ------------------------------------------------------------------------


def assessment_due_on(referred_on: datetime.date) -> datetime.date:
    """When an assessment of a referral made on `referred_on` is due, by the policy in
    force: the child and family assessment (Working Together 2023: 45 working days from
    the referral), or, under a policy without one (the 2009 rules), the initial assessment
    (7 working days from the referral)."""
    policy = policy_in_force()
    key = (
        TimescaleKey.ASSESSMENT
        if Timescale.objects.filter(policy=policy, key=TimescaleKey.ASSESSMENT).exists()
        else TimescaleKey.INITIAL_ASSESSMENT
    )
    return due_date(key, referred_on, policy=policy)


@transaction.atomic
def start_assessment(*, actor: AnyUser, referral_id: int, started_on: datetime.date) -> Assessment:
    """Start the assessment of a referral. It falls due by the timescale policy counted
    from the referral date, not from its own start (Working Together 2023: within 45
    working days of the referral). One assessment at a time in an episode."""
    user = acting_user(actor, Permission.RECORD_CASEWORK)
    referral = _open_referral(actor, referral_id, "started_on")
    errors: dict[str, str] = {}
    require_order(
        errors,
        "started_on",
        started_on,
        referral.referred_on,
        "The assessment cannot start before the referral was made",
    )
    not_in_future(errors, "started_on", started_on, "The start date")
    if Assessment.objects.filter(referral=referral, completed_on__isnull=True).exists():
        errors["started_on"] = "An assessment is already in progress in this episode: complete it first"
    if errors:
        raise ValidationError(errors)
    assessment = Assessment.objects.create(
        referral=referral,
        started_on=started_on,
        due_on=assessment_due_on(referral.referred_on),
        started_by=user,
    )
    add_to_chronology(
        person=referral.person,
        occurred_on=started_on,
        kind=ChronologyKind.ASSESSMENT,
        summary=f"Assessment started (due by {assessment.due_on:%d/%m/%Y})",
        source=assessment,
        recorded_by=user,
    )
    record_access(user=user, action="start_assessment", record=assessment, subjects=[referral.person])
    return assessment


def _clean_factors(errors: dict[str, str], factors: list[str]) -> list[str]:
    unknown = [code for code in factors if code not in AssessmentFactor.values]
    if unknown:
        errors["factors"] = "Choose the factors from the list"
        return []
    if NO_FACTORS in factors and len(set(factors)) > 1:
        errors["factors"] = (
            "“21 No factors identified” cannot be chosen with other factors: untick it or untick the others"
        )
    # Keep the DfE order, whatever order the boxes were ticked in.
    return [code for code in AssessmentFactor.values if code in factors]


@transaction.atomic
def update_assessment(
    *,
    actor: AnyUser,
    assessment_id: int,
    expected_version: int,
    child_seen_on: datetime.date | None,
    seen_alone: bool | None,
    factors: list[str],
    analysis: str,
    outcome: str,
    complete_on: datetime.date | None = None,
) -> Assessment:
    """Record the assessment as it goes: when the child was seen (and whether alone), the
    factors identified (DfE codes; "21 No factors identified" stands alone), the analysis
    and the outcome. With `complete_on` it is completed, by this user, and waits for a
    manager's authorisation; a completed assessment no longer changes. Dates are not before
    the start and not in the future."""
    user = acting_user(actor, Permission.RECORD_CASEWORK)
    assessment = _locked_assessment(actor, assessment_id)
    if assessment.completed_on is not None:
        raise ValidationError({"outcome": "This assessment is completed and can no longer change"})
    if assessment.referral.closed_on is not None:
        raise ValidationError({"outcome": "This episode is closed: nothing more can be recorded in it"})
    errors: dict[str, str] = {}
    require_order(
        errors,
        "child_seen_on",
        child_seen_on,
        assessment.started_on,
        "The child cannot have been seen for the assessment before it started",
    )
    not_in_future(errors, "child_seen_on", child_seen_on, "The date the child was seen")
    if seen_alone and child_seen_on is None:
        errors["child_seen_on"] = "Enter the date the child was seen, if they were seen alone"
    clean_factors = _clean_factors(errors, factors)
    if outcome and outcome not in AssessmentOutcome.values:
        errors["outcome"] = "Choose the outcome from the list"
    if complete_on is not None:
        # The later check wins where both fail: the start is the plainer message.
        require_order(
            errors,
            "completed_on",
            complete_on,
            child_seen_on,
            "The assessment cannot be completed before the child was seen",
        )
        require_order(
            errors,
            "completed_on",
            complete_on,
            assessment.started_on,
            "The assessment cannot be completed before it started",
        )
        not_in_future(errors, "completed_on", complete_on, "The date completed")
        if not outcome:
            errors.setdefault("outcome", "Choose the outcome before completing the assessment")
        if not clean_factors:
            errors.setdefault(
                "factors",
                "Choose the factors identified before completing the assessment, or “21 No factors identified”",
            )
    if errors:
        raise ValidationError(errors)
    check_version(assessment, expected_version, "assessment")
    newly_seen = child_seen_on is not None and assessment.child_seen_on != child_seen_on
    assessment.child_seen_on = child_seen_on
    assessment.seen_alone = seen_alone if child_seen_on is not None else None
    assessment.factors = clean_factors
    assessment.analysis = analysis.strip()
    assessment.outcome = outcome
    if complete_on is not None:
        assessment.completed_on = complete_on
        assessment.completed_by = user
    assessment.save()
    person = assessment.referral.person
    if newly_seen and child_seen_on is not None:
        add_to_chronology(
            person=person,
            occurred_on=child_seen_on,
            kind=ChronologyKind.ASSESSMENT,
            summary="Child seen for the assessment" + (", alone" if seen_alone else ""),
            source=assessment,
            recorded_by=user,
        )
    if complete_on is not None:
        add_to_chronology(
            person=person,
            occurred_on=complete_on,
            kind=ChronologyKind.ASSESSMENT,
            summary=f"Assessment completed: {assessment.get_outcome_display()} (awaiting authorisation)",
            detail="Factors: " + "; ".join(factor_labels(clean_factors)),
            source=assessment,
            recorded_by=user,
        )
    record_access(
        user=user,
        action="complete_assessment" if complete_on is not None else "update_assessment",
        record=assessment,
        subjects=[person],
    )
    return assessment


@transaction.atomic
def authorise_assessment(*, actor: AnyUser, assessment_id: int) -> Assessment:
    """A manager authorises a completed assessment; nobody authorises their own (the sign-off
    the issue asks for, refused by the database too). A step down to early help opens an
    early help episode for the child, unless one is already open, for a lead professional
    to be agreed."""
    user = acting_user(actor, Permission.AUTHORISE_CASEWORK)
    assessment = _locked_assessment(actor, assessment_id)
    if assessment.completed_on is None:
        raise ValidationError({"assessment": "The assessment must be completed before it can be authorised"})
    if assessment.authorised_at is not None:
        raise ValidationError({"assessment": "This assessment is already authorised"})
    if assessment.completed_by_id == user.pk:
        raise ValidationError(
            {"assessment": "You completed this assessment: another manager must authorise it"}
        )
    assessment.authorised_by = user
    assessment.authorised_at = timezone.now()
    assessment.version += 1
    assessment.save(update_fields=["authorised_by", "authorised_at", "version"])
    person = assessment.referral.person
    add_to_chronology(
        person=person,
        occurred_on=timezone.localdate(),
        kind=ChronologyKind.ASSESSMENT,
        summary=f"Assessment authorised by {_name(user)}: {assessment.get_outcome_display()}",
        detail="Factors: " + "; ".join(factor_labels(list(assessment.factors))),
        source=assessment,
        recorded_by=user,
    )
    record_access(user=user, action="authorise_assessment", record=assessment, subjects=[person])
    if (
        assessment.outcome == AssessmentOutcome.EARLY_HELP
        and not EarlyHelpEpisode.objects.filter(person=person, ended_on__isnull=True).exists()
    ):
        episode = EarlyHelpEpisode.objects.create(
            person=person, started_on=timezone.localdate(), recorded_by=user
        )
        add_to_chronology(
            person=person,
            occurred_on=episode.started_on,
            kind=ChronologyKind.EARLY_HELP,
            summary="Early help offered after assessment: a lead professional is to be agreed",
            source=episode,
            recorded_by=user,
        )
        record_access(user=user, action="open_early_help", record=episode, subjects=[person])
    return assessment


# --- Child in need plans ---------------------------------------------------------------


@transaction.atomic
def start_cin_plan(*, actor: AnyUser, referral_id: int, started_on: datetime.date) -> ChildInNeedPlan:
    """Start a child in need plan (Children Act 1989, section 17) in an open episode; its
    first review falls due 3 months on. One open plan per episode."""
    user = acting_user(actor, Permission.RECORD_CASEWORK)
    referral = _open_referral(actor, referral_id, "started_on")
    errors: dict[str, str] = {}
    require_order(
        errors, "started_on", started_on, referral.referred_on, "The plan cannot start before the referral"
    )
    not_in_future(errors, "started_on", started_on, "The start date")
    if ChildInNeedPlan.objects.filter(referral=referral, ended_on__isnull=True).exists():
        errors["started_on"] = "A child in need plan is already open in this episode"
    if errors:
        raise ValidationError(errors)
    plan = ChildInNeedPlan.objects.create(
        referral=referral,
        started_on=started_on,
        next_review_due=add_months(started_on, CIN_PLAN_REVIEW_MONTHS),
        recorded_by=user,
    )
    add_to_chronology(
        person=referral.person,
        occurred_on=started_on,
        kind=ChronologyKind.PLAN,
        summary=f"Child in need plan started (first review due by {plan.next_review_due:%d/%m/%Y})",
        source=plan,
        recorded_by=user,
    )
    record_access(user=user, action="start_cin_plan", record=plan, subjects=[referral.person])
    return plan


@transaction.atomic
def review_cin_plan(
    *, actor: AnyUser, plan_id: int, expected_version: int, reviewed_on: datetime.date, summary: str
) -> ChildInNeedPlanReview:
    """Record a review of an open child in need plan; the next falls due 3 months after it.
    A review is not before the plan started nor before the last review, and not in the
    future."""
    user = acting_user(actor, Permission.RECORD_CASEWORK)
    plan = _locked_cin_plan(actor, plan_id)
    if plan.ended_on is not None:
        raise ValidationError({"reviewed_on": "This plan has ended: it cannot be reviewed"})
    errors: dict[str, str] = {}
    # The later check wins where both fail: the plan's start is the plainer message.
    last = plan.reviews.order_by("-reviewed_on").values_list("reviewed_on", flat=True).first()
    require_order(
        errors, "reviewed_on", reviewed_on, last, "The review cannot be before the plan's last review"
    )
    require_order(
        errors, "reviewed_on", reviewed_on, plan.started_on, "The review cannot be before the plan started"
    )
    not_in_future(errors, "reviewed_on", reviewed_on, "The review date")
    if not summary.strip():
        errors["summary"] = "Summarise the review: what has changed and what happens next"
    if errors:
        raise ValidationError(errors)
    check_version(plan, expected_version, "plan")
    review = ChildInNeedPlanReview.objects.create(
        plan=plan, reviewed_on=reviewed_on, summary=summary.strip(), recorded_by=user
    )
    plan.next_review_due = add_months(reviewed_on, CIN_PLAN_REVIEW_MONTHS)
    plan.save(update_fields=["next_review_due", "version"])
    person = plan.referral.person
    add_to_chronology(
        person=person,
        occurred_on=reviewed_on,
        kind=ChronologyKind.PLAN,
        summary=f"Child in need plan reviewed (next review due by {plan.next_review_due:%d/%m/%Y})",
        detail=review.summary,
        source=plan,
        recorded_by=user,
    )
    record_access(user=user, action="review_cin_plan", record=plan, subjects=[person])
    return review


@transaction.atomic
def end_cin_plan(
    *, actor: AnyUser, plan_id: int, expected_version: int, ended_on: datetime.date
) -> ChildInNeedPlan:
    """End a child in need plan: not before it started nor before its last review, and not
    in the future. No more reviews fall due."""
    user = acting_user(actor, Permission.RECORD_CASEWORK)
    plan = _locked_cin_plan(actor, plan_id)
    if plan.ended_on is not None:
        raise ValidationError({"ended_on": "This plan has already ended"})
    errors: dict[str, str] = {}
    # The later check wins where both fail: the plan's start is the plainer message.
    last = plan.reviews.order_by("-reviewed_on").values_list("reviewed_on", flat=True).first()
    require_order(errors, "ended_on", ended_on, last, "The plan cannot end before its last review")
    require_order(errors, "ended_on", ended_on, plan.started_on, "The plan cannot end before it started")
    not_in_future(errors, "ended_on", ended_on, "The end date")
    if errors:
        raise ValidationError(errors)
    check_version(plan, expected_version, "plan")
    plan.ended_on = ended_on
    plan.next_review_due = None
    plan.save(update_fields=["ended_on", "next_review_due", "version"])
    person = plan.referral.person
    add_to_chronology(
        person=person,
        occurred_on=ended_on,
        kind=ChronologyKind.PLAN,
        summary="Child in need plan ended",
        source=plan,
        recorded_by=user,
    )
    record_access(user=user, action="end_cin_plan", record=plan, subjects=[person])
    return plan


# --- Early help ------------------------------------------------------------------------


def _practitioner(errors: dict[str, str], practitioner_id: int | None) -> Practitioner | None:
    if practitioner_id is None:
        return None
    practitioner = Practitioner.objects.select_related("agency").filter(pk=practitioner_id).first()
    if practitioner is None:
        errors["lead_professional"] = "Choose the lead professional from the list"
    return practitioner


def _lead_summary(practitioner: Practitioner) -> str:
    return f"Lead professional for early help: {practitioner.full_name} ({practitioner.agency.name})"


@transaction.atomic
def start_early_help(
    *,
    actor: AnyUser,
    person_id: int,
    started_on: datetime.date,
    lead_professional_id: int | None,
) -> EarlyHelpEpisode:
    """Start early help (the Common Assessment Framework) for a child, led by a professional
    from any agency (or with the lead still to be agreed). One open episode per child."""
    user = acting_user(actor, Permission.RECORD_CASEWORK)
    person = get_person_for(actor, person_id)
    # Lock the child's open episodes so two workers cannot open two at once.
    open_episodes = EarlyHelpEpisode.objects.select_for_update().filter(person=person, ended_on__isnull=True)
    errors: dict[str, str] = {}
    not_in_future(errors, "started_on", started_on, "The start date")
    lead = _practitioner(errors, lead_professional_id)
    if open_episodes.exists():
        errors["started_on"] = f"{person.full_name} already has an open early help episode"
    if errors:
        raise ValidationError(errors)
    episode = EarlyHelpEpisode.objects.create(
        person=person, started_on=started_on, lead_professional=lead, recorded_by=user
    )
    add_to_chronology(
        person=person,
        occurred_on=started_on,
        kind=ChronologyKind.EARLY_HELP,
        summary="Early help started"
        + (f"; {_lead_summary(lead)}" if lead else ": lead professional to be agreed"),
        source=episode,
        recorded_by=user,
    )
    record_access(user=user, action="open_early_help", record=episode, subjects=[person])
    return episode


@transaction.atomic
def update_early_help(
    *,
    actor: AnyUser,
    episode_id: int,
    expected_version: int,
    lead_professional_id: int | None,
    assessment_completed_on: datetime.date | None,
) -> EarlyHelpEpisode:
    """Agree or change the lead professional (any agency) and record when the early help
    assessment was completed: not before the episode started, not in the future."""
    user = acting_user(actor, Permission.RECORD_CASEWORK)
    episode = _locked_early_help(actor, episode_id)
    if episode.ended_on is not None:
        raise ValidationError({"lead_professional": "This early help episode has ended"})
    errors: dict[str, str] = {}
    lead = _practitioner(errors, lead_professional_id)
    require_order(
        errors,
        "assessment_completed_on",
        assessment_completed_on,
        episode.started_on,
        "The early help assessment cannot be completed before early help started",
    )
    not_in_future(errors, "assessment_completed_on", assessment_completed_on, "The date completed")
    if errors:
        raise ValidationError(errors)
    check_version(episode, expected_version, "early help episode")
    lead_changed = lead is not None and lead.pk != episode.lead_professional_id
    newly_assessed = (
        assessment_completed_on is not None and assessment_completed_on != episode.assessment_completed_on
    )
    episode.lead_professional = lead
    episode.assessment_completed_on = assessment_completed_on
    episode.save(update_fields=["lead_professional", "assessment_completed_on", "version"])
    today = timezone.localdate()
    if lead_changed and lead is not None:
        add_to_chronology(
            person=episode.person,
            occurred_on=today,
            kind=ChronologyKind.EARLY_HELP,
            summary=_lead_summary(lead),
            source=episode,
            recorded_by=user,
        )
    if newly_assessed and assessment_completed_on is not None:
        add_to_chronology(
            person=episode.person,
            occurred_on=assessment_completed_on,
            kind=ChronologyKind.EARLY_HELP,
            summary="Early help assessment completed",
            source=episode,
            recorded_by=user,
        )
    record_access(user=user, action="update_early_help", record=episode, subjects=[episode.person])
    return episode


@transaction.atomic
def end_early_help(
    *, actor: AnyUser, episode_id: int, expected_version: int, ended_on: datetime.date, end_reason: str
) -> EarlyHelpEpisode:
    """End early help with a reason: not before it started (nor before its assessment was
    completed), not in the future."""
    user = acting_user(actor, Permission.RECORD_CASEWORK)
    episode = _locked_early_help(actor, episode_id)
    if episode.ended_on is not None:
        raise ValidationError({"ended_on": "This early help episode has already ended"})
    errors: dict[str, str] = {}
    # The later check wins where both fail: the episode's start is the plainer message.
    require_order(
        errors,
        "ended_on",
        ended_on,
        episode.assessment_completed_on,
        "Early help cannot end before its assessment was completed",
    )
    require_order(errors, "ended_on", ended_on, episode.started_on, "Early help cannot end before it started")
    not_in_future(errors, "ended_on", ended_on, "The end date")
    if end_reason not in EarlyHelpEndReason.values:
        errors["end_reason"] = "Choose why early help ended"
    if errors:
        raise ValidationError(errors)
    check_version(episode, expected_version, "early help episode")
    episode.ended_on = ended_on
    episode.end_reason = end_reason
    episode.save(update_fields=["ended_on", "end_reason", "version"])
    add_to_chronology(
        person=episode.person,
        occurred_on=ended_on,
        kind=ChronologyKind.EARLY_HELP,
        summary=f"Early help ended: {episode.get_end_reason_display()}",
        source=episode,
        recorded_by=user,
    )
    record_access(user=user, action="end_early_help", record=episode, subjects=[episode.person])
    return episode


# --- Looked after ----------------------------------------------------------------------


@transaction.atomic
def start_looked_after(
    *,
    actor: AnyUser,
    referral_id: int,
    started_on: datetime.date,
    legal_status: str,
    placement: str,
) -> LookedAfterEpisode:
    """The child becomes looked after in this episode, with the legal status and placement
    the SSDA903 return records. Not before the referral, not in the future, and not while
    the child is already looked after."""
    user = acting_user(actor, Permission.RECORD_CASEWORK)
    referral = _open_referral(actor, referral_id, "started_on")
    errors: dict[str, str] = {}
    require_order(
        errors,
        "started_on",
        started_on,
        referral.referred_on,
        "The child cannot become looked after in this episode before the referral",
    )
    not_in_future(errors, "started_on", started_on, "The start date")
    if legal_status not in LegalStatus.values:
        errors["legal_status"] = "Choose the legal status"
    if placement not in PlacementType.values:
        errors["placement"] = "Choose the placement"
    already = (
        LookedAfterEpisode.objects.select_for_update()
        .filter(person_id=referral.person_id, ended_on__isnull=True)
        .first()
    )
    if already is not None:
        errors["started_on"] = f"The child is already looked after, since {already.started_on:%-d %B %Y}"
    if errors:
        raise ValidationError(errors)
    episode = LookedAfterEpisode.objects.create(
        person=referral.person,
        referral=referral,
        started_on=started_on,
        legal_status=legal_status,
        placement=placement,
        recorded_by=user,
    )
    add_to_chronology(
        person=referral.person,
        occurred_on=started_on,
        kind=ChronologyKind.LOOKED_AFTER,
        summary=f"Became looked after: {episode.get_legal_status_display()}; {episode.get_placement_display()}",
        source=episode,
        recorded_by=user,
    )
    record_access(user=user, action="start_looked_after", record=episode, subjects=[referral.person])
    return episode


@transaction.atomic
def end_looked_after(
    *, actor: AnyUser, episode_id: int, expected_version: int, ended_on: datetime.date, reason_ended: str
) -> LookedAfterEpisode:
    """The child stops being looked after: not before the episode started, not in the
    future, with the reason."""
    user = acting_user(actor, Permission.RECORD_CASEWORK)
    episode = _locked_looked_after(actor, episode_id)
    if episode.ended_on is not None:
        raise ValidationError({"ended_on": "This looked-after episode has already ended"})
    errors: dict[str, str] = {}
    require_order(
        errors, "ended_on", ended_on, episode.started_on, "The episode cannot end before it started"
    )
    not_in_future(errors, "ended_on", ended_on, "The end date")
    if not reason_ended.strip():
        errors["reason_ended"] = "Say why the child stopped being looked after"
    if errors:
        raise ValidationError(errors)
    check_version(episode, expected_version, "looked-after episode")
    episode.ended_on = ended_on
    episode.reason_ended = reason_ended.strip()[:120]
    episode.save(update_fields=["ended_on", "reason_ended", "version"])
    add_to_chronology(
        person=episode.person,
        occurred_on=ended_on,
        kind=ChronologyKind.LOOKED_AFTER,
        summary=f"Stopped being looked after: {episode.reason_ended}",
        source=episode,
        recorded_by=user,
    )
    record_access(user=user, action="end_looked_after", record=episode, subjects=[episode.person])
    return episode


# --- Closure ---------------------------------------------------------------------------


def _require_nothing_open(referral: Referral) -> None:
    blockers = closure_blockers(referral)
    if blockers:
        raise ValidationError({"closed_on": blockers})


@transaction.atomic
def propose_closure(
    *,
    actor: AnyUser,
    referral_id: int,
    expected_version: int,
    closed_on: datetime.date,
    reason: str,
    summary: str,
) -> Referral:
    """Propose closing the episode of need, with the DfE closure reason (RC1-RC9). Refused
    while a child protection plan, child in need plan or looked-after episode is open in
    it; the closure date is not before the referral date nor in the future. The episode
    stays open until a manager authorises the closure; a proposal may be changed until then."""
    user = acting_user(actor, Permission.RECORD_CASEWORK)
    referral = _open_referral(actor, referral_id, "closed_on")
    _require_nothing_open(referral)
    errors: dict[str, str] = {}
    require_order(
        errors,
        "closed_on",
        closed_on,
        referral.referred_on,
        "The episode cannot close before the referral date",
    )
    not_in_future(errors, "closed_on", closed_on, "The closure date")
    if reason not in ClosureReason.values:
        errors["reason"] = "Choose the reason for closing the episode"
    if not summary.strip():
        errors["summary"] = "Summarise why the episode is closing: the manager authorising it reads this"
    if errors:
        raise ValidationError(errors)
    check_version(referral, expected_version, "episode")
    referral.proposed_closure_date = closed_on
    referral.closure_reason = reason
    referral.closure_summary = summary.strip()
    referral.closure_proposed_by = user
    referral.closure_proposed_at = timezone.now()
    referral.save(
        update_fields=[
            "proposed_closure_date",
            "closure_reason",
            "closure_summary",
            "closure_proposed_by",
            "closure_proposed_at",
            "version",
        ]
    )
    add_to_chronology(
        person=referral.person,
        occurred_on=timezone.localdate(),
        kind=ChronologyKind.CLOSURE,
        summary=f"Closure proposed ({referral.get_closure_reason_display()}), awaiting authorisation",
        detail=referral.closure_summary,
        source=referral,
        recorded_by=user,
    )
    record_access(user=user, action="propose_closure", record=referral, subjects=[referral.person])
    return referral


@transaction.atomic
def authorise_closure(*, actor: AnyUser, referral_id: int) -> Referral:
    """A manager authorises the closure another worker proposed (nobody authorises their
    own). Only now is the episode closed, on the proposed date: the current allocation ends
    and the episode leaves every caseload. Refused if a plan or looked-after episode has
    opened in it since the proposal."""
    user = acting_user(actor, Permission.AUTHORISE_CASEWORK)
    referral = _locked_referral(actor, referral_id)
    if referral.closed_on is not None:
        raise ValidationError({"closed_on": "This episode is already closed"})
    if referral.closure_proposed_at is None or referral.proposed_closure_date is None:
        raise ValidationError({"closed_on": "Nobody has proposed closing this episode yet"})
    if referral.closure_proposed_by_id == user.pk:
        raise ValidationError({"closed_on": "You proposed this closure: another manager must authorise it"})
    _require_nothing_open(referral)
    now = timezone.now()
    referral.closed_on = referral.proposed_closure_date
    referral.closure_authorised_by = user
    referral.closure_authorised_at = now
    referral.allocated_worker = None
    referral.version += 1
    referral.save(
        update_fields=[
            "closed_on",
            "closure_authorised_by",
            "closure_authorised_at",
            "allocated_worker",
            "version",
        ]
    )
    Allocation.objects.filter(referral=referral, ended_at__isnull=True).update(ended_at=now)
    add_to_chronology(
        person=referral.person,
        occurred_on=referral.closed_on,
        kind=ChronologyKind.CLOSURE,
        summary=f"Episode of need closed: {referral.get_closure_reason_display()} (authorised by {_name(user)})",
        detail=referral.closure_summary,
        source=referral,
        recorded_by=user,
    )
    record_access(user=user, action="authorise_closure", record=referral, subjects=[referral.person])
    return referral
