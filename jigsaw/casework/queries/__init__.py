"""Read-side functions of casework: what a user may see (the person rule decides, so a
list never shows what a page would refuse), and the front door's queue. The other parts
of the journey have their own modules beside this one."""

from __future__ import annotations

import dataclasses
import datetime
from typing import TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

from jigsaw.access.policy import AnyUser, Permission, has_permission, people_visible_to
from jigsaw.casework.models import Contact, Referral
from jigsaw.casework.timescales import is_overdue

M = TypeVar("M", bound=Model)


def casework_visible_to(user: AnyUser, records: QuerySet[M], person_field: str) -> QuerySet[M]:
    """The casework `records` (referrals, assessments, plans...) about children the user may
    see; `person_field` is the path from the record to its child, for example
    "referral__person". Roles without casework see none."""
    if not has_permission(user, Permission.VIEW_CASEWORK):
        return records.none()
    return records.filter(**{f"{person_field}__in": people_visible_to(user)})


def get_casework_for(user: AnyUser, records: QuerySet[M], pk: int, person_field: str) -> M:
    """Fetch and authorise one casework record; missing and forbidden both raise Http404."""
    found = casework_visible_to(user, records, person_field).filter(pk=pk).first()
    if found is None:
        raise Http404("No such record")
    return found


def referrals_visible_to(user: AnyUser) -> QuerySet[Referral]:
    return casework_visible_to(user, Referral.objects.all(), "person")


def get_referral_for(user: AnyUser, pk: int) -> Referral:
    return get_casework_for(user, Referral.objects.select_related("person"), pk, "person")


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
