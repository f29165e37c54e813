"""The only code that changes guidance and its read receipts.

Lord Laming's report (2003) and his progress report (2009) found guidance issued and not
known by those it was for. The partnership issues practice notes, procedures and leaflets
to the agencies and roles they concern; every Jigsaw user in that audience is asked to
acknowledge reading each version, and a new version asks everyone again.

Each action checks permission, validates in the user's words, writes in one transaction
with its access-log row, and refuses a new version made from a stale form.
"""

from __future__ import annotations

import dataclasses

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import AnyUser, Permission, role_of
from jigsaw.access.roles import Role
from jigsaw.casework.actions.common import EditConflict, acting_user, check_version
from jigsaw.partners.models import Agency, AgencyKind
from jigsaw.partnership.models.guidance import (
    MAX_GUIDANCE_FILE_BYTES,
    Acknowledgement,
    GuidanceFile,
    GuidanceItem,
    GuidanceKind,
    GuidanceVersion,
    ProcedureKey,
)
from jigsaw.partnership.queries.guidance import current_version, is_addressed_to

__all__ = [
    "EditConflict",
    "GuidanceDetails",
    "UploadedFile",
    "acknowledge",
    "issue_guidance",
    "issue_new_version",
]

PDF = "application/pdf"


@dataclasses.dataclass(frozen=True)
class GuidanceDetails:
    title: str
    kind: str
    procedure_key: str = ""
    all_agencies: bool = True
    agency_ids: tuple[int, ...] = ()
    agency_kinds: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class UploadedFile:
    filename: str
    content_type: str
    content: bytes


def _content_errors(body: str, upload: UploadedFile | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not body.strip() and upload is None:
        errors["body"] = "Enter the text of the guidance, or upload it as a PDF"
    if upload is not None:
        if len(upload.content) > MAX_GUIDANCE_FILE_BYTES:
            errors["file"] = f"The file must be smaller than {MAX_GUIDANCE_FILE_BYTES // (1024 * 1024)} MB"
        elif not upload.content.startswith(b"%PDF-"):
            errors["file"] = "The file must be a PDF"
    return errors


def _details_errors(details: GuidanceDetails) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not details.title.strip():
        errors["title"] = "Enter the title of the guidance"
    if details.kind not in GuidanceKind.values:
        errors["kind"] = "Choose what kind of guidance it is"
    if details.procedure_key:
        if details.procedure_key not in ProcedureKey.values:
            errors["procedure_key"] = "Choose the part of the work from the list"
        elif details.kind != GuidanceKind.PROCEDURE:
            errors["procedure_key"] = "Only a procedure can be linked from the pages where it applies"
        elif GuidanceItem.objects.filter(procedure_key=details.procedure_key).exists():
            errors["procedure_key"] = (
                "Another procedure is already linked there: issue a new version of it instead"
            )
    if not details.all_agencies and not details.agency_ids and not details.agency_kinds:
        errors["agencies"] = "Choose the agencies or kinds of agency it is for, or send it to all agencies"
    if len(set(details.agency_ids)) != Agency.objects.filter(pk__in=details.agency_ids).count():
        errors["agencies"] = "Choose agencies from the list"
    if any(k not in AgencyKind.values for k in details.agency_kinds):
        errors["agency_kinds"] = "Choose kinds of agency from the list"
    if any(r not in Role.values for r in details.roles):
        errors["roles"] = "Choose roles from the list"
    return errors


def _write_version(
    item: GuidanceItem, number: int, body: str, change_note: str, upload: UploadedFile | None, user: User
) -> GuidanceVersion:
    version = GuidanceVersion.objects.create(
        item=item,
        number=number,
        body=body.strip(),
        change_note=change_note.strip()[:300],
        issued_by=user,
        issued_at=timezone.now(),
    )
    if upload is not None:
        GuidanceFile.objects.create(
            version=version,
            filename=upload.filename[:200] or "guidance.pdf",
            content_type=PDF,
            size=len(upload.content),
            content=upload.content,
        )
    return version


@transaction.atomic
def issue_guidance(
    *, actor: AnyUser, details: GuidanceDetails, body: str, upload: UploadedFile | None = None
) -> GuidanceItem:
    """Issue a new piece of guidance (its version 1) to its audience: every Jigsaw user in
    the chosen agencies and roles is asked to read and acknowledge it."""
    user = acting_user(actor, Permission.ISSUE_GUIDANCE)
    errors = _details_errors(details) | _content_errors(body, upload)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            item = GuidanceItem.objects.create(
                title=details.title.strip(),
                kind=details.kind,
                procedure_key=details.procedure_key,
                all_agencies=details.all_agencies,
                agency_kinds=[] if details.all_agencies else sorted(set(details.agency_kinds)),
                roles=sorted(set(details.roles)),
                created_by=user,
                created_at=timezone.now(),
            )
    except IntegrityError:
        # Two issuers linked a procedure to the same pages at once: the second is told.
        raise ValidationError(
            {"procedure_key": "Another procedure is already linked there: issue a new version of it instead"}
        ) from None
    if not details.all_agencies:
        item.agencies.set(details.agency_ids)
    version = _write_version(item, 1, body, "", upload, user)
    record_access(
        user=user,
        action="issue_guidance",
        record=item,
        detail={"version": version.number, "kind": item.kind, "file": upload is not None},
    )
    return item


@transaction.atomic
def issue_new_version(
    *,
    actor: AnyUser,
    item_id: int,
    expected_version: int,
    body: str,
    change_note: str,
    upload: UploadedFile | None = None,
) -> GuidanceVersion:
    """Issue a new version of guidance: everyone in its audience is asked to read it
    again (acknowledgements are of one version)."""
    user = acting_user(actor, Permission.ISSUE_GUIDANCE)
    item = GuidanceItem.objects.select_for_update().filter(pk=item_id).first()
    if item is None:
        raise Http404("No such guidance")
    errors = _content_errors(body, upload)
    if not change_note.strip():
        errors["change_note"] = "Say what has changed in this version"
    if errors:
        raise ValidationError(errors)
    check_version(item, expected_version, "guidance")
    item.save(update_fields=["version"])
    latest = current_version(item)
    number = (latest.number if latest else 0) + 1
    version = _write_version(item, number, body, change_note, upload, user)
    record_access(
        user=user,
        action="issue_guidance_version",
        record=item,
        detail={"version": number, "file": upload is not None},
    )
    return version


@transaction.atomic
def acknowledge(*, actor: AnyUser, version_id: int) -> Acknowledgement:
    """ "I have read this": a recipient acknowledges the current version of guidance sent
    to them, once (a second click keeps the first time)."""
    if role_of(actor) is None:
        raise PermissionDenied
    version = GuidanceVersion.objects.select_related("item").filter(pk=version_id).first()
    if version is None or not is_addressed_to(version.item, actor):
        raise Http404("No such guidance")
    latest = current_version(version.item)
    if latest is None or latest.pk != version.pk:
        raise ValidationError("A newer version has been issued: read that one and acknowledge it")
    assert actor.pk is not None
    existing = Acknowledgement.objects.filter(version=version, user_id=actor.pk).first()
    if existing is not None:
        return existing
    acknowledgement = Acknowledgement.objects.create(
        version=version, user_id=actor.pk, acknowledged_at=timezone.now()
    )
    record_access(
        user=actor,
        action="acknowledge_guidance",
        record=version.item,
        detail={"version": version.number},
    )
    return acknowledgement
