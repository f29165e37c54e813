"""Work lists and allocation: a social worker's own work, a team manager's team page, the
allocation of an episode to a worker, and marking an alert as read."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from jigsaw.access.log import record_access
from jigsaw.access.policy import Permission
from jigsaw.access.views import requires
from jigsaw.casework.actions.allocation import allocate as allocate_action
from jigsaw.casework.actions.common import EditConflict
from jigsaw.casework.actions.worklists import mark_notification_read
from jigsaw.casework.forms.allocation import AllocationForm
from jigsaw.casework.models import Allocation
from jigsaw.casework.queries import get_referral_for
from jigsaw.casework.queries import worklists as queries
from jigsaw.core.forms import apply_validation_error
from jigsaw.people.queries import person_flags


@requires(Permission.RECORD_CASEWORK)
def my_work(request: HttpRequest) -> HttpResponse:
    work = queries.my_work(request.user, today=timezone.localdate())
    if work.children:
        record_access(
            user=request.user,
            action="view_work_list",
            record_type="casework.work_list",
            subjects=work.children,
        )
    return render(request, "casework/worklists/my_work.html", {"work": work})


@requires(Permission.ALLOCATE)
def team(request: HttpRequest) -> HttpResponse:
    work = queries.team_work(request.user, today=timezone.localdate())
    if work.children:
        record_access(
            user=request.user,
            action="view_team_work",
            record_type="casework.work_list",
            subjects=work.children,
        )
    return render(request, "casework/worklists/team.html", {"work": work})


@requires(Permission.ALLOCATE)
def allocate(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for(request.user, pk)
    record_access(user=request.user, action="view", record=referral, subjects=[referral.person])
    today = timezone.localdate()
    form = AllocationForm(
        request.POST or None,
        initial={"version": referral.version},
        options=queries.allocation_options(request.user, referral, today=today),
        reallocating=referral.allocated_worker_id is not None,
    )
    if request.method == "POST" and referral.closed_on is None and form.is_valid():
        try:
            allocation = allocate_action(
                actor=request.user,
                referral_id=referral.pk,
                worker_id=form.cleaned_data["worker"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        except EditConflict as conflict:
            # Show what changed and keep the user's choice; saving again now goes through.
            referral = get_referral_for(request.user, pk)
            data = request.POST.copy()
            data["version"] = str(referral.version)
            form = AllocationForm(
                data,
                options=queries.allocation_options(request.user, referral, today=today),
                reallocating=referral.allocated_worker_id is not None,
            )
            form.is_valid()
            form.add_error(None, str(conflict))
        else:
            messages.success(
                request,
                f"{referral.person.full_name} is allocated to {queries.display_name(allocation.worker)}",
            )
            return redirect("casework:team")
    history = (
        Allocation.objects.filter(referral=referral)
        .select_related("worker__practitioner", "allocated_by__practitioner")
        .order_by("-allocated_at", "-pk")
    )
    context = {
        "referral": referral,
        "person": referral.person,
        "flags": person_flags(referral.person),
        "age": referral.person.age_on(today),
        "current": queries.display_name(referral.allocated_worker) if referral.allocated_worker else "",
        "form": form,
        "history": [
            (a, queries.display_name(a.worker), queries.display_name(a.allocated_by)) for a in history
        ],
    }
    return render(request, "casework/worklists/allocate.html", context)


@require_POST
@requires(Permission.RECORD_CASEWORK)
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    mark_notification_read(actor=request.user, notification_id=pk)
    messages.success(request, "Alert marked as read")
    return redirect("casework:my_work")


urlpatterns = [
    path("my-work", my_work, name="my_work"),
    path("team", team, name="team"),
    path("referrals/<int:pk>/allocate", allocate, name="allocate"),
    path("notifications/<int:pk>/read", mark_read, name="mark_read"),
]
