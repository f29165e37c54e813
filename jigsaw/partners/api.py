"""The API partner agencies' systems send events to (issue 5, item 4): django-ninja, with
its OpenAPI description at /api/openapi.json and pages at /api/docs.

Each agency system has its own bearer token (`Authorization: Bearer jgs_...`), issued by an
administrator with the kinds of event it may send (its scopes). A batch is all-or-nothing:
if any event in it is wrong, nothing is written and the answer (422) lists every problem
with the event's place in the batch. Sending an event again (the same `source_id`) writes
nothing new and says it was already received. Nothing a sender sends gets a 5xx: the
fuzzing test (schemathesis) holds the API to that.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, re_path
from django.utils import timezone
from ninja import Field, NinjaAPI, P, PathEx, Schema, Status
from ninja.openapi.docs import DocsBase
from ninja.security import HttpBearer

from jigsaw.access.log import record_access
from jigsaw.partners.actions.feeds import DeliveryConflict, note_token_used, receive_api_events, scope_for
from jigsaw.partners.ingest import (
    MAX_BATCH,
    MAX_PERSONS,
    SLUGS,
    EventRow,
    PersonRow,
    Problem,
    aware,
    check_event,
    clean_text,
    matched_counts,
    normalised_nhs_number,
    normalised_postcode,
    normalised_upn,
    text_problem,
)
from jigsaw.partners.models import ApiClient, EventKind, SubjectRole
from jigsaw.partners.queries.feeds import client_for_token, event_sent_by

# --- Authentication -------------------------------------------------------------------------


class AgencyToken(HttpBearer):
    """An agency system's bearer token: known, not revoked. Unknown and revoked tokens are
    both 401, so a revoked token says no more than a wrong one."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        client = client_for_token(token.strip())
        if client is not None:
            note_token_used(client)
        return client


class ApiGuide(DocsBase):
    """/api/docs as a page of the service: the endpoints, what each takes and answers, and
    an example of each batch, read from the OpenAPI description. (Swagger UI would load its
    scripts from a CDN, which the site's content security policy rightly refuses.)"""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        schema = api.get_openapi_schema()
        operations = []
        for url, methods in schema["paths"].items():
            for method, operation in methods.items():
                body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
                reference = body.get("schema", {}).get("$ref", "")
                name = reference.rsplit("/", 1)[-1]
                examples = schema["components"]["schemas"].get(name, {}).get("examples", [])
                operations.append(
                    {
                        "method": method.upper(),
                        "url": url,
                        "summary": operation.get("summary", ""),
                        "description": operation.get("description", ""),
                        "answers": sorted(operation.get("responses", {})),
                        "example": json.dumps(examples[0], indent=2) if examples else "",
                    }
                )
        return render(
            request,
            "partners/feeds/api_docs.html",
            {
                "title": schema["info"]["title"],
                "description": schema["info"].get("description", ""),
                "operations": operations,
                "openapi_url": self.get_openapi_url(api, kwargs),
                "max_batch": MAX_BATCH,
            },
        )


