"""Shared set-up for the tests of recommendations: a set with one recommendation owned by a
school, whose designated safeguarding lead (the `school_dsl` persona) owns its action."""

from __future__ import annotations

import dataclasses
import datetime

from django.contrib.auth.models import User

from jigsaw.partners.models import Practitioner
from jigsaw.quality.actions import recommendations as actions
from jigsaw.quality.models.recommendations import (
    Recommendation,
    RecommendationAction,
    RecommendationSet,
    RecommendationSource,
)
from tests.factories import persona

DSL_EMAIL = "dsl@riverside.riverford.example"


def member() -> User:
    return persona("partnership_member")


def dsl() -> User:
    """The school's DSL, with the e-mail address a CSV file names them by."""
    user = persona("school_dsl")
    Practitioner.objects.filter(user=user).update(secure_email=DSL_EMAIL)
    user.refresh_from_db()
    return user


def new_set(title: str = "Child safeguarding practice review: Child R") -> RecommendationSet:
    details = actions.SetDetails(
        title=title,
        source=RecommendationSource.PRACTICE_REVIEW,
        reports_to="Riverford Safeguarding Children Partnership Board",
        source_reference="CSPR 2026/01",
        source_date=datetime.date(2026, 3, 14),
    )
    return actions.create_set(actor=member(), details=details)


@dataclasses.dataclass
class Made:
    recommendation_set: RecommendationSet
    recommendation: Recommendation
    action: RecommendationAction
    owner: User


def set_with_action(*, due_on: datetime.date, accepted: bool = True) -> Made:
    owner = dsl()
    recommendation_set = new_set()
    recommendation = actions.add_recommendation(
        actor=member(),
        set_id=recommendation_set.pk,
        number="1",
        text="Schools should record every safeguarding concern on the day it is raised.",
        agency_id=owner.practitioner.agency_id,
    )
    if accepted:
        recommendation = actions.record_response(
            actor=member(),
            recommendation_id=recommendation.pk,
            expected_version=recommendation.version,
            response="accepted",
            comment="",
        )
    action = actions.add_action(
        actor=member(),
        recommendation_id=recommendation.pk,
        description="Train every member of staff in recording concerns",
        owner_id=owner.practitioner.pk,
        due_on=due_on,
    )
    return Made(recommendation_set, recommendation, action, owner)
