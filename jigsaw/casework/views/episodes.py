"""Episode of need pages: the episode (the social worker's working view), the assessment
and its sign-off, child in need plans, early help, looked-after episodes and closure."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from jigsaw.access.log import record_access
from jigsaw.access.policy import Permission, get_person_for, has_permission
from jigsaw.access.views import requires
from jigsaw.casework.actions import episodes as actions
from jigsaw.casework.actions.common import EditConflict
from jigsaw.casework.forms.episodes import (
    AssessmentForm,
    CinPlanEndForm,
    CinPlanForm,
    CinPlanReviewForm,
    ClosureForm,
    EarlyHelpEndForm,
    EarlyHelpForm,
    EarlyHelpUpdateForm,
    LookedAfterEndForm,
    LookedAfterForm,
    StartAssessmentForm,
)
from jigsaw.casework.models import (
    Assessment,
    AssessmentFactor,
    AssessmentOutcome,
    ChildInNeedPlan,
    EarlyHelpEpisode,
    LookedAfterEpisode,
    Referral,
)
from jigsaw.casework.queries import episodes as queries
from jigsaw.casework.queries import get_casework_for, get_referral_for
from jigsaw.casework.queries.protection import episode_protection
from jigsaw.core.forms import apply_validation_error
from jigsaw.people.models import Person
from jigsaw.people.queries import person_flags


def _about(person: Person) -> dict[str, Any]:
    """What the identity bar needs."""
    return {"person": person, "flags": person_flags(person), "age": person.age_on(timezone.localdate())}


def _viewed(request: HttpRequest, record: Model, person: Person) -> None:
    record_access(user=request.user, action="view", record=record, subjects=[person])


def _submitted(form: forms.Form, call: Callable[[], object]) -> bool:
    """Run an action for a valid form: True if it saved; otherwise its refusal (a
    validation error, or someone else's save since the form was opened) is on the form
    and the user's input stays in it."""
    try:
        call()
    except ValidationError as error:
        apply_validation_error(form, error)
    except EditConflict as conflict:
        form.add_error(None, str(conflict))
    else:
        return True
    return False


def _step(request: HttpRequest, *prefixes: str) -> str | None:
    """Which of a page's forms was posted, by its field prefix."""
    if request.method != "POST":
        return None
    return next((p for p in prefixes if any(key.startswith(f"{p}-") for key in request.POST)), None)


# --- The episode page ------------------------------------------------------------------


def referral(request: HttpRequest, pk: int) -> HttpResponse:
    """The episode of need as the social worker works it: the referral, the assessments
    with their due dates, plans, looked-after and early help episodes, child protection,
    closure, and the next steps this user may take."""
    found = get_referral_for(request.user, pk)
    _viewed(request, found, found.person)
    today = timezone.localdate()
    page = queries.episode_page(found, today=today)
    can_record = found.is_open and has_permission(request.user, Permission.RECORD_CASEWORK)
    can_authorise = has_permission(request.user, Permission.AUTHORISE_CASEWORK)
    latest = page.latest_authorised
    context = {
        **_about(found.person),
        "referral": found,
        "page": page,
        "protection": episode_protection(request.user, found, today=today),
        "can_record": can_record,
        "can_authorise": can_authorise,
        "can_allocate": found.is_open and has_permission(request.user, Permission.ALLOCATE),
        "can_authorise_closure": can_authorise
        and page.closure_status == queries.ClosureStatus.AWAITING_AUTHORISATION
        and found.closure_proposed_by_id != request.user.pk
        and not page.closure_blockers,
        "next_outcome": latest.outcome if latest is not None and found.is_open else "",
        "outcomes": AssessmentOutcome,
        "assessment_due_on": None if page.assessments else actions.assessment_due_on(found.referred_on),
    }
    return render(request, "casework/episodes/referral.html", context)


# --- Assessments -----------------------------------------------------------------------


@requires(Permission.RECORD_CASEWORK)
def start_assessment(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_referral_for(request.user, pk)
    if request.method == "GET":
        _viewed(request, found, found.person)
    form = StartAssessmentForm(request.POST or None, initial={"started_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            assessment = actions.start_assessment(
                actor=request.user, referral_id=found.pk, started_on=form.cleaned_data["started_on"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"Assessment started: it is due by {assessment.due_on:%-d %B %Y}")
            return redirect("casework:assessment", pk=assessment.pk)
    context = {
        **_about(found.person),
        "form": form,
        "referral": found,
        "lead": f"The assessment is due by {actions.assessment_due_on(found.referred_on):%-d %B %Y}, "
        f"counted from the referral on {found.referred_on:%-d %B %Y}.",
        "title": "Start an assessment",
        "button": "Start the assessment",
    }
    return render(request, "casework/episodes/form.html", context)


def assessment(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_casework_for(
        request.user,
        Assessment.objects.select_related("referral__person", "started_by", "completed_by", "authorised_by"),
        pk,
        "referral__person",
    )
    person = found.referral.person
    _viewed(request, found, person)
    form = AssessmentForm(
        request.POST or None,
        initial={
            "version": found.version,
            "child_seen_on": found.child_seen_on,
            "seen_alone": AssessmentForm.seen_alone_initial(found.seen_alone),
            "factors": list(found.factors),
            "analysis": found.analysis,
            "outcome": found.outcome,
            "completed_on": timezone.localdate(),
        },
    )
    if request.method == "POST" and form.is_valid():
        completing = "complete" in request.POST
        try:
            actions.update_assessment(
                actor=request.user,
                assessment_id=found.pk,
                expected_version=form.cleaned_data["version"],
                child_seen_on=form.cleaned_data["child_seen_on"],
                seen_alone=form.seen_alone_value(),
                factors=form.cleaned_data["factors"],
                analysis=form.cleaned_data["analysis"],
                outcome=form.cleaned_data["outcome"],
                complete_on=(form.cleaned_data["completed_on"] or timezone.localdate())
                if completing
                else None,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        except EditConflict as conflict:
            form.add_error(None, str(conflict))
        else:
            messages.success(
                request,
                "The assessment is completed and waits for a manager's authorisation"
                if completing
                else "Your changes to the assessment are saved",
            )
            return redirect("casework:assessment", pk=found.pk)
    today = timezone.localdate()
    context = {
        **_about(person),
        "assessment": found,
        "row": queries.assessment_row(found, today=today),
        "form": form,
        "no_factors": AssessmentFactor.NO_FACTORS.value,
        "can_record": found.completed_on is None
        and found.referral.is_open
        and has_permission(request.user, Permission.RECORD_CASEWORK),
        "can_authorise": found.completed_on is not None
        and found.authorised_at is None
        and found.completed_by_id != request.user.pk
        and has_permission(request.user, Permission.AUTHORISE_CASEWORK),
    }
    return render(request, "casework/episodes/assessment.html", context)


# What the worker is told to do next once an assessment with each outcome is authorised.
NEXT_AFTER = {
    AssessmentOutcome.NO_FURTHER_ACTION: "Next: propose closing the episode (RC8)",
    AssessmentOutcome.EARLY_HELP: "Next: agree the lead professional for early help and propose closing the episode (RC9)",
    AssessmentOutcome.CHILD_IN_NEED_PLAN: "Next: record the child in need plan",
    AssessmentOutcome.STRATEGY_DISCUSSION: "Next: record the strategy discussion",
    AssessmentOutcome.LOOKED_AFTER: "Next: record that the child is looked after",
}


@require_POST
@requires(Permission.AUTHORISE_CASEWORK)
def authorise_assessment(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        authorised = actions.authorise_assessment(actor=request.user, assessment_id=pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("casework:assessment", pk=pk)
    next_step = NEXT_AFTER.get(AssessmentOutcome(authorised.outcome), "") if authorised.outcome else ""
    messages.success(request, f"The assessment is authorised. {next_step}".strip())
    return redirect("casework:referral", pk=authorised.referral_id)


# --- Child in need plans ---------------------------------------------------------------


@requires(Permission.RECORD_CASEWORK)
def new_cin_plan(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_referral_for(request.user, pk)
    if request.method == "GET":
        _viewed(request, found, found.person)
    form = CinPlanForm(request.POST or None, initial={"started_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            plan = actions.start_cin_plan(
                actor=request.user, referral_id=found.pk, started_on=form.cleaned_data["started_on"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                f"Child in need plan recorded: its first review is due by {plan.next_review_due:%-d %B %Y}",
            )
            return redirect("casework:cin_plan", pk=plan.pk)
    context = {
        **_about(found.person),
        "form": form,
        "referral": found,
        "title": "Record a child in need plan",
        "button": "Record the plan",
    }
    return render(request, "casework/episodes/form.html", context)


def cin_plan(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_casework_for(
        request.user, ChildInNeedPlan.objects.select_related("referral__person"), pk, "referral__person"
    )
    person = found.referral.person
    _viewed(request, found, person)
    today = timezone.localdate()
    step = _step(request, "review", "end")
    review_form = CinPlanReviewForm(
        request.POST if step == "review" else None,
        prefix="review",
        initial={"version": found.version, "reviewed_on": today},
    )
    end_form = CinPlanEndForm(
        request.POST if step == "end" else None,
        prefix="end",
        initial={"version": found.version, "ended_on": today},
    )
    if step == "review" and review_form.is_valid():
        data = review_form.cleaned_data
        if _submitted(
            review_form,
            lambda: actions.review_cin_plan(
                actor=request.user,
                plan_id=found.pk,
                expected_version=data["version"],
                reviewed_on=data["reviewed_on"],
                summary=data["summary"],
            ),
        ):
            messages.success(request, "The review is recorded")
            return redirect("casework:cin_plan", pk=found.pk)
    elif step == "end" and end_form.is_valid():
        data = end_form.cleaned_data
        if _submitted(
            end_form,
            lambda: actions.end_cin_plan(
                actor=request.user,
                plan_id=found.pk,
                expected_version=data["version"],
                ended_on=data["ended_on"],
            ),
        ):
            messages.success(request, "The child in need plan has ended")
            return redirect("casework:cin_plan", pk=found.pk)
    context = {
        **_about(person),
        "plan": found,
        "row": queries.cin_plan_row(found, today=today),
        "reviews": found.reviews.select_related("recorded_by"),
        "review_form": review_form,
        "end_form": end_form,
        "forms": [review_form, end_form],
        "can_record": found.ended_on is None and has_permission(request.user, Permission.RECORD_CASEWORK),
    }
    return render(request, "casework/episodes/cin_plan.html", context)


# --- Early help ------------------------------------------------------------------------


@requires(Permission.RECORD_CASEWORK)
def new_early_help(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_person_for(request.user, person_id)
    if request.method == "GET":
        _viewed(request, person, person)
    open_episode = EarlyHelpEpisode.objects.filter(person=person, ended_on__isnull=True).first()
    form = EarlyHelpForm(
        request.POST or None,
        initial={"started_on": timezone.localdate()},
        lead_choices=queries.lead_professional_choices(person.pk),
    )
    if request.method == "POST" and form.is_valid():
        try:
            episode = actions.start_early_help(
                actor=request.user,
                person_id=person.pk,
                started_on=form.cleaned_data["started_on"],
                lead_professional_id=form.cleaned_data["lead_professional"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Early help is recorded")
            return redirect("casework:early_help", pk=episode.pk)
    context = {**_about(person), "form": form, "open_episode": open_episode}
    return render(request, "casework/episodes/new_early_help.html", context)


def early_help(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_casework_for(
        request.user,
        EarlyHelpEpisode.objects.select_related("person", "lead_professional__agency", "recorded_by"),
        pk,
        "person",
    )
    _viewed(request, found, found.person)
    today = timezone.localdate()
    step = _step(request, "update", "end")
    choices = queries.lead_professional_choices(found.person_id)
    update_form = EarlyHelpUpdateForm(
        request.POST if step == "update" else None,
        prefix="update",
        lead_choices=choices,
        initial={
            "version": found.version,
            "lead_professional": found.lead_professional_id,
            "assessment_completed_on": found.assessment_completed_on,
        },
    )
    end_form = EarlyHelpEndForm(
        request.POST if step == "end" else None,
        prefix="end",
        initial={"version": found.version, "ended_on": today},
    )
    if step == "update" and update_form.is_valid():
        data = update_form.cleaned_data
        if _submitted(
            update_form,
            lambda: actions.update_early_help(
                actor=request.user,
                episode_id=found.pk,
                expected_version=data["version"],
                lead_professional_id=data["lead_professional"],
                assessment_completed_on=data["assessment_completed_on"],
            ),
        ):
            messages.success(request, "Early help is updated")
            return redirect("casework:early_help", pk=found.pk)
    elif step == "end" and end_form.is_valid():
        data = end_form.cleaned_data
        if _submitted(
            end_form,
            lambda: actions.end_early_help(
                actor=request.user,
                episode_id=found.pk,
                expected_version=data["version"],
                ended_on=data["ended_on"],
                end_reason=data["end_reason"],
            ),
        ):
            messages.success(request, "Early help has ended")
            return redirect("casework:early_help", pk=found.pk)
    context = {
        **_about(found.person),
        "episode": found,
        "update_form": update_form,
        "end_form": end_form,
        "forms": [update_form, end_form],
        "can_record": found.ended_on is None and has_permission(request.user, Permission.RECORD_CASEWORK),
    }
    return render(request, "casework/episodes/early_help.html", context)


# --- Looked after ----------------------------------------------------------------------


@requires(Permission.RECORD_CASEWORK)
def new_looked_after(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_referral_for(request.user, pk)
    if request.method == "GET":
        _viewed(request, found, found.person)
    form = LookedAfterForm(request.POST or None, initial={"started_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            episode = actions.start_looked_after(
                actor=request.user,
                referral_id=found.pk,
                started_on=form.cleaned_data["started_on"],
                legal_status=form.cleaned_data["legal_status"],
                placement=form.cleaned_data["placement"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The child is recorded as looked after")
            return redirect("casework:looked_after", pk=episode.pk)
    context = {
        **_about(found.person),
        "form": form,
        "referral": found,
        "title": "Record that the child is looked after",
        "button": "Record it",
    }
    return render(request, "casework/episodes/form.html", context)


def looked_after(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_casework_for(
        request.user, LookedAfterEpisode.objects.select_related("person", "recorded_by"), pk, "person"
    )
    _viewed(request, found, found.person)
    form = LookedAfterEndForm(
        request.POST or None, initial={"version": found.version, "ended_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.end_looked_after(
                actor=request.user,
                episode_id=found.pk,
                expected_version=form.cleaned_data["version"],
                ended_on=form.cleaned_data["ended_on"],
                reason_ended=form.cleaned_data["reason_ended"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        except EditConflict as conflict:
            form.add_error(None, str(conflict))
        else:
            messages.success(request, "The looked-after episode has ended")
            return redirect("casework:looked_after", pk=found.pk)
    context = {
        **_about(found.person),
        "episode": found,
        "form": form,
        "can_record": found.ended_on is None and has_permission(request.user, Permission.RECORD_CASEWORK),
    }
    return render(request, "casework/episodes/looked_after.html", context)


# --- Closure ---------------------------------------------------------------------------


@requires(Permission.RECORD_CASEWORK)
def close_referral(request: HttpRequest, pk: int) -> HttpResponse:
    """Propose closing the episode: the date (today), the reason (following from the
    assessment's outcome where one does) and a summary; a manager then authorises it."""
    found: Referral = get_referral_for(request.user, pk)
    if request.method == "GET":
        _viewed(request, found, found.person)
    reason = found.closure_reason or queries.closure_reason_after(queries.latest_authorised_assessment(found))
    form = ClosureForm(
        request.POST or None,
        initial={
            "version": found.version,
            "closed_on": found.proposed_closure_date or timezone.localdate(),
            "reason": reason,
            "summary": found.closure_summary,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.propose_closure(
                actor=request.user,
                referral_id=found.pk,
                expected_version=form.cleaned_data["version"],
                closed_on=form.cleaned_data["closed_on"],
                reason=form.cleaned_data["reason"],
                summary=form.cleaned_data["summary"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        except EditConflict as conflict:
            form.add_error(None, str(conflict))
        else:
            messages.success(request, "The closure is proposed and waits for a manager's authorisation")
            return redirect("casework:referral", pk=found.pk)
    context = {
        **_about(found.person),
        "form": form,
        "referral": found,
        "blockers": queries.closure_blockers(found) if found.is_open else [],
    }
    return render(request, "casework/episodes/close.html", context)


@require_POST
@requires(Permission.AUTHORISE_CASEWORK)
def authorise_closure(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        actions.authorise_closure(actor=request.user, referral_id=pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The closure is authorised: the episode is closed")
    return redirect("casework:referral", pk=pk)


urlpatterns = [
    path("referrals/<int:pk>", referral, name="referral"),
    path("referrals/<int:pk>/assessments/new", start_assessment, name="start_assessment"),
    path("assessments/<int:pk>", assessment, name="assessment"),
    path("assessments/<int:pk>/authorise", authorise_assessment, name="authorise_assessment"),
    path("referrals/<int:pk>/cin-plans/new", new_cin_plan, name="new_cin_plan"),
    path("cin-plans/<int:pk>", cin_plan, name="cin_plan"),
    path("people/<int:person_id>/early-help/new", new_early_help, name="new_early_help"),
    path("early-help/<int:pk>", early_help, name="early_help"),
    path("referrals/<int:pk>/looked-after/new", new_looked_after, name="new_looked_after"),
    path("looked-after/<int:pk>", looked_after, name="looked_after"),
    path("referrals/<int:pk>/close", close_referral, name="close_referral"),
    path("referrals/<int:pk>/close/authorise", authorise_closure, name="authorise_closure"),
]
