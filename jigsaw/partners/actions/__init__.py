"""State changes of the partners app."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import get_connection, send_mass_mail
from django.db import transaction
from django.utils import timezone

from jigsaw.partners.models import Notification

logger = logging.getLogger(__name__)

# The e-mail never says who the child is or what happened: only that there is something to
# see, and where. E-mail leaves the secure network; the inbox does not.
EMAIL_SUBJECT = "There is a new alert for a child you work with in Jigsaw"
EMAIL_BODY = (
    "There is a new alert for a child you work with in Jigsaw.\n\n"
    "Sign in to Jigsaw to read it:\n{url}\n\n"
    "This message was sent automatically. Please do not reply to it."
)


@dataclass(frozen=True)
class Message:
    """One notification to one user, optionally also announced by e-mail."""

    recipient_id: int
    subject: str
    body: str = ""
    link: str = ""
    email: bool = False


def notify(
    *,
    recipients: Iterable[AbstractBaseUser],
    subject: str,
    body: str = "",
    link: str = "",
    email: bool = False,
) -> None:
    """Tell each recipient once, when (and only if) the surrounding transaction commits.

    With ``email=True`` each recipient who has an e-mail address is also sent an e-mail
    that says only that there is something to see in Jigsaw (never who the child is).
    """
    unique = {r.pk: r for r in recipients if r.pk is not None}
    send_messages([Message(int(pk), subject, body, link, email) for pk in unique])


def send_messages(messages: Sequence[Message]) -> None:
    """Deliver many notifications after commit with one insert (and one e-mail connection),
    so a batch of events costs a handful of queries, not one per message."""
    batch = list(messages)
    if not batch:
        return

    def send() -> None:
        created = Notification.objects.bulk_create(
            [
                Notification(recipient_id=m.recipient_id, subject=m.subject, body=m.body, link=m.link)
                for m in batch
            ]
        )
        _email([n for n, m in zip(created, batch, strict=True) if m.email])

    transaction.on_commit(send)


def _absolute(link: str) -> str:
    base = str(getattr(settings, "JIGSAW_BASE_URL", "")).rstrip("/")
    if not link:
        return base or "/"
    return f"{base}{link}" if link.startswith("/") else link


def _email(notifications: Sequence[Notification]) -> None:
    """E-mail the recipients who have an address (their own, or their practitioner profile's
    secure e-mail), and record when each was e-mailed. A mail server that fails leaves the
    inbox notification in place, not e-mailed, and is logged."""
    if not notifications:
        return
    user_model = get_user_model()
    # The address the user signs up with, or else their practitioner profile's secure one.
    rows = user_model._default_manager.filter(
        pk__in={n.recipient_id for n in notifications}, is_active=True
    ).values_list("pk", "email", "practitioner__secure_email")
    addresses: dict[int, str] = {
        int(pk): str(email or secure) for pk, email, secure in rows if email or secure
    }
    to_send = [n for n in notifications if n.recipient_id in addresses]
    if not to_send:
        return
    datatuple = [
        (EMAIL_SUBJECT, EMAIL_BODY.format(url=_absolute(n.link)), None, [addresses[n.recipient_id]])
        for n in to_send
    ]
    try:
        send_mass_mail(datatuple, fail_silently=False, connection=get_connection())
    except (smtplib.SMTPException, OSError):
        logger.exception("Could not e-mail %d notifications; they remain in the inbox", len(to_send))
        return
    Notification.objects.filter(pk__in=[n.pk for n in to_send]).update(emailed_at=timezone.now())
