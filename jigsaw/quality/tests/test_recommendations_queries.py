"""Reading recommendations: the derived status and its reasons, the partnership's status
kept over it, the actions a user owns (overdue first), who may open an action, the report's
counts, and lists whose cost does not grow with their size."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from jigsaw.access.policy import recommendation_actions_visible_to
from jigsaw.quality.actions import recommendations as actions
from jigsaw.quality.models.recommendations import Rag, Response
from jigsaw.quality.queries import recommendations as queries
from jigsaw.quality.tests.recommendations_helpers import member, new_set, set_with_action
from tests.factories import persona

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 2)


@pytest.mark.parametrize(
    ("response", "actions_", "open_", "overdue", "expected"),
    [
        (
            Response.ACCEPTED,
            2,
            1,
            1,
            (Rag.RED, "1 action past the due date and not done, the first due 1 October 2026"),
        ),
        (Response.AWAITING, 0, 0, 0, (Rag.AMBER, "the owning agency has not responded")),
        (Response.ACCEPTED, 0, 0, 0, (Rag.AMBER, "accepted, but no action is planned")),
        (Response.ACCEPTED_IN_PART, 3, 0, 0, (Rag.COMPLETE, "every action is done (3)")),
        (Response.NOT_ACCEPTED, 0, 0, 0, (Rag.COMPLETE, "not accepted: nothing is left to do")),
        (Response.ACCEPTED, 3, 2, 0, (Rag.GREEN, "on track: 2 actions open, none past its due date")),
    ],
)
def test_the_derived_status(
    response: str, actions_: int, open_: int, overdue: int, expected: tuple[str, str]
) -> None:
    first = datetime.date(2026, 10, 1) if overdue else None
    assert (
        queries.derive(
            response=response, actions=actions_, open_actions=open_, overdue=overdue, first_overdue=first
        )
        == expected
    )


def test_an_action_past_due_makes_it_red_unless_the_partnership_set_it() -> None:
    made = set_with_action(due_on=datetime.date(2026, 11, 1))
    with time_machine.travel(datetime.datetime(2026, 10, 30, 12, tzinfo=datetime.UTC)):
        assert queries.get_recommendation_for(member(), made.recommendation.pk).status.rag == Rag.GREEN
    with time_machine.travel(datetime.datetime(2026, 11, 2, 12, tzinfo=datetime.UTC)):
        row = queries.get_recommendation_for(member(), made.recommendation.pk)
        assert (row.status.rag, row.status.set_by_partnership) == (Rag.RED, False)
        actions.set_status(
            actor=member(),
            recommendation_id=made.recommendation.pk,
            expected_version=row.recommendation.version,
            rag=Rag.AMBER,
            reason="The school has a date for the training",
        )
        row = queries.get_recommendation_for(member(), made.recommendation.pk)
        assert (row.status.rag, row.status.derived, row.status.set_by_partnership) == (
            Rag.AMBER,
            Rag.RED,
            True,
        )
        assert row.status.reason == "1 action past the due date and not done, the first due 1 November 2026"


def test_actions_you_own_come_overdue_first_then_open_then_done() -> None:
    made = set_with_action(due_on=datetime.date(2026, 12, 1))
    rec, owner = made.recommendation, made.owner
    late = actions.add_action(
        actor=member(),
        recommendation_id=rec.pk,
        description="Late",
        owner_id=owner.practitioner.pk,
        due_on=datetime.date(2026, 10, 1),
    )
    done = actions.add_action(
        actor=member(),
        recommendation_id=rec.pk,
        description="Done",
        owner_id=owner.practitioner.pk,
        due_on=datetime.date(2026, 9, 1),
    )
    actions.record_progress(actor=owner, action_id=done.pk, expected_version=1, note="Finished", done=True)
    with time_machine.travel(datetime.datetime(2026, 11, 2, 12, tzinfo=datetime.UTC)):
        owned, open_count = queries.actions_owned_by(owner)
    assert [(o.action.description, o.overdue) for o in owned] == [
        ("Late", True),
        ("Train every member of staff in recording concerns", False),
        ("Done", False),
    ]
    assert open_count == 2
    assert owned[2].action.latest_note == "Finished"  # type: ignore[attr-defined]
    assert queries.actions_owned_by(persona("gp")) == ([], 0)
    assert late.pk != done.pk


def test_an_action_opens_for_its_owner_and_for_those_who_see_recommendations_only() -> None:
    made = set_with_action(due_on=TODAY)
    for who in ("school_dsl", "partnership_member", "team_manager", "analyst"):
        assert queries.get_action_for(persona(who), made.action.pk) == made.action
    for who in ("gp", "social_worker", "police_officer", "administrator"):
        assert not recommendation_actions_visible_to(persona(who)).exists()
        with pytest.raises(Http404):
            queries.get_action_for(persona(who), made.action.pk)


def test_the_report_counts_by_status_and_shows_actions_with_their_latest_progress() -> None:
    made = set_with_action(due_on=datetime.date(2026, 10, 1))
    actions.record_progress(
        actor=made.owner, action_id=made.action.pk, expected_version=1, note="Half the staff", done=False
    )
    actions.record_progress(
        actor=made.owner, action_id=made.action.pk, expected_version=2, note="Most of the staff", done=False
    )
    other = actions.add_recommendation(
        actor=member(),
        set_id=made.recommendation_set.pk,
        number="2",
        text="Review the policy",
        agency_id=made.owner.practitioner.agency_id,
    )
    with time_machine.travel(datetime.datetime(2026, 11, 2, 12, tzinfo=datetime.UTC)):
        by_set = queries.report(persona("analyst"), set_id=made.recommendation_set.pk)
        by_body = queries.report(member(), body="Riverford Safeguarding Children Partnership Board")
    assert by_set.total == 2 and by_set.counts == [
        ("red", "Red", 1),
        ("amber", "Amber", 1),
        ("green", "Green", 0),
        ("complete", "Complete", 0),
    ]
    first, second = by_set.sections[0].items
    assert first.recommendation == made.recommendation and second.recommendation == other
    assert [a.latest_note for a in first.actions] == ["Most of the staff"]  # type: ignore[attr-defined]
    assert by_body.title == "Recommendations reported to Riverford Safeguarding Children Partnership Board"
    assert by_body.total == 2
    with pytest.raises(Http404):
        queries.report(persona("social_worker"), set_id=made.recommendation_set.pk)
    with pytest.raises(Http404):
        queries.report(member(), body="Nobody")


def test_list_pages_cost_the_same_few_queries_however_many_sets_and_recommendations() -> None:
    def build(sets: int) -> None:
        agency = persona("school_dsl").practitioner.agency_id
        for n in range(sets):
            recommendation_set = new_set(title=f"Set {n}")
            for number in range(3):
                actions.add_recommendation(
                    actor=member(),
                    set_id=recommendation_set.pk,
                    number=str(number),
                    text="T",
                    agency_id=agency,
                )

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries_run:
            page, summaries = queries.sets_page(member(), 1)
            assert len(summaries) == len(page.object_list)
            recommendation_set = summaries[0].recommendation_set
            queries.report(member(), body=recommendation_set.reports_to)
        return len(queries_run)

    build(2)
    few = cost()
    build(30)
    assert cost() == few
