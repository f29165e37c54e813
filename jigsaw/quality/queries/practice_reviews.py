"""Reading practice reviews: the reviews a user may see in full, the published ones everyone
may read, one review with where it has got to and what is overdue, and its documents."""

from __future__ import annotations

import dataclasses
import datetime

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from jigsaw.access.policy import AnyUser, practice_reviews_visible_to
from jigsaw.partners.models import Practitioner
from jigsaw.quality.models.practice_reviews import (
    ManagementReviewRequest,
    PracticeReview,
    ReviewDecision,
    ReviewDocument,
)

REVIEWS_PER_PAGE = 25


def _with_imr_counts(reviews: QuerySet[PracticeReview], today: datetime.date) -> QuerySet[PracticeReview]:
    return reviews.annotate(
        imr_count=Count("imrs"),
        imrs_received=Count("imrs", filter=Q(imrs__received_on__isnull=False)),
        imrs_late=Count("imrs", filter=Q(imrs__received_on__isnull=True, imrs__due_on__lt=today)),
    )


def reviews_for(user: AnyUser, today: datetime.date) -> QuerySet[PracticeReview]:
    """The reviews this user may see in full (the partnership's, or the panels they sit on),
    newest notification first, with their management reviews counted."""
    return _with_imr_counts(practice_reviews_visible_to(user), today).order_by("-notified_panel_on", "-pk")


def published_reviews() -> QuerySet[PracticeReview]:
    """Published reviews: their summary and grade are open to everyone who sees Oversight."""
    return PracticeReview.objects.filter(published_on__isnull=False).order_by("-published_on", "-pk")[:100]


def may_see_in_full(user: AnyUser, review_id: int) -> bool:
    return practice_reviews_visible_to(user).filter(pk=review_id).exists()


def get_review_for(user: AnyUser, pk: int) -> tuple[PracticeReview, bool]:
    """The review and whether the user may see its confidential parts. Someone off the panel
    sees a published review's public part; an unpublished one is "not found" to them."""
    review = PracticeReview.objects.select_related("person", "created_by").filter(pk=pk).first()
    if review is None:
        raise Http404("No such review")
    if may_see_in_full(user, pk):
        return review, True
    if review.published_on is not None:
        return review, False
    raise Http404("No such review")


def get_document_for(user: AnyUser, pk: int) -> ReviewDocument:
    """A document, only for the review's panel and the partnership; anyone else gets 404."""
    document = (
        ReviewDocument.objects.filter(pk=pk, review__in=practice_reviews_visible_to(user).values("pk"))
        .select_related("review")
        .first()
    )
    if document is None:
        raise Http404("No such document")
    return document


def documents_of(review: PracticeReview) -> list[ReviewDocument]:
    """The review's documents and drafts, without their content (read on download only)."""
    return list(
        review.documents.defer("content").select_related("uploaded_by").order_by("kind", "draft_number", "pk")
    )


def imrs_of(review: PracticeReview) -> list[ManagementReviewRequest]:
    return list(review.imrs.select_related("agency").order_by("due_on", "agency__name"))


def panel_of(review: PracticeReview) -> list[Practitioner]:
    return list(
        Practitioner.objects.filter(user__practice_review_panels=review)
        .select_related("agency", "user")
        .order_by("full_name")
    )


def find_user(text: str) -> int | None:
    """The user who signs in with this username or e-mail address (a practitioner's), if one."""
    text = text.strip()
    if not text:
        return None
    found = (
        Practitioner.objects.filter(user__is_active=True)
        .filter(Q(user__username__iexact=text) | Q(user__email__iexact=text) | Q(secure_email__iexact=text))
        .values_list("user_id", flat=True)
        .first()
    )
    return int(found) if found is not None else None


@dataclasses.dataclass(frozen=True)
class Step:
    name: str
    state: str  # "done", "overdue", "due", "waiting" or "not_needed"
    detail: str


def _d(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def timeline(review: PracticeReview, imrs: list[ManagementReviewRequest], today: datetime.date) -> list[Step]:
    """Where the review has got to, step by step, and what is overdue."""
    steps = [Step("Serious incident notified to the national panel", "done", _d(review.notified_panel_on))]
    if review.rapid_review_on is not None:
        late = review.rapid_review_on > review.rapid_review_due_on
        steps.append(
            Step(
                "Rapid review",
                "done",
                f"Held {_d(review.rapid_review_on)}"
                + (f", after it was due on {_d(review.rapid_review_due_on)}" if late else ""),
            )
        )
    else:
        state = "overdue" if today > review.rapid_review_due_on else "due"
        steps.append(
            Step("Rapid review", state, f"Due by {_d(review.rapid_review_due_on)} (15 working days)")
        )
    if review.decided_on is not None:
        steps.append(Step("Decision", "done", f"{review.get_decision_display()}, {_d(review.decided_on)}"))
    else:
        steps.append(Step("Decision", "waiting", "Follows the rapid review"))
    if review.decision == ReviewDecision.NO_LOCAL_REVIEW:
        return steps
    if review.chair_name and review.author_name:
        steps.append(
            Step("Independent chair and author", "done", f"{review.chair_name}; {review.author_name}")
        )
    else:
        steps.append(Step("Independent chair and author", "waiting", "Not named yet"))
    if imrs:
        received = sum(1 for i in imrs if i.received_on)
        late_imrs = [i for i in imrs if i.received_on is None and i.due_on < today]
        if received == len(imrs):
            steps.append(Step("Individual management reviews", "done", f"All {received} received"))
        else:
            detail = f"{received} of {len(imrs)} received"
            if late_imrs:
                detail += "; late: " + ", ".join(f"{i.agency.name} (due {_d(i.due_on)})" for i in late_imrs)
            steps.append(Step("Individual management reviews", "overdue" if late_imrs else "due", detail))
    else:
        steps.append(Step("Individual management reviews", "waiting", "No agency asked yet"))
    if review.summary_approved_on is not None:
        steps.append(
            Step("Executive summary approved for publication", "done", _d(review.summary_approved_on))
        )
    else:
        steps.append(
            Step("Executive summary approved for publication", "waiting", "Confidential until approved")
        )
    if review.published_on is not None:
        steps.append(Step("Published", "done", _d(review.published_on)))
    else:
        steps.append(Step("Published", "waiting", "Not yet"))
    if review.graded_on is not None:
        steps.append(
            Step("Inspectorate's grade", "done", f"{review.get_grade_display()}, {_d(review.graded_on)}")
        )
    else:
        steps.append(Step("Inspectorate's grade", "waiting", "Not graded yet"))
    return steps


def stage_of(review: PracticeReview) -> str:
    """A few words for the review's stage, for lists."""
    if review.published_on:
        return "Published"
    if review.summary_approved_on:
        return "Approved for publication"
    if review.decision == ReviewDecision.NO_LOCAL_REVIEW:
        return "No local review"
    if review.decision == ReviewDecision.LOCAL_REVIEW:
        return "Local review under way"
    if review.rapid_review_on:
        return "Awaiting the decision"
    return "Rapid review"
