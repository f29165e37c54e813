"""Subject access requests: everything Jigsaw holds about a person, in one export.

Third-party information (relatives, household members, professionals) is included but
flagged, because the data protection officer must decide what to redact before the export
leaves the authority. The request is due one calendar month after it was received.
"""

from __future__ import annotations

import calendar
import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.models import AccessLogEntry, AccessLogSubject, SubjectAccessRequest
from jigsaw.access.policy import AnyUser, Permission, has_permission
from jigsaw.partners.models import NamedProfessional
from jigsaw.people.models import HouseholdMember, Person, Relationship


def one_month_after(day: datetime.date) -> datetime.date:
    """The same day next month, or that month's last day when it has no such day (ICO)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def _require(actor: AnyUser) -> User:
    if not has_permission(actor, Permission.REVIEW_ACCESS):
        raise PermissionDenied
    assert isinstance(actor, User)
    return actor


@transaction.atomic
def record_request(
    *, actor: AnyUser, person_id: int, requested_by: str, received_on: datetime.date
) -> SubjectAccessRequest:
    """Record a subject access request and its statutory deadline."""
    dpo = _require(actor)
    person = Person.objects.filter(pk=person_id).first()
    errors: dict[str, str] = {}
    if person is None:
        errors["person"] = "There is nobody with that Jigsaw ID"
    if not requested_by.strip():
        errors["requested_by"] = "Enter who made the request"
    if received_on > timezone.localdate():
        errors["received_on"] = "The date received must be today or in the past"
    if errors:
        raise ValidationError(errors)
    assert person is not None
    request = SubjectAccessRequest.objects.create(
        person=person,
        requested_by=requested_by.strip(),
        received_on=received_on,
        due_on=one_month_after(received_on),
        recorded_by=dpo,
    )
    record_access(user=dpo, action="subject_access_request", record=person, detail={"request": request.pk})
    return request


def _item(kind: str, value: dict[str, Any], *, third_party: str = "") -> dict[str, Any]:
    return {"kind": kind, **value, "third_party": bool(third_party), "redaction_note": third_party}


def gather(person: Person) -> dict[str, Any]:
    """Everything held about the person, each third-party item flagged for redaction review."""
    details = {
        "jigsaw_id": person.pk,
        "given_names": person.given_names,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth,
        "birth_date_precision": person.get_birth_date_precision_display(),
        "date_of_death": person.date_of_death,
        "sex": person.get_sex_display(),
        "gender": person.gender,
        "ethnicity": person.get_ethnicity_display(),
        "first_language": person.first_language,
        "disability": person.get_disability_display(),
        "nhs_number": person.nhs_number,
        "upn": person.upn,
        "recorded": person.created_at,
        "last_changed": person.updated_at,
    }
    items: list[dict[str, Any]] = []
    for name in person.other_names.all():
        items.append(
            _item(
                "other name",
                {
                    "name": str(name),
                    "type": name.get_kind_display(),
                    "from": name.used_from,
                    "to": name.used_to,
                },
            )
        )
    for identifier in person.identifiers.all():
        items.append(_item("identifier", {"type": identifier.get_kind_display(), "value": identifier.value}))
    for residence in person.residences.select_related("address"):
        items.append(
            _item(
                "address",
                {"address": str(residence.address), "from": residence.moved_in, "to": residence.moved_out},
            )
        )
    for rel in Relationship.objects.filter(person=person).select_related("relative"):
        items.append(
            _item(
                "relationship",
                {"relationship": rel.get_kind_display(), "name": rel.relative.full_name},
                third_party="Information about another person: check before disclosing",
            )
        )
    for rel in Relationship.objects.filter(relative=person).select_related("person"):
        items.append(
            _item(
                "relationship",
                {
                    "relationship": f"{person.full_name} is their {rel.get_kind_display().lower()}",
                    "name": rel.person.full_name,
                },
                third_party="Information about another person: check before disclosing",
            )
        )
    households = HouseholdMember.objects.filter(person=person).values("household_id")
    for member in (
        HouseholdMember.objects.filter(household_id__in=households)
        .exclude(person=person)
        .select_related("person")
    ):
        items.append(
            _item(
                "household member",
                {"name": member.person.full_name, "joined": member.joined, "left": member.left},
                third_party="Information about another person: check before disclosing",
            )
        )
    for involvement in NamedProfessional.objects.filter(person=person).select_related("practitioner__agency"):
        items.append(
            _item(
                "professional",
                {
                    "name": involvement.practitioner.full_name,
                    "agency": involvement.practitioner.agency.name,
                    "involvement": involvement.involvement,
                },
                third_party="A professional's name: usually disclosed, check local policy",
            )
        )
    looked = AccessLogEntry.objects.filter(
        pk__in=AccessLogSubject.objects.filter(record_type="people.person", record_id=str(person.pk)).values(
            "entry_id"
        )
    )
    by_agency = (
        looked.values("user__practitioner__agency__name", "action")
        .annotate(times=Count("id"))
        .order_by("user__practitioner__agency__name", "action")
    )
    processing = [
        {
            "agency": row["user__practitioner__agency__name"] or "(system)",
            "action": row["action"].replace("_", " "),
            "times": row["times"],
        }
        for row in by_agency
    ]
    return {"person": details, "items": items, "processing": processing, "generated": timezone.now()}


def export(*, actor: AnyUser, request_id: int) -> tuple[SubjectAccessRequest, dict[str, Any]]:
    dpo = _require(actor)
    request = SubjectAccessRequest.objects.select_related("person").filter(pk=request_id).first()
    if request is None:
        raise Http404("No such request")
    with transaction.atomic():
        data = gather(request.person) | {
            "request": {
                "id": request.pk,
                "requested_by": request.requested_by,
                "received_on": request.received_on,
                "due_on": request.due_on,
            }
        }
        if request.status == SubjectAccessRequest.Status.RECEIVED:
            request.status = SubjectAccessRequest.Status.EXPORTED
            request.save(update_fields=["status"])
        record_access(
            user=dpo, action="export", record=request.person, detail={"subject_access_request": request.pk}
        )
    return request, data


def render_pdf(data: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    html = render_to_string("access/subject_access_pdf.html", {"data": data})
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
