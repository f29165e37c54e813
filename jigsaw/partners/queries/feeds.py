"""Reads of the partner feeds: tokens, deliveries and the events an agency sent."""

from __future__ import annotations

import hashlib

from django.db.models import QuerySet
from django.http import Http404

from jigsaw.access.policy import AnyUser, Permission, has_permission
from jigsaw.partners.ingest import kinds_for
from jigsaw.partners.models import Agency, ApiClient, EventImport, PartnerEvent


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", errors="replace")).hexdigest()


def client_for_token(token: str) -> ApiClient | None:
    """The agency system a bearer token belongs to; None for an unknown or revoked one. Only
    the token's hash is kept, so the lookup is by hash."""
    if not token or len(token) > 200:
        return None
    return (
        ApiClient.objects.select_related("agency")
        .filter(token_hash=token_hash(token), revoked_at__isnull=True)
        .first()
    )


def uploader_agency(user: AnyUser) -> Agency | None:
    """The agency a partner practitioner uploads for, if their role uploads events at all."""
    if not has_permission(user, Permission.UPLOAD_EVENTS):
        return None
    practitioner = getattr(user, "practitioner", None)
    return practitioner.agency if practitioner is not None else None


def upload_kinds(user: AnyUser) -> tuple[str, ...]:
    """The kinds of event this user may upload: their own agency's."""
    agency = uploader_agency(user)
    return kinds_for(agency) if agency is not None else ()


def deliveries_for(user: AnyUser) -> QuerySet[EventImport]:
    """The deliveries (uploads and API batches) of the user's own agency, newest first."""
    agency = uploader_agency(user)
    if agency is None:
        return EventImport.objects.none()
    return EventImport.objects.filter(agency=agency).select_related("uploaded_by", "api_client")


def get_delivery_for(user: AnyUser, pk: int) -> EventImport:
    """Fetch and authorise in one step; missing and another agency's both raise Http404."""
    try:
        return deliveries_for(user).get(pk=pk)
    except EventImport.DoesNotExist:
        raise Http404("No such delivery") from None


def event_sent_by(client: ApiClient, kind: str, source_id: str) -> PartnerEvent | None:
    """An event as the sending agency sent it; another agency's does not exist for them."""
    return PartnerEvent.objects.filter(agency_id=client.agency_id, kind=kind, source_id=source_id).first()


def api_clients(user: AnyUser) -> QuerySet[ApiClient]:
    """Every agency system's token (without the token: only its hash is kept), for the
    administrators who issue and revoke them."""
    if not has_permission(user, Permission.MANAGE_FEEDS):
        return ApiClient.objects.none()
    return ApiClient.objects.select_related("agency", "created_by").order_by(
        "revoked_at", "agency__name", "name"
    )


def get_api_client_for(user: AnyUser, pk: int) -> ApiClient:
    try:
        return api_clients(user).get(pk=pk)
    except ApiClient.DoesNotExist:
        raise Http404("No such API client") from None
