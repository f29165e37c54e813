"""What a worker does from their work list besides casework: marking an alert as read."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from jigsaw.access.policy import AnyUser
from jigsaw.partners.models import Notification


@transaction.atomic
def mark_notification_read(*, actor: AnyUser, notification_id: int) -> Notification:
    """Mark one of the user's own alerts as read (reading it again changes nothing).
    Someone else's alert is answered as missing, so its existence never leaks."""
    if not actor.is_authenticated:
        raise Http404("No such alert")
    found = Notification.objects.select_for_update().filter(pk=notification_id, recipient_id=actor.pk).first()
    if found is None:
        raise Http404("No such alert")
    if found.read_at is None:
        found.read_at = timezone.now()
        found.save(update_fields=["read_at"])
    return found
