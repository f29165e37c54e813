"""State changes of the access app: restricting a record, breaking glass, reviewing it."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.models import BreakGlassAccess, RestrictedRecord, RestrictionReason, ReviewOutcome
from jigsaw.access.policy import (
    AnyUser,
    Permission,
    has_permission,
    restricted_people_hidden_from,
)
from jigsaw.access.roles import Role
from jigsaw.partners.actions import notify
from jigsaw.people.models import Person

# How long a break-glass opening lasts: a working shift, not for ever.
BREAK_GLASS_HOURS = 8
MINIMUM_REASON = 20


def data_protection_officers() -> list[User]:
    return list(User.objects.filter(is_active=True, practitioner__role=Role.DATA_PROTECTION_OFFICER))


@transaction.atomic
def restrict_record(
    *,
    actor: AnyUser,
    person_id: int,
    reason: str,
    permitted_usernames: list[str],
    note: str = "",
) -> RestrictedRecord:
    """Restrict a record to named users (adoption, staff family, high-profile cases).

    The person restricting it is always among the named users, so nobody locks a record
    away from themselves by mistake.
    """
    if not has_permission(actor, Permission.RESTRICT_RECORD):
        raise PermissionDenied
    try:
        person = Person.objects.get(pk=person_id)
    except Person.DoesNotExist:
        raise Http404("No such person") from None
    errors: dict[str, str] = {}
    if reason not in RestrictionReason.values:
        errors["reason"] = "Choose why the record is restricted"
    users = list(User.objects.filter(username__in=permitted_usernames, is_active=True))
    unknown = sorted(set(permitted_usernames) - {u.get_username() for u in users})
    if unknown:
        errors["permitted_users"] = f"There is no active user called {', '.join(unknown)}"
    if RestrictedRecord.objects.filter(person=person).exists():
        errors["reason"] = "This record is already restricted"
    if errors:
        raise ValidationError(errors)
    assert isinstance(actor, User)
    restriction = RestrictedRecord.objects.create(
        person=person, reason=reason, note=note.strip(), restricted_by=actor, restricted_at=timezone.now()
    )
    restriction.permitted_users.set([*users, actor])
    record_access(
        user=actor,
        action="restrict",
        record=person,
        detail={"reason": reason, "permitted": sorted(u.get_username() for u in [*users, actor])},
    )
    return restriction


@transaction.atomic
def break_glass(*, actor: AnyUser, person_id: int, reason: str) -> BreakGlassAccess:
    """Open a record outside the normal rule for an urgent, stated reason.

    Logged with the reason; the record's owner and the data protection officers are told,
    and the opening waits in the review queue until a data protection officer reviews it.
    """
    if not has_permission(actor, Permission.BREAK_GLASS):
        raise PermissionDenied
    try:
        person = restricted_people_hidden_from(actor).get(pk=person_id)
    except Person.DoesNotExist:
        raise Http404("No such person") from None
    reason = " ".join(reason.split())
    if len(reason) < MINIMUM_REASON:
        raise ValidationError(
            {"reason": f"Say why you need this record now, in at least {MINIMUM_REASON} characters"}
        )
    assert isinstance(actor, User)
    now = timezone.now()
    access = BreakGlassAccess.objects.create(
        user=actor,
        person=person,
        reason=reason,
        opened_at=now,
        expires_at=now + datetime.timedelta(hours=BREAK_GLASS_HOURS),
    )
    record_access(user=actor, action="break_glass", record=person, reason=reason)
    owners: list[User] = []
    restriction = RestrictedRecord.objects.filter(person=person).select_related("restricted_by").first()
    if restriction is not None:
        owners.append(restriction.restricted_by)
    notify(
        recipients=[*owners, *data_protection_officers()],
        subject=f"{actor.get_username()} broke glass to open a restricted record (Jigsaw ID {person.pk})",
        body=f"Reason given: {reason}",
        link=reverse("access:review", args=[access.pk]),
    )
    return access


@transaction.atomic
def review_break_glass(*, actor: AnyUser, access_id: int, outcome: str, note: str = "") -> BreakGlassAccess:
    """A data protection officer's verdict on a break-glass opening."""
    if not has_permission(actor, Permission.REVIEW_ACCESS):
        raise PermissionDenied
    access = BreakGlassAccess.objects.select_for_update().filter(pk=access_id).first()
    if access is None:
        raise Http404("No such access")
    if access.reviewed_at is not None:
        raise ValidationError({"outcome": "This access has already been reviewed"})
    if outcome not in ReviewOutcome.values:
        raise ValidationError({"outcome": "Choose whether the access was justified"})
    if outcome == ReviewOutcome.NOT_JUSTIFIED and not note.strip():
        raise ValidationError({"note": "Say what was wrong with the access and what happens next"})
    assert isinstance(actor, User)
    access.reviewed_by = actor
    access.reviewed_at = timezone.now()
    access.outcome = outcome
    access.review_note = note.strip()
    access.save(update_fields=["reviewed_by", "reviewed_at", "outcome", "review_note"])
    record_access(user=actor, action="review_break_glass", record=access, detail={"outcome": outcome})
    return access


def person_for_audit(*, actor: AnyUser, person_id: int) -> Person:
    """The person whose access history a data protection officer is looking at."""
    if not has_permission(actor, Permission.REVIEW_ACCESS):
        raise Http404("No such person")
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise Http404("No such person")
    record_access(user=actor, action="view_access_history", record=person)
    return person
