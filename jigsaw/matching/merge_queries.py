"""Read-side functions of merge and unmerge: what a merge would do, a person's merge
history, and where a merged record now lives."""

from __future__ import annotations

import dataclasses

from django.utils import timezone

from jigsaw.access.policy import AnyUser, people_visible_to
from jigsaw.matching.merge import merge_refusals
from jigsaw.matching.merge_rows import move_rows, person_links
from jigsaw.matching.models import PersonMerge
from jigsaw.people.models import Person


def record_counts(person: Person) -> dict[str, int]:
    """How many rows of each kind hang off the person (kinds with none left out)."""
    counts: dict[str, int] = {}
    for link in person_links():
        count = link.manager.filter(**{link.field.attname: person.pk}).count()
        if count:
            counts[link.title] = counts.get(link.title, 0) + count
    return counts


@dataclasses.dataclass(frozen=True)
class KeptRow:
    title: str
    description: str
    reason: str


@dataclasses.dataclass(frozen=True)
class MergePreview:
    """What merging `merged` into `survivor` would do, written nowhere."""

    moving: dict[str, int]
    kept: list[KeptRow]
    refusals: list[str]

    @property
    def total_moving(self) -> int:
        return sum(self.moving.values())


def preview_merge(*, survivor: Person, merged: Person) -> MergePreview:
    now = timezone.now()
    refusals = merge_refusals(survivor=survivor, merged=merged, now=now)
    moving: dict[str, int] = {}
    kept: list[KeptRow] = []
    if survivor.pk != merged.pk:
        for link in person_links():
            result = move_rows(link, source_pk=merged.pk, target_pk=survivor.pk, now=now, write=False)
            if result.moved:
                moving[link.title] = moving.get(link.title, 0) + len(result.moved)
            kept += [KeptRow(link.title, str(row), c.reason) for row, c in result.kept if not c.refuse]
    return MergePreview(moving, kept, refusals)


def merge_history(person: Person) -> list[PersonMerge]:
    """The records merged into this person, the undone merges included, newest first."""
    return list(
        PersonMerge.objects.filter(survivor=person)
        .select_related("merged", "merged_by", "unmerged_by")
        .order_by("-merged_at", "-pk")
    )


@dataclasses.dataclass(frozen=True)
class MergeNotice:
    """Where a merged record now lives, for its old page to send the user on."""

    survivor: Person | None  # None when the user may not see the survivor
    text: str


def merge_notice(user: AnyUser, person: Person) -> MergeNotice | None:
    """None for a record that is not merged. The survivor is followed along a chain
    (A merged into B, B later into C) and is only named when the user may see it."""
    if person.merged_into_id is None:
        return None
    merge = PersonMerge.objects.filter(merged=person, unmerged_at__isnull=True).order_by("-merged_at").first()
    survivor = person
    seen = {person.pk}
    while survivor.merged_into_id is not None and survivor.merged_into_id not in seen:
        seen.add(survivor.merged_into_id)
        survivor = Person.objects.get(pk=survivor.merged_into_id)
    visible = people_visible_to(user).filter(pk=survivor.pk).first()
    if visible is None:
        return MergeNotice(None, "")
    day = timezone.localtime(merge.merged_at).date() if merge is not None else None
    when = f" on {day.day} {day:%B %Y}" if day is not None else ""
    why = f" ({merge.reason})" if merge is not None else ""
    return MergeNotice(
        visible, f"This record was merged into {visible.full_name} (Jigsaw ID {visible.pk}){when}{why}."
    )
