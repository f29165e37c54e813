"""The demo's voice of children and families, written over a small demo authority through
the voice actions: advocate records on most held conferences, feedback on a good share of
conferences and closed episodes, both on paper and by link, most of it tagged, some links
waiting and one expired; the same again from the same seed; and `delete_voice` removes it."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from jigsaw.casework.models import ChildProtectionConference, ChronologyEntry, Timescale, TimescalePolicy
from jigsaw.core.demo import DemoGenerator, create_agencies_and_staff, plan_families, write_people
from jigsaw.core.demo_casework import write_casework
from jigsaw.core.demo_voice import HISTORY_DAYS, delete_voice, write_voice
from jigsaw.voice.models.advocacy import AdvocacyRecord
from jigsaw.voice.models.feedback import FamilyFeedback, FeedbackLink
from jigsaw.voice.queries.themes import themes_report

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


def _snapshot() -> list[tuple[object, ...]]:
    feedback = FamilyFeedback.objects.order_by(
        "person_id", "given_on", "conference_id", "referral_id"
    ).values_list(
        "person_id", "conference_id", "referral_id", "given_by", "how", "given_on", "listened", "themes"
    )
    advocacy = AdvocacyRecord.objects.order_by("conference_id").values_list(
        "conference_id", "offered", "attended", "advocate_name"
    )
    return [*feedback, *advocacy]


def test_the_demo_has_feedback_and_advocates_and_is_the_same_from_the_same_seed() -> None:
    today = timezone.localdate()
    _small_authority(today)

    counts = write_voice(seed=SEED, today=today)

    held = ChildProtectionConference.objects.filter(
        held=True, date__gte=today - datetime.timedelta(days=HISTORY_DAYS), date__lte=today
    ).count()
    assert held > 10
    assert counts.advocacy_records == AdvocacyRecord.objects.count() > held * 0.7
    assert counts.advocate_offered > counts.advocate_attended > 0
    assert counts.conference_feedback > held * 0.2
    assert counts.episode_feedback > 0
    assert counts.on_paper > 0 and counts.by_link > 0
    assert FamilyFeedback.objects.count() == counts.conference_feedback + counts.episode_feedback
    assert FamilyFeedback.objects.filter(how="link").count() == counts.by_link
    assert (
        FamilyFeedback.objects.exclude(themes=[]).count()
        == counts.tagged
        > FamilyFeedback.objects.count() / 2
    )
    # Answers through a link were moved back to when the family gave them, with their links.
    for response in FamilyFeedback.objects.filter(how="link").select_related("link"):
        assert response.link is not None and response.link.used_at is not None
        assert timezone.localdate(response.link.used_at) == response.given_on
    assert counts.links_waiting >= 1 and counts.links_expired == 1
    now = timezone.now()
    waiting = [link for link in FeedbackLink.objects.filter(used_at__isnull=True) if link.usable_on(now)]
    assert len(waiting) == counts.links_waiting
    assert (
        ChronologyEntry.objects.filter(source_type="voice.familyfeedback").count()
        == FamilyFeedback.objects.count()
    )
    report = themes_report(today=today)
    assert report.advocacy_total.conferences > 0
    assert sum(row.total.count for row in report.themes) > 0
    assert "Voice of children and families:" in counts.summary()

    first = _snapshot()
    delete_voice()
    assert not FamilyFeedback.objects.exists() and not AdvocacyRecord.objects.exists()
    assert not FeedbackLink.objects.exists()
    assert not ChronologyEntry.objects.filter(source_type="voice.familyfeedback").exists()
    write_voice(seed=SEED, today=today)
    assert _snapshot() == first
