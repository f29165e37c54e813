"""The only code that changes a child safeguarding practice review.

Working Together to Safeguard Children (2023), chapter 5: the local authority notifies the
national Child Safeguarding Practice Review Panel of a serious incident; the partnership
completes a rapid review within 15 working days of the notification and decides whether
to hold a local child safeguarding practice review; a local review has an independent
reviewer; agencies contribute what they know (here, individual management reviews); and
the final report is published unless there is a good reason not to. Here:

- the partnership records the incident (the rapid review's due date follows, in working
  days with England's bank holidays), the rapid review, and the decision with reasons;
- it names the independent chair and author (who may not use Jigsaw), and the panel
  (Jigsaw users: only they and the partnership see the review's confidential parts);
- it asks agencies for IMRs with due dates and records their receipt;
- the panel uploads the documents the chair may see and numbered drafts;
- the executive summary stays confidential until approved, then is published;
- the inspectorate's grade is recorded.

Each action checks permission, validates in the user's words, writes in one transaction
with its access-log row, and refuses a stale form (the version column).
"""

from __future__ import annotations

import dataclasses
import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import AnyUser, Permission, practice_reviews_visible_to, role_of
from jigsaw.casework.actions.common import EditConflict, acting_user, check_version
from jigsaw.casework.timescales import add_working_days
from jigsaw.partners.models import Agency
from jigsaw.people.models import Person
from jigsaw.quality.models.practice_reviews import (
    MAX_DOCUMENT_BYTES,
    DocumentKind,
    InspectorateGrade,
    ManagementReviewRequest,
    PracticeReview,
    ReviewDecision,
    ReviewDocument,
)

__all__ = [
    "RAPID_REVIEW_WORKING_DAYS",
    "EditConflict",
    "IncidentDetails",
    "add_panel_member",
    "approve_summary",
    "attach_recommendations",
    "decide",
    "mark_imr_received",
    "name_reviewers",
    "publish",
    "record_grade",
    "record_incident",
    "record_rapid_review",
    "remove_panel_member",
    "request_imr",
    "save_summary",
    "upload_document",
]

RAPID_REVIEW_WORKING_DAYS = 15


@dataclasses.dataclass(frozen=True)
class IncidentDetails:
    title: str
    what_happened: str
    incident_on: datetime.date | None
    notified_panel_on: datetime.date | None
    person_id: int | None = None


def _incident_errors(details: IncidentDetails, today: datetime.date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not details.title.strip():
        errors["title"] = "Enter how the review is known, for example: Child R"
    if not details.what_happened.strip():
        errors["what_happened"] = "Say what happened"
    if details.incident_on is None:
        errors["incident_on"] = "Enter the date of the incident"
    elif details.incident_on > today:
        errors["incident_on"] = "The date of the incident must be today or in the past"
    if details.notified_panel_on is None:
        errors["notified_panel_on"] = "Enter the date the national panel was notified"
    elif details.incident_on is not None and details.notified_panel_on < details.incident_on:
        errors["notified_panel_on"] = "The panel cannot have been notified before the incident"
    elif details.notified_panel_on > today:
        errors["notified_panel_on"] = "The date the panel was notified must be today or in the past"
    if details.person_id is not None and not Person.objects.filter(pk=details.person_id).exists():
        errors["person_id"] = "There is no person with that number in the index: check it, or leave it empty"
    return errors


@transaction.atomic
def record_incident(*, actor: AnyUser, details: IncidentDetails) -> PracticeReview:
    """Record a serious incident notified to the national panel. The rapid review is due
    15 working days after the notification."""
    user = acting_user(actor, Permission.MANAGE_PRACTICE_REVIEWS)
    errors = _incident_errors(details, timezone.localdate())
    if errors:
        raise ValidationError(errors)
    assert details.incident_on is not None and details.notified_panel_on is not None
    review = PracticeReview.objects.create(
        title=details.title.strip(),
        what_happened=details.what_happened.strip(),
        incident_on=details.incident_on,
        person_id=details.person_id,
        notified_panel_on=details.notified_panel_on,
        rapid_review_due_on=add_working_days(details.notified_panel_on, RAPID_REVIEW_WORKING_DAYS),
        created_by=user,
        created_at=timezone.now(),
    )
    review.panel.add(user)
    subjects = [review.person] if review.person is not None else []
    record_access(user=user, action="record_serious_incident", record=review, subjects=subjects)
    return review


def _review_to_manage(actor: AnyUser, review_id: int, expected_version: int) -> tuple[User, PracticeReview]:
    user = acting_user(actor, Permission.MANAGE_PRACTICE_REVIEWS)
    review = PracticeReview.objects.select_for_update().filter(pk=review_id).first()
    if review is None:
        raise Http404("No such review")
    check_version(review, expected_version, "review")
    return user, review


def _log(user: User, action: str, review: PracticeReview, **detail: object) -> None:
    record_access(user=user, action=action, record=review, detail=dict(detail) if detail else None)


@transaction.atomic
def record_rapid_review(
    *, actor: AnyUser, review_id: int, expected_version: int, held_on: datetime.date | None
) -> PracticeReview:
    """The date the rapid review was held (due 15 working days after notification)."""
    user, review = _review_to_manage(actor, review_id, expected_version)
    if held_on is None:
        raise ValidationError({"held_on": "Enter the date of the rapid review"})
    if held_on < review.notified_panel_on:
        raise ValidationError({"held_on": "The rapid review cannot be before the panel was notified"})
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "The date of the rapid review must be today or in the past"})
    review.rapid_review_on = held_on
    review.save()
    _log(user, "record_rapid_review", review, held_on=held_on.isoformat())
    return review