api = NinjaAPI(
    title="Jigsaw partner events",
    version="1",
    description=(
        "Agencies' systems send events about children here: police incidents (domestic abuse "
        "notifications), health attendances (A&E and minor injuries), school attendance "
        "(persistent absence, suspensions and exclusions, children missing education, changes "
        "of school) and appointments a child was not brought to. Each system has a token: send "
        "it as `Authorization: Bearer <token>`. A batch is accepted whole or not at all."
    ),
    urls_namespace="api",
    auth=AgencyToken(),
    docs=ApiGuide(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)


# --- Schemas ----------------------------------------------------------------------------------


class Message(Schema):
    detail: str


class ErrorItem(Schema):
    loc: list[str | int]
    msg: str
    type: str


class Errors(Schema):
    detail: list[ErrorItem]


class PersonIn(Schema):
    """A person as the sending system records them. Give as much as you hold: the NHS
    number or unique pupil number and the date of birth make a match sure."""

    given_name: str = Field("", max_length=120)
    family_name: str = Field(..., min_length=1, max_length=120)
    date_of_birth: datetime.date | None = None
    sex: Literal["M", "F", "U"] | None = None
    nhs_number: str | None = Field(None, max_length=20, description="10 digits; spaces allowed")
    upn: str | None = Field(None, max_length=20, description="Unique pupil number")


class PolicePersonIn(PersonIn):
    role: Literal["victim", "perpetrator", "adult", "child"]


class EventIn(Schema):
    source_id: str = Field(
        ..., min_length=1, max_length=80, description="Your system's reference; an event is received once"
    )
    occurred_at: datetime.datetime = Field(
        ..., description="When it happened (local time if no zone is given)"
    )
    address_line_1: str = Field("", max_length=120, description="Where it happened, or the family's home")
    town: str = Field("", max_length=80)
    postcode: str = Field("", max_length=10)
    summary: str = Field("", max_length=300, description="What happened, in a sentence")


class PoliceIncidentIn(EventIn):
    subtype: Literal["domestic_abuse", "other_incident"]
    persons: list[PolicePersonIn] = Field(default_factory=list, max_length=MAX_PERSONS)
    children_present: list[PersonIn] = Field(default_factory=list, max_length=MAX_PERSONS)


class HealthAttendanceIn(EventIn):
    subtype: Literal["a_and_e", "minor_injuries"]
    patient: PersonIn


class SchoolAttendanceIn(EventIn):
    subtype: Literal[
        "persistent_absence", "suspension", "permanent_exclusion", "missing_education", "change_of_school"
    ]
    pupil: PersonIn
    receiving_school: str = Field(
        "",
        max_length=160,
        description="For a change of school: the school's name (or Jigsaw's number for it)",
    )


class WasNotBroughtIn(EventIn):
    subtype: Literal["health_visiting", "health_appointment"]
    child: PersonIn


class PoliceIncidentBatch(Schema):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "events": [
                        {
                            "source_id": "INC-2026-0001",
                            "occurred_at": "2026-02-14T21:40:00",
                            "subtype": "domestic_abuse",
                            "address_line_1": "12 Canal Street",
                            "postcode": "RF1 2AB",
                            "summary": "Neighbour reported shouting",
                            "persons": [
                                {
                                    "role": "victim",
                                    "given_name": "Grace",
                                    "family_name": "Mensah",
                                    "date_of_birth": "1990-06-01",
                                    "sex": "F",
                                }
                            ],
                            "children_present": [
                                {
                                    "given_name": "Anna",
                                    "family_name": "Mensah",
                                    "date_of_birth": "2015-11-02",
                                    "sex": "F",
                                    "nhs_number": "943 476 5919",
                                }
                            ],
                        }
                    ]
                }
            ]
        }
    }
    events: list[PoliceIncidentIn] = Field(..., min_length=1, max_length=MAX_BATCH)


class HealthAttendanceBatch(Schema):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "events": [
                        {
                            "source_id": "AE-2026-0001",
                            "occurred_at": "2026-02-14T03:10:00",
                            "subtype": "a_and_e",
                            "postcode": "RF1 2AB",
                            "summary": "Fall from a bunk bed",
                            "patient": {
                                "given_name": "Anna",
                                "family_name": "Mensah",
                                "date_of_birth": "2015-11-02",
                                "nhs_number": "9434765919",
                            },
                        }
                    ]
                }
            ]
        }
    }
    events: list[HealthAttendanceIn] = Field(..., min_length=1, max_length=MAX_BATCH)


class SchoolAttendanceBatch(Schema):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "events": [
                        {
                            "source_id": "SCH-2026-0001",
                            "occurred_at": "2026-02-14T09:00:00",
                            "subtype": "change_of_school",
                            "pupil": {
                                "given_name": "Anna",
                                "family_name": "Mensah",
                                "date_of_birth": "2015-11-02",
                                "upn": "H201100200101",
                            },
                            "receiving_school": "Hill Academy",
                        }
                    ]
                }
            ]
        }
    }
    events: list[SchoolAttendanceIn] = Field(..., min_length=1, max_length=MAX_BATCH)


