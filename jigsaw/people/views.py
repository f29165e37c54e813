"""Person pages: find, add (searching first), view, edit, and the small additions."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import Permission, get_person_for, has_permission
from jigsaw.access.views import requires
from jigsaw.casework.queries import person_casework
from jigsaw.core.forms import apply_validation_error
from jigsaw.matching.index import person_record
from jigsaw.matching.matcher import active_version
from jigsaw.matching.merge_queries import merge_history, merge_notice
from jigsaw.matching.models import MatchSource
from jigsaw.matching.policy import Outcome
from jigsaw.matching.review import resolve
from jigsaw.partners.queries.network import may_see_disclosures, person_network
from jigsaw.people import actions, queries
from jigsaw.people.forms import (
    EditPersonForm,
    HouseholdMemberForm,
    IdentifierForm,
    MoveForm,
    NewPersonForm,
    OtherNameForm,
    RelationshipForm,
    SearchForm,
)
from jigsaw.people.models import Person


def _person_context(request: HttpRequest, person: Person) -> dict[str, object]:
    return {
        "person": person,
        "age": person.age_on(timezone.localdate()),
        "flags": queries.person_flags(person),
    }


@requires(Permission.FIND_PEOPLE)
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    results: list[queries.SearchResult] | None = None
    restricted: list[int] = []
    if form.is_bound and form.is_valid():
        query = form.to_query()
        if query.is_empty:
            form.add_error(None, "Enter at least one thing to search by")
        else:
            results = queries.search_people(request.user, query)
            restricted = queries.restricted_matches(request.user, query)
            record_access(
                user=request.user,
                action="search",
                detail={k: str(v) for k, v in form.cleaned_data.items() if v}
                | {"restricted_matches": restricted},
                subjects=[r.person for r in results],
            )
    return render(
        request,
        "people/search.html",
        {
            "form": form,
            "results": results,
            "restricted": restricted,
            "can_create": has_permission(request.user, Permission.CREATE_PERSON),
        },
    )


@requires(Permission.CREATE_PERSON)
def create(request: HttpRequest) -> HttpResponse:
    form = NewPersonForm(request.POST or None)
    candidates: list[queries.SearchResult] = []
    if request.method == "POST" and form.is_valid():
        if not form.cleaned_data["confirmed_new"]:
            # Search before create: show likely existing people before a duplicate is made.
            query = form.search_query()
            candidates = queries.search_people(request.user, query, limit=10) if not query.is_empty else []
            # The people the matcher would send to review or link: worth a look first.
            threshold = active_version().review_threshold
            candidates = [c for c in candidates if c.probability >= threshold]
        if not candidates:
            try:
                person = actions.create_person(
                    actor=request.user,
                    details=form.to_details(),
                    address=form.address(),
                    moved_in=form.cleaned_data["moved_in"],
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                # The user said this is someone new; if the matcher still thinks they may
                # be someone known, the front door looks again (the review queue).
                decision = resolve(
                    source=MatchSource.PERSON_CREATION,
                    record=person_record(person),
                    person=person,
                    actor=request.user,
                )
                message = f"{person.full_name} has been added to the person index"
                if decision.outcome != Outcome.NEW:
                    message += "; the front door will check whether they were already known"
                messages.success(request, message)
                return redirect("people:detail", pk=person.pk)
        else:
            record_access(
                user=request.user,
                action="search",
                detail={"before_create": True},
                subjects=[c.person for c in candidates],
            )
    return render(request, "people/create.html", {"form": form, "candidates": candidates})


def _merged_record(request: HttpRequest, person: Person) -> HttpResponse:
    """A merged record's page sends the user on to the record it was merged into."""
    notice = merge_notice(request.user, person)
    record_access(
        user=request.user, action="view", record=person, detail={"merged_into": person.merged_into_id}
    )
    if notice is None or notice.survivor is None:
        raise Http404("No such person")
    messages.success(request, notice.text)
    return redirect("people:detail", pk=notice.survivor.pk)


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for(request.user, pk)
    if person.merged_into_id is not None:
        return _merged_record(request, person)
    record_access(user=request.user, action="view", record=person)
    context = _person_context(request, person) | {
        "other_names": list(person.other_names.all()),
        "identifiers": list(person.identifiers.all()),
        "residences": queries.addresses_of(person),
        "relatives": queries.relatives_of(request.user, person),
        "household": queries.household_of(request.user, person),
        "can_change": has_permission(request.user, Permission.CHANGE_PERSON),
        "can_record_contact": has_permission(request.user, Permission.RECORD_CONTACT),
        "can_restrict": has_permission(request.user, Permission.RESTRICT_RECORD)
        and not hasattr(person, "restriction"),
        "casework": person_casework(request.user, person),
        "can_record_casework": has_permission(request.user, Permission.RECORD_CASEWORK),
        "network": person_network(request.user, person),
        "can_edit_network": has_permission(request.user, Permission.EDIT_NETWORK),
        "can_see_disclosures": may_see_disclosures(request.user),
        "can_merge": has_permission(request.user, Permission.MERGE_PEOPLE),
        "merges": merge_history(person),
    }
    return render(request, "people/detail.html", context)


def edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for(request.user, pk, Permission.CHANGE_PERSON)
    if request.method == "POST":
        form = EditPersonForm(request.POST)
        if form.is_valid():
            try:
                actions.update_person(
                    actor=request.user,
                    person_id=person.pk,
                    expected_version=form.cleaned_data["version"],
                    details=form.to_details(),
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            except actions.EditConflict as conflict:
                form.add_error(None, str(conflict))
            else:
                messages.success(request, "The person's details have been saved")
                return redirect("people:detail", pk=person.pk)
    else:
        initial = {f: getattr(person, f) for f in EditPersonForm.base_fields if f != "version"}
        form = EditPersonForm(initial=initial | {"version": person.version})
    return render(request, "people/edit.html", _person_context(request, person) | {"form": form})


def _addition(
    request: HttpRequest,
    pk: int,
    form_class: type[forms.Form],
    save: Callable[[forms.Form, Person], object],
    *,
    title: str,
    done: str,
) -> HttpResponse:
    """The shared shape of the small forms that add one thing to a person."""
    person = get_person_for(request.user, pk, Permission.CHANGE_PERSON)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            save(form, person)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, done)
            return HttpResponseRedirect(reverse("people:detail", args=[person.pk]))
    return render(
        request, "people/addition.html", _person_context(request, person) | {"form": form, "title": title}
    )


def add_name(request: HttpRequest, pk: int) -> HttpResponse:
    def save(form: forms.Form, person: Person) -> object:
        d = form.cleaned_data
        return actions.add_other_name(
            actor=request.user,
            person_id=person.pk,
            family_name=d["family_name"],
            given_names=d["given_names"],
            kind=d["kind"],
            used_from=d["used_from"],
            used_to=d["used_to"],
        )

    return _addition(
        request, pk, OtherNameForm, save, title="Add another name", done="The name has been added"
    )


def add_identifier(request: HttpRequest, pk: int) -> HttpResponse:
    def save(form: forms.Form, person: Person) -> object:
        d = form.cleaned_data
        return actions.add_identifier(
            actor=request.user,
            person_id=person.pk,
            kind=d["kind"],
            value=d["value"],
            issued_by=d["issued_by"],
        )

    return _addition(
        request, pk, IdentifierForm, save, title="Add an identifier", done="The identifier has been added"
    )


def record_move(request: HttpRequest, pk: int) -> HttpResponse:
    def save(form: forms.Form, person: Person) -> object:
        assert isinstance(form, MoveForm)
        return actions.record_move(
            actor=request.user,
            person_id=person.pk,
            address=form.address_details(),
            moved_in=form.cleaned_data["moved_in"],
        )

    return _addition(
        request, pk, MoveForm, save, title="Record a new address", done="The new address has been recorded"
    )


def add_relationship(request: HttpRequest, pk: int) -> HttpResponse:
    def save(form: forms.Form, person: Person) -> object:
        assert isinstance(form, RelationshipForm)
        try:
            return actions.add_relationship(
                actor=request.user,
                person_id=person.pk,
                relative_id=form.cleaned_data["relative"],
                kind=form.cleaned_data["kind"],
                started=form.started_on(),
            )
        except Http404:
            raise ValidationError({"relative": "There is nobody you can see with that Jigsaw ID"}) from None

    return _addition(
        request,
        pk,
        RelationshipForm,
        save,
        title="Add a relationship",
        done="The relationship has been added",
    )


def add_household_member(request: HttpRequest, pk: int) -> HttpResponse:
    def save(form: forms.Form, person: Person) -> object:
        try:
            return actions.add_household_member(
                actor=request.user,
                person_id=person.pk,
                member_id=form.cleaned_data["member"],
                joined=form.cleaned_data["joined"],
            )
        except Http404:
            raise ValidationError({"member": "There is nobody you can see with that Jigsaw ID"}) from None

    return _addition(
        request,
        pk,
        HouseholdMemberForm,
        save,
        title="Add someone to the household",
        done="They have been added to the household",
    )
