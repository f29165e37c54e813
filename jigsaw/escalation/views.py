"""Pages of escalation: your escalations, raising one, an escalation with its stages (and
the response or reply form when it is yours to give), the published procedure, and the
oversight report with its export. Thin: parse, ask the policy, call an action, render."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from jigsaw.access.log import record_access
from jigsaw.access.policy import Permission, has_permission
from jigsaw.access.views import requires
from jigsaw.casework.actions.common import EditConflict
from jigsaw.core.csv_export import csv_response
from jigsaw.core.forms import apply_validation_error
from jigsaw.escalation import actions, queries
from jigsaw.escalation.forms import RaiseForm, ReplyForm, RespondForm
from jigsaw.escalation.models import Escalation, EscalationStatus
from jigsaw.people.models import Person

_NUMBER = re.compile(r"[0-9]{1,9}")


def _version(request: HttpRequest) -> int:
    raw = str(request.POST.get("version", ""))
    return int(raw) if _NUMBER.fullmatch(raw) else -1


def escalation_list(request: HttpRequest) -> HttpResponse:
    """Your escalations: those you raised, with their status, and those awaiting your response."""
    context = {
        "raised": list(queries.raised_by(request.user)),
        "awaiting": list(queries.awaiting_response_from(request.user)),
        "can_raise": has_permission(request.user, Permission.RAISE_ESCALATION),
        "can_report": has_permission(request.user, Permission.VIEW_ESCALATION_REPORT),
        "today": timezone.localdate(),
    }
    return render(request, "escalation/list.html", context)


@requires(Permission.RAISE_ESCALATION)
def choose_child(request: HttpRequest) -> HttpResponse:
    """Who the escalation is about: a partner picks from the children they may escalate
    about; social care staff start from the child's record."""
    children: list[Person] = []
    if not has_permission(request.user, Permission.FIND_PEOPLE):
        ids = actions.children_escalatable_by(request.user)
        children = list(Person.objects.filter(pk__in=ids).order_by("family_name", "given_names")[:200])
    return render(request, "escalation/choose_child.html", {"children": children})


@requires(Permission.RAISE_ESCALATION)
def raise_escalation(request: HttpRequest, person_id: int) -> HttpResponse:
    if not actions.may_escalate_about(request.user, person_id):
        raise Http404("No such person")
    person = Person.objects.get(pk=person_id)
    contacts = actions.contacts_for(request.user, person_id)
    referrals = actions.referrals_for(request.user, person_id)
    form = RaiseForm(request.POST or None, contacts=contacts, referrals=referrals)
    if request.method == "POST" and form.is_valid():
        contact_id, referral_id = form.decision_ids()
        details = actions.EscalationDetails(
            kind=form.cleaned_data["kind"],
            concern=form.cleaned_data["concern"],
            outcome_sought=form.cleaned_data["outcome_sought"],
            urgent=bool(form.cleaned_data["urgent"]),
            contact_id=contact_id,
            referral_id=referral_id,
        )
        try:
            escalation = actions.raise_escalation(actor=request.user, person_id=person_id, details=details)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"Escalation {escalation.reference} raised")
            return redirect("escalation:detail", pk=escalation.pk)
    return render(request, "escalation/raise.html", {"form": form, "person": person})


def _detail_context(
    request: HttpRequest,
    escalation: Escalation,
    respond_form: RespondForm | None = None,
    reply_form: ReplyForm | None = None,
) -> dict[str, Any]:
    may_respond = actions.may_respond(request.user, escalation)
    is_originator = escalation.raised_by_id == request.user.pk
    awaiting_reply = is_originator and escalation.status == EscalationStatus.AWAITING_REPLY
    return {
        "escalation": escalation,
        "steps": queries.steps_of(escalation),
        "current": queries.current_step(escalation),
        "may_see_child": queries.may_see_child(request.user, escalation),
        "overdue": queries.is_overdue(escalation),
        "is_originator": is_originator,
        "respond_form": respond_form or (RespondForm() if may_respond else None),
        "reply_form": reply_form or (ReplyForm() if awaiting_reply else None),
    }


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    escalation = queries.get_escalation_for(request.user, pk)
    record_access(
        user=request.user, action="view_escalation", record=escalation, subjects=[escalation.person]
    )
    return render(request, "escalation/detail.html", _detail_context(request, escalation))


