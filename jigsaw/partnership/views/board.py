"""Pages of the board: members and their terms, meetings (agenda, attendance, decisions),
the action log and the governance view. Managers and analysts read them; the partnership's
business unit and administrators keep them. Thin: parse, ask the policy, call an action or
a query, render. No child is named on these pages."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_POST

from jigsaw.access.policy import Permission, has_permission
from jigsaw.access.views import requires
from jigsaw.core.edits import REFUSED, EditConflict, submit, version_of
from jigsaw.core.forms import apply_validation_error
from jigsaw.partnership.actions import board as actions
from jigsaw.partnership.forms.board import (
    ActionForm,
    ActionStatusForm,
    AgendaItemForm,
    DecisionForm,
    MeetingForm,
    MemberForm,
)
from jigsaw.partnership.models.board import AgendaItem, AttendanceStatus, BoardMeeting, BoardMember
from jigsaw.partnership.queries import board as queries
from jigsaw.quality.models.recommendations import Recommendation

_NUMBER = re.compile(r"[0-9]{1,9}")


def _int(raw: object) -> int:
    text = str(raw or "")
    return int(text) if _NUMBER.fullmatch(text) else -1


@requires(Permission.VIEW_BOARD)
def board(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    context = {
        "members": list(queries.current_members(today)),
        "past": list(queries.all_members().filter(term_ends_on__lt=today)),
        "future": list(queries.all_members().filter(term_starts_on__gt=today)),
        "ending": list(queries.terms_ending(today)),
        "meetings": list(queries.meetings()[:12]),
        "open_actions": queries.action_log(open_only=True).count(),
        "can_manage": has_permission(request.user, Permission.MANAGE_BOARD),
        "today": today,
    }
    return render(request, "partnership/board/home.html", context)


def _member_form(request: HttpRequest, found: BoardMember | None) -> HttpResponse:
    form = MemberForm(request.POST or None, initial=MemberForm.initial_for(found) if found else {})
    if request.method == "POST" and form.is_valid():
        saved = submit(
            request,
            form,
            lambda: actions.save_member(
                actor=request.user,
                details=form.details(),
                member_id=found.pk if found else None,
                expected_version=form.cleaned_data["version"],
            ),
            current_version=version_of(found),
        )
        if saved is not REFUSED:
            messages.success(request, f"{saved.name} is saved")
            return redirect("partnership:board")
    return render(request, "partnership/board/member_form.html", {"form": form, "member": found})


@requires(Permission.MANAGE_BOARD)
def new_member(request: HttpRequest) -> HttpResponse:
    return _member_form(request, None)


@requires(Permission.MANAGE_BOARD)
def edit_member(request: HttpRequest, pk: int) -> HttpResponse:
    return _member_form(request, get_object_or_404(BoardMember, pk=pk))


@requires(Permission.MANAGE_BOARD)
def new_meeting(request: HttpRequest) -> HttpResponse:
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            meeting = actions.add_meeting(
                actor=request.user,
                held_on=d["held_on"],
                title=d["title"],
                venue=d["venue"],
                agenda=str(d["agenda"]).splitlines(),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Meeting added")
            return redirect("partnership:meeting", pk=meeting.pk)
    return render(request, "partnership/board/meeting_form.html", {"form": form})


def _render_meeting(
    request: HttpRequest, meeting: BoardMeeting, agenda_form: AgendaItemForm | None = None
) -> HttpResponse:
    context = {
        "meeting": meeting,
        "agenda": list(meeting.agenda_items.all()),
        "attendance": queries.meeting_members(meeting),
        "actions": list(queries.action_log().filter(meeting=meeting)),
        "can_manage": has_permission(request.user, Permission.MANAGE_BOARD),
        "agenda_form": agenda_form or AgendaItemForm(initial={"version": meeting.version}),
    }
    return render(request, "partnership/board/meeting.html", context)


@requires(Permission.VIEW_BOARD)
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_meeting(request, get_object_or_404(BoardMeeting, pk=pk))


@require_POST
@requires(Permission.MANAGE_BOARD)
def add_agenda_item(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(BoardMeeting, pk=pk)
    form = AgendaItemForm(request.POST)
    if form.is_valid():
        done = submit(
            request,
            form,
            lambda: actions.add_agenda_item(
                actor=request.user,
                meeting_id=found.pk,
                expected_version=form.cleaned_data["version"],
                title=form.cleaned_data["title"],
            ),
            current_version=version_of(found),
        )
        if done is not REFUSED:
            messages.success(request, "Agenda item added")
            return redirect("partnership:meeting", pk=found.pk)
    return _render_meeting(request, found, form)


@requires(Permission.MANAGE_BOARD)
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(BoardMeeting, pk=pk)
    errors: dict[str, str] = {}
    error = ""
    if request.method == "POST":
        outcomes = {
            int(key.removeprefix("status_")): (
                str(value),
                str(request.POST.get(f"deputy_{key.removeprefix('status_')}", "")),
            )
            for key, value in request.POST.items()
            if key.startswith("status_") and _NUMBER.fullmatch(key.removeprefix("status_"))
        }
        try:
            actions.record_attendance(
                actor=request.user,
                meeting_id=found.pk,
                expected_version=_int(request.POST.get("version")),
                outcomes=outcomes,
            )
        except ValidationError as problem:
            errors = {k: " ".join(v) for k, v in problem.message_dict.items()}
            error = " ".join(problem.messages)
        except EditConflict as conflict:
            error = str(conflict)
            found.refresh_from_db()
        else:
            messages.success(request, "Attendance recorded")
            return redirect("partnership:meeting", pk=found.pk)
    rows = [
        {
            "member": member,
            "status": request.POST.get(f"status_{member.pk}", recorded.status if recorded else ""),
            "deputy": request.POST.get(f"deputy_{member.pk}", recorded.deputy_name if recorded else ""),
            "error": errors.get(f"status_{member.pk}", "") or errors.get(f"deputy_{member.pk}", ""),
        }
        for member, recorded in queries.meeting_members(found)
    ]
    context = {"meeting": found, "rows": rows, "statuses": AttendanceStatus.choices, "error": error}
    return render(request, "partnership/board/attendance.html", context)


@requires(Permission.MANAGE_BOARD)
def decision(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(AgendaItem.objects.select_related("meeting"), pk=pk)
    form = DecisionForm(
        request.POST or None, initial={"decision": item.decision, "version": item.meeting.version}
    )
    if request.method == "POST" and form.is_valid():
        done = submit(
            request,
            form,
            lambda: actions.record_decision(
                actor=request.user,
                item_id=item.pk,
                expected_version=form.cleaned_data["version"],
                decision=form.cleaned_data["decision"],
            ),
            current_version=version_of(item.meeting),
        )
        if done is not REFUSED:
            messages.success(request, "Decision recorded")
            return redirect("partnership:meeting", pk=item.meeting_id)
    return render(request, "partnership/board/decision.html", {"form": form, "item": item})


@requires(Permission.MANAGE_BOARD)
def new_action(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(BoardMeeting, pk=pk)
    members = [m for m, _ in queries.meeting_members(found)] or list(
        queries.current_members(timezone.localdate())
    )
    agenda = [(i.pk, str(i)) for i in found.agenda_items.all()]
    form = ActionForm(request.POST or None, members=members, agenda=agenda)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_board_action(actor=request.user, meeting_id=found.pk, details=form.details())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Action added to the log")
            return redirect("partnership:meeting", pk=found.pk)
    return render(request, "partnership/board/action_form.html", {"form": form, "meeting": found})


@requires(Permission.VIEW_BOARD)
def action_log(request: HttpRequest) -> HttpResponse:
    """Every action, or (`?recommendation=`) those answering one recommendation."""
    actions_shown = queries.action_log()
    chosen = str(request.GET.get("recommendation", ""))
    recommendation = None
    if _NUMBER.fullmatch(chosen):
        recommendation = get_object_or_404(
            Recommendation.objects.select_related("recommendation_set"), pk=int(chosen)
        )
        actions_shown = queries.actions_for_recommendation(recommendation)
    context = {
        "actions": list(actions_shown),
        "recommendation": recommendation,
        "today": timezone.localdate(),
        "can_manage": has_permission(request.user, Permission.MANAGE_BOARD),
        "can_see_recommendations": has_permission(request.user, Permission.VIEW_OVERSIGHT),
    }
    return render(request, "partnership/board/actions.html", context)


@requires(Permission.MANAGE_BOARD)
def edit_action(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(queries.action_log(), pk=pk)
    form = ActionStatusForm(request.POST or None, initial=ActionStatusForm.initial_for(found))
    if request.method == "POST" and form.is_valid():
        done = submit(
            request,
            form,
            lambda: actions.update_board_action(
                actor=request.user,
                action_id=found.pk,
                expected_version=form.cleaned_data["version"],
                status=form.cleaned_data["status"],
                due_on=form.cleaned_data["due_on"],
            ),
            current_version=version_of(found),
        )
        if done is not REFUSED:
            messages.success(request, "Action updated")
            return redirect("partnership:actions")
    return render(request, "partnership/board/action_status.html", {"form": form, "action": found})


@requires(Permission.VIEW_BOARD)
def governance(request: HttpRequest) -> HttpResponse:
    return render(
        request, "partnership/board/governance.html", {"governance": queries.governance(timezone.localdate())}
    )


urlpatterns: list[URLPattern] = [
    path("board/", board, name="board"),
    path("board/members/new", new_member, name="new_member"),
    path("board/members/<int:pk>", edit_member, name="edit_member"),
    path("board/meetings/new", new_meeting, name="new_meeting"),
    path("board/meetings/<int:pk>", meeting, name="meeting"),
    path("board/meetings/<int:pk>/agenda", add_agenda_item, name="add_agenda_item"),
    path("board/meetings/<int:pk>/attendance", attendance, name="attendance"),
    path("board/meetings/<int:pk>/actions/new", new_action, name="new_action"),
    path("board/agenda-items/<int:pk>/decision", decision, name="decision"),
    path("board/actions/", action_log, name="actions"),
    path("board/actions/<int:pk>", edit_action, name="edit_action"),
    path("board/governance", governance, name="governance"),
]
