"""Pages of the workforce: the establishment by team (managers, analysts, the partnership
and administrators), a team's posts and who fills them, with their history, and the
forms that keep them (a team's manager, or an administrator). Thin: parse, ask the
policy, call an action or a query, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import Permission
from jigsaw.access.views import requires
from jigsaw.core.edits import REFUSED, submit
from jigsaw.partners.models import AgencyKind, Practitioner
from jigsaw.workforce import actions, queries
from jigsaw.workforce.forms import (
    AbsenceForm,
    AppointForm,
    DisestablishForm,
    EndAppointmentForm,
    PostForm,
    StaffRecordForm,
    Versioned,
)
from jigsaw.workforce.models import Absence, Appointment, Post, StaffRecord, Team


@requires(Permission.VIEW_WORKFORCE)
def overview(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    start, _ = queries.year_to(today)
    figures = queries.team_figures(on=today)
    context = {
        "figures": figures,
        "other_teams": Team.objects.filter(agency__kind=AgencyKind.CHILDRENS_SOCIAL_CARE)
        .exclude(pk__in=[f.team_id for f in figures if f.team_id])
        .order_by("name"),
        "experience": queries.experience_bands(on=today),
        "today": today,
        "start": start,
    }
    return render(request, "workforce/overview.html", context)


@requires(Permission.VIEW_WORKFORCE)
def team(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Team.objects.select_related("agency"), pk=pk)
    today = timezone.localdate()
    start, end = queries.year_to(today)
    can_manage = queries.may_manage_team(request.user, found.pk)
    context = {
        "team": found,
        "posts": queries.posts_of_team(found.pk, on=today),
        "figures": next((f for f in queries.team_figures(on=today) if f.team_id == found.pk), None),
        "experience": queries.experience_bands(on=today, team_id=found.pk),
        # Who was absent, and when, is personal: only those who keep the team's records see it.
        "absences": list(queries.absences_of_team(found.pk, start=start, end=end)) if can_manage else [],
        "can_manage": can_manage,
        "today": today,
        "start": start,
    }
    return render(request, "workforce/team.html", context)


def _managed_team(request: HttpRequest, pk: int) -> Team:
    """The team, if this user keeps its records; otherwise "not found"."""
    found = Team.objects.filter(pk=pk).select_related("agency").first()
    if found is None or not queries.may_manage_team(request.user, found.pk):
        raise Http404("No such team")
    return found


def _managed_post(request: HttpRequest, pk: int) -> Post:
    found = Post.objects.filter(pk=pk).select_related("team", "team__agency").first()
    if found is None or not queries.may_manage_team(request.user, found.team_id):
        raise Http404("No such post")
    return found


def _form_page(
    request: HttpRequest,
    form: Versioned,
    *,
    crumb_team: Team | None,
    heading: str,
    button: str,
    intro: str = "",
) -> HttpResponse:
    context = {
        "form": form,
        "crumb_team": crumb_team,
        "caption": crumb_team.name if crumb_team else "Workforce",
        "heading": heading,
        "button": button,
        "intro": intro,
    }
    return render(request, "workforce/form.html", context)


def _post_form(request: HttpRequest, found_team: Team, found: Post | None) -> HttpResponse:
    form = PostForm(request.POST or None, initial=PostForm.initial_for(found) if found else {})
    if request.method == "POST" and form.is_valid():

        def call() -> Post:
            return actions.save_post(
                actor=request.user,
                details=form.details(found_team.pk),
                post_id=found.pk if found else None,
                expected_version=form.version_or_stale() if found else None,
            )

        def current() -> int:
            assert found is not None
            found.refresh_from_db()
            return found.version

        if (saved := submit(request, form, call, current_version=current)) is not REFUSED:
            messages.success(request, f"{saved.title} is saved")
            return redirect("workforce:team", pk=found_team.pk)
    return _form_page(
        request,
        form,
        crumb_team=found_team,
        heading=f"Change {found.title}" if found else "Add a post",
        button="Save the post",
        intro="" if found else "A post is a place in the team's establishment, filled or not.",
    )


@requires(Permission.MANAGE_WORKFORCE)
def new_post(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_form(request, _managed_team(request, pk), None)


@requires(Permission.MANAGE_WORKFORCE)
def edit_post(request: HttpRequest, pk: int) -> HttpResponse:
    found = _managed_post(request, pk)
    return _post_form(request, found.team, found)


@requires(Permission.MANAGE_WORKFORCE)
def disestablish_post(request: HttpRequest, pk: int) -> HttpResponse:
    found = _managed_post(request, pk)
    form = DisestablishForm(request.POST or None, initial={"version": found.version})
    if request.method == "POST" and form.is_valid():

        def call() -> object:
            return actions.disestablish_post(
                actor=request.user,
                post_id=found.pk,
                expected_version=form.version_or_stale(),
                on=form.cleaned_data["on"],
            )

        def current() -> int:
            found.refresh_from_db()
            return found.version

        if submit(request, form, call, current_version=current) is not REFUSED:
            messages.success(request, f"{found.title} ends on the day you gave")
            return redirect("workforce:team", pk=found.team_id)
    return _form_page(
        request,
        form,
        crumb_team=found.team,
        heading=f"End the post {found.title}",
        button="End the post",
        intro="A post that ends stays in the team's history; nobody can be appointed to it again.",
    )


@requires(Permission.MANAGE_WORKFORCE)
def appoint(request: HttpRequest, pk: int) -> HttpResponse:
    found = _managed_post(request, pk)
    workers = list(queries.workers_for(found.team))
    form = AppointForm(
        request.POST or None, workers=workers, initial={"version": found.version, "fte": found.fte}
    )
    if request.method == "POST" and form.is_valid():

        def call() -> object:
            return actions.appoint(
                actor=request.user,
                post_id=found.pk,
                expected_version=form.version_or_stale(),
                details=form.details(),
            )

        def current() -> int:
            found.refresh_from_db()
            return found.version

        if submit(request, form, call, current_version=current) is not REFUSED:
            messages.success(request, f"The appointment to {found.title} is recorded")
            return redirect("workforce:team", pk=found.team_id)
    return _form_page(
        request,
        form,
        crumb_team=found.team,
        heading=f"Appoint to {found.title} ({found.fte} FTE)",
        button="Record the appointment",
    )


@requires(Permission.MANAGE_WORKFORCE)
def end_appointment(request: HttpRequest, pk: int) -> HttpResponse:
    found = Appointment.objects.filter(pk=pk).select_related("post", "post__team", "practitioner").first()
    if found is None or not queries.may_manage_team(request.user, found.post.team_id):
        raise Http404("No such appointment")
    form = EndAppointmentForm(request.POST or None, initial={"version": found.version})
    if request.method == "POST" and form.is_valid():

        def call() -> object:
            return actions.end_appointment(
                actor=request.user,
                appointment_id=found.pk,
                expected_version=form.version_or_stale(),
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["reason"],
            )

        def current() -> int:
            found.refresh_from_db()
            return found.version

        if submit(request, form, call, current_version=current) is not REFUSED:
            messages.success(request, f"{found.practitioner.full_name}'s appointment is ended")
            return redirect("workforce:team", pk=found.post.team_id)
    return _form_page(
        request,
        form,
        crumb_team=found.post.team,
        heading=f"End {found.practitioner.full_name}'s appointment to {found.post.title}",
        button="End the appointment",
        intro="A move to another post in the authority is not a leaver: appoint them to the new post next.",
    )


def _team_workers(found_team: Team) -> list[Practitioner]:
    """The team's workers: its members and whoever has held one of its posts."""
    held = Appointment.objects.filter(post__team=found_team).values("practitioner_id")
    return list(
        Practitioner.objects.filter(agency_id=found_team.agency_id)
        .filter(Q(pk__in=held) | Q(team=found_team))
        .order_by("full_name")
    )


