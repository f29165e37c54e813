"""Read-side functions of casework: what a user may see (the person rule decides, so a
list never shows what a page would refuse), and the front door's queue. The other parts
of the journey have their own modules beside this one."""

from __future__ import annotations

import dataclasses
import datetime
from typing import TypeVar

from django.db.models import F, Model, QuerySet
from django.http import Http404

from jigsaw.access.policy import AnyUser, Permission, has_permission, people_visible_to
from jigsaw.casework.models import (
    ChildProtectionPlan,
    Contact,
    EarlyHelpEpisode,
    LookedAfterEpisode,
    MissingEpisode,
    PrivateFosteringArrangement,
    Referral,
)
from jigsaw.casework.timescales import is_overdue
from jigsaw.people.models import Person

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


@dataclasses.dataclass(frozen=True)
class PersonCasework:
    """What the child's page shows of their casework."""

    referrals: list[Referral]
    open_plan: ChildProtectionPlan | None
    looked_after: LookedAfterEpisode | None
    early_help: list[EarlyHelpEpisode]
    contacts: list[Contact]
    # The newest missing episodes (one still open first) and any open private fostering.
    missing: list[MissingEpisode] = dataclasses.field(default_factory=list)
    private_fostering: PrivateFosteringArrangement | None = None


def person_casework(user: AnyUser, person: Person) -> PersonCasework | None:
    """The child's episodes (open ones first), plan, looked-after and early help episodes,
    recent contacts, missing episodes and private fostering; None for a role that sees no
    casework."""
    if not has_permission(user, Permission.VIEW_CASEWORK):
        return None
    referrals = list(
        referrals_visible_to(user)
        .filter(person=person)
        .select_related("allocated_worker", "team")
        .order_by(F("closed_on").desc(nulls_first=True), "-referred_on")[:6]
    )
    plan = ChildProtectionPlan.objects.filter(person=person, ended_on__isnull=True).first()
    looked_after = LookedAfterEpisode.objects.filter(person=person, ended_on__isnull=True).first()
    early_help = list(
        EarlyHelpEpisode.objects.filter(person=person)
        .select_related("lead_professional__agency")
        .order_by(F("ended_on").desc(nulls_first=True), "-started_on")[:3]
    )
    contacts = list(contacts_visible_to(user).filter(person=person).order_by("-received_at")[:5])
    missing = list(
        MissingEpisode.objects.filter(person=person).order_by(
            F("returned_at").desc(nulls_first=True), "-reported_at"
        )[:3]
    )
    fostering = PrivateFosteringArrangement.objects.filter(person=person, ended_on__isnull=True).first()
    return PersonCasework(referrals, plan, looked_after, early_help, contacts, missing, fostering)
