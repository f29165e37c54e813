"""The review queue: possible matches a person decides (issue 4, item 4).

`resolve` is what every path that brings a record to the index calls (person creation,
contacts, partner feeds, flag checks): it matches the record, applies the policy and, when
the policy says a person must decide, queues a review. The front door (and team managers)
decide reviews with `decide_review`; a "same person" decision between two people in the
index merges them (`merge.merge_people`), one about an incoming record is recorded for the
caller to link. Decided reviews are kept, unchanged, as labels for re-estimating the model
(`estimation.reviewer_labels`).
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import AnyUser, Permission, has_permission, people_visible_to
from jigsaw.matching.features import features
from jigsaw.matching.matcher import Candidate, active_scorer, match
from jigsaw.matching.merge import merge_people
from jigsaw.matching.models import (
    MatchModelVersion,
    MatchReview,
    MatchSource,
    PersonMerge,
    ReviewReason,
    ReviewStatus,
)
from jigsaw.matching.policy import Decision, Outcome, decide
from jigsaw.matching.records import MatchRecord
from jigsaw.matching.scorer import Part
from jigsaw.people.actions import EditConflict
from jigsaw.people.models import Person

NOTE_MAX_LENGTH = 2000


class ReviewConflict(EditConflict):
    """The review was decided, or changed, after the reviewer opened it."""


# --- Incoming records, kept on the review ------------------------------------------------


def incoming_as_json(record: MatchRecord) -> dict[str, Any]:
    """The incoming record as the review keeps it: the record itself, not its features,
    so that the reviewer sees what the agency wrote (features are derived from it)."""
    data = dataclasses.asdict(record)
    data["dob"] = record.dob.isoformat() if record.dob else None
    for name in ("other_names", "previous_postcodes", "previous_addresses"):
        data[name] = list(data[name])
    return data


def incoming_record(review: MatchReview) -> MatchRecord | None:
    """The incoming record of a review, or None for a review between two people."""
    if review.incoming is None:
        return None
    data = dict(review.incoming)
    dob = data.get("dob")
    data["dob"] = datetime.date.fromisoformat(dob) if dob else None
    for name in ("other_names", "previous_postcodes", "previous_addresses"):
        data[name] = tuple(data.get(name) or ())
    known = {f.name for f in dataclasses.fields(MatchRecord)}
    return MatchRecord(**{k: v for k, v in data.items() if k in known})


def explanation_parts(review: MatchReview) -> list[Part]:
    return [Part(**part) for part in review.explanation]


# --- Queueing ----------------------------------------------------------------------------


def _pair_reviews(a: int, b: int) -> QuerySet[MatchReview]:
    return MatchReview.objects.filter(Q(record_id=a, candidate_id=b) | Q(record_id=b, candidate_id=a))


@transaction.atomic
def queue_or_find(
    *,
    source: MatchSource,
    reason: ReviewReason,
    candidate: Person,
    probability: float,
    match_weight: float,
    explanation: list[dict[str, Any]],
    version: MatchModelVersion,
    record: Person | None = None,
    incoming: MatchRecord | None = None,
    incoming_reference: str = "",
    actor: AnyUser | None = None,
) -> tuple[MatchReview, bool]:
    """`queue_review`, also saying whether the review is new (the nightly check counts them)."""
    if (record is None) == (incoming is None):
        raise ValueError("a review is of a person in the index or of an incoming record, not both")
    if record is not None:
        if record.pk == candidate.pk:
            raise ValueError("a person is not a possible match of themselves")
        # Lock both people (in one order) so that two workers queueing A~B and B~A at
        # once see each other's review rather than both writing one.
        list(Person.objects.select_for_update().filter(pk__in=[record.pk, candidate.pk]).order_by("pk"))
        existing = _pair_reviews(record.pk, candidate.pk).order_by(
            # An open review first; else the latest decision.
            F("decided_at").desc(nulls_first=True)
        )
        found = existing.first()
        if found is not None:
            return found, False
    elif incoming_reference:
        found = MatchReview.objects.filter(
            incoming_reference=incoming_reference,
            candidate=candidate,
            record__isnull=True,
            status=ReviewStatus.OPEN,
        ).first()
        if found is not None:
            return found, False
    review = MatchReview.objects.create(
        source=source,
        reason=reason,
        record=record,
        incoming=incoming_as_json(incoming) if incoming is not None else None,
        incoming_reference=incoming_reference,
        candidate=candidate,
        probability=probability,
        match_weight=match_weight,
        explanation=explanation,
        model_version=version,
    )
    subjects: list[Person] = [p for p in (record, candidate) if p is not None]
    record_access(
        user=actor,
        action="queue_match_review",
        record=review,
        subjects=subjects,
        detail={"source": str(source), "reason": str(reason), "probability": round(probability, 6)}
        | ({"incoming": incoming_reference} if incoming_reference else {}),
    )
    return review, True


@transaction.atomic
def queue_review(
    *,
    source: MatchSource,
    reason: ReviewReason,
    candidate: Person,
    probability: float,
    match_weight: float,
    explanation: list[dict[str, Any]],
    version: MatchModelVersion,
    record: Person | None = None,
    incoming: MatchRecord | None = None,
    incoming_reference: str = "",
    actor: AnyUser | None = None,
) -> MatchReview:
    """Put a possible match in front of a person (Working Together: a wrong link puts one
    child's history on another's record, so the uncertain ones are decided by a person).

    Exactly one of `record` (a person in the index) and `incoming` (a record not in the
    index: a contact, a partner's feed row, a flag check) is given; `explanation` is the
    scorer's parts (`Part.as_dict()`), as the reviewer will read them.

    Idempotent. For two people in the index the pair is asked about once, in either order:
    if A~B is open, queueing A~B or B~A returns that review; if the pair has been decided
    (not the same person, or the same person and merged; an undone merge is a later
    decision that they are not), the decided review is returned and nothing is queued, so
    the nightly check does not ask again what a person has answered. For an incoming
    record, an open review with the same `incoming_reference` and candidate is returned.
    The queueing is logged (`actor` is who brought the record, None for the nightly batch).
    """
    review, _ = queue_or_find(
        source=source,
        reason=reason,
        candidate=candidate,
        probability=probability,
        match_weight=match_weight,
        explanation=explanation,
        version=version,
        record=record,
        incoming=incoming,
        incoming_reference=incoming_reference,
        actor=actor,
    )
    return review


@dataclasses.dataclass(frozen=True)
class IncomingReview:
    """One incoming record to put before the front door, as `queue_review` takes it."""

    reason: ReviewReason
    candidate: Person
    probability: float
    match_weight: float
    explanation: list[dict[str, Any]]
    incoming: MatchRecord
    incoming_reference: str


@transaction.atomic
def queue_incoming_reviews(
    *,
    source: MatchSource,
    version: MatchModelVersion,
    items: list[IncomingReview],
    actor: AnyUser | None = None,
) -> list[MatchReview]:
    """`queue_review` for many incoming records at once (a partner's delivery), with the
    same idempotency: an open review with the same reference and candidate is returned
    rather than queued again. The new reviews are written in one statement and logged in
    one access-log entry naming every review and person, as the delivery is one act."""
    if not items:
        return []
    wanted = {(item.incoming_reference, item.candidate.pk) for item in items}
    existing: dict[tuple[str, int], MatchReview] = {}
    references = sorted({reference for reference, _ in wanted})
    for start in range(0, len(references), 500):
        open_ones = MatchReview.objects.filter(
            incoming_reference__in=references[start : start + 500],
            record__isnull=True,
            status=ReviewStatus.OPEN,
        )
        for review in open_ones:
            key = (review.incoming_reference, review.candidate_id)
            if key in wanted:
                existing.setdefault(key, review)
    fresh: dict[tuple[str, int], MatchReview] = {}
    for item in items:
        key = (item.incoming_reference, item.candidate.pk)
        if key in existing or key in fresh:
            continue
        fresh[key] = MatchReview(
            source=source,
            reason=item.reason,
            incoming=incoming_as_json(item.incoming),
            incoming_reference=item.incoming_reference,
            candidate=item.candidate,
            probability=item.probability,
            match_weight=item.match_weight,
            explanation=item.explanation,
            model_version=version,
        )
    created = MatchReview.objects.bulk_create(list(fresh.values()), batch_size=500)
    if created:
        record_access(
            user=actor,
            action="queue_match_reviews",
            record_type=MatchReview._meta.label_lower,
            detail={"source": str(source), "reviews": len(created)},
            subjects=[*created, *{item.candidate.pk: item.candidate for item in items}.values()],
        )
    by_key = existing | {(r.incoming_reference, r.candidate_id): r for r in created}
    return [by_key[(item.incoming_reference, item.candidate.pk)] for item in items]


def _explanation(candidate: Candidate) -> list[dict[str, Any]]:
    return [part.as_dict() for part in candidate.parts]


@transaction.atomic
def resolve(
    *,
    source: MatchSource,
    record: MatchRecord,
    person: Person | None = None,
    reference: str = "",
    actor: AnyUser | None = None,
) -> Decision:
    """Match a record against the person index and decide: link, review or new.

    `person` is given when the record is of a person just added to the index (who is then
    not their own candidate); otherwise the record is incoming and `reference` names it
    where it came from ("contact:123"). A REVIEW decision queues a review (see
    `queue_review`); LINK gives the candidate to link to. For a person already in the
    index a LINK is two records of one person, which only a merge can join: it is queued
    as a possible duplicate for a person to merge, and the LINK decision is returned so
    that the caller can say who it probably is.
    """
    version, scorer = active_scorer()
    candidates = match(record, exclude=[person.pk] if person is not None else [], scorer=scorer)
    decision = decide(candidates, features(record), version)
    best = decision.candidate
    if best is None or decision.outcome == Outcome.NEW:
        return decision
    if decision.outcome == Outcome.LINK and person is None:
        return decision
    reason = decision.reason or ReviewReason.POSSIBLE_DUPLICATE
    candidate = Person.objects.filter(pk=best.person_id).first()
    if candidate is None:
        # The index is kept in step with the people tables in the same transaction, so
        # this is a person deleted since the match was read: nothing to review.
        return decision
    queue_review(
        source=source,
        reason=reason,
        candidate=candidate,
        probability=best.probability,
        match_weight=best.match_weight,
        explanation=_explanation(best),
        version=version,
        record=person,
        incoming=record if person is None else None,
        incoming_reference=reference if person is None else "",
        actor=actor,
    )
    return decision


# --- Reading the queue -------------------------------------------------------------------


def reviews_visible_to(user: AnyUser) -> QuerySet[MatchReview]:
    """The reviews this user may open: they review matches and may see everyone the review
    names (a review of a restricted record they cannot see does not exist for them)."""
    if not has_permission(user, Permission.REVIEW_MATCHES):
        return MatchReview.objects.none()
    visible = people_visible_to(user).values("pk")
    return MatchReview.objects.filter(candidate__in=visible).filter(
        Q(record__isnull=True) | Q(record__in=visible)
    )


def open_reviews(
    user: AnyUser, *, source: str = "", reason: str = "", newest_first: bool = False
) -> QuerySet[MatchReview]:
    """The open reviews this user may decide, most probable first (or newest first)."""
    reviews = reviews_visible_to(user).filter(status=ReviewStatus.OPEN)
    if source:
        reviews = reviews.filter(source=source)
    if reason:
        reviews = reviews.filter(reason=reason)
    order = ["-created_at", "-probability"] if newest_first else ["-probability", "-created_at"]
    return reviews.select_related("record", "candidate", "model_version").order_by(*order, "pk")


def get_review_for(user: AnyUser, pk: int) -> MatchReview:
    """Fetch and authorise in one step; missing and forbidden both raise Http404."""
    try:
        return reviews_visible_to(user).select_related("record", "candidate", "model_version").get(pk=pk)
    except MatchReview.DoesNotExist:
        raise Http404("No such review") from None


def people_of(review: MatchReview) -> list[Person]:
    return [p for p in (review.record, review.candidate) if p is not None]


def merge_of(review: MatchReview) -> PersonMerge | None:
    return PersonMerge.objects.filter(review=review).select_related("survivor", "merged").first()


# --- Deciding ----------------------------------------------------------------------------


def _decider(user_id: int | None) -> str:
    user = User.objects.filter(pk=user_id).first() if user_id is not None else None
    return (user.get_full_name() or user.get_username()) if user else "someone else"


def _joined(a: Person, b: Person) -> bool:
    """One of the two is already merged into the other (merged on the merge pages)."""
    return a.merged_into_id == b.pk or b.merged_into_id == a.pk


@transaction.atomic
def decide_review(
    *,
    actor: AnyUser,
    review: MatchReview,
    same_person: bool,
    note: str,
    expected_version: int,
    survivor: Person | None = None,
) -> MatchReview:
    """Record a reviewer's decision on a possible match.

    Only reviewers (Permission.REVIEW_MATCHES) who may see everyone the review names
    decide it; anyone else gets "not found". The reviewer decides the version they read
    (`expected_version`): a second reviewer gets ReviewConflict and nothing changes. A
    decided review is never changed again: it is the evidence for the link or merge and a
    label for re-estimating the model.

    "Not the same person" needs a note saying why. "The same person" for two people in
    the index merges them (`merge_people`, which needs Permission.MERGE_PEOPLE too): the
    survivor is the reviewer's choice, by default the older record (the lower Jigsaw ID).
    For an incoming record the decision is recorded and the caller links the record.
    """
    if not has_permission(actor, Permission.REVIEW_MATCHES):
        raise PermissionDenied
    assert isinstance(actor, User)
    locked = MatchReview.objects.select_for_update().filter(pk=review.pk).first()
    if locked is None:
        raise Http404("No such review")
    review = get_review_for(actor, review.pk)
    if review.status != ReviewStatus.OPEN:
        raise ReviewConflict(
            f"{_decider(review.decided_by_id)} has already decided this review: "
            f"{review.get_status_display().lower()}. Nothing has been changed."
        )
    if review.version != expected_version:
        raise ReviewConflict(
            "This review was changed after you opened it. Nothing has been changed: look again."
        )
    cleaned_note = " ".join(note.split())
    if len(cleaned_note) > NOTE_MAX_LENGTH:
        raise ValidationError({"note": f"The note must be {NOTE_MAX_LENGTH} characters or fewer"})
    if not same_person and not cleaned_note:
        raise ValidationError({"note": "Say why these are not the same person"})
    merge: PersonMerge | None = None
    if same_person and review.record is not None:
        merge = _merge(actor, review, survivor, cleaned_note)
    elif survivor is not None:
        raise ValidationError({"survivor": "Only two records in the index have a record to keep"})
    now = timezone.now()
    review.status = ReviewStatus.SAME_PERSON if same_person else ReviewStatus.NOT_SAME
    review.decided_by = actor
    review.decided_at = now
    review.decision_note = cleaned_note
    review.version = review.version + 1
    review.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "version"])
    detail: dict[str, Any] = {"decision": review.status}
    if merge is not None:
        detail["merge"] = merge.pk
    if review.incoming_reference:
        detail["incoming"] = review.incoming_reference
    record_access(
        user=actor,
        action="decide_match_review",
        record=review,
        subjects=people_of(review),
        reason=cleaned_note,
        detail=detail,
    )
    return review


def _merge(actor: User, review: MatchReview, survivor: Person | None, note: str) -> PersonMerge | None:
    record, candidate = review.record, review.candidate
    assert record is not None
    if not has_permission(actor, Permission.MERGE_PEOPLE):
        raise ValidationError(
            {
                NON_FIELD_ERRORS: "Deciding that these are the same person merges the two records, and your "
                "role may not merge records. Ask a front door officer or a team manager to decide it."
            }
        )
    if survivor is None:
        survivor = min((record, candidate), key=lambda p: p.pk)
    if survivor.pk not in (record.pk, candidate.pk):
        raise ValidationError({"survivor": "Choose one of the two records to keep"})
    survivor = record if survivor.pk == record.pk else candidate
    merged = candidate if survivor.pk == record.pk else record
    if _joined(survivor, merged):
        return None
    reason = note or f"Decided the same person on match review {review.pk}"
    return merge_people(actor=actor, survivor=survivor, merged=merged, reason=reason, review=review)