class WasNotBroughtBatch(Schema):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "events": [
                        {
                            "source_id": "HV-2026-0001",
                            "occurred_at": "2026-02-14T10:30:00",
                            "subtype": "health_visiting",
                            "child": {
                                "given_name": "Kofi",
                                "family_name": "Mensah",
                                "date_of_birth": "2024-03-14",
                            },
                        }
                    ]
                }
            ]
        }
    }
    events: list[WasNotBroughtIn] = Field(..., min_length=1, max_length=MAX_BATCH)


class EventResultOut(Schema):
    source_id: str
    status: Literal["created", "already_received"]
    people_named: int
    people_matched: int = Field(..., description="People named in the event whom Jigsaw recognised")


class BatchOut(Schema):
    delivery_id: int
    created: int
    already_received: int
    results: list[EventResultOut]


class EventOut(Schema):
    source_id: str
    kind: str
    subtype: str
    occurred_at: datetime.datetime
    received_at: datetime.datetime
    delivery_id: int | None
    people_named: int
    people_matched: int


# --- Turning a batch into rows ------------------------------------------------------------------

_ROLE: dict[str, str] = {
    "victim": SubjectRole.VICTIM,
    "perpetrator": SubjectRole.PERPETRATOR,
    "adult": SubjectRole.ADULT,
    "child": SubjectRole.CHILD,
}


def _person(
    person: PersonIn, role: str, where: list[str | int], problems: list[tuple[list[str | int], str]]
) -> PersonRow:
    for name in ("given_name", "family_name", "nhs_number", "upn"):
        value = getattr(person, name) or ""
        if (message := text_problem(name.replace("_", " "), value, 120)) is not None:
            problems.append(([*where, name], message))
    nhs, message = normalised_nhs_number(person.nhs_number or "")
    if message:
        problems.append(([*where, "nhs_number"], message))
    upn, message = normalised_upn(person.upn or "")
    if message:
        problems.append(([*where, "upn"], message))
    return PersonRow(
        role=role,
        given_name=clean_text(person.given_name),
        family_name=clean_text(person.family_name),
        date_of_birth=person.date_of_birth,
        sex=person.sex if person.sex in {"M", "F"} else "",
        nhs_number=nhs,
        upn=upn,
    )


def _persons(
    item: EventIn, where: list[str | int], problems: list[tuple[list[str | int], str]]
) -> list[PersonRow]:
    if isinstance(item, PoliceIncidentIn):
        named = [
            _person(p, _ROLE[p.role], [*where, "persons", i], problems) for i, p in enumerate(item.persons)
        ]
        present = [
            _person(p, SubjectRole.CHILD_PRESENT, [*where, "children_present", i], problems)
            for i, p in enumerate(item.children_present)
        ]
        return named + present
    if isinstance(item, HealthAttendanceIn):
        return [_person(item.patient, SubjectRole.PATIENT, [*where, "patient"], problems)]
    if isinstance(item, SchoolAttendanceIn):
        return [_person(item.pupil, SubjectRole.PUPIL, [*where, "pupil"], problems)]
    assert isinstance(item, WasNotBroughtIn)
    return [_person(item.child, SubjectRole.CHILD, [*where, "child"], problems)]


def _aware(value: datetime.datetime) -> datetime.datetime:
    # A date at the very edge of the calendar cannot take a zone; check_event refuses it
    # as too long ago (or in the future) whatever it is.
    try:
        return aware(value)
    except (OverflowError, ValueError):
        return value


