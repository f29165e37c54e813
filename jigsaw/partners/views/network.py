"""Pages of the professional network and of sharing: the directory of professionals, a
professional's card, naming a professional around a child (picked, or added once), ending
an involvement, the information-sharing agreements and a child's disclosure log."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import Permission, get_person_for, people_visible_to
from jigsaw.access.views import requires
from jigsaw.core.forms import apply_validation_error
from jigsaw.partners.actions import network as actions
from jigsaw.partners.forms.network import (
    DirectorySearchForm,
    EndInvolvementForm,
    NameProfessionalForm,
    NewProfessionalForm,
)
from jigsaw.partners.models import InformationSharingAgreement, NamedProfessional, Practitioner
from jigsaw.partners.queries import network as queries
from jigsaw.people.models import Person
from jigsaw.people.queries import person_flags


def _about(person: Person) -> dict[str, Any]:
    """What the identity bar needs."""
    return {"person": person, "flags": person_flags(person), "age": person.age_on(timezone.localdate())}


# --- The directory --------------------------------------------------------------------


def directory(request: HttpRequest) -> HttpResponse:
    """Find a professional by name, job title, agency or kind of agency."""
    if not queries.may_use_directory(request.user):
        raise PermissionDenied
    form = DirectorySearchForm(request.GET or None)
    results: list[Practitioner] | None = None
    if form.is_bound and form.is_valid():
        text, kind = form.cleaned_data["q"].strip(), form.cleaned_data["kind"]
        if text or kind:
            results = list(queries.search_directory(text=text, kind=kind)[: queries.DIRECTORY_LIMIT])
        else:
            form.add_error("q", "Enter a name, job title or agency, or choose a kind of agency")
    rows = [(p, queries.best_contact(p)) for p in results] if results is not None else None
    return render(
        request,
        "partners/network/directory.html",
        {"form": form, "rows": rows, "limit": queries.DIRECTORY_LIMIT},
    )


def practitioner(request: HttpRequest, pk: int) -> HttpResponse:
    """A professional's card: how to reach them, and the children they are involved with
    that the viewer may see (the access policy decides; the look is logged)."""
    found = queries.get_practitioner(request.user, pk)
    involvements = queries.children_of(request.user, found)
    if involvements:
        record_access(
            user=request.user,
            action="view",
            record=found,
            detail={"what": "children a professional is named for"},
            subjects=[n.person for n in involvements],
        )
    return render(
        request,
        "partners/network/practitioner.html",
        {"practitioner": found, "best": queries.best_contact(found), "involvements": involvements},
    )


# --- The network around a child -------------------------------------------------------


def _pick_form(request: HttpRequest, chosen: Practitioner) -> NameProfessionalForm:
    discloses = actions.discloses_to(chosen)
    if request.method == "POST":
        return NameProfessionalForm(request.POST, discloses=discloses)
    return NameProfessionalForm(initial={"practitioner": chosen.pk}, discloses=discloses)


def _refused(form: NameProfessionalForm, error: ValidationError) -> None:
    """Put a refusal on the form; one about the professional (a hidden field) goes at the top."""
    if not hasattr(error, "error_dict"):
        apply_validation_error(form, error)
        return
    by_field = error.message_dict
    for message in by_field.pop("practitioner", []):
        form.add_error(None, message)
    if by_field:
        apply_validation_error(form, ValidationError(by_field))


@requires(Permission.EDIT_NETWORK)
def add_professional(request: HttpRequest, pk: int) -> HttpResponse:
    """Name a professional around the child: search the directory (a plain GET search),
    choose one, say their role with the child. Only when the search does not find them is
    a new professional offered."""
    person = get_person_for(request.user, pk, Permission.EDIT_NETWORK)
    search = DirectorySearchForm(request.GET if "q" in request.GET or "kind" in request.GET else None)
    chosen_id = (
        request.POST.get("practitioner") if request.method == "POST" else request.GET.get("practitioner")
    )
    chosen = None
    if chosen_id and str(chosen_id).isdigit():
        chosen = Practitioner.objects.select_related("agency").filter(pk=int(chosen_id)).first()
    if chosen_id and chosen is None:
        raise Http404("No such professional")
    form = _pick_form(request, chosen) if chosen is not None else None
    if form is not None and request.method == "POST" and form.is_valid():
        assert chosen is not None
        try:
            named = actions.name_professional(
                actor=request.user,
                person_id=person.pk,
                practitioner_id=chosen.pk,
                involvement=form.cleaned_data["involvement"],
                consent=form.cleaned_data.get("consent", ""),
                legal_basis=form.cleaned_data.get("legal_basis", ""),
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, f"{named.practitioner.full_name} is now named as {named.involvement}")
            return redirect("people:detail", pk=person.pk)
    results: list[Practitioner] | None = None
    searched = ""
    if chosen is None and search.is_bound and search.is_valid():
        searched = search.cleaned_data["q"].strip()
        if searched or search.cleaned_data["kind"]:
            results = list(
                queries.search_directory(text=searched, kind=search.cleaned_data["kind"])[
                    : queries.DIRECTORY_LIMIT
                ]
            )
        else:
            search.add_error("q", "Enter the professional's name, job title or agency")
    already = set(
        NamedProfessional.objects.filter(person=person, ended__isnull=True).values_list(
            "practitioner_id", flat=True
        )
    )
    new_url = reverse("partners:new_professional", args=[person.pk])
    if searched:
        new_url += "?" + urlencode({"q": searched})
    context = _about(person) | {
        "search": search,
        "results": [(p, queries.best_contact(p), p.pk in already) for p in results]
        if results is not None
        else None,
        "limit": queries.DIRECTORY_LIMIT,
        "chosen": chosen,
        "chosen_best": queries.best_contact(chosen) if chosen is not None else "",
        "agreement": queries.agreement_covering(agency=chosen.agency, on=timezone.localdate())
        if chosen is not None and actions.discloses_to(chosen)
        else None,
        "form": form,
        "new_url": new_url,
    }
    return render(request, "partners/network/add_professional.html", context)


@requires(Permission.EDIT_NETWORK)
def new_professional(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a professional who is not in the directory yet, and name them around the child.
    A second copy of someone already there is refused and the existing one offered."""
    person = get_person_for(request.user, pk, Permission.EDIT_NETWORK)
    initial = {"full_name": request.GET.get("q", "")[:160]}
    form = NewProfessionalForm(request.POST or None, initial=initial)
    existing: Practitioner | None = None
    if request.method == "POST" and form.is_valid():
        try:
            named = actions.add_new_professional(
                actor=request.user,
                person_id=person.pk,
                details=form.details(),
                involvement=form.cleaned_data["involvement"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        except actions.AlreadyInDirectory as duplicate:
            existing = duplicate.existing
            form.add_error(
                None,
                f"{existing.full_name} at {existing.agency.name} is already in the directory: "
                "choose them below instead of adding them again",
            )
        else:
            messages.success(
                request,
                f"{named.practitioner.full_name} has been added to the directory and named as {named.involvement}",
            )
            return redirect("people:detail", pk=person.pk)
    context = _about(person) | {
        "form": form,
        "existing": existing,
        "existing_best": queries.best_contact(existing) if existing is not None else "",
    }
    return render(request, "partners/network/new_professional.html", context)


@requires(Permission.EDIT_NETWORK)
def end_involvement(request: HttpRequest, pk: int) -> HttpResponse:
    named = queries.get_named_for(request.user, pk)
    if named.ended is not None:
        raise Http404("No such current involvement")
    form = EndInvolvementForm(request.POST or None, initial={"ended": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            actions.end_involvement(actor=request.user, named_id=named.pk, ended=form.cleaned_data["ended"])
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"{named.practitioner.full_name}'s involvement has ended")
            return redirect("people:detail", pk=named.person_id)
    return render(
        request,
        "partners/network/end_involvement.html",
        _about(named.person) | {"form": form, "named": named},
    )


# --- Sharing --------------------------------------------------------------------------


def agreements(request: HttpRequest) -> HttpResponse:
    """The information-sharing agreements between the partnership's agencies."""
    if not queries.may_see_agreements(request.user):
        raise PermissionDenied
    return render(
        request, "partners/network/agreements.html", {"rows": queries.agreements(timezone.localdate())}
    )


def agreement(request: HttpRequest, pk: int) -> HttpResponse:
    if not queries.may_see_agreements(request.user):
        raise PermissionDenied
    found = InformationSharingAgreement.objects.prefetch_related("agencies").filter(pk=pk).first()
    if found is None:
        raise Http404("No such agreement")
    return render(
        request,
        "partners/network/agreement.html",
        {"row": queries.agreement_status(found, timezone.localdate()), "agreement": found},
    )


def disclosures(request: HttpRequest, pk: int) -> HttpResponse:
    """Who was told what about this child, when, why, on what basis and with what consent."""
    if not queries.may_see_disclosures(request.user):
        raise PermissionDenied
    person, rows = queries.disclosure_log(request.user, pk)
    return render(
        request,
        "partners/network/disclosures.html",
        {
            "person": person,
            "rows": list(rows),
            # The data protection officer audits the sharing without opening the record.
            "can_open": people_visible_to(request.user).filter(pk=person.pk).exists(),
        },
    )


urlpatterns: list[URLPattern] = [
    path("professionals", directory, name="directory"),
    path("professionals/<int:pk>", practitioner, name="practitioner"),
    path("people/<int:pk>/professionals/add", add_professional, name="add_professional"),
    path("people/<int:pk>/professionals/new", new_professional, name="new_professional"),
    path("involvements/<int:pk>/end", end_involvement, name="end_involvement"),
    path("sharing-agreements", agreements, name="agreements"),
    path("sharing-agreements/<int:pk>", agreement, name="agreement"),
    path("people/<int:pk>/disclosures", disclosures, name="disclosures"),
]
