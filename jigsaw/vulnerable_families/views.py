"""Pages of vulnerable families meetings, for the practitioners of a health visiting team
and a GP practice. Thin: parse, ask the policy (through the queries), call an action,
render. Every page that names a child writes the access log, naming the children shown."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_POST

from jigsaw.access.log import record_access
from jigsaw.access.policy import Permission, takes_part_in_vulnerable_families
from jigsaw.access.views import requires
from jigsaw.core.edits import REFUSED, EditConflict, submit, version_of
from jigsaw.core.forms import apply_validation_error
from jigsaw.partners.models import AgencyKind
from jigsaw.vulnerable_families import actions, queries
from jigsaw.vulnerable_families.forms import (
    AttendanceForm,
    DiscussionForm,
    FamilyActionForm,
    FamilyForm,
    ScheduleForm,
    StandingMeetingForm,
)
from jigsaw.vulnerable_families.models import FamilyDiscussion, Meeting, StandingMeeting

_NUMBER = re.compile(r"[0-9]{1,9}")


def _int(raw: object) -> int:
    text = str(raw or "")
    return int(text) if _NUMBER.fullmatch(text) else -1


@requires(Permission.VIEW_VULNERABLE_FAMILIES)
def home(request: HttpRequest) -> HttpResponse:
    """The user's meetings and when each is next due, and their own open actions. No child
    is named here (the actions link to their meeting)."""
    if not takes_part_in_vulnerable_families(request.user):
        raise PermissionDenied  # only health visiting teams and GP practices hold these meetings
    today = timezone.localdate()
    context = {
        "schedules": queries.schedules_for(request.user, today=today),
        "actions": list(queries.my_open_actions(request.user)),
        "today": today,
    }
    return render(request, "vulnerable_families/home.html", context)


def _own_side(request: HttpRequest) -> dict[str, str]:
    """For a new meeting, the user's own agency is filled in, with them as its lead."""
    practitioner = getattr(request.user, "practitioner", None)
    if practitioner is None:
        return {}
    if practitioner.agency.kind == AgencyKind.HEALTH_VISITING:
        return {"health_visiting": str(practitioner.agency_id), "health_visiting_lead": str(practitioner.pk)}
    return {"gp_practice": str(practitioner.agency_id), "gp_lead": str(practitioner.pk)}


def _standing_form(request: HttpRequest, found: StandingMeeting | None) -> HttpResponse:
    initial = StandingMeetingForm.initial_for(found) if found else _own_side(request)
    form = StandingMeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = submit(
            request,
            form,
            lambda: actions.save_standing_meeting(
                actor=request.user,
                details=form.details(),
                standing_id=found.pk if found else None,
                expected_version=form.cleaned_data["version"],
            ),
            current_version=version_of(found),
        )
        if saved is not REFUSED:
            messages.success(request, f"The meeting of {saved} is saved")
            return redirect("vulnerable_families:standing", pk=saved.pk)
    return render(request, "vulnerable_families/standing_form.html", {"form": form, "standing": found})


@requires(Permission.RECORD_VULNERABLE_FAMILIES)
def new_standing(request: HttpRequest) -> HttpResponse:
    if not takes_part_in_vulnerable_families(request.user):
        raise PermissionDenied  # a school's or the police's practitioner, say
    return _standing_form(request, None)


@requires(Permission.RECORD_VULNERABLE_FAMILIES)
def edit_standing(request: HttpRequest, pk: int) -> HttpResponse:
    return _standing_form(request, queries.get_standing_for(request.user, pk))


@requires(Permission.VIEW_VULNERABLE_FAMILIES)
def standing(request: HttpRequest, pk: int) -> HttpResponse:
    """A pair's meetings: the rhythm, the leads, each meeting with how many families were
    listed and referred. No child is named here."""
    found = queries.get_standing_for(request.user, pk)
    today = timezone.localdate()
    form = ScheduleForm(initial={"held_on": queries.schedule_of(found, today=today).next_due})
    return _render_standing(request, found, form)


