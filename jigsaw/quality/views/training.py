"""Pages of training: your own training and the offer (everyone); courses, sessions,
bookings, attendance and learners (the partnership's business unit and administrators);
take-up and who is overdue a refresher, with its export (managers, analysts and the
partnership). Thin: parse, ask the policy, call an action or a query, render."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import Permission, has_permission
from jigsaw.access.views import requires
from jigsaw.core.csv_export import csv_response
from jigsaw.core.edits import REFUSED, EditConflict, submit, version_of
from jigsaw.core.forms import apply_validation_error
from jigsaw.quality.actions import training as actions
from jigsaw.quality.forms.training import CourseForm, LearnerForm, SessionForm
from jigsaw.quality.models.training import AttendanceStatus, Course
from jigsaw.quality.queries import training as queries

_NUMBER = re.compile(r"[0-9]{1,9}")


def _int(raw: object) -> int:
    text = str(raw or "")
    return int(text) if _NUMBER.fullmatch(text) else -1


@requires(Permission.VIEW_OVERSIGHT)
def training(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    context = {
        "mine": queries.my_training(request.user, today=today),
        "upcoming": queries.upcoming_sessions(),
        "courses": list(queries.courses()),
        "can_manage": has_permission(request.user, Permission.MANAGE_TRAINING),
        "can_see_takeup": has_permission(request.user, Permission.VIEW_TRAINING_TAKEUP),
        "today": today,
    }
    return render(request, "quality/training/home.html", context)


@requires(Permission.VIEW_OVERSIGHT)
def course(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Course.objects.select_related("agency"), pk=pk)
    context = {
        "course": found,
        "sessions": queries.sessions_of(found),
        "now": timezone.now(),
        "can_manage": has_permission(request.user, Permission.MANAGE_TRAINING),
    }
    return render(request, "quality/training/course.html", context)


def _course_form(request: HttpRequest, found: Course | None) -> HttpResponse:
    initial = CourseForm.initial_for(found) if found else {}
    form = CourseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = submit(
            request,
            form,
            lambda: actions.save_course(
                actor=request.user,
                details=form.details(),
                course_id=found.pk if found else None,
                expected_version=form.cleaned_data["version"],
            ),
            current_version=version_of(found),
        )
        if saved is not REFUSED:
            messages.success(request, f"{saved.title} is saved")
            return redirect("quality:training_course", pk=saved.pk)
    return render(request, "quality/training/course_form.html", {"form": form, "course": found})


@requires(Permission.MANAGE_TRAINING)
def new_course(request: HttpRequest) -> HttpResponse:
    return _course_form(request, None)


@requires(Permission.MANAGE_TRAINING)
def edit_course(request: HttpRequest, pk: int) -> HttpResponse:
    return _course_form(request, get_object_or_404(Course, pk=pk))


@requires(Permission.MANAGE_TRAINING)
def new_session(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Course, pk=pk, active=True)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = actions.add_session(actor=request.user, course_id=found.pk, details=form.details())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Session added: now book people on it")
            return redirect("quality:training_session", pk=session.pk)
    return render(request, "quality/training/session_form.html", {"form": form, "course": found})


@requires(Permission.MANAGE_TRAINING)
def session(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.session_with_places(pk)
    if found is None:
        raise Http404("No such session")
    error = ""
    if request.method == "POST":
        outcomes = {
            int(key.removeprefix("status_")): str(value)
            for key, value in request.POST.items()
            if key.startswith("status_") and _NUMBER.fullmatch(key.removeprefix("status_"))
        }
        try:
            actions.record_attendance(
                actor=request.user,
                session_id=found.pk,
                expected_version=_int(request.POST.get("version")),
                outcomes=outcomes,
            )
        except (ValidationError, EditConflict) as problem:
            error = " ".join(problem.messages) if isinstance(problem, ValidationError) else str(problem)
            found = queries.session_with_places(pk)
            assert found is not None
        else:
            messages.success(request, "Attendance recorded")
            return redirect("quality:training_session", pk=found.pk)
    attendances = queries.attendances_of(found)
    context = {
        "session": found,
        "attendances": attendances,
        "statuses": AttendanceStatus.choices,
        "started": found.starts_at <= timezone.now(),
        "error": error,
        "posted": request.POST if error else None,
    }
    return render(request, "quality/training/session.html", context)


@requires(Permission.MANAGE_TRAINING)
def book(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.session_with_places(pk)
    if found is None:
        raise Http404("No such session")
    query = str(request.GET.get("q", ""))[:100]
    error = ""
    if request.method == "POST":
        try:
            booked = actions.book_learners(
                actor=request.user,
                session_id=found.pk,
                expected_version=_int(request.POST.get("version")),
                learner_ids=[_int(v) for v in request.POST.getlist("learner")],
                practitioner_ids=[_int(v) for v in request.POST.getlist("practitioner")],
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
        except EditConflict as conflict:
            error = str(conflict)
        else:
            messages.success(request, f"{len(booked)} booked")
            return redirect("quality:training_session", pk=found.pk)
        query = str(request.POST.get("q", ""))[:100]
    context = {"session": found, "query": query, "found": queries.bookable(found, query), "error": error}
    return render(request, "quality/training/book.html", context)


@requires(Permission.MANAGE_TRAINING)
def learners(request: HttpRequest) -> HttpResponse:
    query = str(request.GET.get("q", ""))[:100]
    page = Paginator(queries.learners(query), queries.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "quality/training/learners.html", {"page": page, "query": query})


@requires(Permission.MANAGE_TRAINING)
def new_learner(request: HttpRequest) -> HttpResponse:
    form = LearnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            learner = actions.add_learner(actor=request.user, details=form.details())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"{learner.full_name} is added")
            return redirect("quality:training_learners")
    return render(request, "quality/training/learner_form.html", {"form": form})


@requires(Permission.VIEW_TRAINING_TAKEUP)
def takeup(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request, "quality/training/takeup.html", {"takeup": queries.takeup(today=today), "today": today}
    )


@requires(Permission.VIEW_TRAINING_TAKEUP)
def overdue(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    course_list = queries.refresher_courses()
    counts = queries.overdue_counts(course_list, today=today)
    chosen = next((c for c in course_list if c.pk == _int(request.GET.get("course"))), None)
    if chosen is None and course_list:
        chosen = max(course_list, key=lambda c: counts[c.pk])
    page = None
    if chosen is not None:
        page = Paginator(queries.overdue_for(chosen, today=today), queries.PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    context = {
        "courses": [(c, counts[c.pk]) for c in course_list],
        "chosen": chosen,
        "page": page,
        "today": today,
    }
    return render(request, "quality/training/overdue.html", context)


@requires(Permission.VIEW_TRAINING_TAKEUP)
def overdue_csv(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = queries.overdue_rows(queries.refresher_courses(), today=today)
    record_access(
        user=request.user,
        action="export_training_overdue",
        record_type="quality.training",
        detail={"rows": len(rows)},
    )
    return csv_response(
        f"overdue-training-{today:%Y-%m-%d}.csv",
        ["Course", "Learner", "Agency or body", "Role or group", "Standing", "Expired on"],
        (
            (r.course, r.learner, r.organisation, r.role_or_group, r.standing, r.expired_on or "")
            for r in rows
        ),
    )


urlpatterns = [
    path("training/", training, name="training"),
    path("training/courses/new", new_course, name="training_new_course"),
    path("training/courses/<int:pk>/", course, name="training_course"),
    path("training/courses/<int:pk>/edit", edit_course, name="training_edit_course"),
    path("training/courses/<int:pk>/sessions/new", new_session, name="training_new_session"),
    path("training/sessions/<int:pk>/", session, name="training_session"),
    path("training/sessions/<int:pk>/book", book, name="training_book"),
    path("training/learners/", learners, name="training_learners"),
    path("training/learners/new", new_learner, name="training_new_learner"),
    path("training/take-up", takeup, name="training_takeup"),
    path("training/overdue", overdue, name="training_overdue"),
    path("training/overdue.csv", overdue_csv, name="training_overdue_csv"),
]
