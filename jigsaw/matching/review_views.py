"""The review queue's pages: the open reviews, and one review side by side with the
model's explanation and the decision.

Only reviewers (Permission.REVIEW_MATCHES) open them. A review naming someone the
reviewer may not see (a restricted record) is not listed, and its page is "not found",
as for the record itself. Every page that shows people's details is logged.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from jigsaw.access.log import record_access
from jigsaw.access.policy import Permission
from jigsaw.access.views import requires
from jigsaw.core.forms import apply_validation_error
from jigsaw.core.templatetags.jigsaw_tags import likelihood as percent
from jigsaw.matching import review as reviews
from jigsaw.matching.forms import SAME_PERSON, ReviewDecisionForm, ReviewFilterForm
from jigsaw.matching.models import MatchReview, ReviewStatus
from jigsaw.matching.records import MatchRecord
from jigsaw.people import queries as people_queries
from jigsaw.people.models import BirthDatePrecision, Person
from jigsaw.people.normalise import format_nhs_number

# The queue shows this many a page; the heading gives the whole count.
QUEUE_PAGE = 200
NOT_KNOWN = "Not known"


def incoming_name(record: MatchRecord) -> str:
    return f"{record.given_name} {record.family_name}".strip() or "No name given"


@dataclasses.dataclass(frozen=True)
class QueueRow:
    review: MatchReview
    record_name: str
    candidate_name: str
    probability: str


def _queue_row(review: MatchReview) -> QueueRow:
    incoming = reviews.incoming_record(review)
    if review.record is not None:
        record_name = f"{review.record.full_name} (Jigsaw ID {review.record_id})"
    else:
        assert incoming is not None
        record_name = incoming_name(incoming) + (
            f" ({review.incoming_reference})" if review.incoming_reference else ""
        )
    return QueueRow(
        review=review,
        record_name=record_name,
        candidate_name=f"{review.candidate.full_name} (Jigsaw ID {review.candidate_id})",
        probability=percent(review.probability),
    )


@requires(Permission.REVIEW_MATCHES)
def review_queue(request: HttpRequest) -> HttpResponse:
    form = ReviewFilterForm(request.GET or None)
    filters: dict[str, Any] = form.cleaned_data if form.is_bound and form.is_valid() else {}
    queue = reviews.open_reviews(
        request.user,
        source=filters.get("source", ""),
        reason=filters.get("reason", ""),
        newest_first=filters.get("order") == "newest",
    )
    page = Paginator(queue, QUEUE_PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    named = {p.pk: p for r in shown for p in reviews.people_of(r)}
    # The queue names people: the log says which.
    record_access(
        user=request.user,
        action="view_match_reviews",
        subjects=[named[pk] for pk in sorted(named)],
        detail={"filters": {k: v for k, v in filters.items() if v}, "page": page.number},
    )
    context = {
        "form": form,
        "rows": [_queue_row(r) for r in shown],
        "total": page.paginator.count,
        "page": page,
        # The filters, to keep them when moving between pages.
        "filter_query": urlencode({k: v for k, v in filters.items() if v}),
        "filtered": any(filters.values()),
    }
    return render(request, "matching/review_queue.html", context)


@dataclasses.dataclass(frozen=True)
class Side:
    """One record of the pair, as the comparison shows it."""

    title: str
    person: Person | None
    name: str
    other_names: str
    date_of_birth: str
    sex: str
    nhs_number: str
    upn: str
    address: str
    postcode: str
    previous_addresses: str
    previous_postcodes: str


def _dob(day: Any, note: str) -> str:
    if day is None:
        return NOT_KNOWN
    return f"{day.day} {day:%B %Y}" + (f" ({note})" if note else "")


def _joined(values: list[str]) -> str:
    return "; ".join(v for v in dict.fromkeys(values) if v) or NOT_KNOWN


def _person_side(person: Person) -> Side:
    residences = people_queries.addresses_of(person)
    current = [r.address for r in residences if r.is_current]
    previous = [r.address for r in residences if not r.is_current]
    precision = "" if person.birth_date_precision == BirthDatePrecision.EXACT else "estimated"
    if person.birth_date_precision == BirthDatePrecision.EXPECTED:
        precision = "expected"
    merged = f" (merged into Jigsaw ID {person.merged_into_id})" if person.merged_into_id else ""
    return Side(
        title=f"Jigsaw ID {person.pk}{merged}",
        person=person,
        name=person.full_name,
        other_names=_joined([str(n) for n in person.other_names.all()]),
        date_of_birth=_dob(person.date_of_birth, precision),
        sex=person.get_sex_display(),
        nhs_number=format_nhs_number(person.nhs_number) if person.nhs_number else NOT_KNOWN,
        upn=person.upn or NOT_KNOWN,
        address=_joined([str(a) for a in current]),
        postcode=_joined([a.postcode for a in current]),
        previous_addresses=_joined([str(a) for a in previous]),
        previous_postcodes=_joined([a.postcode for a in previous]),
    )


def _incoming_side(record: MatchRecord, reference: str) -> Side:
    sexes = {"M": "Male", "F": "Female"}
    return Side(
        title="The record that came in" + (f" ({reference})" if reference else ""),
        person=None,
        name=incoming_name(record),
        other_names=_joined(list(record.other_names)),
        date_of_birth=_dob(record.dob, "estimated" if record.dob_estimated else ""),
        sex=sexes.get(record.sex.strip().upper(), NOT_KNOWN),
        nhs_number=format_nhs_number(record.nhs_number) if record.nhs_number else NOT_KNOWN,
        upn=record.upn or NOT_KNOWN,
        address=record.address or NOT_KNOWN,
        postcode=record.postcode or NOT_KNOWN,
        previous_addresses=_joined(list(record.previous_addresses)),
        previous_postcodes=_joined(list(record.previous_postcodes)),
    )


@dataclasses.dataclass(frozen=True)
class CompareRow:
    label: str
    left: str
    right: str

    @property
    def differs(self) -> bool:
        return " ".join(self.left.split()).casefold() != " ".join(self.right.split()).casefold()


FIELDS = [
    ("Name", "name"),
    ("Other names", "other_names"),
    ("Date of birth", "date_of_birth"),
    ("Sex", "sex"),
    ("NHS number", "nhs_number"),
    ("Unique pupil number", "upn"),
    ("Current address", "address"),
    ("Current postcode", "postcode"),
    ("Previous addresses", "previous_addresses"),
    ("Previous postcodes", "previous_postcodes"),
]


@dataclasses.dataclass(frozen=True)
class ExplanationRow:
    comparison: str
    values: str
    level: str
    weight: str
    line: str


def _explanation(review: MatchReview) -> list[ExplanationRow]:
    rows = []
    for part in reviews.explanation_parts(review):
        if part.left == part.right:
            values = part.left
        else:
            values = f"{part.left or 'not known'} ~ {part.right or 'not known'}"
        rows.append(
            ExplanationRow(
                comparison=part.comparison[:1].upper() + part.comparison[1:],
                values=values,
                level=part.level,
                weight=f"{part.weight:+.1f}",
                line=str(part),
            )
        )
    return rows


def _survivor(review: MatchReview, value: str) -> Person | None:
    return next((p for p in reviews.people_of(review) if str(p.pk) == value), None)


def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = reviews.get_review_for(request.user, pk)
    pair = (review.record, review.candidate) if review.record is not None else None
    form = ReviewDecisionForm(request.POST or None, people=pair, initial={"version": review.version})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        same = d["decision"] == SAME_PERSON
        try:
            decided = reviews.decide_review(
                actor=request.user,
                review=review,
                same_person=same,
                note=d["note"],
                expected_version=d["version"],
                survivor=_survivor(review, d.get("survivor") or "") if same and pair else None,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        except reviews.ReviewConflict as conflict:
            form.add_error(None, str(conflict))
            review = reviews.get_review_for(request.user, pk)
        else:
            messages.success(request, _decided_message(decided))
            return redirect("matching:reviews")
    record_access(
        user=request.user,
        action="view",
        record=review,
        subjects=reviews.people_of(review),
        detail={"page": "match_review"},
    )
    incoming = reviews.incoming_record(review)
    left = _person_side(review.record) if review.record is not None else None
    if left is None:
        assert incoming is not None
        left = _incoming_side(incoming, review.incoming_reference)
    right = _person_side(review.candidate)
    rows = [CompareRow(label, getattr(left, field), getattr(right, field)) for label, field in FIELDS]
    context = {
        "review": review,
        "form": form,
        "left": left,
        "right": right,
        "rows": rows,
        "explanation": _explanation(review),
        "probability": percent(review.probability),
        "match_weight": f"{review.match_weight:+.1f}",
        "is_open": review.status == ReviewStatus.OPEN,
        "merge": reviews.merge_of(review),
        "unsaved_note": form.data.get("note", "")
        if form.is_bound and review.status != ReviewStatus.OPEN
        else "",
    }
    return render(request, "matching/review_detail.html", context)


def _decided_message(review: MatchReview) -> str:
    if review.status == ReviewStatus.NOT_SAME:
        return "Recorded: not the same person"
    merge = reviews.merge_of(review)
    if merge is not None:
        return (
            f"{merge.merged.full_name} (Jigsaw ID {merge.merged_id}) has been merged into "
            f"{merge.survivor.full_name} (Jigsaw ID {merge.survivor_id})"
        )
    return f"Recorded: the same person as {review.candidate.full_name} (Jigsaw ID {review.candidate_id})"


urlpatterns = [
    path("reviews/", review_queue, name="reviews"),
    path("reviews/<int:pk>/", review_detail, name="review"),
]
