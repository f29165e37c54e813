"""The list carries forward, the next meeting's due date, and who sees what."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from jigsaw.access.policy import takes_part_in_vulnerable_families, vulnerable_families_visible_to
from jigsaw.vulnerable_families import actions, queries
from jigsaw.vulnerable_families.models import FamilyDiscussion, Outcome
from jigsaw.vulnerable_families.tests.helpers import (
    MEETING_DAY,
    add_family,
    child,
    gp,
    health_visitor,
    meeting,
    other_gp,
    practitioner_of,
    standing,
)
from tests.factories import persona, restrict

pytestmark = pytest.mark.django_db

NEXT_DAY = MEETING_DAY + datetime.timedelta(weeks=6)


def _discuss(family: int, outcome: str) -> None:
    actions.record_discussion(
        actor=health_visitor(),
        discussion_id=family,
        expected_version=1,
        concern="Discussed",
        outcome=outcome,
        referral_made_on=MEETING_DAY if outcome == Outcome.REFERRAL else None,
    )


def test_families_kept_on_the_list_or_not_discussed_are_listed_again_at_the_next_meeting() -> None:
    first = meeting()
    kept, undiscussed, ended, helped, referred = (child() for _ in range(5))
    sibling = child()
    kept_family = add_family(first, kept, sibling)
    add_family(first, undiscussed)
    for person, outcome in (
        (ended, Outcome.NO_FURTHER_ACTION),
        (helped, Outcome.EARLY_HELP),
        (referred, Outcome.REFERRAL),
    ):
        _discuss(add_family(first, person), outcome)
    _discuss(kept_family, Outcome.KEEP_ON_LIST)

    second = meeting(NEXT_DAY)
    carried = list(FamilyDiscussion.objects.filter(meeting=second).order_by("pk"))
    assert [set(f.children.all()) for f in carried] == [{kept, sibling}, {undiscussed}]
    assert carried[0].carried_from_id == kept_family
    assert (carried[0].reason, carried[0].outcome, carried[0].concern) == ("Missed immunisations", "", "")
    # A meeting arranged later still carries from the latest meeting before it, and a family
    # already carried is not carried twice.
    third = meeting(NEXT_DAY + datetime.timedelta(weeks=6))
    assert [set(f.children.all()) for f in FamilyDiscussion.objects.filter(meeting=third)] == [
        {kept, sibling},
        {undiscussed},
    ]
    assert FamilyDiscussion.objects.filter(carried_from_id=kept_family).count() == 1


def test_the_next_meeting_is_due_a_cadence_after_the_last_one_held() -> None:
    found = standing()
    set_up = timezone.localtime(found.created_at).date()
    before_any = queries.schedule_of(found, today=set_up)
    assert (before_any.last_held, before_any.next_due, before_any.overdue) == (
        None,
        set_up + datetime.timedelta(weeks=6),
        False,
    )
    meeting(MEETING_DAY)
    after = queries.schedule_of(found, today=MEETING_DAY + datetime.timedelta(days=1))
    assert (after.last_held, after.next_due, after.overdue) == (MEETING_DAY, NEXT_DAY, False)
    late = queries.schedule_of(found, today=NEXT_DAY + datetime.timedelta(days=1))
    assert late.overdue
    # Arranging the next meeting, even after it fell due, clears "overdue".
    meeting(NEXT_DAY + datetime.timedelta(days=7))
    arranged = queries.schedule_of(found, today=NEXT_DAY + datetime.timedelta(days=1))
    assert (arranged.next_arranged, arranged.overdue) == (NEXT_DAY + datetime.timedelta(days=7), False)
    # A longer cadence moves the due date.
    found.cadence_weeks = 8
    assert queries.next_due(found, last_held=MEETING_DAY) == MEETING_DAY + datetime.timedelta(weeks=8)


def test_both_agencies_see_the_meeting_and_nobody_else_does() -> None:
    found = standing()
    assert list(vulnerable_families_visible_to(health_visitor())) == [found]
    assert list(vulnerable_families_visible_to(gp())) == [found]
    for user in (other_gp(), persona("school_dsl"), persona("police_officer"), persona("team_manager")):
        assert not vulnerable_families_visible_to(user).exists()
    assert takes_part_in_vulnerable_families(other_gp())
    assert not takes_part_in_vulnerable_families(persona("school_dsl"))
    assert not takes_part_in_vulnerable_families(persona("social_worker"))


def test_a_restricted_child_is_named_only_to_those_on_the_restriction() -> None:
    on = meeting()
    open_child, hidden = (
        child(given_names="Ava", family_name="Okafor"),
        child(given_names="Ben", family_name="Okafor"),
    )
    add_family(on, open_child, hidden)
    restriction = restrict(hidden)
    rows = queries.family_rows(gp(), on)
    assert [(c.name, c.restricted) for c in rows[0].children] == [
        (open_child.full_name, False),
        (queries.RESTRICTED_CHILD, True),
    ]
    restriction.permitted_users.add(gp())
    assert [c.restricted for c in queries.family_rows(gp(), on)[0].children] == [False, False]


def test_a_practitioners_overdue_actions_are_counted_for_them_only() -> None:
    on = meeting()
    family = add_family(on, child())
    mine = practitioner_of(gp())
    for days in (1, 10, 60):
        actions.add_family_action(
            actor=health_visitor(),
            discussion_id=family,
            description=f"Follow up in {days} days",
            owner_id=mine.pk,
            due_on=MEETING_DAY + datetime.timedelta(days=days),
        )
    today = MEETING_DAY + datetime.timedelta(days=30)
    assert queries.my_overdue_action_count(gp(), today=today) == 2
    assert queries.my_overdue_action_count(health_visitor(), today=today) == 0
    first = queries.my_open_actions(gp()).first()
    assert first is not None
    actions.set_action_done(actor=gp(), action_id=first.pk, expected_version=1, done=True, today=today)
    assert queries.my_overdue_action_count(gp(), today=today) == 1
