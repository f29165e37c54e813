"""Private fostering (Children Act 1989 section 66; the Children (Private Arrangements for
Fostering) Regulations 2005 and their National Minimum Standards): the notification, the
visits and the assessment of the arrangement, each falling due by the timescale policy in
force, and the arrangement's end. Every step is written into the child's chronology."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from jigsaw.access.log import record_access
from jigsaw.access.policy import AnyUser, Permission, get_person_for, people_visible_to
from jigsaw.casework.actions.common import (
    acting_user,
    add_to_chronology,
    check_version,
    not_in_future,
    require_order,
)
from jigsaw.casework.models import (
    ChronologyKind,
    NotifiedBy,
    PrivateFosteringArrangement,
    PrivateFosteringVisit,
    Referral,
    TimescaleKey,
)
from jigsaw.casework.queries import get_casework_for
from jigsaw.casework.queries.chronology import open_referrals_of
from jigsaw.casework.timescales import add_months, due_date
from jigsaw.core.templatetags.jigsaw_tags import govuk_date
from jigsaw.partners.models import Practitioner
from jigsaw.people.models import Person, RelationshipKind

# Section 105 of the Children Act 1989: a parent, step-parent, grandparent, brother, sister,
# uncle or aunt is a close relative, whose care is not private fostering. The index records
# parents, step-parents and siblings; the others are for the worker to rule out.
CLOSE_RELATIVES = (
    RelationshipKind.PARENT,
    RelationshipKind.STEP_PARENT,
    RelationshipKind.SIBLING,
    RelationshipKind.HALF_SIBLING,
)


def next_visit_due(arrangement: PrivateFosteringArrangement, visited_on: datetime.date) -> datetime.date:
    """When the visit after one on `visited_on` is due: at most 6 weeks later in the
    arrangement's first year, at most 12 weeks later after it (the 2005 regulations), as
    the policy in force sets them."""
    first_year_ends = add_months(arrangement.started_on, 12)
    key = (
        TimescaleKey.PRIVATE_FOSTERING_VISIT_FIRST_YEAR
        if visited_on < first_year_ends
        else TimescaleKey.PRIVATE_FOSTERING_VISIT_LATER
    )
    return due_date(key, visited_on)


def _close_relative(child: Person, carer: Person) -> str:
    """How the index says the carer is a close relative of the child ("" if it does not)."""
    found = (
        child.relationships.filter(relative=carer, kind__in=CLOSE_RELATIVES)
        .union(carer.relationships.filter(relative=child, kind__in=CLOSE_RELATIVES))
        .values_list("kind", flat=True)
    )
    kinds = list(found)
    return RelationshipKind(kinds[0]).label.lower() if kinds else ""


def _referral(
    errors: dict[str, str], actor: AnyUser, person: Person, referral_id: int | None
) -> Referral | None:
    open_ones = list(open_referrals_of(actor, person))
    if referral_id is not None:
        found = next((r for r in open_ones if r.pk == referral_id), None)
        if found is None:
            errors["referral"] = "Choose one of this child's open episodes of need"
        return found
    if len(open_ones) == 1:
        return open_ones[0]
    if not open_ones:
        errors["referral"] = (
            f"{person.full_name} has no open episode of need: a private fostering notification is "
            "a referral, so record it at the front door first"
        )
    else:
        errors["referral"] = "Choose which of this child's open episodes the arrangement belongs to"
    return None


@transaction.atomic
def notify_private_fostering(
    *,
    actor: AnyUser,
    person_id: int,
    carer_id: int | None,
    started_on: datetime.date,
    notified_on: datetime.date,
    notified_by: str,
    notifying_practitioner_id: int | None,
    referral_id: int | None = None,
) -> PrivateFosteringArrangement:
    """Record a private fostering notification: the child, the carer (picked from the index,
    never a parent or close relative), when the arrangement started and when and by whom
    the authority was told. The first visit falls due 7 working days and the assessment 42
    working days after the notification, by the policy in force. One open arrangement per
    child."""
    user = acting_user(actor, Permission.RECORD_CASEWORK)
    person = get_person_for(actor, person_id, Permission.VIEW_CASEWORK)
    errors: dict[str, str] = {}
    carer = people_visible_to(actor).filter(pk=carer_id).first() if carer_id is not None else None
    if carer is None:
        errors["carer"] = "Choose the private foster carer from the person index"
    elif carer.pk == person.pk:
        errors["carer"] = "The carer cannot be the child"
    else:
        relation = _close_relative(person, carer)
        if relation:
            errors["carer"] = (
                f"The index records {carer.full_name} as the child's {relation}: care by a parent or "
                "close relative is not private fostering"
            )
    not_in_future(errors, "notified_on", notified_on, "The date of the notification")
    if notified_by not in NotifiedBy.values:
        errors["notified_by"] = "Choose who notified the authority"
    practitioner = None
    if notifying_practitioner_id is not None:
        practitioner = Practitioner.objects.filter(pk=notifying_practitioner_id).first()
        if practitioner is None:
            errors["notifying_practitioner"] = "Choose the professional from the list"
    elif notified_by == NotifiedBy.PROFESSIONAL:
        errors["notifying_practitioner"] = "Choose the professional who notified the authority"
    referral = _referral(errors, actor, person, referral_id)
    already = (
        PrivateFosteringArrangement.objects.select_for_update()
        .filter(person=person, ended_on__isnull=True)
        .first()
    )
    if already is not None:
        errors["carer"] = (
            f"{person.full_name} is already privately fostered, notified {govuk_date(already.notified_on)}: "
            "end that arrangement first"
        )
    if errors:
        raise ValidationError(errors)
    assert carer is not None and referral is not None
    first_visit = due_date(TimescaleKey.PRIVATE_FOSTERING_FIRST_VISIT, notified_on)
    arrangement = PrivateFosteringArrangement.objects.create(
        person=person,
        referral=referral,
        carer=carer,
        started_on=started_on,
        notified_on=notified_on,
        notified_by=notified_by,
        notifying_practitioner=practitioner,
        first_visit_due=first_visit,
        next_visit_due=first_visit,
        assessment_due=due_date(TimescaleKey.PRIVATE_FOSTERING_ASSESSMENT, notified_on),
        recorded_by=user,
    )
    add_to_chronology(
        person=person,
        occurred_on=notified_on,
        kind=ChronologyKind.PRIVATE_FOSTERING,
        summary=(
            f"Private fostering notified by {arrangement.get_notified_by_display().lower()}: cared for by "
            f"{carer.full_name} from {govuk_date(started_on)} (first visit due by {govuk_date(first_visit)}, "
            f"assessment by {govuk_date(arrangement.assessment_due)})"
        ),
        source=arrangement,
        recorded_by=user,
    )
    record_access(user=user, action="notify_private_fostering", record=arrangement, subjects=[person, carer])
    return arrangement


def _locked(actor: AnyUser, arrangement_id: int) -> PrivateFosteringArrangement:
    arrangement = get_casework_for(
        actor,
        PrivateFosteringArrangement.objects.select_for_update().select_related("person", "carer"),
        arrangement_id,
        "person",
    )
    return arrangement


def _open(actor: AnyUser, arrangement_id: int, field: str) -> PrivateFosteringArrangement:
    arrangement = _locked(actor, arrangement_id)
    if arrangement.ended_on is not None:
        raise ValidationError({field: "This arrangement has ended: nothing more can be recorded in it"})
    return arrangement


@transaction.atomic
def record_private_fostering_visit(
    *,
    actor: AnyUser,
    arrangement_id: int,
    expected_version: int,
    visited_on: datetime.date,
    child_seen_alone: bool,
    notes: str,
) -> PrivateFosteringVisit:
    """Record a visit to a privately fostered child: not before the notification, not in
    the future. The visit keeps the date it was due by; the next one falls due 6 weeks
    later in the arrangement's first year and 12 weeks later after it."""
    user = acting_user(actor, Permission.RECORD_CASEWORK)
    arrangement = _open(actor, arrangement_id, "visited_on")
    errors: dict[str, str] = {}
    require_order(
        errors,
        "visited_on",
        visited_on,
        arrangement.notified_on,
        "A visit under this arrangement cannot be before the notification",
    )
    not_in_future(errors, "visited_on", visited_on, "The date of the visit")
    if errors:
        raise ValidationError(errors)
    check_version(arrangement, expected_version, "private fostering arrangement")
    due_on = arrangement.next_visit_due or arrangement.first_visit_due
    visit = PrivateFosteringVisit.objects.create(
        arrangement=arrangement,
        visited_on=visited_on,
        due_on=due_on,
        child_seen_alone=child_seen_alone,
        notes=notes.strip(),
        visited_by=user,
    )
    arrangement.next_visit_due = next_visit_due(arrangement, visited_on)
    arrangement.save(update_fields=["next_visit_due", "version"])
    timing = "in time" if visit.in_time else f"late: it was due by {govuk_date(due_on)}"
    add_to_chronology(
        person=arrangement.person,
        occurred_on=visited_on,
        kind=ChronologyKind.PRIVATE_FOSTERING,
        summary=(
            f"Private fostering visit ({timing}); the child was "
            f"{'seen alone' if child_seen_alone else 'not seen alone'}"
        ),
        detail=visit.notes,
        source=visit,
        recorded_by=user,
    )
    record_access(
        user=user,
        action="record_private_fostering_visit",
        record=arrangement,
        detail={"visit": visit.pk},
        subjects=[arrangement.person],
    )
    return visit


