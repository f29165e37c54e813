from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client

from jigsaw.access.log import record_access, verify_chain
from jigsaw.access.models import AccessLogEntry

pytestmark = pytest.mark.django_db


def _log(user: User, n: int) -> list[AccessLogEntry]:
    return [
        record_access(user=user, action="view", record_type="people.person", record_id=str(i))
        for i in range(n)
    ]


def _drop_protection() -> None:
    """What an attacker with the database owner's rights could do first."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER access_log_append_only ON access_accesslogentry")
        else:
            cursor.execute("DROP TRIGGER access_log_no_update")


def test_an_untouched_chain_verifies(social_worker: User, capsys: pytest.CaptureFixture[str]) -> None:
    _log(social_worker, 5)
    assert list(verify_chain()) == []
    call_command("verify_access_log")
    assert "5 entries, chain unbroken" in capsys.readouterr().out


def test_the_database_refuses_to_change_a_row(social_worker: User) -> None:
    entry = _log(social_worker, 1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLogEntry.objects.filter(pk=entry.pk).update(record_id="999")


def test_deleting_a_row_is_refused_on_postgresql_and_caught_by_the_chain_on_sqlite(
    social_worker: User,
) -> None:
    entries = _log(social_worker, 2)
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            AccessLogEntry.objects.filter(pk=entries[0].pk).delete()
        assert AccessLogEntry.objects.count() == 2
    else:
        AccessLogEntry.objects.filter(pk=entries[0].pk).delete()
        assert next(verify_chain()).entry_id == entries[1].pk


def test_a_changed_row_is_detected_and_named(social_worker: User) -> None:
    middle = _log(social_worker, 3)[1]
    _drop_protection()
    AccessLogEntry.objects.filter(pk=middle.pk).update(record_id="999")

    assert [b.entry_id for b in verify_chain()] == [middle.pk]
    with pytest.raises(CommandError, match=f"first bad entry {middle.pk}"):
        call_command("verify_access_log")


def test_a_removed_row_is_detected(social_worker: User) -> None:
    entries = _log(social_worker, 3)
    _drop_protection()
    AccessLogEntry.objects.filter(pk=entries[1].pk).delete()
    assert next(verify_chain()).entry_id == entries[2].pk


def test_an_inserted_row_is_detected(social_worker: User) -> None:
    entries = _log(social_worker, 2)
    forged = AccessLogEntry.objects.get(pk=entries[1].pk)
    forged.pk = None
    forged.record_id = "42"
    forged.previous_hash = entries[1].entry_hash
    forged.entry_hash = "f" * 64
    forged.save()
    assert next(verify_chain()).entry_id == forged.pk


def test_removing_the_newest_rows_is_detected(social_worker: User) -> None:
    entries = _log(social_worker, 3)
    _drop_protection()
    AccessLogEntry.objects.filter(pk=entries[-1].pk).delete()
    assert [b.entry_id for b in verify_chain()] == [0]


def test_each_entry_says_where_the_request_came_from(client: Client, social_worker: User) -> None:
    client.force_login(social_worker)
    client.get("/people/", {"name": "Kouao"}, REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="Firefox test")
    entry = AccessLogEntry.objects.get(action="search")
    assert (entry.ip_address, entry.user_agent) == ("10.1.2.3", "Firefox test")
    assert list(verify_chain()) == []
