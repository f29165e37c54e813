"""State changes of the partners app."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from jigsaw.partners.models import Notification


def notify(*, recipients: Iterable[AbstractBaseUser], subject: str, body: str = "", link: str = "") -> None:
    """Tell each recipient once, when (and only if) the surrounding transaction commits."""
    unique = {r.pk: r for r in recipients if r.pk is not None}

    def send() -> None:
        Notification.objects.bulk_create(
            [Notification(recipient_id=pk, subject=subject, body=body, link=link) for pk in unique]
        )

    transaction.on_commit(send)