@transaction.atomic
def complete_private_fostering_assessment(
    *,
    actor: AnyUser,
    arrangement_id: int,
    expected_version: int,
    completed_on: datetime.date,
    suitable: bool,
    summary: str,
) -> PrivateFosteringArrangement:
    """Record the assessment of the arrangement's suitability (due 42 working days after the
    notification): not before the notification, not in the future, once."""
    user = acting_user(actor, Permission.RECORD_CASEWORK)
    arrangement = _open(actor, arrangement_id, "completed_on")
    errors: dict[str, str] = {}
    if arrangement.assessment_completed_on is not None:
        errors["completed_on"] = "The assessment of this arrangement is already completed"
    require_order(
        errors,
        "completed_on",
        completed_on,
        arrangement.notified_on,
        "The assessment cannot be completed before the notification",
    )
    not_in_future(errors, "completed_on", completed_on, "The date completed")
    if not summary.strip():
        errors["summary"] = "Enter the conclusions of the assessment"
    if errors:
        raise ValidationError(errors)
    check_version(arrangement, expected_version, "private fostering arrangement")
    arrangement.assessment_completed_on = completed_on
    arrangement.suitable = suitable
    arrangement.assessment_summary = summary.strip()
    arrangement.assessed_by = user
    arrangement.save(
        update_fields=["assessment_completed_on", "suitable", "assessment_summary", "assessed_by", "version"]
    )
    timing = (
        "in time"
        if completed_on <= arrangement.assessment_due
        else f"late: it was due by {govuk_date(arrangement.assessment_due)}"
    )
    verdict = "suitable" if suitable else "not suitable"
    add_to_chronology(
        person=arrangement.person,
        occurred_on=completed_on,
        kind=ChronologyKind.PRIVATE_FOSTERING,
        summary=f"Private fostering assessment completed ({timing}): the arrangement is {verdict}",
        detail=arrangement.assessment_summary,
        source=arrangement,
        recorded_by=user,
    )
    record_access(
        user=user, action="assess_private_fostering", record=arrangement, subjects=[arrangement.person]
    )
    return arrangement


