"""The demo's vulnerable families meetings, written over a small demo authority through the
actions: the health visiting service meets two GP practices every six weeks, one pair's
next meeting arranged and the other's overdue; families listed, carried forward and
discussed; actions (some overdue for the signed-in GP or health visitor); referrals that
followed, linked to the demo's own contacts. The same again from the same seed; and
`delete_vulnerable_families` removes it all."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from jigsaw.casework.models import ChronologyEntry, Timescale, TimescalePolicy
from jigsaw.core.demo import DemoGenerator, create_agencies_and_staff, plan_families, write_people
from jigsaw.core.demo_casework import write_casework
from jigsaw.core.demo_partners import seed_partner_network
from jigsaw.core.demo_vulnerable_families import delete_vulnerable_families, write_vulnerable_families
from jigsaw.vulnerable_families.models import (
    FamilyAction,
    FamilyDiscussion,
    Meeting,
    Outcome,
    StandingMeeting,
)
from jigsaw.vulnerable_families.queries import schedule_of

pytestmark = pytest.mark.django_db

SEED = 2009
CHILDREN = 3000


def _small_authority(today: datetime.date) -> None:
    from importlib import import_module

    from django.apps import apps

    if not TimescalePolicy.objects.exists():
        import_module("jigsaw.casework.migrations.0002_default_timescales").add(apps, None)
        import_module("jigsaw.workforce.migrations.0003_default_caseload_weights").add_defaults(apps, None)
    if not Timescale.objects.filter(key="pf_first_visit").exists():
        module = import_module("jigsaw.casework.migrations.0008_missing_episodes_and_private_fostering")
        module.add_private_fostering_timescales(apps, None)
    generator = DemoGenerator(SEED, today=today)
    create_agencies_and_staff(generator)
    write_people(plan_families(generator, children=CHILDREN), batch_size=5000)
    write_casework(seed=SEED, today=today, children_cap=CHILDREN)
    seed_partner_network(seed=SEED, today=today)


def _snapshot() -> list[tuple[object, ...]]:
    meetings = Meeting.objects.order_by("standing__gp_practice__name", "held_on").values_list(
        "standing__gp_practice__name", "held_on"
    )
    families = FamilyDiscussion.objects.order_by("meeting__held_on", "pk").values_list(
        "meeting__held_on", "reason", "outcome", "referral_made_on", "contact_id"
    )
    actions = FamilyAction.objects.order_by("due_on", "pk").values_list(
        "description", "owner_id", "due_on", "done_on"
    )
    return [*meetings, *families, *actions]


def test_the_demo_has_a_year_of_vulnerable_families_meetings() -> None:
    today = timezone.localdate()
    _small_authority(today)

    counts = write_vulnerable_families(seed=SEED, today=today)

    assert counts.standing_meetings == StandingMeeting.objects.count() == 2
    assert counts.meetings == Meeting.objects.count() == 18  # 9 held and 1 arranged; 8 held
    schedules = [schedule_of(s, today=today) for s in StandingMeeting.objects.order_by("pk")]
    assert schedules[0].next_arranged is not None and not schedules[0].overdue
    assert schedules[1].next_arranged is None and schedules[1].overdue
    assert counts.families == FamilyDiscussion.objects.count() > 40
    assert 0 < counts.carried_forward < counts.families
    assert FamilyDiscussion.objects.filter(carried_from__isnull=False).count() == counts.carried_forward
    # Every family at a meeting held has its discussion; the arranged one's are still to come.
    held = FamilyDiscussion.objects.filter(meeting__held_on__lte=today)
    assert not held.filter(outcome="").exists()
    assert FamilyDiscussion.objects.filter(meeting__held_on__gt=today).exclude(outcome="").count() == 0
    assert counts.referrals == FamilyDiscussion.objects.filter(outcome=Outcome.REFERRAL).count() >= 1
    assert counts.referrals_linked == FamilyDiscussion.objects.filter(contact__isnull=False).count()
    for family in FamilyDiscussion.objects.filter(contact__isnull=False):
        assert family.contact is not None
        assert family.contact.person in family.children.all()
    assert counts.actions == FamilyAction.objects.count() > counts.families / 2
    overdue = FamilyAction.objects.filter(done_on__isnull=True, due_on__lt=today)
    assert counts.actions_overdue == overdue.count() >= 1
    assert all(a.owner.user_id is not None for a in overdue)
    assert ChronologyEntry.objects.filter(source_type="vulnerable_families.familydiscussion").count() == (
        sum(f.children.count() for f in held)
    )
    assert "Vulnerable families meetings:" in counts.summary()

    first = _snapshot()
    delete_vulnerable_families()
    assert not StandingMeeting.objects.exists() and not FamilyDiscussion.objects.exists()
    assert not ChronologyEntry.objects.filter(source_type="vulnerable_families.familydiscussion").exists()
    write_vulnerable_families(seed=SEED, today=today)
    assert _snapshot() == first