@transaction.atomic
def decide(
    *,
    actor: AnyUser,
    review_id: int,
    expected_version: int,
    decision: str,
    reasons: str,
    decided_on: datetime.date | None,
) -> PracticeReview:
    """Whether to hold a local review, why, and when it was decided (after the rapid review)."""
    user, review = _review_to_manage(actor, review_id, expected_version)
    errors: dict[str, str] = {}
    if decision not in ReviewDecision.values:
        errors["decision"] = "Choose whether to hold a local review"
    if not reasons.strip():
        errors["reasons"] = "Give the reasons for the decision"
    if decided_on is None:
        errors["decided_on"] = "Enter the date of the decision"
    elif decided_on < review.notified_panel_on:
        errors["decided_on"] = "The decision cannot be before the panel was notified"
    elif decided_on > timezone.localdate():
        errors["decided_on"] = "The date of the decision must be today or in the past"
    if review.rapid_review_on is None:
        errors["decision"] = "Record the rapid review first: the decision follows it"
    if errors:
        raise ValidationError(errors)
    review.decision, review.decision_reasons, review.decided_on = decision, reasons.strip(), decided_on
    review.save()
    _log(user, "decide_practice_review", review, decision=decision)
    return review


@transaction.atomic
def name_reviewers(
    *,
    actor: AnyUser,
    review_id: int,
    expected_version: int,
    chair_name: str,
    chair_organisation: str,
    author_name: str,
    author_organisation: str,
) -> PracticeReview:
    """The independent chair and author of a local review (they need not use Jigsaw)."""
    user, review = _review_to_manage(actor, review_id, expected_version)
    errors: dict[str, str] = {}
    if review.decision != ReviewDecision.LOCAL_REVIEW:
        errors["chair_name"] = "Record the decision to hold a local review before naming its chair"
    if not chair_name.strip():
        errors["chair_name"] = errors.get("chair_name", "Enter the name of the independent chair")
    if not author_name.strip():
        errors["author_name"] = "Enter the name of the independent author"
    if errors:
        raise ValidationError(errors)
    review.chair_name, review.chair_organisation = chair_name.strip(), chair_organisation.strip()
    review.author_name, review.author_organisation = author_name.strip(), author_organisation.strip()
    review.save()
    _log(user, "name_practice_reviewers", review)
    return review


@transaction.atomic
def add_panel_member(
    *, actor: AnyUser, review_id: int, expected_version: int, user_id: int | None
) -> PracticeReview:
    """Add a Jigsaw user to the review's panel: they see its confidential parts from now on."""
    user, review = _review_to_manage(actor, review_id, expected_version)
    member = User.objects.filter(pk=user_id or 0, is_active=True, practitioner__isnull=False).first()
    if member is None or role_of(member) is None:
        raise ValidationError({"member": "Nobody signs in to Jigsaw with that username or e-mail address"})
    if review.panel.filter(pk=member.pk).exists():
        raise ValidationError({"member": f"{member.get_full_name()} is already on the panel"})
    review.panel.add(member)
    review.save()
    _log(user, "add_practice_review_panel_member", review, member=member.pk)
    return review


