"""Pages of the partners app: concerns. A partner raises a concern (saved as it is typed,
sent with a reference), sees all of theirs with the outcome; the front door works its
queue of concerns into contacts."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from jigsaw.access.log import record_access
from jigsaw.access.policy import Permission, has_permission
from jigsaw.access.views import requires
from jigsaw.partners.actions import concerns as actions
from jigsaw.partners.forms.concerns import (
    ChildForm,
    ConcernForm,
    TriageChoiceForm,
    TriageSearchForm,
)
from jigsaw.partners.models import Concern, ConcernStatus
from jigsaw.partners.queries import concerns as queries
from jigsaw.people.models import Person
from jigsaw.people.queries import SearchQuery, SearchResult, search_people

_NUMBER = re.compile(r"[0-9]{1,9}")
_REMOVE_CHILD = re.compile(r"remove_child:([0-9]{1,9})")

# --- The partner's side --------------------------------------------------------------------


@requires(Permission.RAISE_CONCERN)
def concern_list(request: HttpRequest) -> HttpResponse:
    """Your concerns: drafts to finish, and every concern sent with its status and outcome."""
    rows = [(c, queries.outcomes_for_referrer(c)) for c in queries.concerns_raised_by(request.user)]
    return render(request, "partners/concerns/list.html", {"rows": rows})


@requires(Permission.RAISE_CONCERN)
def new_concern(request: HttpRequest) -> HttpResponse:
    """The start page: what the form asks and what happens next; starting makes a draft."""
    if request.method == "POST":
        concern = actions.start_concern(actor=request.user)
        return redirect("partners:edit_concern", pk=concern.pk)
    return render(request, "partners/concerns/start.html")


def _forms(concern: Concern, data: QueryDict | None) -> tuple[ConcernForm, dict[int, ChildForm]]:
    children = list(concern.children.all())
    if data is None:
        return (
            ConcernForm(initial=ConcernForm.initial_for(concern)),
            {c.pk: ChildForm(prefix=f"child-{c.pk}", initial=ChildForm.initial_for(c)) for c in children},
        )
    return ConcernForm(data), {c.pk: ChildForm(data, prefix=f"child-{c.pk}") for c in children}


def _apply_errors(error: ValidationError, form: ConcernForm, child_forms: dict[int, ChildForm]) -> None:
    """An action's errors onto the form they belong to: "child-<id>-<field>" to that child."""
    for key, found in error.message_dict.items():
        if key.startswith("child-"):
            _, child_id, name = key.split("-", 2)
            child_form = child_forms.get(int(child_id))
            if child_form is not None and name in child_form.fields:
                child_form.add_error(name, found)
                continue
        form.add_error(key if key in form.fields else None, found)


def _save(
    request: HttpRequest, concern: Concern, form: ConcernForm, child_forms: dict[int, ChildForm]
) -> Concern:
    """Save what passed the forms (a field that did not keeps what was saved before)."""
    form.is_valid()
    for child_form in child_forms.values():
        child_form.is_valid()
    raw_version = request.POST.get("version", "")
    expected = int(raw_version) if _NUMBER.fullmatch(raw_version) else -1
    children = {c.pk: child_forms[c.pk].details(c) for c in concern.children.all()}
    return actions.save_concern_draft(
        actor=request.user,
        concern_id=concern.pk,
        expected_version=expected,
        answers=form.answers(concern),
        children=children,
        editor=_editor(request),
    )


def _editor(request: HttpRequest) -> str:
    return str(request.POST.get("editor", ""))[:32]


def _has_errors(form: ConcernForm, child_forms: dict[int, ChildForm]) -> bool:
    return bool(form.errors) or any(f.errors for f in child_forms.values())


def _render_form(
    request: HttpRequest, concern: Concern, form: ConcernForm, child_forms: dict[int, ChildForm]
) -> HttpResponse:
    children = list(concern.children.all())
    context = {
        "concern": concern,
        "form": form,
        "children": [(c, child_forms[c.pk]) for c in children if c.pk in child_forms],
        "all_forms": [form, *child_forms.values()],
        "has_errors": _has_errors(form, child_forms),
    }
    return render(request, "partners/concerns/edit.html", context)


def _with_version(data: QueryDict, version: int) -> QueryDict:
    fresh = data.copy()
    fresh["version"] = str(version)
    return fresh


