from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from jigsaw.access.log import record_access, verify_chain
from jigsaw.access.models import AccessLogEntry

pytestmark = pytest.mark.django_db


def test_an_untouched_chain_verifies(social_worker: User) -> None:
    for n in range(5):
        record_access(user=social_worker, action="view", record_type="people.person", record_id=str(n))
    assert list(verify_chain()) == []
    call_command("verify_access_log")


def test_a_changed_row_is_detected(social_worker: User) -> None:
    for n in range(3):
        record_access(user=social_worker, action="view", record_type="people.person", record_id=str(n))
    middle = AccessLogEntry.objects.order_by("id")[1]
    AccessLogEntry.objects.filter(pk=middle.pk).update(record_id="999")

    breaks = list(verify_chain())
    assert [b.entry_id for b in breaks] == [middle.pk]
    with pytest.raises(CommandError):
        call_command("verify_access_log")


def test_a_removed_row_is_detected(social_worker: User) -> None:
    for n in range(3):
        record_access(user=social_worker, action="view", record_type="people.person", record_id=str(n))
    AccessLogEntry.objects.order_by("id")[1].delete()
    assert list(verify_chain())


def test_removing_the_newest_rows_is_detected(social_worker: User) -> None:
    for n in range(3):
        record_access(user=social_worker, action="view", record_type="people.person", record_id=str(n))
    AccessLogEntry.objects.order_by("-id")[0].delete()
    assert [b.entry_id for b in verify_chain()] == [0]