def rows_of(kind: str, items: Sequence[EventIn]) -> tuple[list[EventRow], list[Problem], list[ErrorItem]]:
    """The batch as rows for the writer, with every problem (as the problems the delivery
    keeps, and as the API's error items)."""
    now = timezone.now()
    rows: list[EventRow] = []
    found: list[tuple[int, list[str | int], str]] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        where: list[str | int] = ["body", "events", index]
        problems: list[tuple[list[str | int], str]] = []
        for name in ("source_id", "address_line_1", "town", "postcode", "summary"):
            if (message := text_problem(name.replace("_", " "), getattr(item, name), 300)) is not None:
                problems.append(([*where, name], message))
        source_id = item.source_id.strip()
        if not source_id:
            problems.append(([*where, "source_id"], "the source ID is blank"))
        elif source_id in seen:
            problems.append(
                ([*where, "source_id"], f"the same source ID is event {seen[source_id]} of this batch")
            )
        else:
            seen[source_id] = index
        if isinstance(item, SchoolAttendanceIn) and (
            message := text_problem("receiving school", item.receiving_school, 160)
        ):
            problems.append(([*where, "receiving_school"], message))
        postcode, message = normalised_postcode(item.postcode)
        if message:
            problems.append(([*where, "postcode"], message))
        persons = _persons(item, where, problems)
        payload: dict[str, Any] = {"format": "api", "event": item.model_dump(mode="json")}
        row = EventRow(
            kind=kind,
            subtype=item.subtype,  # type: ignore[attr-defined]  # every kind's schema declares its subtype
            source_id=source_id,
            occurred_at=_aware(item.occurred_at),
            persons=tuple(persons),
            payload=payload,
            address_line_1=clean_text(item.address_line_1),
            town=clean_text(item.town),
            postcode=postcode,
            summary=clean_text(item.summary),
            receiving_school=clean_text(item.receiving_school)
            if isinstance(item, SchoolAttendanceIn)
            else "",
        )
        for field, message, _ in check_event(row, now=now):
            problems.append(([*where, field], message))
        if problems:
            found.extend((index, loc, message) for loc, message in problems)
        else:
            rows.append(row)
    kept = [Problem(message, item=index, field=str(loc[-1])) for index, loc, message in found]
    errors = [ErrorItem(loc=loc, msg=message, type="value_error") for _, loc, message in found]
    return rows, kept, errors


# --- Endpoints ----------------------------------------------------------------------------------

_RESPONSES: dict[int, Any] = {
    200: BatchOut,
    400: Message,
    401: Message,
    403: Message,
    409: Message,
    422: Errors,
}


def _receive(request: HttpRequest, kind: str, batch: Sequence[EventIn]) -> Status[Any]:
    client = request.auth  # type: ignore[attr-defined]  # set by ninja's authentication
    assert isinstance(client, ApiClient)
    if scope_for(kind) not in client.scopes:
        return Status(403, Message(detail=f"This token may not send {EventKind(kind).label.lower()}s"))
    rows, problems, errors = rows_of(kind, batch)
    try:
        delivery = receive_api_events(
            client=client, kind=kind, received=len(batch), rows=rows, problems=problems
        )
    except DeliveryConflict as conflict:
        return Status(409, Message(detail=str(conflict)))
    except PermissionDenied:
        # Revoked, or its scopes changed, since this request was authenticated.
        return Status(403, Message(detail="This token may not send these events"))
    if delivery.problems:
        return Status(422, Errors(detail=errors))
    out = BatchOut(
        delivery_id=delivery.record.pk,
        created=delivery.record.new_events,
        already_received=delivery.record.repeated_events,
        results=[
            EventResultOut(
                source_id=r.source_id,
                status="created" if r.created else "already_received",
                people_named=r.people_named,
                people_matched=r.people_matched,
            )
            for r in delivery.results
        ],
    )
    return Status(200, out)


@api.post("/events/police-incidents", response=_RESPONSES, url_name="police_incidents", tags=["events"])
def police_incidents(request: HttpRequest, batch: PoliceIncidentBatch) -> Status[Any]:
    """Police incidents, domestic abuse notifications above all: the people involved and
    the children present. Children living at the address are found by Jigsaw."""
    return _receive(request, EventKind.POLICE_INCIDENT, batch.events)


