"""Feedback from children and families: who may record it, what is refused and why, stale
forms, the chronology entry, and the exact access-log row each change writes."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from jigsaw.access.models import AccessLogEntry
from jigsaw.casework.actions.common import EditConflict
from jigsaw.casework.models import ChronologyEntry, ChronologyKind
from jigsaw.voice.actions import feedback as actions
from jigsaw.voice.models.feedback import FamilyFeedback, HowGiven
from jigsaw.voice.tests.helpers import GOOD, Child, child_with_feedback_occasions
from tests.factories import persona, restrict

pytestmark = pytest.mark.django_db


def _paper(child: Child, who: str = "social_worker", **changes: object) -> FamilyFeedback:
    values: dict[str, object] = {
        "about": child.about_conference,
        "given_by": "parent",
        "given_on": timezone.localdate() - datetime.timedelta(days=3),
        "answers": GOOD,
        "themes": ["reports_late", "felt_listened_to"],
    }
    values.update(changes)
    return actions.record_paper_feedback(
        actor=persona(who),
        person_id=child.person.pk,
        about=str(values["about"]),
        given_by=str(values["given_by"]),
        given_on=values["given_on"],  # type: ignore[arg-type]  # a date or None, as the form gives
        answers=values["answers"],  # type: ignore[arg-type]
        themes=values["themes"],  # type: ignore[arg-type]
    )


def test_a_social_worker_enters_a_paper_form_and_it_is_in_the_chronology_and_the_log() -> None:
    child = child_with_feedback_occasions()
    feedback = _paper(child)

    assert (feedback.how, feedback.conference_id, feedback.referral_id) == (
        HowGiven.PAPER,
        child.conference.pk,
        None,
    )
    # Themes are kept in the list's order, whatever order they were ticked in.
    assert feedback.themes == ["felt_listened_to", "reports_late"]
    assert feedback.themes_tagged_by == persona("social_worker")
    entry = ChronologyEntry.objects.get(source_type="voice.familyfeedback", source_id=str(feedback.pk))
    assert entry.kind == ChronologyKind.CONFERENCE
    assert entry.summary.startswith(
        "Feedback from a parent (on paper): Initial child protection conference on"
    )
    assert "Did you feel listened to? Yes" in entry.detail
    logged = AccessLogEntry.objects.get(action="record_family_feedback")
    assert (logged.user_id, logged.record_type, logged.record_id) == (
        persona("social_worker").pk,
        "voice.familyfeedback",
        str(feedback.pk),
    )
    assert logged.detail["how"] == "paper"
    assert logged.detail["themes"] == ["felt_listened_to", "reports_late"]


def test_feedback_on_the_end_of_an_episode_goes_in_the_chronology_as_a_closure() -> None:
    child = child_with_feedback_occasions()
    feedback = _paper(child, about=child.about_episode, given_by="child", themes=[])
    entry = ChronologyEntry.objects.get(source_type="voice.familyfeedback", source_id=str(feedback.pk))
    assert entry.kind == ChronologyKind.CLOSURE
    assert "The end of our work with the family" in entry.summary
    assert feedback.themes_tagged_by is None


@pytest.mark.parametrize(
    "who", ["front_door_officer", "analyst", "partnership_member", "gp", "administrator"]
)
def test_only_social_workers_managers_and_chairs_record_feedback(who: str) -> None:
    child = child_with_feedback_occasions()
    with pytest.raises(PermissionDenied):
        _paper(child, who=who)
    with pytest.raises(PermissionDenied):
        actions.create_feedback_link(
            actor=persona(who), person_id=child.person.pk, about=child.about_conference, given_by="parent"
        )
    assert not FamilyFeedback.objects.exists()
    for allowed in ("team_manager", "conference_chair"):
        assert _paper(child, who=allowed).recorded_by == persona(allowed)


def test_a_restricted_child_is_not_found_for_a_worker_not_named_on_it() -> None:
    child = child_with_feedback_occasions()
    restrict(child.person)
    with pytest.raises(Http404):
        _paper(child)


def test_bad_input_is_refused_in_the_users_words_and_nothing_is_saved() -> None:
    child = child_with_feedback_occasions()
    other = child_with_feedback_occasions()
    with pytest.raises(ValidationError) as refused:
        _paper(
            child,
            about=other.about_conference,
            given_by="neighbour",
            given_on=timezone.localdate() + datetime.timedelta(days=1),
            answers=actions.FeedbackAnswers(),
            themes=["made_up"],
        )
    assert refused.value.message_dict == {
        "about": ["Choose one of this child's conferences"],
        "given_by": ["Choose who gave the feedback"],
        "given_on": ["The date the form was filled in must be today or in the past"],
        "listened": ["Answer at least one question, or write what went well or could be better"],
        "themes": ["Choose the themes from the list"],
    }
    assert not FamilyFeedback.objects.exists()
    assert not ChronologyEntry.objects.filter(source_type="voice.familyfeedback").exists()
    assert not AccessLogEntry.objects.filter(action="record_family_feedback").exists()


def test_feedback_waits_for_the_conference_and_for_the_episode_to_close() -> None:
    child = child_with_feedback_occasions(conference_on=timezone.localdate() + datetime.timedelta(days=7))
    child.closed.closed_on = None
    child.closed.save(update_fields=["closed_on"])
    for about, message in (
        (child.about_conference, "Feedback can be given only after the conference has happened"),
        (child.about_episode, "Feedback on our work is asked for when the episode has closed"),
    ):
        with pytest.raises(ValidationError) as refused:
            _paper(child, about=about)
        assert refused.value.message_dict == {"about": [message]}


def test_themes_are_tagged_later_and_a_stale_form_is_refused() -> None:
    child = child_with_feedback_occasions()
    feedback = _paper(child, themes=[])
    manager = persona("team_manager")

    tagged = actions.tag_themes(
        actor=manager, feedback_id=feedback.pk, expected_version=feedback.version, themes=["jargon"]
    )
    assert (tagged.themes, tagged.themes_tagged_by, tagged.version) == (["jargon"], manager, 2)
    logged = AccessLogEntry.objects.get(action="tag_family_feedback")
    assert (logged.user_id, logged.record_id, logged.detail) == (
        manager.pk,
        str(feedback.pk),
        {
            "before": [],
            "after": ["jargon"],
            "subjects": [f"voice.familyfeedback:{feedback.pk}", f"people.person:{child.person.pk}"],
        },
    )
    with pytest.raises(EditConflict):
        actions.tag_themes(
            actor=persona("social_worker"),
            feedback_id=feedback.pk,
            expected_version=feedback.version,
            themes=["meeting_too_long"],
        )
    feedback.refresh_from_db()
    assert feedback.themes == ["jargon"]
    with pytest.raises(PermissionDenied):
        actions.tag_themes(actor=persona("analyst"), feedback_id=feedback.pk, expected_version=2, themes=[])
