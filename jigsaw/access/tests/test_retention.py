from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from jigsaw.access.models import AccessLogEntry, DisposalItem, LegalHold, RetentionRule, SubjectAccessRequest
from jigsaw.access.retention import approve_disposal, people_due_for_disposal, propose_disposal, years_after
from jigsaw.people.models import Person
from tests.factories import make_person

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 22)


def _age(person: Person, years_ago: int) -> None:
    """Make the record look as if it last changed `years_ago` years ago."""
    Person.objects.filter(pk=person.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=365.25 * years_ago)
    )


@pytest.fixture
def people(data_protection_officer: User) -> dict[str, Person]:
    made = {
        "old_untouched": make_person(date_of_birth=datetime.date(1990, 1, 1)),
        "old_recently_changed": make_person(date_of_birth=datetime.date(1990, 1, 1)),
        "young": make_person(date_of_birth=datetime.date(2010, 1, 1)),
        "unknown_birth": make_person(date_of_birth=None),
        "held": make_person(date_of_birth=datetime.date(1985, 6, 1)),
    }
    for name in ("old_untouched", "young", "unknown_birth", "held"):
        _age(made[name], 10)
    LegalHold.objects.create(
        person=made["held"], reason="Civil claim", placed_by=data_protection_officer, placed_at=timezone.now()
    )
    return made


def test_the_schedule_decides_what_is_due(people: dict[str, Person]) -> None:
    due = people_due_for_disposal(TODAY)
    assert [d.person_id for d in due] == [people["old_untouched"].pk]
    # The 25th birthday was in 2015, but the record changed since: six years after that change.
    changed = timezone.localdate(Person.objects.get(pk=people["old_untouched"].pk).updated_at)
    assert due[0].due_on == years_after(changed, 6)
    assert due[0].rule.startswith("An adult on the person index")

    RetentionRule.objects.filter(record_type="adult_person").update(years=40)
    assert people_due_for_disposal(TODAY) == []


def test_dry_run_then_approved_disposal(
    people: dict[str, Person], data_protection_officer: User, social_worker: User
) -> None:
    batch = propose_disposal(today=TODAY)
    assert Person.objects.count() == 5  # a dry run removes nothing

    with pytest.raises(PermissionDenied):
        approve_disposal(actor=social_worker, batch_id=batch.pk, today=TODAY)
    approve_disposal(actor=data_protection_officer, batch_id=batch.pk, today=TODAY)

    assert not Person.objects.filter(pk=people["old_untouched"].pk).exists()
    assert Person.objects.count() == 4
    item = DisposalItem.objects.get(batch=batch)
    assert (item.record_id, item.disposed) == (str(people["old_untouched"].pk), True)
    assert "6 years after the record last changed" in item.rule
    assert AccessLogEntry.objects.get(action="dispose").detail == {"disposed": [item.record_id]}


def test_a_hold_placed_after_the_proposal_still_keeps_the_record(
    people: dict[str, Person], data_protection_officer: User
) -> None:
    batch = propose_disposal(today=TODAY)
    LegalHold.objects.create(
        person=people["old_untouched"],
        reason="Inquiry",
        placed_by=data_protection_officer,
        placed_at=timezone.now(),
    )
    approve_disposal(actor=data_protection_officer, batch_id=batch.pk, today=TODAY)
    assert Person.objects.filter(pk=people["old_untouched"].pk).exists()
    assert "no longer due" in DisposalItem.objects.get(batch=batch).note


def test_a_record_others_refer_to_is_kept_whole(
    people: dict[str, Person], data_protection_officer: User
) -> None:
    SubjectAccessRequest.objects.create(
        person=people["old_untouched"],
        requested_by="The subject",
        received_on=TODAY,
        due_on=TODAY,
        recorded_by=data_protection_officer,
    )
    batch = propose_disposal(today=TODAY)
    approve_disposal(actor=data_protection_officer, batch_id=batch.pk, today=TODAY)
    assert Person.objects.filter(pk=people["old_untouched"].pk).exists()
    assert "other records still refer to it" in DisposalItem.objects.get(batch=batch).note


def test_the_command(
    people: dict[str, Person], data_protection_officer: User, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("apply_retention")
    out = capsys.readouterr().out
    assert "1 record(s) due for disposal. Nothing has been removed." in out
    batch_id = out.split("Proposal ")[1].split(":")[0]
    call_command("apply_retention", "--approve", batch_id, "--approver", "data_protection_officer")
    assert "1 disposed, 0 kept" in capsys.readouterr().out
