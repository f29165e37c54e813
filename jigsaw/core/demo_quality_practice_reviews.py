"""Practice reviews in the demo, written through the same actions as real use.

With it the demo shows, on the day `make demo` runs:

- "Child R": a local review of an incident fourteen months ago, with its rapid review,
  decision, independent chair and author, four management reviews all received, a
  chronology and two drafts, an executive summary approved and published, the
  inspectorate's grade, and (`link_demo_recommendations`, once the recommendations are
  written) the review's set of recommendations;
- "Child K": an incident four months ago, rapid review held, a local review under way
  with the management reviews partly in (the school's is late) and one draft; the conference
  chair sits on its panel, so the demo shows a panel member's view.

Everything is synthetic and written for Riverford (no text from any real review); the
same demo on the same day gives the same reviews.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.contrib.auth.models import User
from django.db import transaction

from jigsaw.casework.models import ChildProtectionPlan
from jigsaw.casework.timescales import add_working_days
from jigsaw.partners.models import Agency
from jigsaw.quality.actions import practice_reviews as actions
from jigsaw.quality.models.practice_reviews import (
    InspectorateGrade,
    PracticeReview,
    ReviewDecision,
    ReviewDocument,
)


@dataclasses.dataclass
class PracticeReviewActivity:
    reviews: int = 0
    published: int = 0
    imrs: int = 0
    documents: int = 0

    def summary(self) -> str:
        return (
            f"Practice reviews: {self.reviews} ({self.published} published), {self.imrs} management "
            f"reviews asked for, {self.documents} documents and drafts."
        )


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, practitioner__isnull=False).first()


def _agency(username: str) -> Agency | None:
    user = _user(username)
    return user.practitioner.agency if user is not None else None


def _fresh(review: PracticeReview) -> int:
    review.refresh_from_db()
    return review.version


def _review(
    member: User,
    *,
    title: str,
    what_happened: str,
    incident_on: datetime.date,
    person_id: int | None,
    reasons: str,
    chair: tuple[str, str],
    author: tuple[str, str],
) -> PracticeReview:
    notified = add_working_days(incident_on, 1)
    review = actions.record_incident(
        actor=member,
        details=actions.IncidentDetails(
            title=title,
            what_happened=what_happened,
            incident_on=incident_on,
            notified_panel_on=notified,
            person_id=person_id,
        ),
    )
    held = add_working_days(notified, 13)
    actions.record_rapid_review(
        actor=member, review_id=review.pk, expected_version=_fresh(review), held_on=held
    )
    actions.decide(
        actor=member,
        review_id=review.pk,
        expected_version=_fresh(review),
        decision=ReviewDecision.LOCAL_REVIEW,
        reasons=reasons,
        decided_on=add_working_days(held, 2),
    )
    actions.name_reviewers(
        actor=member,
        review_id=review.pk,
        expected_version=_fresh(review),
        chair_name=chair[0],
        chair_organisation=chair[1],
        author_name=author[0],
        author_organisation=author[1],
    )
    return review


def _imr(
    member: User,
    review: PracticeReview,
    agency: Agency,
    requested: datetime.date,
    weeks: int,
    received: datetime.date | None,
) -> None:
    imr = actions.request_imr(
        actor=member,
        review_id=review.pk,
        expected_version=_fresh(review),
        agency_id=agency.pk,
        requested_on=requested,
        due_on=requested + datetime.timedelta(weeks=weeks),
    )
    if received is not None:
        actions.mark_imr_received(
            actor=member, imr_id=imr.pk, expected_version=_fresh(review), received_on=received
        )


def _upload(user: User, review: PracticeReview, kind: str, title: str, text: str, on: datetime.date) -> None:
    document = actions.upload_document(
        actor=user,
        review_id=review.pk,
        kind=kind,
        title=title,
        filename=title.lower().replace(" ", "-").replace(":", "") + ".txt",
        content_type="text/plain",
        content=text.encode(),
    )
    # The action stamps the time it runs: date the demo's document back to when it came.
    at = datetime.datetime.combine(on, datetime.time(11), tzinfo=datetime.UTC)
    ReviewDocument.objects.filter(pk=document.pk).update(uploaded_at=at)


def write_practice_reviews(*, seed: int, today: datetime.date) -> PracticeReviewActivity:
    del seed  # the reviews are written, not drawn: the same on every seed
    activity = PracticeReviewActivity()
    member, chair = _user("partnership_member"), _user("conference_chair")
    agencies = {
        name: _agency(name)
        for name in (
            "team_manager",
            "police_officer",
            "ae_clinician",
            "health_visitor",
            "partner_practitioner",
        )
    }
    if member is None or chair is None or not all(agencies.values()):
        return activity
    csc, police, hospital, visiting, school = (agencies[n] for n in agencies)
    assert csc and police and hospital and visiting and school
    with transaction.atomic():
        # A published review.
        incident = today - datetime.timedelta(days=425)
        published = _review(
            member,
            title="Child R",
            what_happened=(
                "A baby of seven months was brought to the Riverford Royal Infirmary with a broken arm and "
                "older bruising. Two months earlier the front door had closed the health visitor's contact "
                "with no further action, and the police had been called to the home after a domestic "
                "abuse incident that the health visitor never heard about."
            ),
            incident_on=incident,
            person_id=None,
            reasons=(
                "Several agencies knew part of the picture and no single agency saw it whole; the partnership "
                "believes there is learning about sharing information after domestic abuse call-outs."
            ),
            chair=("Helen Marsh", "Marsh Safeguarding Reviews"),
            author=("David Oyelaran", "Independent social work consultant"),
        )
        requested = add_working_days(published.decided_on or incident, 3)
        for agency in (csc, police, hospital, visiting):
            _imr(member, published, agency, requested, 6, requested + datetime.timedelta(weeks=5))
            activity.imrs += 1
        _upload(
            member,
            published,
            "evidence",
            "Combined chronology",
            "A combined chronology of every agency's contact with the family.",
            requested + datetime.timedelta(weeks=6),
        )
        _upload(
            member,
            published,
            "draft",
            "Report: first draft",
            "First draft of the overview report for the panel.",
            requested + datetime.timedelta(weeks=10),
        )
        _upload(
            member,
            published,
            "draft",
            "Report: second draft",
            "Second draft, with the agencies' factual corrections.",
            requested + datetime.timedelta(weeks=17),
        )
        activity.documents += 3
        actions.save_summary(
            actor=member,
            review_id=published.pk,
            expected_version=_fresh(published),
            text=(
                "Child R was seven months old when they were injured at home. The health visitor, the police "
                "and the front door each knew part of what was happening, but the police call-out was not "
                "shared with the health visitor, and the front door closed her contact without a manager "
                "reading it or anyone seeing the baby.\n\n"
                "The review's recommendations: a manager reads every no further action decision about a baby "
                "under one; the police tell health visiting of every domestic abuse incident in a home with a "
                "baby within one working day; health visitors see every baby on a plan at least monthly; and "
                "the partnership briefs every frontline practitioner on what this review found."
            ),
        )
        approved = today - datetime.timedelta(days=255)
        actions.approve_summary(
            actor=member, review_id=published.pk, expected_version=_fresh(published), approved_on=approved
        )
        actions.publish(
            actor=member,
            review_id=published.pk,
            expected_version=_fresh(published),
            published_on=approved + datetime.timedelta(days=10),
        )
        actions.record_grade(
            actor=member,
            review_id=published.pk,
            expected_version=_fresh(published),
            grade=InspectorateGrade.GOOD,
            comment="Clear about what each agency knew and when; the recommendations are specific and measurable.",
            graded_on=approved + datetime.timedelta(days=60),
        )
        activity.reviews += 1
        activity.published += 1

        # A review under way: a child in the index, IMRs partly in, the school's late.
        plan = ChildProtectionPlan.objects.order_by("pk").values_list("person_id", flat=True).first()
        incident = today - datetime.timedelta(days=120)
        current = _review(
            member,
            title="Child K",
            what_happened=(
                "A nine-year-old on a child protection plan for neglect was found at home alone, unwell and "
                "without food, after missing eight days of school."
            ),
            incident_on=incident,
            person_id=plan,
            reasons=(
                "The child was on a plan when the incident happened; the review will look at how the core group "
                "acted on school absence and whether the plan was reviewed when things got worse."
            ),
            chair=("Priya Lindqvist", "Northern Reviews Partnership"),
            author=("Tom Achebe", "Independent reviewer"),
        )
        actions.add_panel_member(
            actor=member, review_id=current.pk, expected_version=_fresh(current), user_id=chair.pk
        )
        requested = add_working_days(current.decided_on or incident, 3)
        _imr(member, current, police, requested, 6, requested + datetime.timedelta(weeks=6))
        _imr(member, current, hospital, requested, 6, requested + datetime.timedelta(weeks=5))
        _imr(member, current, school, requested, 6, None)  # late
        _imr(member, current, csc, today - datetime.timedelta(days=7), 4, None)  # not due yet
        activity.imrs += 4
        _upload(
            member,
            current,
            "evidence",
            "School attendance record",
            "Attendance and the school's notes of its calls home.",
            requested + datetime.timedelta(weeks=1),
        )
        _upload(
            chair,
            current,
            "draft",
            "Terms of reference and first draft",
            "The terms of reference and a first outline.",
            today - datetime.timedelta(days=10),
        )
        activity.documents += 2
        activity.reviews += 1
    return activity


def delete_practice_reviews() -> None:
    """Before a demo reset: reviews protect the people and agencies they concern."""
    PracticeReview.objects.all().delete()


def link_demo_recommendations() -> bool:
    """Link Child R's review to its recommendation set, if the recommendations demo wrote one
    (it runs after this module's writer)."""
    from jigsaw.quality.models.recommendations import RecommendationSet

    member = _user("partnership_member")
    review = PracticeReview.objects.filter(title="Child R", recommendation_set__isnull=True).first()
    chosen = (
        RecommendationSet.objects.filter(
            source="practice_review", title__endswith="Child R", practice_review__isnull=True
        )
        .order_by("pk")
        .first()
    )
    if member is None or review is None or chosen is None:
        return False
    actions.attach_recommendations(
        actor=member, review_id=review.pk, expected_version=review.version, set_id=chosen.pk
    )
    return True
