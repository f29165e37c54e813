"""Partner event feeds: partner practitioners upload their own agency's events and see their
own deliveries (another agency's, and a kind their agency does not send, are "not found");
administrators issue and revoke agency systems' tokens. The API (api:*) is for systems with
a token, not for signed-in people: the same answer for every role and for nobody signed
in (its tokens and scopes are tested in jigsaw/partners/tests/test_api.py)."""

from __future__ import annotations

from django.utils import timezone

from jigsaw.partners.models import AgencyKind, ApiClient, EventImport, EventKind
from jigsaw.people.models import Person
from tests.factories import make_agency

UPLOADERS = frozenset({"school_dsl", "gp", "police_officer"})


def _police_delivery(person: Person) -> list[object]:
    delivery = EventImport.objects.create(
        agency=make_agency("Riverford Police", AgencyKind.POLICE),
        kind=EventKind.POLICE_INCIDENT,
        filename="incidents.csv",
        received_at=timezone.now(),
        accepted=True,
    )
    return [delivery.pk]


def _token(person: Person) -> list[object]:
    client = ApiClient.objects.create(
        name="Niche RMS",
        agency=make_agency("Riverford Police", AgencyKind.POLICE),
        token_prefix="jgs_abcdefgh",
        token_hash="0" * 64,
        scopes=["events:police_incident"],
    )
    return [client.pk]


def _police_only(who: str) -> int:
    if who == "police_officer":
        return 200
    return 404 if who in UPLOADERS else 403


EXPECTED = {
    "partners:feeds": lambda who: 200 if who in UPLOADERS else 403,
    "partners:upload_events": _police_only,
    "partners:feed_template": _police_only,
    "partners:delivery": _police_only,
    "partners:api_tokens": lambda who: 200 if who == "administrator" else 403,
    "partners:revoke_api_token": lambda who: 405,  # a POST only
    # The API: its description is public; its endpoints answer to tokens only.
    "api:api-root": lambda who: 404,
    "api:openapi-json": lambda who: 200,
    "api:openapi-view": lambda who: 200,
    "api:police_incidents": lambda who: 405,  # a POST only
    "api:health_attendances": lambda who: 405,
    "api:school_attendance": lambda who: 405,
    "api:was_not_brought": lambda who: 405,
    "api:event": lambda who: 401,  # no token
    "api:not_found": lambda who: 404,
}

RECORDS = {
    "partners:upload_events": lambda person: ["police-incidents"],
    "partners:feed_template": lambda person: ["police-incidents"],
    "partners:delivery": _police_delivery,
    "partners:revoke_api_token": _token,
    "api:event": lambda person: ["police-incidents", "INC-1"],
    "api:not_found": lambda person: ["nothing/here"],
}