@requires(Permission.MANAGE_WORKFORCE)
def new_absence(request: HttpRequest, pk: int) -> HttpResponse:
    found_team = _managed_team(request, pk)
    form = AbsenceForm(request.POST or None, workers=_team_workers(found_team))
    if request.method == "POST" and form.is_valid():

        def call() -> object:
            return actions.record_absence(actor=request.user, details=form.details())

        if submit(request, form, call, current_version=lambda: -1) is not REFUSED:
            messages.success(request, "The absence is recorded")
            return redirect("workforce:team", pk=found_team.pk)
    return _form_page(
        request, form, crumb_team=found_team, heading="Record an absence", button="Record the absence"
    )


@requires(Permission.MANAGE_WORKFORCE)
def edit_absence(request: HttpRequest, pk: int) -> HttpResponse:
    found = Absence.objects.filter(pk=pk).select_related("practitioner").first()
    if found is None or not queries.may_manage_worker(request.user, found.practitioner_id):
        raise Http404("No such absence")
    found_team = found.practitioner.team
    workers = [found.practitioner]
    initial = {
        "practitioner": str(found.practitioner_id),
        "kind": found.kind,
        "first_day": found.first_day,
        "last_day": found.last_day,
        "version": found.version,
    }
    form = AbsenceForm(request.POST or None, workers=workers, initial=initial)
    if request.method == "POST" and form.is_valid():

        def call() -> object:
            return actions.correct_absence(
                actor=request.user,
                absence_id=found.pk,
                expected_version=form.version_or_stale(),
                details=form.details(),
            )

        def current() -> int:
            found.refresh_from_db()
            return found.version

        if submit(request, form, call, current_version=current) is not REFUSED:
            messages.success(request, "The absence is corrected")
            return redirect("workforce:staff_record", pk=found.practitioner_id)
    return _form_page(
        request, form, crumb_team=found_team, heading="Correct an absence", button="Save the correction"
    )


