"""Merge and unmerge pages: name the other record, compare the two side by side, choose
which remains and why, confirm; and undo a merge, giving back what was added since.

Only users with Permission.MERGE_PEOPLE reach them; anyone else, and anyone asking for a
record they may not see, gets "not found", as on the other pages of a person.
"""

from __future__ import annotations

import dataclasses

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import Permission, get_person_for, has_permission, people_visible_to
from jigsaw.core.forms import apply_validation_error
from jigsaw.matching import merge_queries
from jigsaw.matching.forms import MergeFindForm, MergeForm, UnmergeForm
from jigsaw.matching.merge import (
    MergeConflict,
    PostMergeRow,
    RowRef,
    merge_people,
    post_merge_rows,
    unmerge_people,
)
from jigsaw.matching.models import PersonMerge
from jigsaw.people import queries as people_queries
from jigsaw.people.models import Person


def _person_context(person: Person) -> dict[str, object]:
    """What the identity bar needs."""
    return {
        "person": person,
        "age": person.age_on(timezone.localdate()),
        "flags": people_queries.person_flags(person),
    }


def merge_start(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for(request.user, pk, Permission.MERGE_PEOPLE)
    if person.merged_into_id is not None:
        return redirect("people:detail", pk=person.pk)
    form = MergeFindForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        other_pk = form.cleaned_data["other"]
        other = people_visible_to(request.user).filter(pk=other_pk).first()
        if other_pk == person.pk:
            form.add_error("other", "Enter the Jigsaw ID of a different record")
        elif other is None:
            form.add_error("other", "There is nobody you can see with that Jigsaw ID")
        elif other.merged_into_id is not None:
            form.add_error(
                "other", f"That record has already been merged into Jigsaw ID {other.merged_into_id}"
            )
        else:
            return redirect("matching:merge_compare", pk=person.pk, other_pk=other.pk)
    record_access(user=request.user, action="view", record=person, detail={"page": "merge"})
    return render(request, "matching/merge_start.html", _person_context(person) | {"form": form})


@dataclasses.dataclass(frozen=True)
class CompareRow:
    label: str
    left: str
    right: str

    @property
    def differs(self) -> bool:
        return self.left != self.right


def _names(person: Person) -> str:
    others = [str(n) for n in person.other_names.all()]
    return person.full_name + (f" (also {', '.join(others)})" if others else "")


def _addresses(person: Person) -> str:
    return "; ".join(
        f"{r.address}{'' if r.is_current else ' (previous)'}" for r in people_queries.addresses_of(person)
    )


def _compare_rows(left: Person, right: Person) -> list[CompareRow]:
    def dob(p: Person) -> str:
        if p.date_of_birth is None:
            return "Not known"
        suffix = " (estimated)" if p.birth_date_precision == "estimated" else ""
        return f"{p.date_of_birth.day} {p.date_of_birth:%B %Y}{suffix}"

    rows = [
        CompareRow("Names", _names(left), _names(right)),
        CompareRow("Date of birth", dob(left), dob(right)),
        CompareRow("Sex", left.get_sex_display(), right.get_sex_display()),
        CompareRow("NHS number", left.nhs_number or "Not known", right.nhs_number or "Not known"),
        CompareRow("UPN", left.upn or "Not known", right.upn or "Not known"),
        CompareRow("Addresses", _addresses(left) or "None recorded", _addresses(right) or "None recorded"),
    ]
    left_counts = merge_queries.record_counts(left)
    right_counts = merge_queries.record_counts(right)
    for title in sorted(set(left_counts) | set(right_counts)):
        rows.append(CompareRow(title, str(left_counts.get(title, 0)), str(right_counts.get(title, 0))))
    return rows


def merge_compare(request: HttpRequest, pk: int, other_pk: int) -> HttpResponse:
    person = get_person_for(request.user, pk, Permission.MERGE_PEOPLE)
    other = get_person_for(request.user, other_pk, Permission.MERGE_PEOPLE)
    if person.pk == other.pk:
        raise Http404("No such person")
    if person.merged_into_id is not None or other.merged_into_id is not None:
        messages.error(request, "One of these records has already been merged: start again from its page")
        return redirect("people:detail", pk=person.pk)
    form = MergeForm(
        request.POST or None,
        person=person,
        other=other,
        initial={"person_version": person.version, "other_version": other.version},
    )
    record_access(user=request.user, action="view", record=person, subjects=[other], detail={"page": "merge"})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        survivor, merged = (person, other) if d["survivor"] == str(person.pk) else (other, person)
        versions = {person.pk: d["person_version"], other.pk: d["other_version"]}
        if versions != {person.pk: person.version, other.pk: other.version}:
            form.add_error(
                None, "One of these records was changed after you opened this page: compare them again"
            )
        elif not d["confirmed"]:
            preview = merge_queries.preview_merge(survivor=survivor, merged=merged)
            if preview.refusals:
                for refusal in preview.refusals:
                    form.add_error(None, refusal)
            else:
                context = _person_context(person) | {
                    "form": form,
                    "survivor": survivor,
                    "merged": merged,
                    "preview": preview,
                }
                return render(request, "matching/merge_confirm.html", context)
        else:
            try:
                merge_people(
                    actor=request.user,
                    survivor=survivor,
                    merged=merged,
                    reason=d["reason"],
                    survivor_version=versions[survivor.pk],
                    merged_version=versions[merged.pk],
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            except MergeConflict as conflict:
                form.add_error(None, str(conflict))
            else:
                messages.success(
                    request, f"{merged.full_name} (Jigsaw ID {merged.pk}) has been merged into this record"
                )
                if people_visible_to(request.user).filter(pk=survivor.pk).exists():
                    return redirect("people:detail", pk=survivor.pk)
                return redirect("people:search")
    context = _person_context(person) | {
        "form": form,
        "other": other,
        "rows": _compare_rows(person, other),
    }
    return render(request, "matching/merge_compare.html", context)


@dataclasses.dataclass(frozen=True)
class Choice:
    row: PostMergeRow
    dom_id: str
    checked: bool


@dataclasses.dataclass(frozen=True)
class RowGroup:
    title: str
    choices: list[Choice]


def _groups(rows: list[PostMergeRow], chosen: set[str]) -> list[RowGroup]:
    """The rows by kind, each a checkbox; the first carries the field's id, for the error
    summary's link."""
    choices = [
        Choice(r, "id_reassign" if i == 0 else f"id_reassign_{i}", str(r.ref) in chosen)
        for i, r in enumerate(rows)
    ]
    titles = list(dict.fromkeys(r.title for r in rows))
    return [RowGroup(t, [c for c in choices if c.row.title == t]) for t in titles]


def unmerge(request: HttpRequest, pk: int) -> HttpResponse:
    if not has_permission(request.user, Permission.MERGE_PEOPLE):
        raise Http404("No such merge")
    merge = get_object_or_404(PersonMerge, pk=pk)
    survivor = get_person_for(request.user, merge.survivor_id, Permission.MERGE_PEOPLE)
    merged = get_person_for(request.user, merge.merged_id, Permission.MERGE_PEOPLE)
    if merge.unmerged_at is not None:
        messages.success(
            request, f"This merge was undone on {timezone.localtime(merge.unmerged_at):%d/%m/%Y}"
        )
        return redirect("people:detail", pk=survivor.pk)
    rows = post_merge_rows(merge)
    choosable = [r for r in rows if not r.follows]
    form = UnmergeForm(request.POST or None, reassignable=[(str(r.ref), r.description) for r in choosable])
    if request.method == "POST" and form.is_valid():
        try:
            unmerge_people(
                actor=request.user,
                merge=merge,
                reason=form.cleaned_data["reason"],
                reassign=[RowRef.parse(value) for value in form.cleaned_data["reassign"]],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, f"{merged.full_name} (Jigsaw ID {merged.pk}) is a separate record again"
            )
            return redirect("people:detail", pk=survivor.pk)
    record_access(
        user=request.user, action="view", record=survivor, subjects=[merged], detail={"page": "unmerge"}
    )
    chosen = set(request.POST.getlist("reassign"))
    context = _person_context(survivor) | {
        "form": form,
        "merge": merge,
        "merged": merged,
        "groups": _groups(choosable, chosen),
        "following": [r for r in rows if r.follows],
    }
    return render(request, "matching/unmerge_form.html", context)


urlpatterns = [
    path("people/<int:pk>/merge", merge_start, name="merge_start"),
    path("people/<int:pk>/merge/<int:other_pk>", merge_compare, name="merge_compare"),
    path("merges/<int:pk>/unmerge", unmerge, name="unmerge"),
]
