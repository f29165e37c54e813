"""A user's own notifications: the inbox every signed-in practitioner has."""

from __future__ import annotations

from django.db.models import F, QuerySet

from jigsaw.access.policy import AnyUser
from jigsaw.partners.models import Notification


def inbox(user: AnyUser) -> QuerySet[Notification]:
    """The user's notifications, unread first, newest first; nobody else's, ever."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient_id=user.pk).order_by(
        F("read_at").asc(nulls_first=True), "-created_at", "-pk"
    )


def unread_count(user: AnyUser) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