@requires(Permission.RAISE_CONCERN)
def edit_concern(request: HttpRequest, pk: int) -> HttpResponse:
    """The form. Every button saves the draft first ("Save draft" works without
    JavaScript); "Add another child", "Remove" and "Send" then do their part."""
    concern = queries.get_own_concern(request.user, pk)
    if concern.status != ConcernStatus.DRAFT:
        return redirect("partners:concern", pk=concern.pk)
    if request.method != "POST":
        record_access(user=request.user, action="view", record=concern)
        form, child_forms = _forms(concern, None)
        return _render_form(request, concern, form, child_forms)

    action = request.POST.get("action", "save")
    form, child_forms = _forms(concern, request.POST)
    try:
        saved = _save(request, concern, form, child_forms)
    except actions.ConcernConflict as conflict:
        # Nothing saved: show what they typed, against the version now saved, so that
        # saving again (having checked) is their decision.
        form, child_forms = _forms(concern, _with_version(request.POST, concern.version))
        form.is_valid()
        form.add_error(None, str(conflict))
        return _render_form(request, concern, form, child_forms)
    except ValidationError as sent:
        # Sent from another tab meanwhile: it can no longer change.
        messages.error(request, " ".join(sent.messages))
        return redirect("partners:concern", pk=concern.pk)
    data = _with_version(request.POST, saved.version)
    if action == "add_child":
        try:
            child = actions.add_child(actor=request.user, concern_id=concern.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("partners:edit_concern", pk=concern.pk)
        return redirect(f"{request.path}#child-{child.pk}")
    if action.startswith("remove_child:") and action.split(":", 1)[1].isdigit():
        try:
            actions.remove_child(
                actor=request.user, concern_id=concern.pk, child_id=int(action.split(":", 1)[1])
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("partners:edit_concern", pk=concern.pk)
    form, child_forms = _forms(saved, data)
    form.is_valid()
    for child_form in child_forms.values():
        child_form.is_valid()
    if _has_errors(form, child_forms):
        return _render_form(request, saved, form, child_forms)
    if action == "submit":
        try:
            submitted = actions.submit_concern(
                actor=request.user,
                concern_id=concern.pk,
                expected_version=saved.version,
                editor=_editor(request),
            )
        except ValidationError as error:
            _apply_errors(error, form, child_forms)
            return _render_form(request, saved, form, child_forms)
        return redirect("partners:concern_sent", pk=submitted.pk)
    messages.success(request, "Your draft is saved. You can come back to it from Your concerns.")
    return redirect("partners:edit_concern", pk=concern.pk)


@require_POST
@requires(Permission.RAISE_CONCERN)
def autosave_concern(request: HttpRequest, pk: int) -> HttpResponse:
    """Saves the draft as it is typed (posted by htmx on change); answers with the new
    version and a status line, swapped into the page out of band."""
    concern = queries.get_own_concern(request.user, pk)
    if concern.status != ConcernStatus.DRAFT:
        return render(request, "partners/concerns/_autosave.html", {"status": "sent", "concern": concern})
    form, child_forms = _forms(concern, request.POST)
    try:
        saved = _save(request, concern, form, child_forms)
    except actions.ConcernConflict:
        return render(request, "partners/concerns/_autosave.html", {"status": "conflict", "concern": concern})
    except ValidationError:
        # Sent meanwhile (its own "Send" got there first).
        return render(request, "partners/concerns/_autosave.html", {"status": "sent", "concern": concern})
    return render(
        request,
        "partners/concerns/_autosave.html",
        {"status": "saved", "concern": saved, "saved_at": timezone.localtime()},
    )


@requires(Permission.RAISE_CONCERN)
def concern_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the partner's concerns: what they said, its status and the outcome for each
    child (only the outcome: never who the child was matched to)."""
    concern = queries.get_own_concern(request.user, pk)
    record_access(user=request.user, action="view", record=concern)
    context = {"concern": concern, "outcomes": queries.outcomes_for_referrer(concern)}
    return render(request, "partners/concerns/detail.html", context)


@requires(Permission.RAISE_CONCERN)
def concern_sent(request: HttpRequest, pk: int) -> HttpResponse:
    """The confirmation: the reference, and what happens next."""
    concern = queries.get_own_concern(request.user, pk)
    if concern.status == ConcernStatus.DRAFT:
        return redirect("partners:edit_concern", pk=concern.pk)
    return render(request, "partners/concerns/sent.html", {"concern": concern})


# --- The front door ------------------------------------------------------------------------


@requires(Permission.DECIDE_CONTACT)
def concern_queue(request: HttpRequest) -> HttpResponse:
    """Concerns from partners waiting to be recorded: the most urgent first, then the oldest,
    each child with the person the matcher found."""
    concerns = list(queries.concern_queue(request.user))
    rows = queries.queue_rows(request.user, concerns)
    named = sorted({r.matched.pk for children in rows.values() for r in children if r.matched})
    record_access(
        user=request.user,
        action="view_concern_queue",
        subjects=[("people.person", str(pk)) for pk in named],
    )
    return render(
        request,
        "partners/concerns/queue.html",
        {"concerns": [(c, rows[c.pk]) for c in concerns]},
    )


def _candidates(request: HttpRequest, query: SearchQuery, matched: Person | None) -> list[SearchResult]:
    results = search_people(request.user, query, limit=5) if not query.is_empty else []
    if matched is not None:
        results = [r for r in results if r.person.pk != matched.pk]
    return results


@requires(Permission.DECIDE_CONTACT)
def triage_concern(request: HttpRequest, pk: int) -> HttpResponse:
    """For each child: confirm the matched person, pick another from a search, or add a new
    person; each choice records the contact, which the front door then decides."""
    concern = queries.get_concern_for_triage(request.user, pk)
    if request.method == "POST":
        choice = TriageChoiceForm(request.POST)
        if choice.is_valid():
            child_id = choice.cleaned_data["child"]
            person_id = choice.cleaned_data["person"]
            if not concern.children.filter(pk=child_id).exists():
                messages.error(request, "That child is not in this concern")
                return redirect("partners:triage_concern", pk=concern.pk)
            try:
                if person_id:
                    contact = actions.record_contact_for_child(
                        actor=request.user, child_id=child_id, person_id=person_id
                    )
                else:
                    contact = actions.add_person_for_child(actor=request.user, child_id=child_id)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    f"Contact recorded for {contact.person.full_name}: "
                    f"the decision is due by {contact.decision_due.day} {contact.decision_due:%B %Y}",
                )
        return redirect("partners:triage_concern", pk=concern.pk)

    children = queries.triage_children(request.user, concern)
    search_child = request.GET.get("child", "")
    cards = []
    shown: set[int] = set()
    for row in children:
        searching = search_child == str(row.child.pk)
        search_form = TriageSearchForm(request.GET if searching else None, prefix=f"search-{row.child.pk}")
        candidates: list[SearchResult] = []
        if row.contact is None:
            if searching and search_form.is_valid():
                query = search_form.to_query()
            else:
                query = SearchQuery(
                    name=row.name,
                    date_of_birth=row.child.date_of_birth,
                    nhs_number=row.child.nhs_number,
                    upn=row.child.upn,
                    postcode=row.child.postcode,
                )
            candidates = _candidates(request, query, row.matched)
        shown |= {c.person.pk for c in candidates}
        shown |= {p.pk for p in (row.matched, row.person) if p is not None}
        cards.append({"row": row, "candidates": candidates, "search_form": search_form})
    record_access(
        user=request.user,
        action="view",
        record=concern,
        subjects=[("people.person", str(pk)) for pk in sorted(shown)],
    )
    context = {
        "concern": concern,
        "cards": cards,
        "can_create_person": has_permission(request.user, Permission.CREATE_PERSON),
    }
    return render(request, "partners/concerns/triage.html", context)


urlpatterns = [
    path("concerns", concern_list, name="concerns"),
    path("concerns/new", new_concern, name="new_concern"),
    path("concerns/<int:pk>", concern_detail, name="concern"),
    path("concerns/<int:pk>/edit", edit_concern, name="edit_concern"),
    path("concerns/<int:pk>/autosave", autosave_concern, name="autosave_concern"),
    path("concerns/<int:pk>/sent", concern_sent, name="concern_sent"),
    path("front-door/concerns", concern_queue, name="concern_queue"),
    path("front-door/concerns/<int:pk>", triage_concern, name="triage_concern"),
]
