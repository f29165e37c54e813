"""The child's chronology (one timeline of what every agency knows, filtered, printable for
a conference) and case notes (locked after 24 hours, corrected by addenda)."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_POST

from jigsaw.access.log import record_access
from jigsaw.access.policy import Permission, get_person_for, has_permission
from jigsaw.access.views import requires
from jigsaw.casework.actions.common import EditConflict
from jigsaw.casework.actions.notes import (
    LOCKED_MESSAGE,
    NOT_AUTHOR_MESSAGE,
    add_addendum,
    add_case_note,
    edit_case_note,
    mark_significant,
)
from jigsaw.casework.forms.notes import (
    AddendumForm,
    CaseNoteEditForm,
    CaseNoteForm,
    ChronologyFilterForm,
    SignificantForm,
)
from jigsaw.casework.models import CASE_NOTE_LOCK, CaseNote, ChronologyKind
from jigsaw.casework.queries import get_casework_for
from jigsaw.casework.queries.chronology import (
    ChronologyFilters,
    ChronologyRow,
    chronology_agencies,
    chronology_rows,
    open_referrals_of,
)
from jigsaw.core.forms import apply_validation_error
from jigsaw.people.models import Person
from jigsaw.people.queries import person_flags

# The query-string keys of the chronology's filters (kept when returning to the page).
FILTER_KEYS = (
    "agency",
    "kind",
    "significant",
    *(f"{date}_{part}" for date in ("date_from", "date_to") for part in ("day", "month", "year")),
)


def _filter_query(query: QueryDict) -> str:
    """The filters of a request as a query string, with nothing else carried over."""
    return urlencode([(key, value) for key in FILTER_KEYS for value in query.getlist(key) if value])


def _filters_described(form: ChronologyFilterForm, filters: ChronologyFilters) -> list[str]:
    described = []
    if filters.agency_id is not None:
        described.append(f"from {form.cleaned_data['agency']}")
    if filters.kind:
        described.append(f"{ChronologyKind(filters.kind).label.lower()} events")
    if filters.significant_only:
        described.append("significant events only")
    if filters.date_from is not None:
        described.append(f"from {filters.date_from.day} {filters.date_from:%B %Y}")
    if filters.date_to is not None:
        described.append(f"to {filters.date_to.day} {filters.date_to:%B %Y}")
    return described


def timeline_html(rows: list[ChronologyRow], *, mark_prefix: str | None, mark_suffix: str = "") -> SafeString:
    """The timeline's items, in MOJ Frontend's timeline markup, each with its "mark
    significant" button when `mark_prefix` is given (the button posts to prefix + id +
    suffix, inside the page's one form).

    Written here rather than in the template because a child's chronology may hold a
    thousand entries: the template language spent about 45 ms of CPU on them, this about
    2 ms (bench/chronology.py). Every value from the database goes through escape()
    (the standard library's, which Django's own escape calls). The buttons carry no
    govuk-button module (a thousand of them to start in the browser): marking sets an
    explicit state, so a double click does no harm."""
    parts: list[str] = []
    add = parts.append
    for row in rows:
        add(
            f'<div class="moj-timeline__item" id="entry-{row.pk}"><div class="moj-timeline__header">'
            f'<h3 class="moj-timeline__title">{escape(row.title)}</h3>'
        )
        if row.recorded_by:
            add(f' <p class="moj-timeline__byline">recorded by {escape(row.recorded_by)}</p>')
        when = escape(row.when)
        add(f'</div><p class="moj-timeline__date"><time datetime="{escape(row.iso)}">{when}</time>')
        if row.significant:
            add(' <strong class="govuk-tag govuk-tag--red">Significant</strong>')
        summary = escape(row.summary)
        if row.url:
            summary = f'<a class="govuk-link" href="{escape(row.url)}">{summary}</a>'
        add(
            '</p><div class="moj-timeline__description">'
            f'<p class="govuk-body govuk-!-margin-bottom-2">{summary}</p>'
        )
        if row.detail:
            add(f'<p class="govuk-body-s">{escape(row.detail).replace(chr(10), "<br>")}</p>')
        if mark_prefix is not None:
            label = "Remove the significant mark" if row.significant else "Mark significant"
            add(
                f'<button type="submit" formaction="{escape(mark_prefix)}{row.pk}{escape(mark_suffix)}" '
                f'name="mark" value="{"" if row.significant else "on"}" '
                'class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0">'
                f'{label}<span class="govuk-visually-hidden">: {when}</span></button>'
            )
        add("</div></div>\n")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped  # nosec B308 B703


def _person_context(person: Person) -> dict[str, Any]:
    return {"person": person, "flags": person_flags(person), "age": person.age_on(timezone.localdate())}


def _chronology(request: HttpRequest, person_id: int) -> tuple[Person, ChronologyFilterForm, dict[str, Any]]:
    """What the page and the PDF share: the child, the filters and the rows."""
    person = get_person_for(request.user, person_id, Permission.VIEW_CASEWORK)
    form = ChronologyFilterForm(request.GET or None, agencies=chronology_agencies(request.user, person))
    filters = form.filters()
    rows = chronology_rows(request.user, person, filters)
    context = _person_context(person) | {
        "form": form,
        "rows": rows,
        "count": f"{len(rows):,} event{'' if len(rows) == 1 else 's'}",
        "filtered": filters.active,
        "filters_described": _filters_described(form, filters),
        "query": _filter_query(request.GET),
    }
    return person, form, context


@require_GET
def chronology(request: HttpRequest, person_id: int) -> HttpResponse:
    person, _, context = _chronology(request, person_id)
    record_access(user=request.user, action="view", record=person, detail={"page": "chronology"})
    # Each entry's button posts to its own URL (this one with the entry's id for the 0),
    # with the filters, to come back to the same view.
    can_mark = has_permission(request.user, Permission.RECORD_CASEWORK)
    head, tail = reverse("casework:mark_significant", args=[0]).rsplit("/0/", 1)
    query = context["query"]
    context |= {
        "can_mark": can_mark,
        "timeline": timeline_html(
            context["rows"],
            mark_prefix=f"{head}/" if can_mark else None,
            mark_suffix=f"/{tail}{'?' + query if query else ''}",
        ),
    }
    return render(request, "casework/chronology/chronology.html", context)


@require_GET
def chronology_pdf(request: HttpRequest, person_id: int) -> HttpResponse:
    """The chronology as a PDF for a conference or a court bundle; the export is logged."""
    from weasyprint import HTML

    person, _, context = _chronology(request, person_id)
    record_access(
        user=request.user,
        action="export",
        record=person,
        detail={
            "what": "chronology",
            "filters": context["filters_described"],
            "entries": len(context["rows"]),
        },
    )
    context |= {"printed_at": timezone.localtime(), "printed_by": request.user}
    html = render_to_string("casework/chronology/pdf.html", context, request=request)
    pdf: bytes = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="chronology-jigsaw-{person.pk}.pdf"'
    return response


@require_POST
@requires(Permission.RECORD_CASEWORK)
def significant(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark or unmark an entry significant, then back to the same place in the same filters."""
    form = SignificantForm(request.POST)
    form.is_valid()
    marked = bool(form.cleaned_data.get("mark"))
    entry = mark_significant(actor=request.user, entry_id=pk, significant=marked)
    messages.success(request, "Marked as significant" if marked else "No longer marked as significant")
    query = _filter_query(request.GET)
    url = reverse("casework:chronology", args=[entry.person_id])
    return redirect(f"{url}{'?' + query if query else ''}#entry-{entry.pk}")


