"""Pages of conference participation: "Your meetings" (the conferences and core groups a
practitioner is invited to, where they reply and send their report), and the partnership's
figures of attendance and reports by agency, with their CSV file."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import Permission
from jigsaw.access.views import requires
from jigsaw.casework.actions.common import EditConflict
from jigsaw.core.csv_export import csv_response
from jigsaw.core.forms import apply_validation_error
from jigsaw.partners.actions.conferences import reply_to_invitation, submit_report
from jigsaw.partners.forms.conferences import PeriodForm, ReplyForm, ReportForm
from jigsaw.partners.queries.conferences import (
    COLUMNS,
    CSV_HEADER,
    MeetingKind,
    attendance_by_agency,
    attendance_csv_rows,
    get_invitation_for,
    invitation_url,
    meeting_children,
    meeting_day,
    meeting_of,
    meeting_title,
    my_meetings,
    visible_children,
)


def meetings(request: HttpRequest) -> HttpResponse:
    listing = my_meetings(request.user, today=timezone.localdate())
    record_access(user=request.user, action="view_my_meetings", subjects=listing.named)
    return render(request, "partners/conferences/meetings.html", {"listing": listing})


def _invitation(request: HttpRequest, kind: MeetingKind, pk: int) -> HttpResponse:
    invitation = get_invitation_for(request.user, kind, pk)
    meeting = meeting_of(invitation)
    children = meeting_children(meeting)
    named = visible_children(request.user, children)
    which = request.POST.get("form") if request.method == "POST" else None
    reply_form = ReplyForm(
        request.POST if which == "reply" else None,
        initial={"reply": invitation.reply, "version": invitation.version},
        prefix="reply",
    )
    report_form = ReportForm(
        request.POST if which == "report" else None,
        initial={"report": invitation.report, "version": invitation.version},
        prefix="report",
    )
    if which == "reply" and reply_form.is_valid():
        try:
            reply_to_invitation(
                actor=request.user,
                kind=kind,
                invitation_id=invitation.pk,
                expected_version=reply_form.cleaned_data["version"],
                reply=reply_form.cleaned_data["reply"],
            )
        except ValidationError as error:
            apply_validation_error(reply_form, error)
        except EditConflict as conflict:
            reply_form.add_error(None, str(conflict))
        else:
            messages.success(request, "Your reply is sent")
            return redirect(invitation_url(invitation))
    elif which == "report" and report_form.is_valid():
        try:
            submit_report(
                actor=request.user,
                kind=kind,
                invitation_id=invitation.pk,
                expected_version=report_form.cleaned_data["version"],
                report=report_form.cleaned_data["report"],
            )
        except ValidationError as error:
            apply_validation_error(report_form, error)
        except EditConflict as conflict:
            report_form.add_error(None, str(conflict))
        else:
            messages.success(request, "Your report is sent")
            return redirect(invitation_url(invitation))
    if request.method == "GET":
        record_access(user=request.user, action="view", record=invitation, subjects=named)
    today = timezone.localdate()
    open_for_replies = not meeting.held and meeting_day(meeting) >= today
    context = {
        "invitation": invitation,
        "meeting": meeting,
        "title": meeting_title(meeting),
        "day": meeting_day(meeting),
        "named_children": named,
        "unnamed_children": len(children) - len(named),
        "reply_form": reply_form,
        "report_form": report_form,
        "can_reply": open_for_replies,
        "can_report": not meeting.held,
        # The error summary lists the errors of the form that was sent.
        "form": report_form if which == "report" else reply_form,
    }
    return render(request, "partners/conferences/invitation.html", context)


def conference_invitation(request: HttpRequest, pk: int) -> HttpResponse:
    return _invitation(request, "conference", pk)


def core_group_invitation(request: HttpRequest, pk: int) -> HttpResponse:
    return _invitation(request, "core_group", pk)


@requires(Permission.VIEW_PARTNERSHIP_FIGURES)
def attendance(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None, today=timezone.localdate())
    start, end = form.period()
    figures = attendance_by_agency(start=start, end=end)
    record_access(
        user=request.user, action="view_conference_attendance", detail={"start": str(start), "end": str(end)}
    )
    context = {"form": form, "figures": figures, "columns": COLUMNS, "query": request.GET.urlencode()}
    return render(request, "partners/conferences/attendance.html", context)


@requires(Permission.VIEW_PARTNERSHIP_FIGURES)
def attendance_csv(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None, today=timezone.localdate())
    start, end = form.period()
    figures = attendance_by_agency(start=start, end=end)
    record_access(
        user=request.user,
        action="export_conference_attendance",
        detail={"start": str(start), "end": str(end)},
    )
    return csv_response(
        f"conference-attendance-{start:%Y-%m-%d}-to-{end:%Y-%m-%d}.csv",
        CSV_HEADER,
        attendance_csv_rows(figures),
    )


urlpatterns: list[URLPattern] = [
    path("meetings", meetings, name="meetings"),
    path("meetings/conferences/<int:pk>", conference_invitation, name="conference_invitation"),
    path("meetings/core-groups/<int:pk>", core_group_invitation, name="core_group_invitation"),
    path("figures/conference-attendance", attendance, name="conference_attendance"),
    path("figures/conference-attendance.csv", attendance_csv, name="conference_attendance_csv"),
]
