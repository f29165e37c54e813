"""Recording whether the parents had an advocate at a conference.

Working Together asks that parents are helped to take part in child protection conferences;
an advocate (usually from a commissioned independent service) is how many are. The chair or
the social worker records, once per conference, whether the parents were offered one and
whether one came; a change is version-checked against anyone else's.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import AnyUser, Permission
from jigsaw.casework.actions.common import EditConflict, acting_user, check_version
from jigsaw.casework.queries.protection import get_conference_for
from jigsaw.voice.models.advocacy import AdvocacyRecord

__all__ = ["EditConflict", "record_advocacy"]


@transaction.atomic
def record_advocacy(
    *,
    actor: AnyUser,
    conference_id: int,
    expected_version: int | None,
    offered: bool | None,
    attended: bool | None,
    advocate_name: str = "",
    organisation: str = "",
) -> AdvocacyRecord:
    """Record (or correct) whether the parents were offered an advocate for this conference
    and whether one attended. An advocate who attended is named, by name or organisation;
    nobody can be recorded as attending a conference that has not happened yet."""
    user = acting_user(actor, Permission.RECORD_FAMILY_FEEDBACK)
    conference = get_conference_for(actor, conference_id)
    errors: dict[str, str] = {}
    if offered is None:
        errors["offered"] = "Say whether the parents were offered an advocate"
    if attended is None:
        errors["attended"] = "Say whether an advocate came to the conference"
    elif attended and conference.date > timezone.localdate():
        errors["attended"] = "The conference has not happened yet: record who came after it"
    elif attended and not (advocate_name.strip() or organisation.strip()):
        errors["organisation"] = "Enter the advocate's organisation or name"
    if errors:
        raise ValidationError(errors)
    assert offered is not None and attended is not None
    record = AdvocacyRecord.objects.select_for_update().filter(conference=conference).first()
    if record is None:
        record = AdvocacyRecord(conference=conference)
        created = True
    else:
        # A form opened before anyone recorded it carries no version: someone recording it
        # since makes that form stale too.
        check_version(record, expected_version if expected_version is not None else -1, "advocate record")
        created = False
    record.offered = offered
    record.attended = attended
    record.advocate_name = advocate_name.strip()[:160] if attended else ""
    record.organisation = organisation.strip()[:160] if attended else ""
    record.recorded_by = user
    record.recorded_at = timezone.now()
    record.save()
    record_access(
        user=user,
        action="record_advocacy" if created else "change_advocacy",
        record=record,
        detail={"conference": conference.pk, "offered": offered, "attended": attended},
    )
    return record
