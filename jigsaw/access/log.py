"""Writing and verifying the hash-chained access log.

Each entry's hash covers its own content and the previous entry's hash, so changing or
removing any row breaks every hash after it; `jigsaw verify_access_log` walks the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models, transaction
from django.utils import timezone

from jigsaw.access.models import AccessLogEntry, AccessLogHead

GENESIS = "0" * 64


def _entry_hash(previous_hash: str, payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{previous_hash}|{canonical}".encode()).hexdigest()


def _payload(entry: AccessLogEntry) -> dict[str, Any]:
    return {
        "at": entry.at.isoformat(),
        "user": entry.user_id,
        "action": entry.action,
        "record_type": entry.record_type,
        "record_id": entry.record_id,
        "detail": entry.detail,
    }


def record_access(
    *,
    user: AbstractBaseUser | AnonymousUser | None,
    action: str,
    record: models.Model | None = None,
    record_type: str = "",
    record_id: str = "",
    detail: dict[str, Any] | None = None,
) -> AccessLogEntry:
    """Append one entry. Runs inside the caller's transaction when there is one, so a
    change and its log row commit or roll back together."""
    if record is not None:
        record_type = record._meta.label_lower
        record_id = str(record.pk)
    user_id = user.pk if user is not None and user.is_authenticated else None
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
            detail=detail or {},
            previous_hash=head.last_hash,
        )
        # Round-trip the detail through JSON so the hash is of what the database stores.
        entry.detail = json.loads(json.dumps(entry.detail, default=str))
        entry.entry_hash = _entry_hash(head.last_hash, _payload(entry))
        entry.save()
        head.last_hash = entry.entry_hash
        head.entries += 1
        head.save(update_fields=["last_hash", "entries"])
    return entry


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    reason: str


def verify_chain(batch_size: int = 5000) -> Iterator[ChainBreak]:
    """Yield every place where the chain does not hold."""
    previous = GENESIS
    count = 0
    for entry in AccessLogEntry.objects.order_by("id").iterator(chunk_size=batch_size):
        count += 1
        if entry.previous_hash != previous:
            yield ChainBreak(entry.id, "does not follow the entry before it (a row was removed or reordered)")
        if _entry_hash(entry.previous_hash, _payload(entry)) != entry.entry_hash:
            yield ChainBreak(entry.id, "its content does not match its hash (the row was changed)")
        previous = entry.entry_hash
    head = AccessLogHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != previous or head.entries != count):
        yield ChainBreak(0, "the newest entries are missing (the chain head is ahead of the log)")
