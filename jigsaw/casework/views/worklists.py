"""Work lists and allocation: a social worker's own work, a team manager's team page, the
allocation of an episode to a worker, and marking an alert as read."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from jigsaw.access.log import SubjectKey, record_access
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
from jigsaw.core.templatetags.jigsaw_tags import govuk_date
from jigsaw.people.models import Person
from jigsaw.people.queries import person_flags
from jigsaw.quality.queries.supervision import overdue_actions_for as overdue_supervision_actions


def _logged(children: list[queries.Child]) -> list[SubjectKey]:
    """The children a work list named, as the access log names their records."""
    person = Person._meta.label_lower
    return [(person, str(child.pk)) for child in children]


# The rows of the tables that grow with a caseload (the team's overdue work; a worker's
# overdue work, work due soon and children) are written with format_html_join rather than
# a template loop: for the 300 open episodes of bench/chronology.py the template language
# spent about 11 ms of CPU on the team's overdue table, this 3.5 ms. Every value is escaped
# by format_html; the markup is the same, byte for byte, as the loops it replaces.
_OVERDUE_CELLS = (
    '\n    <tr class="govuk-table__row">'
    '\n      <td class="govuk-table__cell"><a class="govuk-link" href="{}">{}</a></td>'
    '\n      <td class="govuk-table__cell">{}</td>'
    '\n      <td class="govuk-table__cell">{} <strong class="govuk-tag govuk-tag--red">{}</strong></td>'
)
_OVERDUE_ROW = _OVERDUE_CELLS + "\n    </tr>"
_TEAM_OVERDUE_ROW = _OVERDUE_CELLS + '\n      <td class="govuk-table__cell">{}</td>\n    </tr>'
_DUE_SOON_ROW = (
    '\n    <tr class="govuk-table__row">'
    '\n      <td class="govuk-table__cell"><a class="govuk-link" href="{}">{}</a></td>'
    '\n      <td class="govuk-table__cell">{}</td>'
    '\n      <td class="govuk-table__cell">{}{}</td>'
    "\n    </tr>"
)
_CHILD_ROW = (
    '\n    <tr class="govuk-table__row">'
    '\n      <td class="govuk-table__cell"><a class="govuk-link" href="{}">{}</a></td>'
    '\n      <td class="govuk-table__cell">{}</td>'
    '\n      <td class="govuk-table__cell">{}</td>'
    '\n      <td class="govuk-table__cell">{}</td>'
    "\n    </tr>"
)
_TODAY = format_html(' <strong class="govuk-tag govuk-tag--orange">{}</strong>', "Today")
_OVERDUE = format_html(' <strong class="govuk-tag govuk-tag--red">{}</strong>', "Overdue")


def _overdue_rows(items: list[queries.WorkItem], *, with_worker: bool) -> SafeString:
    """Overdue work: the child, what, when it was due and by how long; and whose it is."""
    if with_worker:
        return format_html_join(
            "",
            _TEAM_OVERDUE_ROW,
            ((i.url, i.person.full_name, i.what, govuk_date(i.due), i.overdue_by, i.worker) for i in items),
        )
    return format_html_join(
        "",
        _OVERDUE_ROW,
        ((i.url, i.person.full_name, i.what, govuk_date(i.due), i.overdue_by) for i in items),
    )


def _due_soon_rows(items: list[queries.WorkItem], *, today: datetime.date) -> SafeString:
    """Work due soon: the child, what, and when (marked when it is today)."""
    return format_html_join(
        "",
        _DUE_SOON_ROW,
        (
            (i.url, i.person.full_name, i.what, govuk_date(i.due), _TODAY if i.due == today else "")
            for i in items
        ),
    )


def _next_due(case: queries.Case) -> str:
    item = case.next_due
    if item is None:
        return "Nothing dated"
    return format_html("{}: {}{}", item.what, govuk_date(item.due), _OVERDUE if item.overdue else "")


def _age(child: queries.Child) -> str:
    if child.is_unborn:
        return "Unborn"
    return "Not known" if child.age is None else str(child.age)


def _children_rows(cases: list[queries.Case]) -> SafeString:
    """A worker's children: name, age, stage and the next thing due."""
    return format_html_join(
        "",
        _CHILD_ROW,
        (
            (c.referral.url, c.referral.person.full_name, _age(c.referral.person), c.stage, _next_due(c))
            for c in cases
        ),
    )


@requires(Permission.RECORD_CASEWORK)
def my_work(request: HttpRequest) -> HttpResponse:
    work = queries.my_work(request.user, today=timezone.localdate())
    if work.children:
        record_access(
            user=request.user,
            action="view_work_list",
            record_type="casework.work_list",
            subjects=_logged(work.children),
        )
    context = {
        "work": work,
        "overdue_rows": _overdue_rows(work.overdue, with_worker=False),
        "due_soon_rows": _due_soon_rows(work.due_soon, today=work.today),
        "children_rows": _children_rows(work.cases),
        # Oversight: actions agreed in supervision that are past their due date.
        "supervision_actions": overdue_supervision_actions(request.user, today=work.today),
    }
    return render(request, "casework/worklists/my_work.html", context)


@requires(Permission.ALLOCATE)
def team(request: HttpRequest) -> HttpResponse:
    work = queries.team_work(request.user, today=timezone.localdate())
    if work.children:
        record_access(
            user=request.user,
            action="view_team_work",
            record_type="casework.work_list",
            subjects=_logged(work.children),
        )
    context = {"work": work, "overdue_rows": _overdue_rows(work.overdue, with_worker=True)}
    return render(request, "casework/worklists/team.html", context)


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
