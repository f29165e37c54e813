"""Retention and disposal: which records are past their retention date, and their removal.

The schedule is data (RetentionRule, editable in the admin). A person's records are due
for disposal when no rule still keeps them and no legal hold is in place. Apps with records
of their own (casework: child protection, looked-after children) add a rule source to
`RETENTION_SOURCES`, a function that says which people their records still keep.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.models import DisposalBatch, DisposalItem, LegalHold, RetentionRule
from jigsaw.access.policy import AnyUser, Permission, has_permission
from jigsaw.people.models import BirthDatePrecision, Person


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _rule(record_type: str) -> RetentionRule:
    try:
        return RetentionRule.objects.get(record_type=record_type)
    except RetentionRule.DoesNotExist:
        raise ValidationError(f"The retention schedule has no rule for {record_type}") from None


def _person_index_keeps(today: datetime.date) -> Q:
    """People the person index itself still keeps: children until the age the schedule
    gives, anyone whose record changed recently, unborn children and unknown birth dates."""
    child = _rule("child_person")
    adult = _rule("adult_person")
    changed_since = timezone.now() - datetime.timedelta(days=365.25 * adult.years)
    return (
        Q(date_of_birth__isnull=True)
        | Q(birth_date_precision=BirthDatePrecision.EXPECTED)
        | Q(date_of_birth__gt=years_before(today, child.years))
        | Q(updated_at__gt=changed_since)
    )


RETENTION_SOURCES: list[Callable[[datetime.date], Q]] = [_person_index_keeps]


@dataclasses.dataclass(frozen=True)
class Due:
    person_id: int
    rule: str
    due_on: datetime.date


def people_due_for_disposal(today: datetime.date) -> list[Due]:
    kept = Q()
    for source in RETENTION_SOURCES:
        kept |= source(today)
    held = LegalHold.objects.filter(lifted_at__isnull=True).values("person_id")
    child = _rule("child_person")
    adult = _rule("adult_person")
    due = []
    for person_id, born, changed in (
        Person.objects.exclude(kept).exclude(pk__in=held).values_list("pk", "date_of_birth", "updated_at")
    ):
        assert born is not None  # people without a birth date are always kept
        by_age = years_after(born, child.years)
        by_change = years_after(timezone.localdate(changed), adult.years)
        rule = child if by_age >= by_change else adult
        due.append(Due(person_id, str(rule), max(by_age, by_change)))
    return due


@transaction.atomic
def propose_disposal(*, today: datetime.date) -> DisposalBatch:
    """The dry run: list what would be disposed of, and keep the list for approval."""
    batch = DisposalBatch.objects.create(proposed_at=timezone.now())
    DisposalItem.objects.bulk_create(
        [
            DisposalItem(
                batch=batch,
                record_type="people.person",
                record_id=str(d.person_id),
                rule=d.rule,
                due_on=d.due_on,
            )
            for d in people_due_for_disposal(today)
        ]
    )
    return batch


def approve_disposal(*, actor: AnyUser, batch_id: int, today: datetime.date) -> DisposalBatch:
    """Dispose of a proposed batch. Each record is checked again (a legal hold or a change
    since the proposal keeps it) and removed in its own savepoint, so one that other
    records still refer to is kept and noted, not half-removed."""
    if not has_permission(actor, Permission.REVIEW_ACCESS):
        raise PermissionDenied
    assert isinstance(actor, User)
    with transaction.atomic():
        batch = DisposalBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None or batch.status != DisposalBatch.Status.PROPOSED:
            raise ValidationError("There is no proposed disposal batch with that number")
        still_due = {str(d.person_id) for d in people_due_for_disposal(today)}
        for item in batch.items.all():
            if item.record_id not in still_due:
                item.note = "kept: no longer due (a legal hold or a change since the proposal)"
            else:
                try:
                    with transaction.atomic():
                        Person.objects.filter(pk=int(item.record_id)).delete()
                    item.disposed = True
                except ProtectedError:
                    item.note = "kept: other records still refer to it (for example a subject access request)"
            item.save(update_fields=["disposed", "note"])
        batch.status = DisposalBatch.Status.DISPOSED
        batch.approved_by = actor
        batch.disposed_at = timezone.now()
        batch.save(update_fields=["status", "approved_by", "disposed_at"])
        record_access(
            user=actor,
            action="dispose",
            record=batch,
            detail={"disposed": [i.record_id for i in batch.items.filter(disposed=True)]},
        )
    return batch
