"""The demo's practice reviews, written through the real actions on the demo's agencies and
staff: one published and graded, one under way with a late IMR; removed by the demo reset."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
import time_machine

from jigsaw.core.demo import DemoGenerator, create_agencies_and_staff
from jigsaw.core.demo_quality_practice_reviews import delete_practice_reviews, write_practice_reviews
from jigsaw.quality.models.practice_reviews import ManagementReviewRequest, PracticeReview
from jigsaw.quality.queries import practice_reviews as review_queries

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 7)


@pytest.fixture
def staff() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 12, 7, 12, 0, tzinfo=datetime.UTC), tick=False):
        create_agencies_and_staff(DemoGenerator(2009, today=TODAY))
        yield


def test_one_review_published_and_one_under_way(staff: None) -> None:
    activity = write_practice_reviews(seed=2009, today=TODAY)

    assert (activity.reviews, activity.published) == (2, 1)
    published = PracticeReview.objects.get(title="Child R")
    assert published.published_on is not None and published.grade == "good"
    current = PracticeReview.objects.get(title="Child K")
    imrs = review_queries.imrs_of(current)
    assert sum(1 for i in imrs if i.received_on) == 2
    steps = {s.name: s for s in review_queries.timeline(current, imrs, TODAY)}
    assert steps["Individual management reviews"].state == "overdue"
    assert current.panel.filter(username="conference_chair").exists()

    delete_practice_reviews()
    assert not ManagementReviewRequest.objects.exists()


def test_child_rs_review_is_linked_to_its_recommendations(staff: None) -> None:
    from django.utils import timezone

    from jigsaw.core.demo_quality_practice_reviews import link_demo_recommendations
    from jigsaw.quality.models.recommendations import RecommendationSet

    write_practice_reviews(seed=2009, today=TODAY)
    assert not link_demo_recommendations()  # no set yet
    chosen = RecommendationSet.objects.create(
        title="Child safeguarding practice review: Child R",
        source="practice_review",
        reports_to="Riverford Safeguarding Children Partnership board",
        created_by=PracticeReview.objects.get(title="Child R").created_by,
        created_at=timezone.now(),
    )

    assert link_demo_recommendations()
    assert PracticeReview.objects.get(title="Child R").recommendation_set == chosen
