"""Pages of supervision: the supervision page (your own, and your team's for a manager),
every team's figures (no child named), the policy, a child's supervision history,
recording a supervision, and marking an action done. Thin: parse, ask the policy, call
an action or a query, render."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from jigsaw.access.log import record_access
from jigsaw.access.policy import Permission, get_person_for, has_permission
from jigsaw.access.views import requires
from jigsaw.core.edits import REFUSED, EditConflict, submit, version_of
from jigsaw.core.forms import apply_validation_error
from jigsaw.people.models import Person
from jigsaw.quality.actions import supervision as actions
from jigsaw.quality.forms.supervision import PolicyForm, SupervisionForm
from jigsaw.quality.queries import supervision as queries

_NUMBER = re.compile(r"[0-9]{1,9}")


def _version(request: HttpRequest) -> int:
    raw = str(request.POST.get("version", ""))
    return int(raw) if _NUMBER.fullmatch(raw) else -1


@requires(Permission.VIEW_SUPERVISION)
def supervision(request: HttpRequest) -> HttpResponse:
    overview = queries.overview(request.user, today=timezone.localdate())
    named = {c.person_id for c in overview.overdue} | {
        a.supervision.person_id for a in (*overview.my_actions, *overview.set_actions)
    }
    if named:
        record_access(
            user=request.user,
            action="view_supervision_overview",
            record_type="quality.supervision_overview",
            subjects=[(Person._meta.label_lower, str(pk)) for pk in sorted(named)],
        )
    context = {
        "overview": overview,
        "can_record": has_permission(request.user, Permission.RECORD_SUPERVISION),
        "can_see_teams": has_permission(request.user, Permission.VIEW_PARTNERSHIP_FIGURES),
    }
    return render(request, "quality/supervision/overview.html", context)


@requires(Permission.VIEW_PARTNERSHIP_FIGURES)
def teams(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    policy = queries.policy_in_force()
    figures = queries.team_figures(today=today, policy=policy)
    return render(
        request, "quality/supervision/teams.html", {"figures": figures, "policy": policy, "today": today}
    )


@requires(Permission.RECORD_SUPERVISION)
def policy(request: HttpRequest) -> HttpResponse:
    current = queries.policy_in_force()
    form = PolicyForm(
        request.POST or None, initial={"interval_days": current.interval_days, "version": current.version}
    )
    if request.method == "POST" and form.is_valid():
        done = submit(
            request,
            form,
            lambda: actions.change_supervision_policy(
                actor=request.user,
                interval_days=form.cleaned_data["interval_days"],
                expected_version=form.cleaned_data["version"],
            ),
            current_version=version_of(current),
        )
        if done is not REFUSED:
            messages.success(request, "The supervision policy is changed")
            return redirect("quality:supervision")
    return render(request, "quality/supervision/policy.html", {"form": form, "policy": current})


@requires(Permission.VIEW_SUPERVISION)
def child_supervision(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_person_for(request.user, person_id)
    supervisions = queries.history(person)
    record_access(user=request.user, action="view_supervision_history", record=person)
    context = {
        "person": person,
        "supervisions": supervisions,
        "policy": queries.policy_in_force(),
        "today": timezone.localdate(),
        "can_record": has_permission(request.user, Permission.RECORD_SUPERVISION),
        "user_id": request.user.pk,
    }
    return render(request, "quality/supervision/history.html", context)


@requires(Permission.RECORD_SUPERVISION)
def record(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_person_for(request.user, person_id)
    workers = queries.supervisable_workers()
    allocated = queries.allocated_worker(person)
    initial = {"supervised_on": timezone.localdate(), "worker": str(allocated.pk) if allocated else ""}
    form = SupervisionForm(request.POST or None, initial=initial, workers=workers)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_supervision(actor=request.user, person_id=person.pk, details=form.details())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"Supervision of {person.full_name}'s case recorded")
            return redirect("quality:child_supervision", person_id=person.pk)
    else:
        record_access(user=request.user, action="view", record=person)
    return render(request, "quality/supervision/record.html", {"form": form, "person": person})


@require_POST
@requires(Permission.VIEW_SUPERVISION)
def complete_action(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        action = actions.complete_supervision_action(
            actor=request.user, action_id=pk, expected_version=_version(request)
        )
    except EditConflict as conflict:
        messages.error(request, str(conflict))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Action marked as done: {action.description[:80]}")
    following = str(request.POST.get("next", ""))
    if following and url_has_allowed_host_and_scheme(following, allowed_hosts={request.get_host()}):
        return redirect(following)
    return redirect("quality:supervision")


urlpatterns = [
    path("supervision/", supervision, name="supervision"),
    path("supervision/teams", teams, name="supervision_teams"),
    path("supervision/policy", policy, name="supervision_policy"),
    path("supervision/children/<int:person_id>/", child_supervision, name="child_supervision"),
    path("supervision/children/<int:person_id>/record", record, name="record_supervision"),
    path("supervision/actions/<int:pk>/done", complete_action, name="complete_supervision_action"),
]
