"""Recommendations and actions: everyone with a role has the landing page (the actions they
own); the sets, recommendations and the scrutiny report are for those who see
recommendations (team managers, analysts, the partnership); only the partnership manages
them; an action (and its evidence) also opens for its owner, here the school's DSL."""

from __future__ import annotations

import datetime

from django.utils import timezone

from jigsaw.people.models import Person
from jigsaw.quality.models.recommendations import (
    ProgressEvidence,
    ProgressUpdate,
    Recommendation,
    RecommendationAction,
    RecommendationSet,
)
from tests.factories import persona

VIEWERS = frozenset({"team_manager", "analyst", "partnership_member"})
MANAGERS = frozenset({"partnership_member"})


def _managers(who: str) -> int:
    return 200 if who in MANAGERS else 403


def _viewers_or_404(who: str) -> int:
    return 200 if who in VIEWERS else 404


def _owner_or_viewers(who: str) -> int:
    return 200 if who in VIEWERS or who == "school_dsl" else 404


def _set(_person: Person) -> RecommendationSet:
    return RecommendationSet.objects.create(
        title="Child safeguarding practice review: Child R",
        source="practice_review",
        reports_to="Riverford Safeguarding Children Partnership Board",
        created_by=persona("partnership_member"),
        created_at=timezone.now(),
    )


def _recommendation(person: Person) -> Recommendation:
    return Recommendation.objects.create(
        recommendation_set=_set(person),
        number="1",
        position=1,
        text="Schools record every concern on the day",
        agency=persona("school_dsl").practitioner.agency,
    )


def _action(person: Person) -> RecommendationAction:
    return RecommendationAction.objects.create(
        recommendation=_recommendation(person),
        description="Train the staff",
        owner=persona("school_dsl").practitioner,
        due_on=datetime.date(2027, 1, 31),
        created_by=persona("partnership_member"),
        created_at=timezone.now(),
    )


def _evidence(person: Person) -> list[object]:
    update = ProgressUpdate.objects.create(
        action=_action(person), note="Done", written_by=persona("school_dsl"), written_at=timezone.now()
    )
    evidence = ProgressEvidence.objects.create(
        update=update, name="register.pdf", content_type="application/pdf", size=4, data=b"%PDF"
    )
    return [evidence.pk]


EXPECTED = {
    "quality:recommendations": lambda who: 200,
    "quality:recommendation_set_new": _managers,
    "quality:recommendation_import": _managers,
    "quality:recommendation_import_template": _managers,
    "quality:recommendation_report": lambda who: 200 if who in VIEWERS else 403,
    "quality:recommendation_report_pdf": lambda who: 302 if who in VIEWERS else 403,  # to the choice
    "quality:recommendation_set": _viewers_or_404,
    "quality:recommendation_set_edit": _managers,
    "quality:recommendation_new": _managers,
    "quality:recommendation": _viewers_or_404,
    "quality:recommendation_edit": _managers,
    "quality:recommendation_response": _managers,
    "quality:recommendation_status": _managers,
    "quality:recommendation_action_new": _managers,
    "quality:recommendation_action": _owner_or_viewers,
    "quality:recommendation_action_edit": _managers,
    "quality:recommendation_evidence": _owner_or_viewers,
}

RECORDS = {
    "quality:recommendation_set": lambda person: [_set(person).pk],
    "quality:recommendation_set_edit": lambda person: [_set(person).pk],
    "quality:recommendation_new": lambda person: [_set(person).pk],
    "quality:recommendation": lambda person: [_recommendation(person).pk],
    "quality:recommendation_edit": lambda person: [_recommendation(person).pk],
    "quality:recommendation_response": lambda person: [_recommendation(person).pk],
    "quality:recommendation_status": lambda person: [_recommendation(person).pk],
    "quality:recommendation_action_new": lambda person: [_recommendation(person).pk],
    "quality:recommendation_action": lambda person: [_action(person).pk],
    "quality:recommendation_action_edit": lambda person: [_action(person).pk],
    "quality:recommendation_evidence": _evidence,
}
