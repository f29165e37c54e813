"""The front door: contacts recorded, decided within a working day, and authorised by a
manager; an authorised decision to assess opens the referral, pre-filled from the contact."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import AnyUser, Permission, get_person_for
from jigsaw.casework.actions.common import EditConflict, acting_user, add_to_chronology
from jigsaw.casework.actions.episodes import open_referral
from jigsaw.casework.models import (
    ChronologyKind,
    Consent,
    Contact,
    EarlyHelpEpisode,
    FrontDoorDecision,
    PrimaryNeed,
    ReferralSource,
    TimescaleKey,
    Urgency,
)
from jigsaw.casework.queries import contacts_visible_to
from jigsaw.casework.timescales import due_date
from jigsaw.partners.models import Agency

# Decisions that open a referral to children's social care when authorised.
OPENS_REFERRAL = frozenset({FrontDoorDecision.ASSESSMENT, FrontDoorDecision.STRATEGY_DISCUSSION})


@transaction.atomic
def record_contact(
    *,
    actor: AnyUser,
    person_id: int,
    received_at: datetime.datetime,
    source: str,
    concern: str,
    consent: str,
    urgency: str = Urgency.ROUTINE,
    referrer_name: str = "",
    referrer_agency_id: int | None = None,
) -> Contact:
    """Record a contact about a child; its decision falls due by the timescale policy
    (Working Together 2023: within 1 working day of receipt)."""
    user = acting_user(actor, Permission.RECORD_CONTACT)
    person = get_person_for(actor, person_id)
    errors: dict[str, str] = {}
    if source not in ReferralSource.values:
        errors["source"] = "Choose who the contact came from"
    if consent not in Consent.values:
        errors["consent"] = "Choose whether consent was given"
    if urgency not in Urgency.values:
        errors["urgency"] = "Choose how urgent the contact is"
    if not concern.strip():
        errors["concern"] = "Describe the concern"
    if received_at > timezone.now():
        errors["received_at"] = "The time received must be now or in the past"
    agency = Agency.objects.filter(pk=referrer_agency_id).first() if referrer_agency_id else None
    if referrer_agency_id and agency is None:
        errors["referrer_agency"] = "Choose the referrer's agency from the list"
    if errors:
        raise ValidationError(errors)
    contact = Contact.objects.create(
        person=person,
        received_at=received_at,
        source=source,
        concern=concern.strip(),
        consent=consent,
        urgency=urgency,
        referrer_name=referrer_name.strip(),
        referrer_agency=agency,
        decision_due=due_date(TimescaleKey.CONTACT_DECISION, timezone.localdate(received_at)),
        recorded_by=user,
    )
    add_to_chronology(
        person=person,
        occurred_on=timezone.localdate(received_at),
        occurred_at=received_at,
        kind=ChronologyKind.CONTACT,
        summary=f"Contact from {contact.get_source_display()}"
        + (f" ({agency.name})" if agency else "")
        + f": {contact.concern[:200]}",
        source=contact,
        recorded_by=user,
        agency_id=agency.pk if agency else None,
    )
    record_access(user=user, action="record_contact", record=contact, subjects=[person])
    return contact


@transaction.atomic
def decide_contact(
    *,
    actor: AnyUser,
    contact_id: int,
    expected_version: int,
    decision: str,
    reason: str,
    primary_need: str = "",
) -> Contact:
    """The front door's decision on a contact (Working Together: within 1 working day).
    A decision that opens a referral also records the child's primary need (DfE N0-N9)."""
    user = acting_user(actor, Permission.DECIDE_CONTACT)
    contact = contacts_visible_to(actor).select_for_update().filter(pk=contact_id).first()
    if contact is None:
        raise Http404("No such contact")
    if decision not in FrontDoorDecision.values:
        raise ValidationError({"decision": "Choose the decision"})
    if not reason.strip():
        raise ValidationError({"reason": "Say why: the reason is read by the manager and the referrer"})
    if decision in OPENS_REFERRAL and primary_need not in PrimaryNeed.values:
        raise ValidationError({"primary_need": "Choose the child's primary need: the referral records it"})
    if contact.version != expected_version:
        raise EditConflict(
            "Someone else recorded a decision on this contact after you opened it. "
            "Yours has not been saved: check theirs first."
        )
    if contact.authorised_at is not None:
        raise ValidationError({"decision": "This decision has been authorised and can no longer change"})
    contact.decision = decision
    contact.decision_reason = reason.strip()
    contact.decided_by = user
    contact.decided_at = timezone.now()
    contact.primary_need = primary_need if decision in OPENS_REFERRAL else ""
    contact.version += 1
    contact.save(
        update_fields=["decision", "decision_reason", "primary_need", "decided_by", "decided_at", "version"]
    )
    record_access(user=user, action="decide_contact", record=contact, detail={"decision": decision})
    return contact


@transaction.atomic
def authorise_decision(*, actor: AnyUser, contact_id: int) -> Contact:
    """A manager authorises a front-door decision; nobody authorises their own. Authorising
    a decision to assess or to hold a strategy discussion opens the referral (dated the day
    the contact came in, with its source), unallocated in the manager's team; authorising
    early help opens an early help episode."""
    user = acting_user(actor, Permission.AUTHORISE_DECISION)
    contact = contacts_visible_to(actor).select_for_update().filter(pk=contact_id).first()
    if contact is None:
        raise Http404("No such contact")
    if contact.decided_at is None:
        raise ValidationError({"decision": "There is no decision to authorise yet"})
    if contact.decided_by_id == user.pk:
        raise ValidationError({"decision": "You made this decision: another manager must authorise it"})
    if contact.authorised_at is not None:
        raise ValidationError({"decision": "This decision is already authorised"})
    contact.authorised_by = user
    contact.authorised_at = timezone.now()
    contact.version += 1
    contact.save(update_fields=["authorised_by", "authorised_at", "version"])
    record_access(user=user, action="authorise_decision", record=contact)
    add_to_chronology(
        person=contact.person,
        occurred_on=timezone.localdate(contact.decided_at),
        occurred_at=contact.decided_at,
        kind=ChronologyKind.DECISION,
        summary=f"Front-door decision: {contact.get_decision_display()} (authorised)",
        detail=contact.decision_reason,
        source=contact,
        recorded_by=user,
    )
    if contact.decision in OPENS_REFERRAL:
        open_referral(actor=user, contact=contact)
    elif contact.decision == FrontDoorDecision.EARLY_HELP:
        episode = EarlyHelpEpisode.objects.create(
            person=contact.person,
            started_on=timezone.localdate(),
            contact=contact,
            recorded_by=user,
        )
        add_to_chronology(
            person=contact.person,
            occurred_on=episode.started_on,
            kind=ChronologyKind.EARLY_HELP,
            summary="Early help offered after a contact: a lead professional is to be agreed",
            source=episode,
            recorded_by=user,
        )
        record_access(user=user, action="open_early_help", record=episode, subjects=[contact.person])
    # A contact from a partner's concern: the referrer is told the outcome (imported here,
    # as the partners' concerns record contacts through this module).
    from jigsaw.partners.actions.concerns import concern_decided

    concern_decided(contact=contact, actor=user)
    return contact
