"""The demo's recommendations, on the demo's agencies and staff: three sets, a spread of
statuses with some overdue, the partner sign-ins owning actions, and a clean delete."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.test import Client
from django.urls import reverse

from jigsaw.core.demo import DemoGenerator, create_agencies_and_staff
from jigsaw.core.demo_quality_recommendations import delete_recommendations, write_recommendations
from jigsaw.quality.models.recommendations import Recommendation, RecommendationAction, RecommendationSet
from jigsaw.quality.queries import recommendations as queries

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 1)


def test_the_demo_writes_three_sets_with_a_spread_of_statuses_and_partners_owning_actions(
    client: Client,
) -> None:
    create_agencies_and_staff(DemoGenerator(2009))
    activity = write_recommendations(seed=2009, today=TODAY)
    assert (activity.sets, activity.recommendations, activity.actions) == (3, 13, 12)
    assert activity.overdue == 5 and activity.updates == 11
    assert activity.summary().startswith("Recommendations: 3 sets, 13 recommendations")
    assert set(RecommendationSet.objects.values_list("title", flat=True)) == {
        "Child safeguarding practice review: Child R",
        "Children's services scrutiny: the front door",
        "National review: protecting babies from injury",
    }
    recommendations = queries.with_status_facts(Recommendation.objects.all(), TODAY)
    spread = Counter(queries.status_of(r).rag for r in recommendations)
    assert spread == {"red": 4, "amber": 2, "green": 4, "complete": 3}
    owners = set(RecommendationAction.objects.values_list("owner__user__username", flat=True))
    assert {"partner_practitioner", "police_officer", "gp", "health_visitor"} <= owners
    # The school's DSL sees their action on the landing page.
    owner = RecommendationAction.objects.get(owner__user__username="partner_practitioner").owner.user
    assert owner is not None
    client.force_login(owner)
    page = client.get(reverse("quality:recommendations")).content.decode()
    assert "Use the concern form for every concern this term" in page

    delete_recommendations()
    assert not RecommendationSet.objects.exists() and not RecommendationAction.objects.exists()


def test_without_the_demo_staff_nothing_is_written() -> None:
    assert write_recommendations(seed=1, today=TODAY).sets == 0
    assert not RecommendationSet.objects.exists()
