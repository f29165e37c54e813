"""Section 11 queries: the standard-by-agency grid with its totals, one agency across
rounds, overdue returns, and who may open a return."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import pytest
from django.http import Http404

from jigsaw.quality.actions.section11 import AnswerInput, add_gap_action, save_answers
from jigsaw.quality.models.section11 import Rating, Section11Return, Section11Round
from jigsaw.quality.queries import section11 as queries
from jigsaw.quality.tests.test_section11_actions import DAY, return_of, sent_round
from tests.factories import persona

pytestmark = pytest.mark.django_db


def answer(r: Section11Return, who: str, ratings: Sequence[str], *, submit: bool = True) -> None:
    user = persona(who)
    answers = [
        AnswerInput(a.standard_id, ratings[i], f"Evidence {i}")
        for i, a in enumerate(r.answers.order_by("standard__number"))
    ]
    version = r.version
    for a, given in zip(r.answers.order_by("standard__number"), answers, strict=True):
        if given.rating != Rating.FULLY_MET and submit:
            add_gap_action(
                actor=user,
                return_id=r.pk,
                expected_version=version,
                standard_id=a.standard_id,
                action="Close the gap",
                owner="Safeguarding lead",
                due_on=DAY,
            )
            version += 1
    save_answers(actor=user, return_id=r.pk, expected_version=version, answers=answers, submit=submit)


GP = [Rating.FULLY_MET] * 6 + [Rating.PARTLY_MET, Rating.NOT_MET]
SCHOOL = [Rating.MOSTLY_MET] * 8


def test_the_grid_shows_each_agencys_ratings_and_totals() -> None:
    round_ = sent_round("gp", "school_dsl", "police_officer")
    answer(return_of(round_, "gp"), "gp", GP)
    answer(return_of(round_, "school_dsl"), "school_dsl", SCHOOL)
    answer(return_of(round_, "police_officer"), "police_officer", [Rating.NOT_MET] * 8, submit=False)

    grid = queries.round_grid(round_)

    assert [c.agency.name for c in grid.columns] == ["Canal Street Surgery", "Riverside Primary School"]
    gp, school = grid.columns
    assert gp.counts == {"fully_met": 6, "mostly_met": 0, "partly_met": 1, "not_met": 1}
    assert gp.points == 6 * 4 + 2 + 1
    assert school.points == 8 * 3 and school.average == 3.0
    assert grid.rows[0].ratings == [Rating.FULLY_MET, Rating.MOSTLY_MET]
    assert grid.rows[7].counts == {"fully_met": 0, "mostly_met": 1, "partly_met": 0, "not_met": 1}

    with_drafts = queries.round_grid(round_, submitted_only=False)
    assert len(with_drafts.columns) == 3
    police = next(c for c in with_drafts.columns if c.agency == persona("police_officer").practitioner.agency)
    assert police.counts["not_met"] == 8


def test_the_csv_has_a_row_per_standard_and_agency() -> None:
    round_ = sent_round("gp", "school_dsl")
    answer(return_of(round_, "gp"), "gp", GP)
    answer(return_of(round_, "school_dsl"), "school_dsl", SCHOOL)

    header, rows = queries.grid_csv(round_, queries.round_grid(round_))

    assert header[:5] == ["Round", "Standard", "Title", "Agency", "Rating"]
    assert len(rows) == 16
    gp_last = next(r for r in rows if r[1] == 8 and r[3] == "Canal Street Surgery")
    assert gp_last[4:6] == ["Not met", 1] and gp_last[7] == 1


def test_one_agency_across_rounds_shows_whether_it_improved() -> None:
    first = sent_round("gp")
    answer(return_of(first, "gp"), "gp", GP)
    second = sent_round("gp")
    Section11Round.objects.filter(pk=second.pk).update(
        opens_on=DAY + datetime.timedelta(days=365), due_on=DAY + datetime.timedelta(days=400)
    )
    answer(return_of(second, "gp"), "gp", [Rating.FULLY_MET] * 7 + [Rating.NOT_MET])

    returns, rows = queries.agency_history(persona("gp").practitioner.agency)

    assert [r.round_id for r in returns] == [first.pk, second.pk]
    assert rows[0].trend == "same"
    assert rows[6].ratings == [Rating.PARTLY_MET, Rating.FULLY_MET] and rows[6].trend == "improved"
    assert rows[7].trend == "same"


def test_overdue_returns_are_those_not_submitted_after_the_due_date() -> None:
    round_ = sent_round("gp", "school_dsl")
    answer(return_of(round_, "gp"), "gp", [Rating.FULLY_MET] * 8)

    due = round_.due_on
    assert list(queries.overdue_returns(due)) == []
    overdue = list(queries.overdue_returns(due + datetime.timedelta(days=1)))
    assert [r.agency.name for r in overdue] == ["Riverside Primary School"]


def test_a_return_opens_for_its_agency_and_the_partnership_only() -> None:
    round_ = sent_round("gp")
    r = return_of(round_, "gp")

    assert queries.get_return_for(persona("gp"), r.pk) == r
    assert queries.get_return_for(persona("partnership_member"), r.pk) == r
    for who in ("school_dsl", "team_manager", "social_worker", "analyst"):
        with pytest.raises(Http404):
            queries.get_return_for(persona(who), r.pk)


def test_the_rounds_list_counts_each_return_once() -> None:
    round_ = sent_round("gp", "school_dsl", "police_officer")
    answer(return_of(round_, "gp"), "gp", [Rating.FULLY_MET] * 8)

    listed = queries.rounds().get(pk=round_.pk)

    assert (listed.return_count, listed.submitted_count, listed.agency_count) == (3, 1, 3)  # type: ignore[attr-defined]
