"""Read-side functions of the access app."""

from __future__ import annotations

from django.db.models import QuerySet

from jigsaw.access.models import AccessLogEntry, AccessLogSubject, BreakGlassAccess
from jigsaw.people.models import Person


def who_has_looked(person: Person, *, limit: int = 500) -> QuerySet[AccessLogEntry]:
    """Every logged look at or change of this person, newest first: their record opened,
    searches that returned them, break-glass openings, changes."""
    entry_ids = AccessLogSubject.objects.filter(record_type="people.person", record_id=str(person.pk)).values(
        "entry_id"
    )
    return (
        AccessLogEntry.objects.filter(pk__in=entry_ids)
        .select_related("user", "user__practitioner", "user__practitioner__agency")
        .order_by("-at", "-id")[:limit]
    )


def review_queue() -> QuerySet[BreakGlassAccess]:
    return (
        BreakGlassAccess.objects.filter(reviewed_at__isnull=True)
        .select_related("user", "person")
        .order_by("opened_at")
    )


def recently_reviewed(limit: int = 20) -> QuerySet[BreakGlassAccess]:
    return (
        BreakGlassAccess.objects.filter(reviewed_at__isnull=False)
        .select_related("user", "person", "reviewed_by")
        .order_by("-reviewed_at")[:limit]
    )