@requires(Permission.RECORD_CASEWORK)
def new_case_note(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_person_for(request.user, person_id, Permission.VIEW_CASEWORK)
    open_referrals = open_referrals_of(request.user, person)
    form = CaseNoteForm(
        request.POST or None,
        initial=CaseNoteForm.initial_for(timezone.now()),
        open_referrals=open_referrals,
    )
    if request.method == "POST" and form.is_valid():
        if "referral" in form.fields:
            chosen = form.cleaned_data["referral"]
            referral_id = chosen.pk if chosen is not None else None
        else:
            # Exactly one open episode: the note belongs to it; none: to the child alone.
            only = list(open_referrals.values_list("pk", flat=True)[:2])
            referral_id = only[0] if len(only) == 1 else None
        try:
            note = add_case_note(
                actor=request.user,
                person_id=person.pk,
                kind=form.cleaned_data["kind"],
                occurred_at=form.occurred_at(),
                text=form.cleaned_data["text"],
                referral_id=referral_id,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Case note recorded. You can correct it for 24 hours.")
            return redirect("casework:case_note", pk=note.pk)
    else:
        record_access(user=request.user, action="view", record=person, detail={"page": "new case note"})
    return render(request, "casework/chronology/new_case_note.html", _person_context(person) | {"form": form})


def _addendum_keeping(request: HttpRequest, message: str | list[str]) -> AddendumForm:
    """A correction the user may not (or no longer) make, offered back as an addendum with
    their words in it: nothing they typed is lost."""
    form = AddendumForm({"addendum": request.POST.get("text", "")})
    form.is_valid()
    form.add_error(None, message)
    return form


def case_note(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_casework_for(
        request.user, CaseNote.objects.select_related("person", "author", "referral"), pk, "person"
    )
    record_access(user=request.user, action="view", record=note, subjects=[note.person])
    now = timezone.now()
    can_record = has_permission(request.user, Permission.RECORD_CASEWORK)
    if request.method == "POST" and not can_record:
        raise PermissionDenied
    editable = can_record and note.author_id == request.user.pk and not note.locked(now)
    edit_form: CaseNoteEditForm | None = None
    addendum_form: AddendumForm | None = None

    if request.method == "POST" and "addendum" in request.POST:
        addendum_form = AddendumForm(request.POST)
        if addendum_form.is_valid():
            try:
                add_addendum(actor=request.user, note_id=note.pk, text=addendum_form.cleaned_data["addendum"])
            except ValidationError as error:
                apply_validation_error(addendum_form, error)
            else:
                messages.success(request, "Addendum added")
                return redirect("casework:case_note", pk=note.pk)
    elif request.method == "POST" and editable:
        edit_form = CaseNoteEditForm(request.POST)
        if edit_form.is_valid():
            try:
                edit_case_note(
                    actor=request.user,
                    note_id=note.pk,
                    expected_version=edit_form.cleaned_data["version"],
                    text=edit_form.cleaned_data["text"],
                    occurred_at=edit_form.occurred_at(),
                )
            except ValidationError as error:
                if LOCKED_MESSAGE in error.messages:  # the 24 hours ran out as they typed
                    edit_form, addendum_form = None, _addendum_keeping(request, error.messages)
                else:
                    apply_validation_error(edit_form, error)
            except EditConflict as conflict:
                edit_form.add_error(None, str(conflict))
            else:
                messages.success(request, "The case note is corrected")
                return redirect("casework:case_note", pk=note.pk)
    elif request.method == "POST":
        addendum_form = _addendum_keeping(request, LOCKED_MESSAGE if note.locked(now) else NOT_AUTHOR_MESSAGE)

    if edit_form is None and addendum_form is None:
        if editable:
            edit_form = CaseNoteEditForm(
                initial=CaseNoteEditForm.initial_for(note.occurred_at)
                | {"text": note.text, "version": note.version}
            )
        elif can_record:
            addendum_form = AddendumForm()

    context = _person_context(note.person) | {
        "note": note,
        "addenda": list(note.addenda.select_related("author")),
        "edit_form": edit_form,
        "addendum_form": addendum_form,
        # The form the error summary reads.
        "form": edit_form or addendum_form,
        "locked": note.locked(now),
        "editable_until": note.recorded_at + CASE_NOTE_LOCK,
    }
    return render(request, "casework/chronology/case_note.html", context)


urlpatterns = [
    path("people/<int:person_id>/chronology", chronology, name="chronology"),
    path("people/<int:person_id>/chronology.pdf", chronology_pdf, name="chronology_pdf"),
    path("chronology/<int:pk>/significant", significant, name="mark_significant"),
    path("people/<int:person_id>/case-notes/new", new_case_note, name="new_case_note"),
    path("case-notes/<int:pk>", case_note, name="case_note"),
]
