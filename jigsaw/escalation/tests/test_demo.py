"""The demo's escalations, written through the real actions when `seed_demo` runs: one at
each point of the procedure, the same ones from the same seed on the same day."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from io import StringIO

import pytest
from django.core.management import call_command

from jigsaw.escalation.models import Escalation, EscalationStatus

pytestmark = pytest.mark.django_db


def _escalations() -> list[tuple[object, ...]]:
    return list(
        Escalation.objects.order_by("pk").values_list(
            "raised_by__username",
            "person_id",
            "kind",
            "urgent",
            "stage__name",
            "status",
            "outcome",
            "holder__username",
        )
    )


def test_the_demo_has_escalations_at_each_point_of_the_procedure(
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[list[Callable[[], None]]]],
) -> None:
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--children", "1500", "--seed", "2009", "--no-matching-extras", stdout=out)
    assert "Escalations: 4 raised (1 closed, the rest at their stage with a deadline)." in out.getvalue()
    rows = {row[0]: row for row in _escalations()}
    assert rows["partner_practitioner"][4:6] == (
        "Practitioner to practitioner",
        EscalationStatus.AWAITING_RESPONSE,
    )
    assert rows["partner_practitioner"][7] == "front_door_officer"
    assert rows["police_officer"][3:7] == (True, "Team manager", EscalationStatus.AWAITING_REPLY, "")
    assert rows["health_visitor"][5:7] == (EscalationStatus.CLOSED, "resolved")
    assert rows["conference_chair"][4:6] == ("Team manager", EscalationStatus.AWAITING_RESPONSE)
    first = _escalations()

    # The same seed on the same day gives the same escalations.
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "seed_demo", "--children", "1500", "--seed", "2009", "--no-matching-extras", "--reset", "--quiet"
        )
    again = _escalations()
    assert [row[0] for row in again] == [row[0] for row in first]
    assert [row[2:] for row in again] == [row[2:] for row in first]