@transaction.atomic
def end_private_fostering(
    *,
    actor: AnyUser,
    arrangement_id: int,
    expected_version: int,
    ended_on: datetime.date,
    end_reason: str,
) -> PrivateFosteringArrangement:
    """The arrangement ends (the child goes home, moves on, or becomes looked after): not
    before it started or was notified, not in the future, with the reason. No visit is due
    after it."""
    user = acting_user(actor, Permission.RECORD_CASEWORK)
    arrangement = _open(actor, arrangement_id, "ended_on")
    errors: dict[str, str] = {}
    require_order(errors, "ended_on", ended_on, arrangement.started_on, "It cannot end before it started")
    not_in_future(errors, "ended_on", ended_on, "The end date")
    if not end_reason.strip():
        errors["end_reason"] = "Say why the arrangement ended"
    if errors:
        raise ValidationError(errors)
    check_version(arrangement, expected_version, "private fostering arrangement")
    arrangement.ended_on = ended_on
    arrangement.end_reason = end_reason.strip()[:200]
    arrangement.next_visit_due = None
    arrangement.save(update_fields=["ended_on", "end_reason", "next_visit_due", "version"])
    add_to_chronology(
        person=arrangement.person,
        occurred_on=ended_on,
        kind=ChronologyKind.PRIVATE_FOSTERING,
        summary=f"Private fostering ended: {arrangement.end_reason}",
        source=arrangement,
        recorded_by=user,
    )
    record_access(
        user=user, action="end_private_fostering", record=arrangement, subjects=[arrangement.person]
    )
    return arrangement
