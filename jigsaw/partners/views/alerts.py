"""Emerging concerns at the front door: the list, one concern with its rule and every piece
of evidence, and the two ways of handling it (no action, with a note; or a contact)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_POST

from jigsaw.access.log import record_access
from jigsaw.access.policy import Permission
from jigsaw.access.views import requires
from jigsaw.casework.actions.common import EditConflict
from jigsaw.core.forms import GovukForm, apply_validation_error
from jigsaw.partners.actions import alerts as actions
from jigsaw.partners.alerts_rules import describe_event_type
from jigsaw.partners.forms.alerts import (
    ContactRecordedForm,
    DismissEmergingConcernForm,
    EmergingConcernFilterForm,
)
from jigsaw.partners.models import EmergingConcern, EmergingConcernStatus
from jigsaw.partners.queries import alerts as queries
from jigsaw.people.queries import person_flags

PAGE_SIZE = 50


@requires(Permission.DECIDE_CONTACT)
def emerging_concerns(request: HttpRequest) -> HttpResponse:
    form = EmergingConcernFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    page = Paginator(queries.emerging_concerns(request.user, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    shown: list[EmergingConcern] = list(page.object_list)
    # The list names children: the log says which.
    record_access(
        user=request.user,
        action="view_emerging_concerns",
        subjects=sorted({("people.person", str(c.person_id)) for c in shown}),
    )
    return render(
        request,
        "partners/alerts/emerging_concerns.html",
        {
            "form": form,
            "page": page,
            # The rule has its own column: the evidence column need not repeat its name.
            "rows": [(c, c.summary.removeprefix(f"{c.rule.name}: ")) for c in shown],
        },
    )


def _detail(
    request: HttpRequest,
    found: EmergingConcern,
    *,
    dismiss_form: GovukForm | None = None,
    contact_form: GovukForm | None = None,
) -> HttpResponse:
    record_access(
        user=request.user, action="view", record=found, subjects=[("people.person", str(found.person_id))]
    )
    is_open = found.status == EmergingConcernStatus.OPEN
    context = {
        "concern": found,
        "person": found.person,
        "age": found.person.age_on(timezone.localdate()),
        "flags": person_flags(found.person),
        "counts": [describe_event_type(t) for t in found.rule.event_types],
        "events": list(queries.evidence_events(found)),
        "counted_concerns": queries.counted_concerns(found),
        "is_open": is_open,
        "dismiss_form": dismiss_form or DismissEmergingConcernForm(initial={"version": found.version}),
        "contact_form": contact_form or ContactRecordedForm(initial={"version": found.version}),
    }
    return render(request, "partners/alerts/emerging_concern.html", context)


def emerging_concern(request: HttpRequest, pk: int) -> HttpResponse:
    """One emerging concern: 404 for anyone who may not see it (or when there is none)."""
    return _detail(request, queries.get_emerging_concern(request.user, pk))


def _handle(
    request: HttpRequest,
    pk: int,
    form: DismissEmergingConcernForm | ContactRecordedForm,
    action: Callable[..., EmergingConcern],
    done: str,
    form_name: str,
) -> HttpResponse:
    """Close an emerging concern one way or the other; on a problem, the page again with it."""
    found = queries.get_emerging_concern(request.user, pk)
    if form.is_valid():
        try:
            action(
                actor=request.user,
                pk=found.pk,
                expected_version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        except EditConflict as conflict:
            form.add_error(None, str(conflict))
        else:
            messages.success(request, done)
            return redirect("partners:emerging_concerns")
    found.refresh_from_db()
    return _detail(request, found, **{form_name: form})


@require_POST
def dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    return _handle(
        request,
        pk,
        DismissEmergingConcernForm(request.POST),
        actions.dismiss_emerging_concern,
        "Recorded: no action needed",
        "dismiss_form",
    )


@require_POST
def contact_recorded(request: HttpRequest, pk: int) -> HttpResponse:
    return _handle(
        request,
        pk,
        ContactRecordedForm(request.POST),
        actions.mark_contact_recorded,
        "Recorded: a contact was recorded for this child",
        "contact_form",
    )


urlpatterns: list[URLPattern] = [
    path("emerging-concerns", emerging_concerns, name="emerging_concerns"),
    path("emerging-concerns/<int:pk>", emerging_concern, name="emerging_concern"),
    path("emerging-concerns/<int:pk>/dismiss", dismiss, name="dismiss_emerging_concern"),
    path(
        "emerging-concerns/<int:pk>/contact-recorded",
        contact_recorded,
        name="emerging_concern_contact_recorded",
    ),
]
