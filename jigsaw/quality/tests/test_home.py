"""The Oversight front page shows each role the parts it may use, and where each starts."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import persona

pytestmark = pytest.mark.django_db


def _sections(who: str) -> dict[str, str]:
    client = Client()
    client.force_login(persona(who))
    response = client.get("/oversight/")
    assert response.status_code == 200
    return {s["title"]: s["url"] for s in response.context["sections"]}


def test_a_social_worker_sees_their_supervision_and_the_shared_parts() -> None:
    assert _sections("social_worker") == {
        "Supervision": "/oversight/supervision/",
        "Case file audits": "/oversight/audits/",
        "Practice reviews": "/oversight/practice-reviews/",
        "Recommendations and actions": "/oversight/recommendations/",
        "Training": "/oversight/training/",
    }


def test_the_partnership_sees_every_teams_supervision_and_runs_section_11() -> None:
    sections = _sections("partnership_member")
    assert sections["Supervision"] == "/oversight/supervision/teams"
    assert sections["Section 11 self-assessment"] == "/oversight/section11/"
    assert len(sections) == 6


def test_a_school_lead_answers_section_11_but_has_no_supervision() -> None:
    sections = _sections("school_dsl")
    assert "Supervision" not in sections
    assert "Section 11 self-assessment" in sections
