from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jigsaw.partners.models import Notification
from tests.factories import persona

pytestmark = pytest.mark.django_db


def _client(who: str) -> Client:
    client = Client()
    client.force_login(persona(who))
    return client


def test_the_inbox_shows_only_the_users_own_messages_unread_first() -> None:
    dsl, gp = persona("school_dsl"), persona("gp")
    read = Notification.objects.create(recipient=dsl, subject="Concern CON-1 decided: early help")
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    Notification.objects.create(recipient=dsl, subject="Invitation to a conference")
    Notification.objects.create(recipient=gp, subject="Someone else's message")

    page = _client("school_dsl").get(reverse("partners:inbox"))

    body = page.content.decode()
    assert page.status_code == 200
    assert "Someone else&#x27;s message" not in body and "Someone else's message" not in body
    assert body.index("Invitation to a conference") < body.index("Concern CON-1 decided")
    assert "1 unread message." in body
    # The header shows the count on every page.
    assert 'class="jigsaw-header__count">1<' in body


def test_marking_someone_elses_message_read_is_not_found_and_changes_nothing() -> None:
    theirs = Notification.objects.create(recipient=persona("gp"), subject="For the GP")

    response = _client("school_dsl").post(reverse("partners:mark_read", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_one_and_mark_all_read() -> None:
    dsl = persona("school_dsl")
    first, second, third = (
        Notification.objects.create(recipient=dsl, subject=f"Message {i}") for i in range(3)
    )
    other = Notification.objects.create(recipient=persona("gp"), subject="For the GP")
    client = _client("school_dsl")

    client.post(reverse("partners:mark_read", args=[first.pk]))
    assert Notification.objects.filter(recipient=dsl, read_at__isnull=True).count() == 2

    response = client.post(reverse("partners:mark_all_read"), follow=True)

    assert "2 marked as read" in response.content.decode()
    assert not Notification.objects.filter(recipient=dsl, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None
    assert {second.pk, third.pk} <= set(
        Notification.objects.filter(read_at__isnull=False).values_list("pk", flat=True)
    )
