"""Notifications: in the inbox after commit, and by an e-mail that names no child."""

from __future__ import annotations

import datetime
import smtplib
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.test import override_settings

from jigsaw.partners.actions import EMAIL_SUBJECT, notify
from jigsaw.partners.models import Notification
from tests.factories import persona

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 23, 9, 30, tzinfo=datetime.UTC)
OnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


class BrokenMailServer(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_each_recipient_with_an_address_is_emailed_and_the_time_recorded(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    worker, manager = persona("social_worker"), persona("team_manager")
    worker.email = "worker@riverford.example"
    worker.save()

    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[worker, manager, worker],
            subject="Police: domestic abuse incident at 14 Mill Lane on 21 November 2026",
            body="Child: Tiago Quince",
            link="/casework/people/7/chronology",
            email=True,
        )

    to_worker = Notification.objects.get(recipient=worker)
    to_manager = Notification.objects.get(recipient=manager)
    assert to_worker.subject == "Police: domestic abuse incident at 14 Mill Lane on 21 November 2026"
    assert to_worker.emailed_at == NOW
    assert to_manager.emailed_at is None  # no address: the inbox only
    [email] = mail.outbox
    assert email.to == ["worker@riverford.example"]
    assert email.subject == EMAIL_SUBJECT == "There is a new alert for a child you work with in Jigsaw"
    assert email.from_email == "Jigsaw <jigsaw@localhost>"
    assert "http://127.0.0.1:8000/casework/people/7/chronology" in email.body
    for told in (email.subject, email.body):
        assert "Tiago" not in told and "Mill Lane" not in told and "domestic" not in told


def test_without_email_only_the_inbox_is_used(django_capture_on_commit_callbacks: OnCommit) -> None:
    worker = persona("social_worker")
    worker.email = "worker@riverford.example"
    worker.save()

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[worker], subject="Concern CN-1 decided")

    assert Notification.objects.get(recipient=worker).emailed_at is None
    assert mail.outbox == []


def test_nothing_is_sent_when_the_transaction_rolls_back(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    worker = persona("social_worker")
    worker.email = "worker@riverford.example"
    worker.save()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        notify(recipients=[worker], subject="Never", email=True)
        raise RuntimeError("the action failed")

    assert not Notification.objects.exists()
    assert mail.outbox == []


@override_settings(EMAIL_BACKEND="jigsaw.partners.tests.test_notify.BrokenMailServer")
def test_a_failing_mail_server_leaves_the_inbox_message_not_emailed(
    django_capture_on_commit_callbacks: OnCommit, caplog: pytest.LogCaptureFixture
) -> None:
    worker = persona("social_worker")
    worker.email = "worker@riverford.example"
    worker.save()

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[worker], subject="An alert", email=True)

    note = Notification.objects.get(recipient=worker)
    assert note.emailed_at is None
    assert "Could not e-mail 1 notifications" in caplog.text


def test_a_practitioners_secure_email_is_used_when_the_user_has_none(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    dsl = persona("school_dsl")
    dsl.practitioner.secure_email = "dsl@riverside.sch.example"
    dsl.practitioner.save()

    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[dsl], subject="A child joining your school has a child protection plan", email=True
        )

    [email] = mail.outbox
    assert email.to == ["dsl@riverside.sch.example"]
    assert Notification.objects.get(recipient=dsl).emailed_at == NOW
