"""Pages of the access app, and the decorator through which views ask the policy."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from jigsaw.access import actions, queries, subject_access
from jigsaw.access.forms import BreakGlassForm, FindRecordForm, RestrictForm, ReviewForm, SubjectAccessForm
from jigsaw.access.log import record_access
from jigsaw.access.models import BreakGlassAccess, SubjectAccessRequest
from jigsaw.access.policy import Permission, has_permission, restricted_people_hidden_from
from jigsaw.core.csv_export import csv_response
from jigsaw.core.forms import apply_validation_error
from jigsaw.people.models import Person

R = TypeVar("R", bound=HttpResponseBase)


def requires(permission: Permission) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Refuse (403) a page that the user's role may not use at all."""

    def decorator(view: Callable[..., R]) -> Callable[..., R]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> R:
            if not has_permission(request.user, permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


@requires(Permission.BREAK_GLASS)
def break_glass(request: HttpRequest, pk: int) -> HttpResponse:
    """State a reason, then open a restricted record. Anyone without the right sees 404."""
    person = get_object_or_404(restricted_people_hidden_from(request.user), pk=pk)
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.break_glass(actor=request.user, person_id=person.pk, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, "You have opened this record. The data protection officer has been told."
            )
            return redirect("people:detail", pk=person.pk)
    return render(request, "access/break_glass.html", {"form": form, "person_id": person.pk})


def restrict(request: HttpRequest, pk: int) -> HttpResponse:
    if not has_permission(request.user, Permission.RESTRICT_RECORD):
        raise PermissionDenied
    person = get_object_or_404(Person, pk=pk)
    form = RestrictForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.restrict_record(
                actor=request.user,
                person_id=person.pk,
                reason=form.cleaned_data["reason"],
                permitted_usernames=form.usernames(),
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The record is now restricted to the people you named")
            return (
                redirect("access:history", pk=person.pk)
                if not has_permission(request.user, Permission.VIEW_PERSON)
                else redirect("people:detail", pk=person.pk)
            )
    return render(request, "access/restrict.html", {"form": form, "person_id": person.pk})


@requires(Permission.REVIEW_ACCESS)
def overview(request: HttpRequest) -> HttpResponse:
    """The data protection officer's page: the break-glass review queue and record look-up."""
    form = FindRecordForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return redirect("access:history", pk=form.cleaned_data["person"])
    return render(
        request,
        "access/overview.html",
        {
            "queue": queries.review_queue(),
            "reviewed": queries.recently_reviewed(),
            "form": form,
            "requests": SubjectAccessRequest.objects.exclude(status=SubjectAccessRequest.Status.SENT),
        },
    )


@requires(Permission.REVIEW_ACCESS)
def review(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_object_or_404(BreakGlassAccess.objects.select_related("user", "person"), pk=pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.review_break_glass(
                actor=request.user,
                access_id=access.pk,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Your review has been recorded")
            return redirect("access:overview")
    return render(request, "access/review.html", {"form": form, "access": access})


def history(request: HttpRequest, pk: int) -> HttpResponse:
    """Who has looked at this child? For the data protection officer."""
    person = actions.person_for_audit(actor=request.user, person_id=pk)
    return render(
        request, "access/history.html", {"person": person, "entries": queries.who_has_looked(person)}
    )


def history_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The same history as a spreadsheet, for an investigation; the download is logged."""
    person = actions.person_for_audit(actor=request.user, person_id=pk)
    record_access(user=request.user, action="export", record=person, detail={"what": "access history"})
    rows = (
        (
            entry.at.isoformat(),
            entry.user.get_username() if entry.user else "",
            getattr(getattr(entry.user, "practitioner", None), "agency", ""),
            entry.action,
            entry.reason,
            entry.ip_address or "",
        )
        for entry in queries.who_has_looked(person)
    )
    return csv_response(
        f"access-history-jigsaw-{person.pk}.csv", ["when", "user", "agency", "what", "why", "from"], rows
    )


@requires(Permission.REVIEW_ACCESS)
def new_subject_access_request(request: HttpRequest) -> HttpResponse:
    form = SubjectAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sar = subject_access.record_request(
                actor=request.user,
                person_id=form.cleaned_data["person"],
                requested_by=form.cleaned_data["requested_by"],
                received_on=form.cleaned_data["received_on"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"Request {sar.pk} recorded: due {sar.due_on:%-d %B %Y}")
            return redirect("access:overview")
    return render(request, "access/subject_access_new.html", {"form": form})


@requires(Permission.REVIEW_ACCESS)
def subject_access_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The export: PDF to read and send after redaction, JSON for machines."""
    sar, data = subject_access.export(actor=request.user, request_id=pk)
    filename = f"subject-access-{sar.pk}-jigsaw-{sar.person_id}"
    if fmt == "json":
        response: HttpResponse = JsonResponse(
            data, encoder=DjangoJSONEncoder, json_dumps_params={"indent": 2}
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.json"'
        return response
    response = HttpResponse(subject_access.render_pdf(data), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    return response