@api.post("/events/health-attendances", response=_RESPONSES, url_name="health_attendances", tags=["events"])
def health_attendances(request: HttpRequest, batch: HealthAttendanceBatch) -> Status[Any]:
    """Attendances at A&E and minor injuries units."""
    return _receive(request, EventKind.HEALTH_ATTENDANCE, batch.events)


@api.post("/events/school-attendance", response=_RESPONSES, url_name="school_attendance", tags=["events"])
def school_attendance(request: HttpRequest, batch: SchoolAttendanceBatch) -> Status[Any]:
    """Persistent absence, suspensions and exclusions, children missing education and
    changes of school (with the school the child is moving to)."""
    return _receive(request, EventKind.SCHOOL_ATTENDANCE, batch.events)


@api.post("/events/was-not-brought", response=_RESPONSES, url_name="was_not_brought", tags=["events"])
def was_not_brought(request: HttpRequest, batch: WasNotBroughtBatch) -> Status[Any]:
    """Health visiting and other health appointments a child was not brought to."""
    return _receive(request, EventKind.WAS_NOT_BROUGHT, batch.events)


Slug = Literal["police-incidents", "health-attendances", "school-attendance", "was-not-brought"]


@api.get(
    "/events/{kind}/{path:source_id}",
    response={200: EventOut, 401: Message, 403: Message, 404: Message, 422: Errors},
    url_name="event",
    tags=["events"],
)
def event(
    request: HttpRequest, kind: Slug, source_id: PathEx[str, P(min_length=1, max_length=80)]
) -> Status[Any]:
    """What Jigsaw received of one of your events (your own agency's only)."""
    client = request.auth  # type: ignore[attr-defined]  # set by ninja's authentication
    assert isinstance(client, ApiClient)
    event_kind = SLUGS[kind]
    if scope_for(event_kind) not in client.scopes:
        return Status(403, Message(detail=f"This token may not send {EventKind(event_kind).label.lower()}s"))
    found = event_sent_by(client, event_kind, source_id)
    if found is None:
        return Status(404, Message(detail="No event of yours has that source ID"))
    named, matched = matched_counts([found.pk]).get(found.pk, (0, 0))
    record_access(user=None, action="view_partner_event", record=found, detail={"api_client": client.pk})
    out = EventOut(
        source_id=found.source_id,
        kind=found.kind,
        subtype=found.subtype,
        occurred_at=found.occurred_at,
        received_at=found.received_at,
        delivery_id=found.delivery_id,
        people_named=named,
        people_matched=matched,
    )
    return Status(200, out)


@api.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"],
    "/{path:rest}",
    response={404: Message},
    auth=None,
    include_in_schema=False,
    url_name="not_found",
)
def not_found(request: HttpRequest, rest: str) -> Status[Any]:
    """Anything else under /api/ (an empty source ID, a kind that does not exist) is a
    JSON "not found", not the HTML page people get: the callers are systems."""
    return Status(404, Message(detail="There is nothing here: see /api/docs"))


# --- URLs -------------------------------------------------------------------------------------


def _without_sign_in(patterns: list[URLPattern | URLResolver]) -> None:
    """The API's callers are systems with tokens, not signed-in people: its views (and its
    description) are exempt from the sign-in every page needs (LoginRequiredMiddleware)."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _without_sign_in(pattern.url_patterns)
        else:
            pattern.callback.login_required = False  # type: ignore[attr-defined]  # read by LoginRequiredMiddleware


def _nothing_here(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"detail": "There is nothing here: see /api/docs"}, status=404)


def urls() -> tuple[list[URLPattern | URLResolver], str, str]:
    patterns, app_name, namespace = api.urls
    # Last, whatever no route matched, even a path with a line break in it (which Django's
    # converters never match): a JSON "not found" rather than the people's HTML page.
    patterns = [*patterns, re_path(r"^[\s\S]*$", _nothing_here)]
    _without_sign_in(patterns)
    return patterns, app_name, namespace
