"""The returns benchmark's copies of the demo's casework keep every link within the copy.

It lives in the suite (not under bench/) so that every run checks the copying the returns
benchmark's figures rest on, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from casework_copies import children_in_need, copy_children_in_need, plan_copies

from jigsaw.casework.models import ChronologyEntry, ConferenceChild, Contact, Referral, Visit
from jigsaw.people.models import Person

YEAR = 2026


def _dangling_foreign_keys() -> list[str]:
    """Every (model.field) with a value that names no row of the table it points at."""
    dangling = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.ForeignKey):  # one-to-one fields are foreign keys too
                continue
            target = field.related_model
            assert not isinstance(target, str)
            existing = target._base_manager.values(field.target_field.attname)
            rows = model._base_manager.exclude(**{f"{field.attname}__isnull": True}).exclude(
                **{f"{field.attname}__in": existing}
            )
            if rows.exists():
                dangling.append(f"{model._meta.label}.{field.name}")
    return dangling


@pytest.mark.django_db(transaction=True)
def test_copies_are_closed_worlds_of_the_demo_casework() -> None:
    call_command("seed_demo", children=600, casework_children=600, matching_extras=False, quiet=True)
    base_children = children_in_need(YEAR)
    base_referrals = Referral.objects.count()
    base_people = Person.objects.count()
    plan = plan_copies()
    subjects = plan.rows_per_copy["people.Person"]
    assert base_children > 0 and base_referrals > 0 and 0 < subjects < base_people

    added = copy_children_in_need(2, plan=plan)

    # Three times the children in need, the referrals, the visits; the copied children only.
    assert children_in_need(YEAR) == 3 * base_children
    assert Referral.objects.count() == 3 * base_referrals
    assert Visit.objects.count() == 3 * plan.rows_per_copy["casework.Visit"]
    assert Person.objects.count() == base_people + 2 * subjects
    assert added["rows_added"]["casework.Referral"] == 2 * base_referrals
    # No foreign key points at a missing row (checked by query, the same on both databases:
    # the copying turns the database's own checks off).
    assert _dangling_foreign_keys() == []
    # Each copy's records point within the copy: a referral's contact is its child's, a
    # conference's child its referral's, a chronology entry's record the same child's.
    for referral in Referral.objects.filter(contact__isnull=False).select_related("contact"):
        assert referral.contact is not None and referral.contact.person_id == referral.person_id
    for child in ConferenceChild.objects.filter(plan__isnull=False).select_related("referral", "plan"):
        assert child.plan is not None and child.plan.person_id == child.referral.person_id
    entries = ChronologyEntry.objects.filter(source_type="casework.referral")
    referrals = {r.pk: r.person_id for r in Referral.objects.all()}
    assert entries.exists()
    for entry in entries:
        assert referrals[int(entry.source_id)] == entry.person_id
    # A copy's contacts are new rows for new children, not the originals again.
    assert (
        Contact.objects.values("person").distinct().count()
        == 3
        * Contact.objects.filter(pk__lte=plan.offsets["casework.Contact"]).values("person").distinct().count()
    )
