"""Partner event feeds: issuing and revoking agency systems' tokens, and receiving events by
CSV upload or by the API (issue 5, item 4).

Working Together asks agencies to share what they know about a child as it happens: a
police domestic abuse notification, an A&E attendance, a child missing education, a child
not brought to an appointment. Every delivery is all-or-nothing (a file with one bad line
changes nothing, and says which lines are bad), idempotent on the sender's own reference,
matched to the person index, and logged once in the access log with everyone it concerns.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Sequence

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import AnyUser, Permission, has_permission
from jigsaw.partners.actions.alerts import events_arrived
from jigsaw.partners.ingest import (
    EventResult,
    EventRow,
    Problem,
    kinds_for,
    read_csv,
    write_events,
)
from jigsaw.partners.models import Agency, ApiClient, EventImport, EventKind, FeedScope
from jigsaw.partners.queries.feeds import token_hash, uploader_agency

TOKEN_PREFIX = "jgs_"  # noqa: S105  # nosec B105  # a visible marker on every token, not a secret
NAME_MAX = 120


class DeliveryConflict(Exception):
    """Another delivery with some of the same events was being written at the same moment."""

    message = (
        "Another delivery with some of these events arrived at the same moment, so nothing from "
        "this one was saved. Send it again: events already received will be reported as such."
    )


@dataclasses.dataclass(frozen=True)
class Delivery:
    """What became of a delivery: its record, and per event whether it was new."""

    record: EventImport
    results: list[EventResult]
    problems: list[Problem]


def scope_for(kind: str) -> str:
    return f"events:{kind}"


# --- Tokens -------------------------------------------------------------------------------


def _issue(
    *, agency: Agency, name: str, scopes: Sequence[str], created_by: User | None, via: str
) -> tuple[ApiClient, str]:
    cleaned = " ".join(name.split())
    errors: dict[str, str] = {}
    if not cleaned:
        errors["name"] = "Enter a name for the system, for example: Niche RMS"
    elif len(cleaned) > NAME_MAX:
        errors["name"] = f"The name must be {NAME_MAX} characters or fewer"
    allowed = {scope_for(kind) for kind in kinds_for(agency)}
    if not scopes:
        errors["scopes"] = "Choose what the system may send"
    elif not set(scopes) <= set(FeedScope.values):
        errors["scopes"] = "Choose from the list"
    elif not set(scopes) <= allowed:
        sent = (
            ", ".join(EventKind(s.removeprefix("events:")).label.lower() for s in sorted(allowed))
            or "nothing"
        )
        errors["scopes"] = f"{agency.name} may send {sent}: a token may not send more"
    if errors:
        raise ValidationError(errors)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    client = ApiClient.objects.create(
        name=cleaned,
        agency=agency,
        token_prefix=token[:12],
        token_hash=token_hash(token),
        scopes=sorted(set(scopes)),
        created_by=created_by,
    )
    record_access(
        user=created_by,
        action="issue_api_token",
        record=client,
        detail={"agency": agency.pk, "scopes": client.scopes, "via": via},
    )
    return client, token


@transaction.atomic
def issue_api_token(
    *, actor: AnyUser, agency: Agency, name: str, scopes: Sequence[str]
) -> tuple[ApiClient, str]:
    """Issue a token for an agency's system (administrators only). The token is returned
    once, to be shown once: only its hash is kept. A token may send only the kinds of
    event its agency sends (a school's system sends no police incidents)."""
    if not has_permission(actor, Permission.MANAGE_FEEDS):
        raise PermissionDenied
    assert isinstance(actor, User)
    return _issue(agency=agency, name=name, scopes=scopes, created_by=actor, via="page")


@transaction.atomic
def issue_api_token_from_command_line(
    *, agency: Agency, name: str, scopes: Sequence[str]
) -> tuple[ApiClient, str]:
    """`jigsaw issue_api_token`: whoever runs commands on the server is trusted as an
    administrator; the log names the command line as the issuer."""
    return _issue(agency=agency, name=name, scopes=scopes, created_by=None, via="command line")


@transaction.atomic
def revoke_api_token(*, actor: AnyUser, client: ApiClient) -> ApiClient:
    """Revoke a token at once (a system retired, a token leaked): it is refused from then
    on. Revoking twice changes nothing."""
    if not has_permission(actor, Permission.MANAGE_FEEDS):
        raise PermissionDenied
    locked = ApiClient.objects.select_for_update().get(pk=client.pk)
    if locked.revoked_at is not None:
        return locked
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    record_access(user=actor, action="revoke_api_token", record=locked, detail={"agency": locked.agency_id})
    return locked


def note_token_used(client: ApiClient) -> None:
    """When each system last sent something, for the administrators' page."""
    now = timezone.now()
    ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
    client.last_used_at = now


# --- Deliveries ---------------------------------------------------------------------------


def _accept(*, delivery: EventImport, rows: Sequence[EventRow], actor: User | None, via: str) -> Delivery:
    """Write an accepted delivery: events, matching, chronology, the access log, alerts."""
    try:
        with transaction.atomic():
            written = write_events(agency=delivery.agency, rows=rows, delivery=delivery)
    except IntegrityError as error:
        raise DeliveryConflict(DeliveryConflict.message) from error
    delivery.accepted = True
    delivery.new_events = len(written.new_event_ids)
    delivery.repeated_events = len(rows) - delivery.new_events
    delivery.save(update_fields=["accepted", "new_events", "repeated_events"])
    record_access(
        user=actor,
        action="receive_partner_events",
        record=delivery,
        subjects=[("people.person", str(pk)) for pk in sorted(written.matched_people)],
        detail={
            "agency": delivery.agency_id,
            "kind": delivery.kind,
            "via": via,
            "events": len(rows),
            "new": delivery.new_events,
            "repeated": delivery.repeated_events,
            "reviews": written.reviews,
            "chronology_entries": written.chronology_entries,
        }
        | ({"api_client": delivery.api_client_id} if delivery.api_client_id else {}),
    )
    events_arrived(event_ids=written.new_event_ids)
    return Delivery(delivery, written.results, [])


def _reject(*, delivery: EventImport, problems: Sequence[Problem], actor: User | None, via: str) -> Delivery:
    delivery.accepted = False
    delivery.errors = [p.as_dict() for p in problems]
    delivery.save(update_fields=["accepted", "errors"])
    record_access(
        user=actor,
        action="reject_partner_events",
        record=delivery,
        detail={"agency": delivery.agency_id, "kind": delivery.kind, "via": via, "problems": len(problems)}
        | ({"api_client": delivery.api_client_id} if delivery.api_client_id else {}),
    )
    return Delivery(delivery, [], list(problems))


@transaction.atomic
def upload_events(*, actor: AnyUser, kind: str, filename: str, data: bytes) -> Delivery:
    """Receive a CSV file of one kind of event from a partner practitioner, for their own
    agency (police send police incidents, hospitals attendances, schools attendance, health
    visitors and GPs "was not brought").

    The file is accepted whole or not at all: if any line is bad, nothing is written but
    the attempt, with every bad line and why. Events received before (by their reference)
    are not written again, so the same file uploaded twice creates nothing new.
    """
    if not has_permission(actor, Permission.UPLOAD_EVENTS):
        raise PermissionDenied
    assert isinstance(actor, User)
    agency = uploader_agency(actor)
    if agency is None or kind not in kinds_for(agency):
        raise PermissionDenied
    parsed = read_csv(data, kind=kind)
    delivery = EventImport.objects.create(
        agency=agency,
        kind=kind,
        via_api=False,
        uploaded_by=actor,
        filename=filename[:200],
        received_at=timezone.now(),
        rows=parsed.lines,
    )
    if parsed.problems:
        return _reject(delivery=delivery, problems=parsed.problems, actor=actor, via="upload")
    if not parsed.rows:
        return _reject(
            delivery=delivery,
            problems=[Problem("the file has no events in it", line=2)],
            actor=actor,
            via="upload",
        )
    return _accept(delivery=delivery, rows=parsed.rows, actor=actor, via="upload")


@transaction.atomic
def receive_api_events(
    *, client: ApiClient, kind: str, received: int, rows: Sequence[EventRow], problems: Sequence[Problem]
) -> Delivery:
    """Receive a batch of events from an agency's system, by its token. The token must
    carry the kind's scope (the caller checks it first, to answer 403). A batch, like a
    file, is accepted whole or not at all; a rejected batch is kept with its problems."""
    if client.revoked_at is not None or scope_for(kind) not in client.scopes:
        raise PermissionDenied
    delivery = EventImport.objects.create(
        agency=client.agency,
        kind=kind,
        via_api=True,
        api_client=client,
        received_at=timezone.now(),
        rows=received,
    )
    if problems:
        return _reject(delivery=delivery, problems=problems, actor=None, via="api")
    return _accept(delivery=delivery, rows=rows, actor=None, via="api")
