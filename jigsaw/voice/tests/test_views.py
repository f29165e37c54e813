"""The staff pages through the test client: the link is shown once and never cached, an
advocate is recorded from the child's page, a stale themes form keeps the user's ticks and
says why, a link is withdrawn, and the child's page logs the read."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from jigsaw.access.models import AccessLogEntry
from jigsaw.voice.actions import feedback as actions
from jigsaw.voice.models.advocacy import AdvocacyRecord
from jigsaw.voice.models.feedback import FeedbackLink
from jigsaw.voice.tests.helpers import GOOD, child_with_feedback_occasions
from tests.factories import persona

pytestmark = pytest.mark.django_db


def test_the_link_is_shown_once_and_not_cached(client: Client) -> None:
    child = child_with_feedback_occasions()
    client.force_login(persona("social_worker"))
    made = client.post(
        reverse("voice:new_link", args=[child.person.pk]),
        {"about": child.about_episode, "given_by": "parent"},
    )
    assert made.status_code == 200
    assert made["Cache-Control"] == "no-store"
    found = re.search(r"/voice/your-views/([A-Za-z0-9_-]+)", made.content.decode())
    assert found is not None
    token = found.group(1)
    assert actions.usable_link(token).pk == FeedbackLink.objects.get().pk

    page = client.get(reverse("voice:child", args=[child.person.pk]))
    assert token not in page.content.decode()
    assert "Waiting for an answer" in page.content.decode()
    viewed = AccessLogEntry.objects.filter(
        action="view", record_type="people.person", record_id=str(child.person.pk)
    )
    assert viewed.exists()


def test_a_chair_records_the_advocate_from_the_childs_page(client: Client) -> None:
    child = child_with_feedback_occasions()
    client.force_login(persona("conference_chair"))
    url = reverse("voice:advocacy", args=[child.person.pk, child.conference.pk])
    assert client.get(url).status_code == 200

    refused = client.post(url, {"offered": "yes", "attended": "yes"})
    assert "Enter the advocate&#x27;s organisation or name" in refused.content.decode()
    saved = client.post(
        url, {"offered": "yes", "attended": "yes", "organisation": "Riverford Family Advocacy"}
    )
    assert saved.status_code == 302
    assert AdvocacyRecord.objects.get().organisation == "Riverford Family Advocacy"

    other = child_with_feedback_occasions()
    wrong_child = reverse("voice:advocacy", args=[child.person.pk, other.conference.pk])
    assert client.get(wrong_child).status_code == 404


def test_a_stale_themes_form_keeps_the_ticks_and_says_why(client: Client) -> None:
    child = child_with_feedback_occasions()
    feedback = actions.record_paper_feedback(
        actor=persona("social_worker"),
        person_id=child.person.pk,
        about=child.about_conference,
        given_by="parent",
        given_on=child.conference.date,
        answers=GOOD,
    )
    actions.tag_themes(
        actor=persona("team_manager"), feedback_id=feedback.pk, expected_version=1, themes=["jargon"]
    )
    client.force_login(persona("social_worker"))

    page = client.post(
        reverse("voice:themes", args=[feedback.pk]), {"themes": ["reports_late"], "version": "1"}
    )

    text = page.content.decode()
    assert page.status_code == 200
    assert "Someone else saved changes to this feedback" in text
    assert 'value="reports_late" checked' in text
    assert 'name="version" value="2"' in text
    feedback.refresh_from_db()
    assert feedback.themes == ["jargon"]


def test_a_link_is_withdrawn_from_the_childs_page(client: Client) -> None:
    child = child_with_feedback_occasions()
    link, token = actions.create_feedback_link(
        actor=persona("social_worker"),
        person_id=child.person.pk,
        about=child.about_conference,
        given_by="child",
    )
    client.force_login(persona("team_manager"))
    done = client.post(reverse("voice:withdraw_link", args=[link.pk]), {"version": "1"})
    assert done.status_code == 302 and done["Location"] == reverse("voice:child", args=[child.person.pk])
    link.refresh_from_db()
    assert link.withdrawn_at is not None
    assert client.get(reverse("voice:family_feedback", args=[token])).status_code == 410


def test_the_childs_chronology_links_to_the_feedback(client: Client) -> None:
    child = child_with_feedback_occasions()
    feedback = actions.record_paper_feedback(
        actor=persona("social_worker"),
        person_id=child.person.pk,
        about=child.about_episode,
        given_by="child",
        given_on=child.closed.closed_on,
        answers=GOOD,
    )
    client.force_login(persona("social_worker"))
    page = client.get(reverse("casework:chronology", args=[child.person.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Feedback from the child or young person (on paper)" in text
    assert reverse("voice:feedback", args=[feedback.pk]) in text
