"""Pages of practice reviews: the list (reviews you may see in full, and published ones),
recording an incident, a review with its timeline and the form for each step, and its
documents. Thin: parse, ask the policy, call an action, render."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_POST

from jigsaw.access.log import record_access
from jigsaw.access.policy import Permission, has_permission
from jigsaw.access.views import requires
from jigsaw.casework.actions.common import EditConflict
from jigsaw.core.forms import apply_validation_error
from jigsaw.quality.actions import practice_reviews as actions
from jigsaw.quality.forms.practice_reviews import (
    ApproveForm,
    DecisionForm,
    DocumentForm,
    GradeForm,
    ImrForm,
    ImrReceivedForm,
    IncidentForm,
    PanelForm,
    PublishForm,
    RapidReviewForm,
    RecommendationSetForm,
    ReviewersForm,
    SummaryForm,
)
from jigsaw.quality.models.practice_reviews import MAX_DOCUMENT_BYTES, PracticeReview
from jigsaw.quality.queries import practice_reviews as queries

_NUMBER = re.compile(r"[0-9]{1,9}")


def _version(request: HttpRequest) -> int:
    raw = str(request.POST.get("version", ""))
    return int(raw) if _NUMBER.fullmatch(raw) else -1


@requires(Permission.VIEW_OVERSIGHT)
def landing(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    page = Paginator(queries.reviews_for(request.user, today), queries.REVIEWS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    reviews: list[PracticeReview] = list(page.object_list)
    rows = [
        (r, queries.stage_of(r), r.rapid_review_on is None and r.rapid_review_due_on < today) for r in reviews
    ]
    own = {r.pk for r in reviews}
    context = {
        "page": page,
        "rows": rows,
        "published": [r for r in queries.published_reviews() if r.pk not in own],
        "manages": has_permission(request.user, Permission.MANAGE_PRACTICE_REVIEWS),
    }
    return render(request, "quality/practice_reviews/landing.html", context)


@requires(Permission.MANAGE_PRACTICE_REVIEWS)
def new(request: HttpRequest) -> HttpResponse:
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        details = actions.IncidentDetails(
            title=form.cleaned_data["title"],
            what_happened=form.cleaned_data["what_happened"],
            incident_on=form.cleaned_data["incident_on"],
            notified_panel_on=form.cleaned_data["notified_panel_on"],
            person_id=form.cleaned_data["person_id"],
        )
        try:
            review = actions.record_incident(actor=request.user, details=details)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                "Serious incident recorded: the rapid review is due by "
                f"{review.rapid_review_due_on.day} {review.rapid_review_due_on:%B %Y}",
            )
            return redirect("quality:practice_review", pk=review.pk)
    return render(request, "quality/practice_reviews/new.html", {"form": form})


def _recommendation_sets(review: PracticeReview) -> list[tuple[int, str]]:
    from jigsaw.quality.models.recommendations import RecommendationSet

    free = RecommendationSet.objects.filter(practice_review__isnull=True).order_by("-pk")[:200]
    return [(s.pk, s.title) for s in free]


def _step_forms(
    review: PracticeReview, data: Any = None, files: Any = None, bound: str = ""
) -> dict[str, forms.Form]:
    """Every step's form; the one named `bound` holds what was posted."""

    def pick(name: str) -> tuple[Any, Any]:
        return (data, files) if name == bound else (None, None)

    made: dict[str, forms.Form] = {
        "rapid_review": RapidReviewForm(pick("rapid_review")[0], initial={"held_on": review.rapid_review_on}),
        "decision": DecisionForm(
            pick("decision")[0],
            initial={
                "decision": review.decision or None,
                "reasons": review.decision_reasons,
                "decided_on": review.decided_on,
            },
        ),
        "reviewers": ReviewersForm(
            pick("reviewers")[0],
            initial={
                "chair_name": review.chair_name,
                "chair_organisation": review.chair_organisation,
                "author_name": review.author_name,
                "author_organisation": review.author_organisation,
            },
        ),
        "panel": PanelForm(pick("panel")[0]),
        "imr": ImrForm(pick("imr")[0], initial={"requested_on": timezone.localdate()}),
        "imr_received": ImrReceivedForm(
            pick("imr_received")[0], initial={"received_on": timezone.localdate()}
        ),
        "document": DocumentForm(*pick("document")),
        "summary": SummaryForm(pick("summary")[0], initial={"text": review.executive_summary}),
        "approve": ApproveForm(pick("approve")[0]),
        "publish": PublishForm(pick("publish")[0]),
        "grade": GradeForm(
            pick("grade")[0],
            initial={
                "grade": review.grade or None,
                "comment": review.grade_comment,
                "graded_on": review.graded_on,
            },
        ),
        "recommendations": RecommendationSetForm(
            pick("recommendations")[0], sets=_recommendation_sets(review)
        ),
    }
    return made


