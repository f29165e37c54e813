"""Writing and verifying the hash-chained access log.

Each entry carries an HMAC over its own content and the previous entry's hash, so changing,
removing or inserting any row breaks the chain from that row on, and nobody without the
key can forge a replacement chain; `jigsaw verify_access_log` walks it. The database also
refuses UPDATE and DELETE on the table (migration 0002), so the log is append-only for the
application's own connection.
"""

from __future__ import annotations

import contextvars
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models, transaction
from django.utils import timezone

from jigsaw.access.models import AccessLogEntry, AccessLogHead, AccessLogSubject

GENESIS = "0" * 64

# A record an entry concerns, named as `record._meta.label_lower` and `str(record.pk)` name
# it: ("people.person", "42"). For a caller that has the keys but no model instances (a
# team's work list names hundreds of children read as rows; building a Person for each only
# to name it cost more than the rest of the log write).
SubjectKey = tuple[str, str]


@dataclass(frozen=True)
class Origin:
    """Where a request came from, set by AccessLogMiddleware for the log rows it causes."""

    ip_address: str | None
    user_agent: str


current_origin: contextvars.ContextVar[Origin | None] = contextvars.ContextVar("current_origin", default=None)


def _key() -> bytes:
    configured: str = getattr(settings, "ACCESS_LOG_KEY", "") or ""
    if configured:
        return configured.encode()
    return hashlib.sha256(f"jigsaw.access_log|{settings.SECRET_KEY}".encode()).digest()


def _entry_hash(previous_hash: str, payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hmac.new(_key(), f"{previous_hash}|{canonical}".encode(), hashlib.sha256).hexdigest()


def _payload(entry: AccessLogEntry) -> dict[str, Any]:
    return {
        "at": entry.at.isoformat(),
        "user": entry.user_id,
        "action": entry.action,
        "record_type": entry.record_type,
        "record_id": entry.record_id,
        "detail": entry.detail,
        "reason": entry.reason,
        "ip": entry.ip_address,
        "agent": entry.user_agent,
    }


def record_access(
    *,
    user: AbstractBaseUser | AnonymousUser | None,
    action: str,
    record: models.Model | None = None,
    record_type: str = "",
    record_id: str = "",
    detail: dict[str, Any] | None = None,
    reason: str = "",
    subjects: Iterable[models.Model | SubjectKey] = (),
) -> AccessLogEntry:
    """Append one entry. Runs inside the caller's transaction when there is one, so a
    change and its log row commit or roll back together.

    `subjects` are the other records the entry concerns (the people a search returned);
    they are listed in the hashed detail and indexed for "who has looked at this child?".
    Each is a model instance or its `SubjectKey`; both are logged alike.
    """
    if record is not None:
        record_type = record._meta.label_lower
        record_id = str(record.pk)
    user_id = user.pk if user is not None and user.is_authenticated else None
    origin = current_origin.get() or Origin(None, "")
    subject_list = list(subjects)
    concerned = [s if isinstance(s, tuple) else (s._meta.label_lower, str(s.pk)) for s in subject_list]
    if record_type and record_id:
        concerned.insert(0, (record_type, record_id))
    if subject_list:
        detail = (detail or {}) | {"subjects": [f"{t}:{i}" for t, i in concerned]}
    with transaction.atomic():
        head, _ = AccessLogHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_hash": GENESIS}
        )
        entry = AccessLogEntry(
            at=timezone.now(),
            user_id=user_id,
            action=action,
            record_type=record_type,
            record_id=record_id,
            # Round-trip through JSON so the hash is of what the database stores.
            detail=json.loads(json.dumps(detail or {}, default=str)),
            reason=reason,
            ip_address=origin.ip_address,
            user_agent=origin.user_agent[:200],
            previous_hash=head.last_hash,
        )
        entry.entry_hash = _entry_hash(head.last_hash, _payload(entry))
        entry.save()
        _insert_subjects(entry.pk, list(dict.fromkeys(concerned)))
        head.last_hash = entry.entry_hash
        head.entries += 1
        head.save(update_fields=["last_hash", "entries"])
    return entry


def _insert_subjects(entry_id: int, subjects: list[SubjectKey]) -> None:
    """The entry's AccessLogSubject rows, in order, in one statement."""
    AccessLogSubject.objects.bulk_create(
        [AccessLogSubject(entry_id=entry_id, record_type=t, record_id=i) for t, i in subjects]
    )


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    reason: str


def verify_chain(batch_size: int = 5000) -> Iterator[ChainBreak]:
    """Yield every place where the chain does not hold, first break first."""
    previous = GENESIS
    count = 0
    for entry in AccessLogEntry.objects.order_by("id").iterator(chunk_size=batch_size):
        count += 1
        if entry.previous_hash != previous:
            yield ChainBreak(
                entry.id, "does not follow the entry before it (a row was removed, inserted or reordered)"
            )
        if not hmac.compare_digest(_entry_hash(entry.previous_hash, _payload(entry)), entry.entry_hash):
            yield ChainBreak(entry.id, "its content does not match its hash (the row was changed or forged)")
        previous = entry.entry_hash
    head = AccessLogHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != previous or head.entries != count):
        yield ChainBreak(0, "the newest entries are missing (the chain head is ahead of the log)")
