"""Advocates at conferences: recorded once per conference by the chair or social worker,
corrected with a version check, refused when it makes no sense, logged."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jigsaw.access.models import AccessLogEntry
from jigsaw.casework.actions.common import EditConflict
from jigsaw.voice.actions.advocacy import record_advocacy
from jigsaw.voice.models.advocacy import AdvocacyRecord
from jigsaw.voice.tests.helpers import child_with_feedback_occasions
from tests.factories import persona

pytestmark = pytest.mark.django_db


def test_the_chair_records_an_advocate_and_a_worker_corrects_it() -> None:
    conference = child_with_feedback_occasions().conference
    chair = persona("conference_chair")
    record = record_advocacy(
        actor=chair,
        conference_id=conference.pk,
        expected_version=None,
        offered=True,
        attended=True,
        organisation="Riverford Family Advocacy",
    )
    assert (record.offered, record.attended, record.organisation, record.version) == (
        True,
        True,
        "Riverford Family Advocacy",
        1,
    )
    logged = AccessLogEntry.objects.get(action="record_advocacy")
    assert (logged.user_id, logged.record_type, logged.record_id) == (
        chair.pk,
        "voice.advocacyrecord",
        str(record.pk),
    )
    assert logged.detail == {"conference": conference.pk, "offered": True, "attended": True}

    changed = record_advocacy(
        actor=persona("social_worker"),
        conference_id=conference.pk,
        expected_version=1,
        offered=True,
        attended=False,
        organisation="Riverford Family Advocacy",
    )
    # Nobody came, so nobody is named.
    assert (changed.attended, changed.organisation, changed.version) == (False, "", 2)
    assert AdvocacyRecord.objects.count() == 1
    assert AccessLogEntry.objects.filter(action="change_advocacy").count() == 1


def test_a_stale_form_is_refused_even_when_it_was_opened_before_anyone_recorded() -> None:
    conference = child_with_feedback_occasions().conference
    record_advocacy(
        actor=persona("conference_chair"),
        conference_id=conference.pk,
        expected_version=None,
        offered=False,
        attended=False,
    )
    with pytest.raises(EditConflict):
        record_advocacy(
            actor=persona("social_worker"),
            conference_id=conference.pk,
            expected_version=None,
            offered=True,
            attended=False,
        )
    assert AdvocacyRecord.objects.get().offered is False


def test_an_advocate_who_came_is_named_and_cannot_come_to_a_future_conference() -> None:
    child = child_with_feedback_occasions()
    with pytest.raises(ValidationError) as refused:
        record_advocacy(
            actor=persona("social_worker"),
            conference_id=child.conference.pk,
            expected_version=None,
            offered=True,
            attended=True,
        )
    assert refused.value.message_dict == {"organisation": ["Enter the advocate's organisation or name"]}
    child.conference.date = timezone.localdate() + datetime.timedelta(days=5)
    child.conference.save(update_fields=["date"])
    with pytest.raises(ValidationError) as refused:
        record_advocacy(
            actor=persona("social_worker"),
            conference_id=child.conference.pk,
            expected_version=None,
            offered=True,
            attended=True,
            advocate_name="Sam Advocate",
        )
    assert refused.value.message_dict == {
        "attended": ["The conference has not happened yet: record who came after it"]
    }
    assert not AdvocacyRecord.objects.exists()


@pytest.mark.parametrize("who", ["front_door_officer", "analyst", "partnership_member", "police_officer"])
def test_others_may_not_record_advocates(who: str) -> None:
    conference = child_with_feedback_occasions().conference
    with pytest.raises(PermissionDenied):
        record_advocacy(
            actor=persona(who),
            conference_id=conference.pk,
            expected_version=None,
            offered=True,
            attended=False,
        )
