"""Pages for children missing from home or care (the child's episodes, reporting, the
return and the return interview, and the panel that oversees them) and for private
fostering (the notification, visits, assessment and end)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from jigsaw.access.log import SubjectKey, record_access
from jigsaw.access.policy import Permission, get_person_for, has_permission
from jigsaw.access.views import requires
from jigsaw.casework.actions import missing as missing_actions
from jigsaw.casework.actions import private_fostering as fostering_actions
from jigsaw.casework.forms.missing import (
    MissingReportForm,
    MissingReturnForm,
    PrivateFosteringAssessmentForm,
    PrivateFosteringEndForm,
    PrivateFosteringForm,
    PrivateFosteringVisitForm,
    ReturnInterviewForm,
    moment_initial,
)
from jigsaw.casework.models import MissingEpisode, PrivateFosteringArrangement
from jigsaw.casework.queries import get_casework_for
from jigsaw.casework.queries import missing as queries
from jigsaw.casework.queries.chronology import open_referrals_of
from jigsaw.casework.queries.episodes import factor_labels, lead_professional_choices
from jigsaw.casework.timescales import add_months
from jigsaw.casework.views.episodes import _about, _step, _submitted, _viewed
from jigsaw.core.forms import DateField, GovukForm
from jigsaw.people.models import Person

# The panel looks back this many months by default (the current month and the 11 before).
PANEL_MONTHS = 12


# --- The child's missing episodes ------------------------------------------------------


def child_missing(request: HttpRequest, person_id: int) -> HttpResponse:
    """A child's missing episodes (the one still open first), whether they are repeat
    missing, the missing- and exploitation-related factors of their latest assessment, and
    their private fostering arrangements."""
    person = get_person_for(request.user, person_id, Permission.VIEW_CASEWORK)
    _viewed(request, person, person)
    context = {
        **_about(person),
        "missing": queries.child_missing(request.user, person, now=timezone.now()),
        "fostering": queries.child_private_fostering(request.user, person),
        "can_record": has_permission(request.user, Permission.RECORD_CASEWORK),
    }
    return render(request, "casework/missing/child.html", context)


@requires(Permission.RECORD_CASEWORK)
def new_missing_episode(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_person_for(request.user, person_id, Permission.VIEW_CASEWORK)
    if request.method == "GET":
        _viewed(request, person, person)
    form = MissingReportForm(
        request.POST or None,
        initial=moment_initial("reported", timezone.now()),
        reporter_choices=lead_professional_choices(person.pk),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _submitted(
            form,
            lambda: missing_actions.report_missing(
                actor=request.user,
                person_id=person.pk,
                kind=data["kind"],
                reported_at=form.reported_at(),
                reported_by_id=data["reported_by"],
                reported_by_other=data["reported_by_other"],
                police_reference=data["police_reference"],
                risk_factors=data["risk_factors"],
                circumstances=data["circumstances"],
            ),
        ):
            messages.success(request, f"{person.full_name} is recorded as missing")
            return redirect("casework:missing", person_id=person.pk)
    context = {**_about(person), "form": form, "title": "Report a child missing", "button": "Record it"}
    return render(request, "casework/missing/form.html", context)


def missing_episode(request: HttpRequest, pk: int) -> HttpResponse:
    """One missing episode: the report, the return and the return interview, with the forms
    that record the return and the interview."""
    found = get_casework_for(
        request.user,
        MissingEpisode.objects.select_related(
            "person", "reported_by__agency", "interview_by__agency", "looked_after", "recorded_by"
        ),
        pk,
        "person",
    )
    _viewed(request, found, found.person)
    step = _step(request, "return", "interview")
    return_form = MissingReturnForm(
        request.POST if step == "return" else None,
        prefix="return",
        initial={"version": found.version, **moment_initial("returned", timezone.now())},
    )
    interview_form = ReturnInterviewForm(
        request.POST if step == "interview" else None,
        prefix="interview",
        interviewer_choices=lead_professional_choices(found.person_id),
        initial={
            "version": found.version,
            "response": found.interview_response,
            "interview_by": found.interview_by_id,
            "summary": found.interview_summary,
            "risk_factors": list(found.risk_factors),
            **moment_initial("offered", found.interview_offered_at or found.returned_at),
            **moment_initial("done", found.interview_done_at),
        },
    )
    if step == "return" and return_form.is_valid():
        data = return_form.cleaned_data
        if _submitted(
            return_form,
            lambda: missing_actions.record_return(
                actor=request.user,
                episode_id=found.pk,
                expected_version=data["version"],
                returned_at=return_form.returned_at(),
                where_found=data["where_found"],
            ),
        ):
            messages.success(request, "The return is recorded: the return interview is due within 72 hours")
            return redirect("casework:missing_episode", pk=found.pk)
    elif step == "interview" and interview_form.is_valid():
        data = interview_form.cleaned_data
        if _submitted(
            interview_form,
            lambda: missing_actions.record_return_interview(
                actor=request.user,
                episode_id=found.pk,
                expected_version=data["version"],
                offered_at=interview_form.offered_at(),
                response=data["response"],
                done_at=interview_form.done_at(),
                interview_by_id=data["interview_by"],
                summary=data["summary"],
                risk_factors=data["risk_factors"],
            ),
        ):
            messages.success(request, "The return interview is recorded")
            return redirect("casework:missing_episode", pk=found.pk)
    context = {
        **_about(found.person),
        "episode": found,
        "status": queries.episode_status(found, now=timezone.now()),
        "risks": factor_labels(list(found.risk_factors)),
        "return_form": return_form,
        "interview_form": interview_form,
        "forms": [return_form, interview_form],
        "can_record": has_permission(request.user, Permission.RECORD_CASEWORK),
    }
    return render(request, "casework/missing/episode.html", context)


# --- The panel -------------------------------------------------------------------------


class PanelPeriodForm(GovukForm):
    start = DateField(label="From", required=False, help_text="For example, 1 1 2026")
    end = DateField(label="To", required=False, help_text="For example, 31 12 2026")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is not None and end is not None and end < start:
            self.add_error("end", "The end of the period must be on or after its start")
        return cleaned


def _period(form: PanelPeriodForm, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    start = add_months(today.replace(day=1), 1 - PANEL_MONTHS)
    end = today
    if form.is_bound and form.is_valid():
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
    return start, end


def _logged(children: list[Person]) -> list[SubjectKey]:
    label = Person._meta.label_lower
    return [(label, str(child.pk)) for child in children]


@requires(Permission.VIEW_MISSING_PANEL)
def missing_panel(request: HttpRequest) -> HttpResponse:
    """The missing children panel's view for a period: children still missing, repeat
    missing, return interviews overdue, late or declined, and counts by month. Children are
    named only to those who may open their records; everyone else sees the counts."""
    today = timezone.localdate()
    form = PanelPeriodForm(request.GET if request.GET else None)
    start, end = _period(form, today)
    panel = queries.missing_panel(request.user, start=start, end=end, now=timezone.now())
    listed = [c.person for c in panel.children if c.person is not None]
    # Reading a list of named children is a read of each child's record, as a work list is.
    record_access(
        user=request.user,
        action="view_missing_panel",
        record_type="casework.missing_panel",
        record_id=f"{start.isoformat()}/{end.isoformat()}",
        detail={"children_listed": len(listed), "children_counted": panel.all_children},
        subjects=_logged(listed),
    )
    context = {"form": form, "panel": panel, "today": today}
    return render(request, "casework/missing/panel.html", context)


# --- Private fostering ------------------------------------------------------------------


@requires(Permission.RECORD_CASEWORK)
def new_private_fostering(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_person_for(request.user, person_id, Permission.VIEW_CASEWORK)
    if request.method == "GET":
        _viewed(request, person, person)
    open_referrals = open_referrals_of(request.user, person)
    form = PrivateFosteringForm(
        request.POST or None,
        initial={"notified_on": timezone.localdate()},
        notifier_choices=lead_professional_choices(person.pk),
        open_referrals=open_referrals,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        referral = data.get("referral")
        created: list[PrivateFosteringArrangement] = []
        if _submitted(
            form,
            lambda: created.append(
                fostering_actions.notify_private_fostering(
                    actor=request.user,
                    person_id=person.pk,
                    carer_id=data["carer"],
                    started_on=data["started_on"],
                    notified_on=data["notified_on"],
                    notified_by=data["notified_by"],
                    notifying_practitioner_id=data["notifying_practitioner"],
                    referral_id=referral.pk if referral is not None else None,
                )
            ),
        ):
            arrangement = created[0]
            messages.success(
                request,
                f"The notification is recorded: the first visit is due by {arrangement.first_visit_due:%-d %B %Y}",
            )
            return redirect("casework:private_fostering", pk=arrangement.pk)
    context = {
        **_about(person),
        "form": form,
        "title": "Record a private fostering notification",
        "button": "Record it",
        "lead": "Private fostering is care of a child under 16 (18 if disabled), for 28 days or more, "
        "by someone who is not a parent, a person with parental responsibility or a close relative.",
    }
    return render(request, "casework/missing/form.html", context)


def private_fostering(request: HttpRequest, pk: int) -> HttpResponse:
    """A private fostering arrangement: its notification, due dates, visits and assessment,
    with the forms that record a visit, the assessment and the end."""
    found = get_casework_for(
        request.user,
        PrivateFosteringArrangement.objects.select_related(
            "person", "carer", "referral", "notifying_practitioner__agency", "assessed_by"
        ),
        pk,
        "person",
    )
    _viewed(request, found, found.person)
    today = timezone.localdate()
    step = _step(request, "visit", "assessment", "end")
    version = {"version": found.version}
    visit_form = PrivateFosteringVisitForm(
        request.POST if step == "visit" else None, prefix="visit", initial=version | {"visited_on": today}
    )
    assessment_form = PrivateFosteringAssessmentForm(
        request.POST if step == "assessment" else None,
        prefix="assessment",
        initial=version | {"completed_on": today},
    )
    end_form = PrivateFosteringEndForm(
        request.POST if step == "end" else None, prefix="end", initial=version | {"ended_on": today}
    )
    done = ""
    if step == "visit" and visit_form.is_valid():
        data = visit_form.cleaned_data
        if _submitted(
            visit_form,
            lambda: fostering_actions.record_private_fostering_visit(
                actor=request.user,
                arrangement_id=found.pk,
                expected_version=data["version"],
                visited_on=data["visited_on"],
                child_seen_alone=data["child_seen_alone"] == "yes",
                notes=data["notes"],
            ),
        ):
            done = "The visit is recorded"
    elif step == "assessment" and assessment_form.is_valid():
        data = assessment_form.cleaned_data
        if _submitted(
            assessment_form,
            lambda: fostering_actions.complete_private_fostering_assessment(
                actor=request.user,
                arrangement_id=found.pk,
                expected_version=data["version"],
                completed_on=data["completed_on"],
                suitable=data["suitable"] == "yes",
                summary=data["summary"],
            ),
        ):
            done = "The assessment is recorded"
    elif step == "end" and end_form.is_valid():
        data = end_form.cleaned_data
        if _submitted(
            end_form,
            lambda: fostering_actions.end_private_fostering(
                actor=request.user,
                arrangement_id=found.pk,
                expected_version=data["version"],
                ended_on=data["ended_on"],
                end_reason=data["end_reason"],
            ),
        ):
            done = "The arrangement has ended"
    if done:
        messages.success(request, done)
        return redirect("casework:private_fostering", pk=found.pk)
    context = {
        **_about(found.person),
        "arrangement": found,
        "visits": list(found.visits.select_related("visited_by")),
        "today": today,
        "visit_form": visit_form,
        "assessment_form": assessment_form,
        "end_form": end_form,
        "forms": [visit_form, assessment_form, end_form],
        "can_record": found.ended_on is None and has_permission(request.user, Permission.RECORD_CASEWORK),
    }
    return render(request, "casework/missing/private_fostering.html", context)


urlpatterns = [
    path("missing/", missing_panel, name="missing_panel"),
    path("people/<int:person_id>/missing", child_missing, name="missing"),
    path("people/<int:person_id>/missing/new", new_missing_episode, name="new_missing_episode"),
    path("missing/<int:pk>", missing_episode, name="missing_episode"),
    path("people/<int:person_id>/private-fostering/new", new_private_fostering, name="new_private_fostering"),
    path("private-fostering/<int:pk>", private_fostering, name="private_fostering"),
]
