"""The partners' day in the demo, written through the real actions: concerns, flag checks and
the feeds' events with what they set off."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from jigsaw.access.models import AccessLogEntry
from jigsaw.casework.models import Contact
from jigsaw.partners.models import (
    Concern,
    ConcernStatus,
    EmergingConcern,
    EventImport,
    FlagAnswer,
    FlagCheck,
    Notification,
    PartnerEvent,
    Practitioner,
)
from jigsaw.partners.queries.concerns import concern_queue_count

pytestmark = pytest.mark.django_db


def test_the_demo_partners_raise_concerns_ask_flag_checks_and_send_events(
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[list[Callable[[], None]]]],
) -> None:
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--children", "1500", "--seed", "2009", stdout=out)

    assert (
        "Partners: 4 concerns raised through the portal (1 decided and fed back, 1 draft)" in out.getvalue()
    )
    concerns = Concern.objects.filter(raised_by__username="partner_practitioner")
    assert sorted(concerns.values_list("status", flat=True)) == sorted(
        [ConcernStatus.DECIDED, ConcernStatus.SUBMITTED, ConcernStatus.SUBMITTED, ConcernStatus.DRAFT]
    )
    decided = concerns.get(status=ConcernStatus.DECIDED)
    contact = Contact.objects.get(concern_child__concern=decided)
    assert contact.decision == "early_help" and contact.authorised_by is not None
    # The school is told the outcome; the front door has the other two to triage.
    told = Notification.objects.filter(recipient__username="partner_practitioner")
    assert any(decided.reference and decided.reference in n.subject for n in told)
    assert concern_queue_count(User.objects.get(username="front_door_officer")) == 2
    # The A&E check found a child on a plan and the worker was told; the GP's child is not known.
    answers = dict(FlagCheck.objects.values_list("asked_by__username", "answer"))
    assert answers == {"ae_clinician": FlagAnswer.CHILD_PROTECTION_PLAN, "gp": FlagAnswer.NO_FLAG}
    assert Notification.objects.filter(
        recipient__username="social_worker", subject__startswith="Flag check:", body__startswith="Seen at"
    ).exists()
    assert AccessLogEntry.objects.filter(action="flag_check").count() == 2

    # The feeds: three domestic abuse incidents at a baby's home raise an emerging concern for
    # the front door, the social worker hears of their child's A&E attendance, and the
    # receiving school's safeguarding lead of a child on a plan joining them.
    assert "Partner feeds: 5 events in 5 deliveries" in out.getvalue()
    assert EventImport.objects.filter(accepted=True, via_api=True).count() == 5
    raised = EmergingConcern.objects.get()
    assert raised.rule.name.startswith("Three or more domestic abuse incidents")
    assert raised.evidence.count() == 3
    assert raised.person.partner_events.filter(role="household_child").count() == 3
    assert Notification.objects.filter(
        recipient__username="social_worker", subject__startswith="Hospital (acute health): A&E attendance"
    ).exists()
    # The receiving school is the child's next phase (a primary for a child under 11), and
    # each of its safeguarding leads who signs in to Jigsaw is told who to call.
    move = PartnerEvent.objects.get(subtype="change_of_school")
    assert move.receiving_agency is not None
    child = move.subjects.get(role="pupil").person
    assert child is not None and child.cp_plans.filter(ended_on__isnull=True).exists()
    assert child.date_of_birth is not None
    primary = (timezone.localdate(move.received_at) - child.date_of_birth).days < 11 * 365
    assert (move.receiving_agency.name == "Riverside Primary School") == primary
    leads = set(
        Practitioner.objects.filter(
            agency=move.receiving_agency, safeguarding_lead=True, user__isnull=False
        ).values_list("user_id", flat=True)
    )
    told_leads = set(
        Notification.objects.filter(
            subject="A child joining your school has a child protection plan"
        ).values_list("recipient_id", flat=True)
    )
    assert told_leads == leads