def _render_standing(request: HttpRequest, found: StandingMeeting, form: ScheduleForm) -> HttpResponse:
    today = timezone.localdate()
    context = {
        "standing": found,
        "schedule": queries.schedule_of(found, today=today),
        "meetings": list(queries.meetings_of(found)),
        "referrals": queries.referrals_followed(found),
        "form": form,
        "today": today,
    }
    return render(request, "vulnerable_families/standing.html", context)


@require_POST
@requires(Permission.RECORD_VULNERABLE_FAMILIES)
def schedule(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.get_standing_for(request.user, pk)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        try:
            meeting = actions.schedule_meeting(
                actor=request.user, standing_id=found.pk, held_on=form.cleaned_data["held_on"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            carried = meeting.families.count()
            note = (
                f", with {carried} {'family' if carried == 1 else 'families'} carried forward"
                if carried
                else ""
            )
            messages.success(request, f"Meeting arranged{note}")
            return redirect("vulnerable_families:meeting", pk=meeting.pk)
    return _render_standing(request, found, form)


@requires(Permission.VIEW_VULNERABLE_FAMILIES)
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    """One meeting: who came, and the list of families with their discussion, outcome,
    actions and any referral that followed. Logged, naming every child shown."""
    found = queries.get_meeting_for(request.user, pk)
    rows = queries.family_rows(request.user, found)
    shown = [("people.person", str(c.person_id)) for row in rows for c in row.children]
    record_access(user=request.user, action="view_vulnerable_families_meeting", record=found, subjects=shown)
    context = {
        "meeting": found,
        "standing": found.standing,
        "attendees": list(found.attendees.select_related("agency").order_by("agency__name", "full_name")),
        "rows": rows,
        "today": timezone.localdate(),
    }
    return render(request, "vulnerable_families/meeting.html", context)


def _attendance_choices(found: Meeting) -> list[tuple[str, str]]:
    return [
        (str(p.pk), f"{p.full_name}, {p.job_title or 'practitioner'} ({p.agency.name})")
        for p in queries.practitioners_of(found.standing)
    ]


@requires(Permission.RECORD_VULNERABLE_FAMILIES)
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.get_meeting_for(request.user, pk)
    choices = _attendance_choices(found)
    initial = {
        "attendees": [str(pk) for pk in found.attendees.values_list("pk", flat=True)],
        "version": found.version,
    }
    form = AttendanceForm(request.POST or None, initial=initial, choices=choices)
    if request.method == "POST" and form.is_valid():
        done = submit(
            request,
            form,
            lambda: actions.record_attendance(
                actor=request.user,
                meeting_id=found.pk,
                expected_version=form.cleaned_data["version"],
                attendee_ids=[int(v) for v in form.cleaned_data["attendees"]],
            ),
            current_version=version_of(found),
        )
        if done is not REFUSED:
            messages.success(request, "Attendance recorded")
            return redirect("vulnerable_families:meeting", pk=found.pk)
    return render(request, "vulnerable_families/attendance.html", {"form": form, "meeting": found})


@requires(Permission.RECORD_VULNERABLE_FAMILIES)
def add_family(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.get_meeting_for(request.user, pk)
    form = FamilyForm(request.POST or None, initial={"version": found.version})
    if request.method == "POST" and form.is_valid():
        done = submit(
            request,
            form,
            lambda: actions.add_family(
                actor=request.user,
                meeting_id=found.pk,
                expected_version=form.cleaned_data["version"],
                nhs_numbers=str(form.cleaned_data["nhs_numbers"]).splitlines(),
                reason=form.cleaned_data["reason"],
            ),
            current_version=version_of(found),
        )
        if done is not REFUSED:
            messages.success(request, "Family added to the list")
            return redirect("vulnerable_families:meeting", pk=found.pk)
    return render(request, "vulnerable_families/family_form.html", {"form": form, "meeting": found})


def _contact_choices(discussion: FamilyDiscussion) -> list[tuple[str, str]]:
    return [
        (
            str(c.pk),
            f"Received {timezone.localtime(c.received_at):%d/%m/%Y} from "
            f"{c.referrer_agency.name if c.referrer_agency else 'the agency'}",
        )
        for c in queries.contacts_for_family(discussion).select_related("referrer_agency")
    ]


def _log_family(
    request: HttpRequest, action: str, discussion: FamilyDiscussion, children: list[queries.ChildShown]
) -> None:
    record_access(
        user=request.user,
        action=action,
        record=discussion,
        subjects=[("people.person", str(c.person_id)) for c in children],
    )


@requires(Permission.RECORD_VULNERABLE_FAMILIES)
def discussion(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.get_discussion_for(request.user, pk)
    children = queries.children_shown(request.user, list(found.children.all()))
    contacts = _contact_choices(found)
    initial = {
        "concern": found.concern,
        "outcome": found.outcome,
        "referral_made_on": found.referral_made_on,
        "contact": str(found.contact_id or ""),
        "version": found.version,
    }
    form = DiscussionForm(request.POST or None, initial=initial, contacts=contacts)
    if request.method == "POST" and form.is_valid():
        done = submit(
            request,
            form,
            lambda: actions.record_discussion(
                actor=request.user,
                discussion_id=found.pk,
                expected_version=form.cleaned_data["version"],
                concern=form.cleaned_data["concern"],
                outcome=form.cleaned_data["outcome"],
                referral_made_on=form.cleaned_data["referral_made_on"],
                contact_id=form.contact_id(),
            ),
            current_version=version_of(found),
        )
        if done is not REFUSED:
            messages.success(request, "Discussion recorded")
            return redirect("vulnerable_families:meeting", pk=found.meeting_id)
    else:
        _log_family(request, "view_vulnerable_family", found, children)
    context = {"form": form, "family": found, "meeting": found.meeting, "children": children}
    return render(request, "vulnerable_families/discussion_form.html", context)


@requires(Permission.RECORD_VULNERABLE_FAMILIES)
def add_action(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.get_discussion_for(request.user, pk)
    children = queries.children_shown(request.user, list(found.children.all()))
    owners = [
        (str(p.pk), f"{p.full_name} ({p.agency.name})")
        for p in queries.practitioners_of(found.meeting.standing)
    ]
    form = FamilyActionForm(request.POST or None, owners=owners)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_family_action(
                actor=request.user,
                discussion_id=found.pk,
                description=form.cleaned_data["description"],
                owner_id=form.owner_id(),
                due_on=form.cleaned_data["due_on"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Action added")
            return redirect("vulnerable_families:meeting", pk=found.meeting_id)
    else:
        _log_family(request, "view_vulnerable_family", found, children)
    context = {"form": form, "family": found, "meeting": found.meeting, "children": children}
    return render(request, "vulnerable_families/action_form.html", context)


@require_POST
@requires(Permission.RECORD_VULNERABLE_FAMILIES)
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.get_action_for(request.user, pk)
    done = request.POST.get("done", "yes") == "yes"
    try:
        actions.set_action_done(
            actor=request.user,
            action_id=found.pk,
            expected_version=_int(request.POST.get("version")),
            done=done,
        )
    except EditConflict as conflict:
        messages.error(request, str(conflict))
    else:
        messages.success(request, "Action marked done" if done else "Action marked not done")
    meeting_id = found.discussion.meeting_id
    back = request.POST.get("back", "")
    if back == "home":
        return redirect("vulnerable_families:home")
    return redirect("vulnerable_families:meeting", pk=meeting_id)


urlpatterns: list[URLPattern] = [
    path("", home, name="home"),
    path("new", new_standing, name="new_standing"),
    path("<int:pk>/", standing, name="standing"),
    path("<int:pk>/change", edit_standing, name="edit_standing"),
    path("<int:pk>/arrange", schedule, name="schedule"),
    path("meetings/<int:pk>/", meeting, name="meeting"),
    path("meetings/<int:pk>/attendance", attendance, name="attendance"),
    path("meetings/<int:pk>/add-family", add_family, name="add_family"),
    path("families/<int:pk>/discussion", discussion, name="discussion"),
    path("families/<int:pk>/add-action", add_action, name="add_action"),
    path("actions/<int:pk>/done", action_done, name="action_done"),
]
