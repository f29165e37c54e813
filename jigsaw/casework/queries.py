"""Read-side functions of casework."""

from __future__ import annotations

import dataclasses
import datetime

from django.db.models import QuerySet

from jigsaw.access.policy import AnyUser, Permission, has_permission, people_visible_to
from jigsaw.casework.models import Contact
from jigsaw.casework.timescales import is_overdue


def contacts_visible_to(user: AnyUser) -> QuerySet[Contact]:
    """Contacts about the children the user may see (the person rule decides)."""
    if not has_permission(user, Permission.VIEW_CONTACTS):
        return Contact.objects.none()
    return Contact.objects.filter(person__in=people_visible_to(user))


@dataclasses.dataclass(frozen=True)
class QueueRow:
    contact: Contact
    overdue: bool


def front_door_queue(user: AnyUser, *, today: datetime.date) -> dict[str, list[QueueRow]]:
    """Contacts awaiting a decision (oldest due first) and decisions awaiting authorisation."""
    base = contacts_visible_to(user).select_related("person", "decided_by", "referrer_agency")
    awaiting_decision = [
        QueueRow(c, is_overdue(c.decision_due, done_on=None, today=today))
        for c in base.filter(decided_at__isnull=True).order_by("decision_due", "received_at")
    ]
    awaiting_authorisation = [
        QueueRow(
            c, is_overdue(c.decision_due, done_on=c.decided_at.date() if c.decided_at else None, today=today)
        )
        for c in base.filter(decided_at__isnull=False, authorised_at__isnull=True).order_by("decided_at")
    ]
    return {"decision": awaiting_decision, "authorisation": awaiting_authorisation}
