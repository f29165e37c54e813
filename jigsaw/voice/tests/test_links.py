"""The single-use feedback link: only its hash is stored, it works once, it expires after 28
days, it can be withdrawn, and the family's answer through it is logged with no user and
the link's id. Then the public page itself: no sign-in, no personal data beyond the first
name, a clear page for a spent link."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jigsaw.access.models import AccessLogEntry
from jigsaw.casework.actions.common import EditConflict
from jigsaw.casework.models import ChronologyEntry
from jigsaw.voice.actions import feedback as actions
from jigsaw.voice.models.feedback import LINK_DAYS, FamilyFeedback, FeedbackLink, HowGiven
from jigsaw.voice.tests.helpers import GOOD, child_with_feedback_occasions
from jigsaw.voice.views.family import WRONG_LINK_LIMIT
from tests.factories import persona

pytestmark = pytest.mark.django_db


def _link(about: str | None = None, given_by: str = "parent") -> tuple[FeedbackLink, str]:
    child = child_with_feedback_occasions()
    return actions.create_feedback_link(
        actor=persona("social_worker"),
        person_id=child.person.pk,
        about=about or child.about_conference,
        given_by=given_by,
    )


def test_only_the_hash_of_the_token_is_stored_and_the_creation_is_logged_without_it() -> None:
    link, token = _link()
    assert len(token) >= 40
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = FeedbackLink.objects.filter(pk=link.pk).values()[0]
    assert token not in {str(value) for value in stored.values()}
    assert link.expires_at - link.created_at == datetime.timedelta(days=LINK_DAYS)
    logged = AccessLogEntry.objects.get(action="create_feedback_link")
    assert (logged.user_id, logged.record_type, logged.record_id) == (
        persona("social_worker").pk,
        "voice.feedbacklink",
        str(link.pk),
    )
    assert token not in str(logged.detail)


def test_two_links_never_share_a_token() -> None:
    _, first = _link()
    _, second = _link()
    assert first != second


def test_the_family_answers_once_and_the_link_is_spent() -> None:
    link, token = _link()
    feedback = actions.give_feedback_by_link(token=token, answers=GOOD)

    link.refresh_from_db()
    assert link.used_at is not None
    assert (feedback.how, feedback.link_id, feedback.recorded_by_id, feedback.given_by) == (
        HowGiven.LINK,
        link.pk,
        None,
        "parent",
    )
    logged = AccessLogEntry.objects.get(action="give_family_feedback_by_link")
    assert (logged.user_id, logged.record_type, logged.record_id) == (
        None,
        "voice.familyfeedback",
        str(feedback.pk),
    )
    assert logged.detail["link"] == link.pk
    entry = ChronologyEntry.objects.get(source_type="voice.familyfeedback", source_id=str(feedback.pk))
    assert entry.recorded_by_id is None and "through a feedback link" in entry.summary

    with pytest.raises(actions.LinkNotUsable, match="already been used"):
        actions.give_feedback_by_link(token=token, answers=GOOD)
    assert FamilyFeedback.objects.count() == 1


def test_an_expired_link_is_refused() -> None:
    link, token = _link()
    FeedbackLink.objects.filter(pk=link.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=LINK_DAYS + 1),
        expires_at=timezone.now() - datetime.timedelta(seconds=1),
    )
    with pytest.raises(actions.LinkNotUsable, match="expired"):
        actions.usable_link(token)
    with pytest.raises(actions.LinkNotUsable, match="expired"):
        actions.give_feedback_by_link(token=token, answers=GOOD)
    assert not FamilyFeedback.objects.exists()


def test_a_wrong_token_is_refused() -> None:
    _link()
    with pytest.raises(actions.LinkNotUsable, match="does not work"):
        actions.give_feedback_by_link(token="not-a-real-token", answers=GOOD)


def test_an_empty_answer_is_refused_and_the_link_stays_usable() -> None:
    link, token = _link()
    with pytest.raises(ValidationError):
        actions.give_feedback_by_link(token=token, answers=actions.FeedbackAnswers(went_well="   "))
    link.refresh_from_db()
    assert link.used_at is None


def test_a_link_is_withdrawn_once_and_a_stale_withdrawal_is_refused() -> None:
    link, token = _link()
    with pytest.raises(PermissionDenied):
        actions.withdraw_feedback_link(actor=persona("analyst"), link_id=link.pk, expected_version=1)
    with pytest.raises(EditConflict):
        actions.withdraw_feedback_link(actor=persona("social_worker"), link_id=link.pk, expected_version=7)
    withdrawn = actions.withdraw_feedback_link(
        actor=persona("team_manager"), link_id=link.pk, expected_version=1
    )
    assert withdrawn.withdrawn_by == persona("team_manager") and withdrawn.version == 2
    assert AccessLogEntry.objects.filter(action="withdraw_feedback_link", record_id=str(link.pk)).count() == 1
    with pytest.raises(actions.LinkNotUsable, match="cancelled"):
        actions.give_feedback_by_link(token=token, answers=GOOD)
    with pytest.raises(ValidationError):
        actions.withdraw_feedback_link(actor=persona("team_manager"), link_id=link.pk, expected_version=2)


def test_the_public_page_needs_no_sign_in_shows_only_the_first_name_and_takes_one_answer(
    client: Client,
) -> None:
    link, token = _link()
    url = reverse("voice:family_feedback", args=[token])

    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Anna" in text
    assert link.person.family_name not in text and "Maria" not in text
    assert page["Cache-Control"] == "no-store"
    opened = AccessLogEntry.objects.get(action="open_feedback_link")
    assert (opened.user_id, opened.record_id) == (None, str(link.pk))

    answered = client.post(url, {"listened": "yes", "could_be_better": "Less jargon please"})
    assert answered.status_code == 302 and answered["Location"] == reverse("voice:family_thanks")
    assert FamilyFeedback.objects.get().could_be_better == "Less jargon please"

    again = client.get(url)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert client.post(url, {"listened": "no"}).status_code == 410
    assert FamilyFeedback.objects.count() == 1


def test_the_public_page_asks_for_at_least_one_answer(client: Client) -> None:
    _, token = _link()
    page = client.post(reverse("voice:family_feedback", args=[token]), {})
    assert page.status_code == 200
    assert "Answer at least one question" in page.content.decode()
    assert not FamilyFeedback.objects.exists()


def test_an_address_trying_many_wrong_links_is_turned_away(client: Client) -> None:
    cache.clear()
    for _ in range(WRONG_LINK_LIMIT):
        assert client.get(reverse("voice:family_feedback", args=["wrong"])).status_code == 410
    _, token = _link()
    assert client.get(reverse("voice:family_feedback", args=[token])).status_code == 429
    cache.clear()
    assert client.get(reverse("voice:family_feedback", args=[token])).status_code == 200