@transaction.atomic
def remove_panel_member(
    *, actor: AnyUser, review_id: int, expected_version: int, user_id: int
) -> PracticeReview:
    """Take someone off the panel: they no longer see the review's confidential parts."""
    user, review = _review_to_manage(actor, review_id, expected_version)
    if not review.panel.filter(pk=user_id).exists():
        raise Http404("Not on the panel")
    review.panel.remove(user_id)
    review.save()
    _log(user, "remove_practice_review_panel_member", review, member=user_id)
    return review


@transaction.atomic
def request_imr(
    *,
    actor: AnyUser,
    review_id: int,
    expected_version: int,
    agency_id: int | None,
    requested_on: datetime.date | None,
    due_on: datetime.date | None,
) -> ManagementReviewRequest:
    """Ask an agency for an individual management review, due by a date."""
    user, review = _review_to_manage(actor, review_id, expected_version)
    errors: dict[str, str] = {}
    agency = Agency.objects.filter(pk=agency_id).first() if agency_id else None
    if agency is None:
        errors["agency"] = "Choose the agency from the list"
    elif review.imrs.filter(agency=agency).exists():
        errors["agency"] = f"{agency.name} has already been asked for a management review"
    if requested_on is None:
        errors["requested_on"] = "Enter the date the review was asked for"
    if due_on is None:
        errors["due_on"] = "Enter the date the management review is due"
    elif requested_on is not None and due_on < requested_on:
        errors["due_on"] = "The due date must be on or after the date it was asked for"
    if errors:
        raise ValidationError(errors)
    assert agency is not None and requested_on is not None and due_on is not None
    imr = ManagementReviewRequest.objects.create(
        review=review, agency=agency, requested_on=requested_on, due_on=due_on
    )
    review.save()
    _log(user, "request_imr", review, agency=agency.pk, due_on=due_on.isoformat())
    return imr


@transaction.atomic
def mark_imr_received(
    *, actor: AnyUser, imr_id: int, expected_version: int, received_on: datetime.date | None
) -> ManagementReviewRequest:
    """Record that an agency's management review has arrived."""
    imr = ManagementReviewRequest.objects.filter(pk=imr_id).select_related("agency").first()
    if imr is None:
        raise Http404("No such management review")
    user, review = _review_to_manage(actor, imr.review_id, expected_version)
    if received_on is None:
        raise ValidationError({"received_on": "Enter the date the management review arrived"})
    if received_on < imr.requested_on or received_on > timezone.localdate():
        raise ValidationError(
            {"received_on": "The date it arrived must be between the date it was asked for and today"}
        )
    imr.received_on = received_on
    imr.save(update_fields=["received_on"])
    review.save()
    _log(user, "receive_imr", review, agency=imr.agency_id, received_on=received_on.isoformat())
    return imr


@transaction.atomic
def upload_document(
    *,
    actor: AnyUser,
    review_id: int,
    kind: str,
    title: str,
    filename: str,
    content_type: str,
    content: bytes,
) -> ReviewDocument:
    """Keep a document the chair may see, or the next numbered draft of the report. Only the
    panel and the partnership may upload, as only they may read."""
    user = acting_user(actor, Permission.VIEW_OVERSIGHT)
    review = practice_reviews_visible_to(user).select_for_update().filter(pk=review_id).first()
    if review is None:
        raise Http404("No such review")
    errors: dict[str, str] = {}
    if kind not in DocumentKind.values:
        errors["kind"] = "Choose whether this is a document for the chair or a draft of the report"
    if not title.strip():
        errors["title"] = "Enter a title for the document"
    if not content:
        errors["file"] = "Choose a file: the one chosen is empty"
    elif len(content) > MAX_DOCUMENT_BYTES:
        errors["file"] = f"The file must be smaller than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB"
    if errors:
        raise ValidationError(errors)
    number = None
    if kind == DocumentKind.DRAFT:
        number = (review.documents.aggregate(n=Max("draft_number"))["n"] or 0) + 1
    document = ReviewDocument.objects.create(
        review=review,
        kind=kind,
        draft_number=number,
        title=title.strip(),
        filename=(filename or "document").rsplit("/", 1)[-1][:200],
        content_type=(content_type or "application/octet-stream")[:100],
        size=len(content),
        content=content,
        uploaded_by=user,
        uploaded_at=timezone.now(),
    )
    record_access(
        user=user,
        action="upload_practice_review_document",
        record=document,
        detail={"review": review.pk, "kind": kind, "draft": number, "bytes": len(content)},
    )
    return document