def _render_detail(
    request: HttpRequest,
    review: PracticeReview,
    full: bool,
    step_forms: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    context: dict[str, Any] = {"review": review, "full": full, "today": today}
    if full:
        imrs = queries.imrs_of(review)
        manages = has_permission(request.user, Permission.MANAGE_PRACTICE_REVIEWS)
        context |= {
            "imrs": imrs,
            "late_imrs": {i.pk for i in imrs if i.received_on is None and i.due_on < today},
            "timeline": queries.timeline(review, imrs, today),
            "panel": queries.panel_of(review),
            "documents": queries.documents_of(review),
            "manages": manages,
            "forms": step_forms or _step_forms(review),
        }
        context["error_form"] = next((f for f in context["forms"].values() if f.is_bound and f.errors), None)
    return render(request, "quality/practice_reviews/detail.html", context, status=status)


@requires(Permission.VIEW_OVERSIGHT)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The review in full for its panel and the partnership; for everyone else, once it is
    published, its public part (the summary and the grade)."""
    review, full = queries.get_review_for(request.user, pk)
    subjects = [review.person] if full and review.person is not None else []
    record_access(
        user=request.user,
        action="view_practice_review" if full else "view_published_practice_review",
        record=review,
        subjects=subjects,
    )
    return _render_detail(request, review, full)


# Each step: the action it calls with the form's cleaned data, and what to say when done.
_Call = Callable[[HttpRequest, int, int, dict[str, Any]], object]
_STEPS: dict[str, tuple[_Call, str]] = {
    "rapid_review": (
        lambda r, pk, v, d: actions.record_rapid_review(
            actor=r.user, review_id=pk, expected_version=v, held_on=d["held_on"]
        ),
        "Rapid review recorded",
    ),
    "decision": (
        lambda r, pk, v, d: actions.decide(
            actor=r.user,
            review_id=pk,
            expected_version=v,
            decision=d["decision"],
            reasons=d["reasons"],
            decided_on=d["decided_on"],
        ),
        "Decision recorded",
    ),
    "reviewers": (
        lambda r, pk, v, d: actions.name_reviewers(actor=r.user, review_id=pk, expected_version=v, **d),
        "Independent chair and author saved",
    ),
    "panel": (
        lambda r, pk, v, d: actions.add_panel_member(
            actor=r.user, review_id=pk, expected_version=v, user_id=queries.find_user(d["member"])
        ),
        "Added to the panel",
    ),
    "imr": (
        lambda r, pk, v, d: actions.request_imr(
            actor=r.user,
            review_id=pk,
            expected_version=v,
            agency_id=int(d["agency"]),
            requested_on=d["requested_on"],
            due_on=d["due_on"],
        ),
        "Management review asked for",
    ),
    "imr_received": (
        lambda r, pk, v, d: actions.mark_imr_received(
            actor=r.user, imr_id=d["imr"], expected_version=v, received_on=d["received_on"]
        ),
        "Management review received",
    ),
    "summary": (
        lambda r, pk, v, d: actions.save_summary(
            actor=r.user, review_id=pk, expected_version=v, text=d["text"]
        ),
        "Executive summary saved",
    ),
    "approve": (
        lambda r, pk, v, d: actions.approve_summary(
            actor=r.user, review_id=pk, expected_version=v, approved_on=d["approved_on"]
        ),
        "Executive summary approved for publication",
    ),
    "publish": (
        lambda r, pk, v, d: actions.publish(
            actor=r.user, review_id=pk, expected_version=v, published_on=d["published_on"]
        ),
        "Review published",
    ),
    "grade": (
        lambda r, pk, v, d: actions.record_grade(
            actor=r.user,
            review_id=pk,
            expected_version=v,
            grade=d["grade"],
            comment=d["comment"],
            graded_on=d["graded_on"],
        ),
        "Inspectorate's grade recorded",
    ),
    "recommendations": (
        lambda r, pk, v, d: actions.attach_recommendations(
            actor=r.user, review_id=pk, expected_version=v, set_id=int(d["recommendation_set"])
        ),
        "Recommendations linked to the review",
    ),
}


@require_POST
def step(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """One step of the review, by those who manage reviews."""
    review, full = queries.get_review_for(request.user, pk)
    if not full:
        raise Http404("No such review")
    if name not in _STEPS and name != "panel_remove":
        raise Http404("No such step")
    if not has_permission(request.user, Permission.MANAGE_PRACTICE_REVIEWS):
        raise PermissionDenied
    if name == "panel_remove":
        raw = str(request.POST.get("member", ""))
        try:
            actions.remove_panel_member(
                actor=request.user,
                review_id=pk,
                expected_version=_version(request),
                user_id=int(raw) if _NUMBER.fullmatch(raw) else 0,
            )
        except EditConflict as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Taken off the panel")
        return redirect("quality:practice_review", pk=pk)
    call, done = _STEPS[name]
    step_forms = _step_forms(review, request.POST, request.FILES, bound=name)
    form = step_forms[name]
    if form.is_valid():
        try:
            call(request, pk, _version(request), form.cleaned_data)
        except EditConflict as error:
            messages.error(request, str(error))
            return redirect("quality:practice_review", pk=pk)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, done)
            return redirect("quality:practice_review", pk=pk)
    return _render_detail(request, review, full, step_forms)


@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    """A document or draft, by the panel or the partnership."""
    review, full = queries.get_review_for(request.user, pk)
    if not full:
        raise Http404("No such review")
    step_forms = _step_forms(review, request.POST, request.FILES, bound="document")
    form = step_forms["document"]
    if form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            if uploaded.size > MAX_DOCUMENT_BYTES:
                raise ValidationError(
                    {"file": f"The file must be smaller than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB"}
                )
            document = actions.upload_document(
                actor=request.user,
                review_id=pk,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                filename=uploaded.name or "",
                content_type=uploaded.content_type or "",
                content=uploaded.read(),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            label = f"Draft {document.draft_number}" if document.draft_number else "Document"
            messages.success(request, f"{label} uploaded")
            return redirect("quality:practice_review", pk=pk)
    return _render_detail(request, review, full, step_forms)


@requires(Permission.VIEW_OVERSIGHT)
def document(request: HttpRequest, pk: int) -> HttpResponse:
    """Download a document: the panel and the partnership only, each download logged."""
    found = queries.get_document_for(request.user, pk)
    record_access(
        user=request.user,
        action="download_practice_review_document",
        record=found,
        detail={"review": found.review_id, "filename": found.filename},
    )
    response = HttpResponse(bytes(found.content), content_type=found.content_type)
    safe_name = re.sub(r"[^A-Za-z0-9._ -]", "_", found.filename) or "document"
    response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("practice-reviews/", landing, name="practice_reviews"),
    path("practice-reviews/new", new, name="practice_review_new"),
    path("practice-reviews/<int:pk>", detail, name="practice_review"),
    path("practice-reviews/<int:pk>/documents", upload, name="practice_review_upload"),
    path("practice-reviews/<int:pk>/<slug:name>", step, name="practice_review_step"),
    path("practice-reviews/documents/<int:pk>", document, name="practice_review_document"),
]
