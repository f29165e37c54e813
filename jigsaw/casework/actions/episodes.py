"""Episodes of need: opening a referral, and (with the assessment work) what happens in it."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.casework.actions.common import add_to_chronology
from jigsaw.casework.models import ChronologyKind, Contact, PrimaryNeed, Referral


@transaction.atomic
def open_referral(*, actor: User, contact: Contact) -> Referral:
    """Open the referral (and so the episode of need) that an authorised front-door
    decision asks for. Everything is taken from the contact: the child, the date it came
    in (the CIN census referral date), its source and the primary need chosen with the
    decision. It starts unallocated, in the authorising manager's team."""
    practitioner = getattr(actor, "practitioner", None)
    referral = Referral.objects.create(
        person=contact.person,
        contact=contact,
        referred_on=timezone.localdate(contact.received_at),
        source=contact.source,
        primary_need=contact.primary_need or PrimaryNeed.N0,
        team_id=practitioner.team_id if practitioner is not None else None,
        opened_by=actor,
    )
    add_to_chronology(
        person=contact.person,
        occurred_on=referral.referred_on,
        kind=ChronologyKind.REFERRAL,
        summary=f"Referral to children's social care ({referral.get_primary_need_display()})",
        source=referral,
        recorded_by=actor,
    )
    record_access(user=actor, action="open_referral", record=referral, subjects=[contact.person])
    return referral