@transaction.atomic
def save_summary(*, actor: AnyUser, review_id: int, expected_version: int, text: str) -> PracticeReview:
    """The executive summary, confidential until approved; it cannot change once approved."""
    user, review = _review_to_manage(actor, review_id, expected_version)
    if review.summary_approved_on is not None:
        raise ValidationError(
            {"text": "The summary has been approved for publication and can no longer change"}
        )
    if not text.strip():
        raise ValidationError({"text": "Enter the executive summary"})
    review.executive_summary = text.strip()
    review.save()
    _log(user, "save_practice_review_summary", review)
    return review


@transaction.atomic
def approve_summary(
    *, actor: AnyUser, review_id: int, expected_version: int, approved_on: datetime.date | None
) -> PracticeReview:
    """Approve the executive summary for publication (it is still confidential until published)."""
    user, review = _review_to_manage(actor, review_id, expected_version)
    if not review.executive_summary:
        raise ValidationError({"approved_on": "Write the executive summary before approving it"})
    if review.decision != ReviewDecision.LOCAL_REVIEW:
        raise ValidationError({"approved_on": "Only a local review has a summary to approve"})
    if approved_on is None:
        raise ValidationError({"approved_on": "Enter the date the summary was approved"})
    if approved_on > timezone.localdate() or (review.decided_on and approved_on < review.decided_on):
        raise ValidationError(
            {"approved_on": "The approval date must be after the decision and not in the future"}
        )
    review.summary_approved_on = approved_on
    review.save()
    _log(user, "approve_practice_review_summary", review)
    return review


@transaction.atomic
def publish(
    *, actor: AnyUser, review_id: int, expected_version: int, published_on: datetime.date | None
) -> PracticeReview:
    """Publish the approved summary: from then on everyone who sees Oversight may read it."""
    user, review = _review_to_manage(actor, review_id, expected_version)
    if review.summary_approved_on is None:
        raise ValidationError({"published_on": "Approve the executive summary before publishing it"})
    if published_on is None:
        raise ValidationError({"published_on": "Enter the date of publication"})
    if published_on < review.summary_approved_on:
        raise ValidationError({"published_on": "Publication cannot be before the summary was approved"})
    review.published_on = published_on
    review.save()
    _log(user, "publish_practice_review", review, published_on=published_on.isoformat())
    return review


@transaction.atomic
def record_grade(
    *,
    actor: AnyUser,
    review_id: int,
    expected_version: int,
    grade: str,
    comment: str,
    graded_on: datetime.date | None,
) -> PracticeReview:
    """The inspectorate's grade of the review, once its report is finished."""
    user, review = _review_to_manage(actor, review_id, expected_version)
    errors: dict[str, str] = {}
    if grade not in InspectorateGrade.values:
        errors["grade"] = "Choose the grade the inspectorate gave"
    if graded_on is None:
        errors["graded_on"] = "Enter the date of the grade"
    if review.summary_approved_on is None:
        errors["grade"] = "The review is graded once its report is approved: approve the summary first"
    if errors:
        raise ValidationError(errors)
    review.grade, review.grade_comment, review.graded_on = grade, comment.strip(), graded_on
    review.save()
    _log(user, "grade_practice_review", review, grade=grade)
    return review


@transaction.atomic
def attach_recommendations(
    *, actor: AnyUser, review_id: int, expected_version: int, set_id: int | None
) -> PracticeReview:
    """Link the review to the recommendation set that tracks its recommendations."""
    from jigsaw.quality.models.recommendations import RecommendationSet

    user, review = _review_to_manage(actor, review_id, expected_version)
    chosen = RecommendationSet.objects.filter(pk=set_id).first() if set_id else None
    if chosen is None:
        raise ValidationError({"recommendation_set": "Choose the set of recommendations from the list"})
    if PracticeReview.objects.filter(recommendation_set=chosen).exclude(pk=review.pk).exists():
        raise ValidationError({"recommendation_set": "That set belongs to another review: choose another"})
    review.recommendation_set = chosen
    review.save()
    _log(user, "attach_practice_review_recommendations", review, recommendation_set=chosen.pk)
    return review
