"""Front door pages: record a contact, the queue with due dates, decide, authorise."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from jigsaw.access.log import record_access
from jigsaw.access.policy import Permission, get_person_for, has_permission
from jigsaw.access.views import requires
from jigsaw.casework import actions, queries
from jigsaw.casework.forms import ContactForm, DecisionForm
from jigsaw.casework.models import Referral
from jigsaw.casework.timescales import is_overdue
from jigsaw.core.forms import apply_validation_error
from jigsaw.people.models import Person
from jigsaw.people.queries import person_flags


@requires(Permission.VIEW_CONTACTS)
def front_door(request: HttpRequest) -> HttpResponse:
    queue = queries.front_door_queue(request.user, today=timezone.localdate())
    # The queue names children: the log says which.
    listed = {row.contact.person for rows in queue.values() for row in rows}
    named: list[Person] = sorted(listed, key=lambda person: person.pk)
    record_access(user=request.user, action="view_front_door", subjects=named)
    return render(request, "casework/front_door.html", {"queue": queue})


@requires(Permission.RECORD_CONTACT)
def new_contact(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_person_for(request.user, person_id)
    if request.method == "GET":
        record_access(user=request.user, action="view", record=person)
    now = timezone.localtime()
    form = ContactForm(
        request.POST or None, initial={"received_on": now.date(), "received_time": f"{now:%H:%M}"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            contact = actions.record_contact(
                actor=request.user,
                person_id=person.pk,
                received_at=form.received_at(),
                source=form.cleaned_data["source"],
                concern=form.cleaned_data["concern"],
                consent=form.cleaned_data["consent"],
                urgency=form.cleaned_data["urgency"],
                referrer_name=form.cleaned_data["referrer_name"],
                referrer_agency_id=form.cleaned_data["referrer_agency"].pk
                if form.cleaned_data["referrer_agency"]
                else None,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, f"Contact recorded: the decision is due by {contact.decision_due:%-d %B %Y}"
            )
            return redirect("casework:contact", pk=contact.pk)
    context = {
        "form": form,
        "person": person,
        "flags": person_flags(person),
        "age": person.age_on(now.date()),
    }
    return render(request, "casework/new_contact.html", context)


def contact(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(
        queries.contacts_visible_to(request.user).select_related("person", "decided_by", "authorised_by"),
        pk=pk,
    )
    record_access(user=request.user, action="view", record=found, subjects=[found.person])
    form = DecisionForm(
        request.POST or None,
        initial={
            "version": found.version,
            "decision": found.decision,
            "reason": found.decision_reason,
            "primary_need": found.primary_need,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.decide_contact(
                actor=request.user,
                contact_id=found.pk,
                expected_version=form.cleaned_data["version"],
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                primary_need=form.cleaned_data["primary_need"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        except actions.EditConflict as conflict:
            form.add_error(None, str(conflict))
        else:
            messages.success(request, "The decision is recorded and waits for a manager's authorisation")
            return redirect("casework:contact", pk=found.pk)
    today = timezone.localdate()
    context = {
        "contact": found,
        "person": found.person,
        "flags": person_flags(found.person),
        "age": found.person.age_on(today),
        "form": form,
        "overdue": is_overdue(
            found.decision_due, done_on=found.decided_at.date() if found.decided_at else None, today=today
        ),
        "can_decide": has_permission(request.user, Permission.DECIDE_CONTACT) and found.authorised_at is None,
        "can_authorise": has_permission(request.user, Permission.AUTHORISE_DECISION)
        and found.decided_at is not None
        and found.authorised_at is None
        and found.decided_by_id != request.user.pk,
    }
    return render(request, "casework/contact.html", context)


@require_POST
@requires(Permission.AUTHORISE_DECISION)
def authorise(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        actions.authorise_decision(actor=request.user, contact_id=pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        referral = Referral.objects.filter(contact_id=pk).first()
        if referral is not None:
            messages.success(
                request, "The decision is authorised and the referral is open, waiting to be allocated"
            )
            return redirect("casework:referral", pk=referral.pk)
        messages.success(request, "The decision is authorised")
    return redirect("casework:contact", pk=pk)


urlpatterns = [
    path("front-door", front_door, name="front_door"),
    path("people/<int:person_id>/contacts/new", new_contact, name="new_contact"),
    path("contacts/<int:pk>", contact, name="contact"),
    path("contacts/<int:pk>/authorise", authorise, name="authorise"),
]
