"""Pages of delegated tasks: a case-holder asks for a task on a case and follows their
requests; business support and social work assistants work their team's queue, take a
task and mark it done (or hand it back). Thin: parse, ask the policy, call an action or a
query, render. Every page that names a child writes the access log."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_POST

from jigsaw.access.log import record_access
from jigsaw.access.policy import Permission, has_permission
from jigsaw.access.views import requires
from jigsaw.casework.actions.common import EditConflict
from jigsaw.casework.models import ChildProtectionConference
from jigsaw.casework.queries import get_referral_for
from jigsaw.core.edits import REFUSED, submit, version_of
from jigsaw.core.forms import apply_validation_error
from jigsaw.support.actions import tasks as actions
from jigsaw.support.forms.tasks import CompleteTaskForm, ReasonForm, RequestTaskForm, TakeTaskForm
from jigsaw.support.models import DelegatedTask, TaskStatus
from jigsaw.support.queries import tasks as queries


def _posted(request: HttpRequest) -> QueryDict | None:
    """The form's data on a POST (even an empty one, so it shows what is missing)."""
    return request.POST if request.method == "POST" else None


def _log_list(request: HttpRequest, action: str, tasks: list[DelegatedTask]) -> None:
    """A list that names children is a read of their records."""
    if tasks:
        people: list[Model] = list({t.person_id: t.person for t in tasks}.values())
        record_access(user=request.user, action=action, record_type="support.delegatedtask", subjects=people)


@requires(Permission.DO_SUPPORT_TASKS)
def queue(request: HttpRequest) -> HttpResponse:
    rows = queries.queue(request.user, today=timezone.localdate())
    _log_list(request, "view_support_queue", [r.task for r in rows])
    practitioner = getattr(request.user, "practitioner", None)
    context = {
        "rows": rows,
        "team": practitioner.team if practitioner is not None else None,
        "overdue": sum(1 for r in rows if r.overdue),
    }
    return render(request, "support/queue.html", context)


@requires(Permission.REQUEST_SUPPORT)
def my_requests(request: HttpRequest) -> HttpResponse:
    requests = queries.my_requests(request.user, today=timezone.localdate())
    _log_list(request, "view_delegated_requests", [r.task for r in [*requests.open, *requests.closed]])
    # Looking at the list is what "since you last looked" counts from.
    actions.note_requests_seen(actor=request.user)
    return render(request, "support/my_requests.html", {"requests": requests})


@requires(Permission.REQUEST_SUPPORT)
def new_task(request: HttpRequest, referral_pk: int) -> HttpResponse:
    referral = get_referral_for(request.user, referral_pk)
    record_access(user=request.user, action="view", record=referral, subjects=[referral.person])
    conferences = list(
        ChildProtectionConference.objects.filter(children__referral=referral, held=False).order_by("date")
    )
    form = RequestTaskForm(_posted(request), staff=actions.support_staff(), conferences=conferences)
    if request.method == "POST" and referral.closed_on is None and form.is_valid():
        try:
            task = actions.request_task(
                actor=request.user,
                referral_id=referral.pk,
                kind=form.cleaned_data["kind"],
                details=form.cleaned_data["details"],
                due_on=form.cleaned_data["due_on"],
                assignee_id=form.assignee_id(),
                conference_id=form.conference_id(),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            who = task.assigned_to.get_full_name() if task.assigned_to else f"{task.team}'s business support"
            messages.success(request, f"Asked {who}: {task.get_kind_display().lower()}")
            return redirect("casework:referral", pk=referral.pk)
    context = {"form": form, "referral": referral, "person": referral.person}
    return render(request, "support/task_form.html", context)


def _render_task(request: HttpRequest, task: DelegatedTask) -> HttpResponse:
    user = request.user
    does = has_permission(user, Permission.DO_SUPPORT_TASKS)
    asks = has_permission(user, Permission.REQUEST_SUPPORT)
    context = {
        "task": task,
        "today": timezone.localdate(),
        "can_take": does and task.status == TaskStatus.REQUESTED,
        "can_complete": does and task.status == TaskStatus.TAKEN and task.taken_by_id == user.pk,
        "can_return": does
        and task.is_open
        and (task.status == TaskStatus.REQUESTED or task.taken_by_id == user.pk),
        "can_cancel": asks
        and task.is_open
        and (task.requested_by_id == user.pk or has_permission(user, Permission.ALLOCATE)),
        "can_open_case": has_permission(user, Permission.VIEW_CASEWORK),
        "take_form": TakeTaskForm(initial={"version": task.version}),
    }
    return render(request, "support/task.html", context)


def task(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.get_task_for(request.user, pk)
    record_access(user=request.user, action="view", record=found, subjects=[found.person])
    return _render_task(request, found)


@require_POST
@requires(Permission.DO_SUPPORT_TASKS)
def take(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.get_task_for(request.user, pk)
    form = TakeTaskForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else -1
    try:
        actions.take_task(actor=request.user, task_id=found.pk, expected_version=version)
    except (ValidationError, EditConflict) as refused:
        text = " ".join(refused.messages) if isinstance(refused, ValidationError) else str(refused)
        messages.error(request, text)
        return redirect("support:task", pk=found.pk)
    messages.success(request, "The task is yours: mark it done when it is")
    return redirect("support:task", pk=found.pk)


@requires(Permission.DO_SUPPORT_TASKS)
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.get_task_for(request.user, pk)
    form = CompleteTaskForm(_posted(request), initial={"version": found.version})
    if request.method == "POST" and form.is_valid():
        done = submit(
            request,
            form,
            lambda: actions.complete_task(
                actor=request.user,
                task_id=found.pk,
                expected_version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
                booked=form.cleaned_data["booked"],
            ),
            current_version=version_of(found),
        )
        if done is not REFUSED:
            messages.success(
                request, f"Done: {found.get_kind_display().lower()} for {found.person.full_name}"
            )
            return redirect("support:queue")
    return render(request, "support/complete.html", {"form": form, "task": found})


def _reason_page(request: HttpRequest, found: DelegatedTask, *, handing_back: bool) -> HttpResponse:
    form = ReasonForm(_posted(request), initial={"version": found.version})
    if request.method == "POST" and form.is_valid():
        call = actions.return_task if handing_back else actions.cancel_task
        done = submit(
            request,
            form,
            lambda: call(
                actor=request.user,
                task_id=found.pk,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            ),
            current_version=version_of(found),
        )
        if done is not REFUSED:
            messages.success(request, "Task handed back" if handing_back else "Task cancelled")
            return redirect("support:queue" if handing_back else "support:my_requests")
    context = {"form": form, "task": found, "handing_back": handing_back}
    return render(request, "support/reason.html", context)


@requires(Permission.DO_SUPPORT_TASKS)
def hand_back(request: HttpRequest, pk: int) -> HttpResponse:
    return _reason_page(request, queries.get_task_for(request.user, pk), handing_back=True)


@requires(Permission.REQUEST_SUPPORT)
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _reason_page(request, queries.get_task_for(request.user, pk), handing_back=False)


urlpatterns: list[URLPattern] = [
    path("queue", queue, name="queue"),
    path("my-requests", my_requests, name="my_requests"),
    path("referrals/<int:referral_pk>/ask", new_task, name="new_task"),
    path("tasks/<int:pk>", task, name="task"),
    path("tasks/<int:pk>/take", take, name="take"),
    path("tasks/<int:pk>/done", complete, name="complete"),
    path("tasks/<int:pk>/hand-back", hand_back, name="hand_back"),
    path("tasks/<int:pk>/cancel", cancel, name="cancel"),
]
