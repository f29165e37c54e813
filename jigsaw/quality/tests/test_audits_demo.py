"""The demo's case file audits, on a small setup: two programmes chosen by criteria, cases
in every state, findings with actions, agencies' parts; and deleting them all."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from jigsaw.core.demo_quality_audits import delete_audits, write_audits
from jigsaw.quality.models.audits import AgencyAuditPart, AuditAction, AuditCase, AuditProgramme, AuditStatus
from jigsaw.quality.queries.audits import themes_report
from jigsaw.quality.tests.audits_helpers import child_on_plan
from tests.factories import persona

pytestmark = pytest.mark.django_db


def test_demo_audits_cover_every_state_and_delete_cleanly() -> None:
    for name in ("team_manager", "conference_chair", "partnership_member", "gp", "police_officer"):
        persona(name)
    today = timezone.localdate()
    worker = persona("social_worker")
    for year in range(8):  # eight under fives on plans for neglect...
        child_on_plan(born=today - datetime.timedelta(days=365 * (year % 4) + 30), worker=worker)
    for _ in range(4):  # ...and four older children on plans for neglect
        child_on_plan(born=datetime.date(2014, 6, 1), worker=worker)

    activity = write_audits(seed=1, today=today)

    assert activity.programmes == 2 == AuditProgramme.objects.count()
    under_fives = AuditProgramme.objects.get(multi_agency=False)
    neglect = AuditProgramme.objects.get(multi_agency=True)
    assert under_fives.cases.count() == 8
    assert neglect.cases.count() == 12 and neglect.criteria[0]["categories"] == ["NEG"]
    assert set(AuditCase.objects.values_list("status", flat=True)) == set(AuditStatus.values)
    assert AgencyAuditPart.objects.filter(case__programme=neglect).count() == 24
    assert activity.findings > 0 and activity.actions == AuditAction.objects.count() > 0
    report = themes_report()
    assert report.audits == activity.submitted + activity.moderated
    assert report.moderated == activity.moderated
    assert "Case file audits: 2 programmes, 20 cases" in activity.summary()

    delete_audits()
    assert not AuditCase.objects.exists() and not AuditProgramme.objects.exists()