def _conflict(request: HttpRequest, pk: int, error: EditConflict) -> HttpResponse:
    messages.error(request, str(error))
    return redirect("escalation:detail", pk=pk)


@require_POST
def respond(request: HttpRequest, pk: int) -> HttpResponse:
    escalation = queries.get_escalation_for(request.user, pk)
    form = RespondForm(request.POST)
    if form.is_valid():
        try:
            escalation = actions.respond(
                actor=request.user,
                escalation_id=pk,
                expected_version=_version(request),
                response=form.cleaned_data["response"],
                outcome=form.cleaned_data["outcome"],
                learning=form.cleaned_data["learning"],
            )
        except EditConflict as error:
            return _conflict(request, pk, error)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            closed = escalation.status == EscalationStatus.CLOSED
            messages.success(
                request,
                "Your final response is recorded: the escalation is closed" if closed else "Response sent",
            )
            return redirect("escalation:detail", pk=pk)
    elif not actions.may_respond(request.user, escalation):
        raise PermissionDenied
    return render(request, "escalation/detail.html", _detail_context(request, escalation, respond_form=form))


@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    escalation = queries.get_escalation_for(request.user, pk)
    if escalation.raised_by_id != request.user.pk:
        raise PermissionDenied
    form = ReplyForm(request.POST)
    if form.is_valid():
        comment = form.cleaned_data["comment"]
        try:
            if form.cleaned_data["decision"] == ReplyForm.ACCEPT:
                escalation = actions.accept_response(
                    actor=request.user, escalation_id=pk, expected_version=_version(request), comment=comment
                )
                messages.success(request, f"Escalation closed: {escalation.get_outcome_display()}")
            else:
                escalation = actions.go_to_next_stage(
                    actor=request.user, escalation_id=pk, expected_version=_version(request), reason=comment
                )
                messages.success(request, f"Escalation taken to the {escalation.stage.name} stage")
        except EditConflict as error:
            return _conflict(request, pk, error)
        except ValidationError as error:
            if hasattr(error, "error_dict") and "reason" in error.error_dict:
                form.add_error("comment", error.error_dict["reason"])
            else:
                apply_validation_error(form, error)
        else:
            return redirect("escalation:detail", pk=pk)
    return render(request, "escalation/detail.html", _detail_context(request, escalation, reply_form=form))


def procedure(request: HttpRequest) -> HttpResponse:
    """How escalation works in this partnership, generated from the policy in force."""
    policy, stage_list = queries.procedure()
    return render(
        request,
        "escalation/procedure.html",
        {"policy": policy, "stages": stage_list, "nobody_named": queries.NOBODY_NAMED},
    )


@requires(Permission.VIEW_ESCALATION_REPORT)
def report(request: HttpRequest) -> HttpResponse:
    rows = queries.report(request.user)
    record_access(user=request.user, action="view_escalation_report", detail={"rows": len(rows)})
    return render(request, "escalation/report.html", {"rows": rows, "summary": queries.summarise(rows)})


@requires(Permission.VIEW_ESCALATION_REPORT)
def report_csv(request: HttpRequest) -> HttpResponse:
    rows = queries.report(request.user)
    record_access(user=request.user, action="export_escalation_report", detail={"rows": len(rows)})
    return csv_response("escalations.csv", queries.REPORT_HEADER, queries.report_csv_rows(rows))


urlpatterns = [
    path("", escalation_list, name="list"),
    path("raise", choose_child, name="choose_child"),
    path("raise/<int:person_id>", raise_escalation, name="raise"),
    path("procedure", procedure, name="procedure"),
    path("report", report, name="report"),
    path("report.csv", report_csv, name="report_csv"),
    path("<int:pk>", detail, name="detail"),
    path("<int:pk>/respond", respond, name="respond"),
    path("<int:pk>/reply", reply, name="reply"),
]