@requires(Permission.MANAGE_WORKFORCE)
def staff_record(request: HttpRequest, pk: int) -> HttpResponse:
    """A worker's staff record, appointments and absences: for their team's manager and
    administrators only (a worker's record is not for their colleagues)."""
    worker = Practitioner.objects.filter(pk=pk).select_related("team").first()
    if worker is None or not queries.may_manage_worker(request.user, worker.pk):
        raise Http404("No such worker")
    record = StaffRecord.objects.filter(practitioner=worker).first()
    initial: dict[str, Any] = (
        {
            "registration_number": record.registration_number,
            "qualification": record.qualification,
            "qualified_on": record.qualified_on,
            "joined_service_on": record.joined_service_on,
            "version": record.version,
        }
        if record
        else {}
    )
    form = StaffRecordForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():

        def call() -> object:
            return actions.save_staff_record(
                actor=request.user,
                practitioner_id=worker.pk,
                details=form.details(),
                expected_version=form.version_or_stale() if record else None,
            )

        def current() -> int:
            latest = StaffRecord.objects.filter(practitioner=worker).first()
            return latest.version if latest else -1

        if submit(request, form, call, current_version=current) is not REFUSED:
            messages.success(request, f"{worker.full_name}'s staff record is saved")
            return redirect("workforce:staff_record", pk=worker.pk)
    else:
        # Staff records are personal data: who looked is logged, as for a child's record.
        record_access(user=request.user, action="view_staff_record", record=worker)
    context = {
        "worker": worker,
        "record": record,
        "form": form,
        "appointments": Appointment.objects.filter(practitioner=worker).select_related("post", "post__team"),
        "absences": Absence.objects.filter(practitioner=worker),
    }
    return render(request, "workforce/staff_record.html", context)


urlpatterns = [
    path("", overview, name="overview"),
    path("teams/<int:pk>/", team, name="team"),
    path("teams/<int:pk>/posts/new", new_post, name="new_post"),
    path("teams/<int:pk>/absences/new", new_absence, name="new_absence"),
    path("posts/<int:pk>/change", edit_post, name="edit_post"),
    path("posts/<int:pk>/end", disestablish_post, name="disestablish_post"),
    path("posts/<int:pk>/appoint", appoint, name="appoint"),
    path("appointments/<int:pk>/end", end_appointment, name="end_appointment"),
    path("absences/<int:pk>/correct", edit_absence, name="edit_absence"),
    path("workers/<int:pk>/", staff_record, name="staff_record"),
]
