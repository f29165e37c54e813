"""Merging two records of one person, and undoing it (issue 4, item 5).

A merge moves every row that hangs off the merged record to the survivor (see
`merge_rows.person_links`), keeps the merged record as an alias pointing at the survivor,
and writes down every row it moved (`MergeMove`), so that unmerge puts back exactly what
was moved. Both are audited actions with a reason, open to the front door and team
managers (Permission.MERGE_PEOPLE), and independent of any page: the review queue calls
`merge_people(..., review=...)` the same way the merge pages do.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable

from django.apps import apps
from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.models import BreakGlassAccess, RestrictedRecord
from jigsaw.access.policy import AnyUser, Permission, get_person_for, has_permission
from jigsaw.matching import index
from jigsaw.matching.merge_rows import Link, move_rows, person_links
from jigsaw.matching.models import MatchReview, MergeMove, MergeMoveKind, PersonMerge
from jigsaw.people.actions import EditConflict
from jigsaw.people.models import NameKind, Person, PersonName


class MergeConflict(EditConflict):
    """One of the two records changed after the user compared them."""


@dataclasses.dataclass(frozen=True)
class RowRef:
    """One row's link to a person: which model, which row, which field."""

    model_label: str
    object_pk: str
    field_name: str

    def __str__(self) -> str:
        return f"{self.model_label}:{self.field_name}:{self.object_pk}"

    @classmethod
    def parse(cls, value: str) -> RowRef:
        label, field_name, pk = value.split(":", 2)
        return cls(label, pk, field_name)


def _require(actor: AnyUser) -> User:
    if not has_permission(actor, Permission.MERGE_PEOPLE):
        raise PermissionDenied
    assert isinstance(actor, User)
    return actor


def _clean_reason(reason: str, message: str) -> str:
    cleaned = " ".join(reason.split())
    if not cleaned:
        raise ValidationError({"reason": message})
    return cleaned


def _names(user_ids: Iterable[int]) -> str:
    users = User.objects.filter(pk__in=list(user_ids)).order_by("username")
    return ", ".join(u.get_full_name() or u.get_username() for u in users)


def restriction_refusals(*, survivor: Person, merged: Person, now: datetime.datetime) -> list[str]:
    """The access rule of a merge: it never shows a restricted history to more people.

    - Merged record restricted, survivor not: the restriction moves to the survivor (and the
      alias keeps a copy), so the joined record is as closed as the merged one was.
    - Both restricted: refused unless everyone the survivor's restriction names is also
      named on the merged record's (the survivor's restriction then governs the joined
      record; the merged record's stays on the alias). Anything wider would show the
      merged history to people its restriction kept out; merging the lists would show the
      survivor's to people its restriction kept out, so neither is done silently.
    - Survivor restricted, merged not: the merged history becomes restricted, which shows
      it to fewer people, never more.
    - A break-glass opening of the survivor still running, by someone the merged record's
      restriction does not name, refuses the merge until it expires.
    """
    merged_restriction = RestrictedRecord.objects.filter(person=merged).first()
    if merged_restriction is None:
        return []
    allowed = set(merged_restriction.permitted_users.values_list("pk", flat=True))
    refusals: list[str] = []
    survivor_restriction = RestrictedRecord.objects.filter(person=survivor).first()
    if survivor_restriction is not None:
        extra = set(survivor_restriction.permitted_users.values_list("pk", flat=True)) - allowed
        if extra:
            refusals.append(
                f"Both records are restricted, and {_names(extra)} may open Jigsaw ID {survivor.pk} "
                f"but not Jigsaw ID {merged.pk}. Keep the record whose restriction names fewer people, "
                "or change the restrictions first."
            )
    running = (
        BreakGlassAccess.objects.filter(person=survivor, expires_at__gt=now)
        .exclude(user__in=allowed)
        .order_by("-expires_at")
    )
    for opening in running[:1]:
        refusals.append(
            f"{_names([opening.user_id])} has broken glass to open Jigsaw ID {survivor.pk} and is not "
            f"named on the restriction of Jigsaw ID {merged.pk}: merge after the opening ends "
            f"({timezone.localtime(opening.expires_at):%d/%m/%Y %H:%M})."
        )
    return refusals


def _one_conflict_refusals(*, survivor: Person, merged: Person, now: datetime.datetime) -> list[str]:
    refusals: list[str] = []
    for link in person_links():
        sorted_rows = move_rows(link, source_pk=merged.pk, target_pk=survivor.pk, now=now, write=False)
        refusals += [c.reason for _, c in sorted_rows.kept if c.refuse]
    return list(dict.fromkeys(refusals))


def merge_refusals(*, survivor: Person, merged: Person, now: datetime.datetime | None = None) -> list[str]:
    """Everything that stops these two records being merged, in the user's words."""
    now = now or timezone.now()
    refusals: list[str] = []
    if survivor.pk == merged.pk:
        return ["Choose two different records"]
    for person in (survivor, merged):
        if person.merged_into_id is not None:
            refusals.append(
                f"Jigsaw ID {person.pk} has already been merged into Jigsaw ID {person.merged_into_id}"
            )
    if refusals:
        return refusals
    return restriction_refusals(survivor=survivor, merged=merged, now=now) + _one_conflict_refusals(
        survivor=survivor, merged=merged, now=now
    )


def _same_name(a: tuple[str, str], b: tuple[str, str]) -> bool:
    return [" ".join(x.split()).casefold() for x in a] == [" ".join(x.split()).casefold() for x in b]


def _add_alias(merge: PersonMerge, survivor: Person, merged: Person) -> list[MergeMove]:
    """The merged person's name becomes one the survivor is found by."""
    name = (merged.given_names, merged.family_name)
    known = [(survivor.given_names, survivor.family_name)] + [
        (n.given_names, n.family_name) for n in PersonName.objects.filter(person=survivor)
    ]
    if any(_same_name(name, other) for other in known):
        return []
    alias = PersonName(
        person=survivor, kind=NameKind.ALIAS, given_names=merged.given_names, family_name=merged.family_name
    )
    alias.save()
    return [_bookkeeping(merge, alias._meta.label_lower, alias.pk, "person", MergeMoveKind.ADDED)]


def _keep_alias_restricted(
    merge: PersonMerge, restriction: RestrictedRecord, alias: Person
) -> list[MergeMove]:
    """The restriction moved to the survivor; the alias keeps a copy, so the merged
    record's own details (a birth name, an old address) stay as closed as before."""
    copy = RestrictedRecord.objects.create(
        person=alias,
        reason=restriction.reason,
        note=restriction.note,
        restricted_by=restriction.restricted_by,
        restricted_at=restriction.restricted_at,
    )
    copy.permitted_users.set(restriction.permitted_users.all())
    return [_bookkeeping(merge, copy._meta.label_lower, copy.pk, "person", MergeMoveKind.ADDED)]


def _bookkeeping(merge: PersonMerge, label: str, pk: object, field_name: str, kind: str) -> MergeMove:
    return MergeMove(merge=merge, model_label=label, object_pk=str(pk), field_name=field_name, kind=kind)


@transaction.atomic
def merge_people(
    *,
    actor: AnyUser,
    survivor: Person,
    merged: Person,
    reason: str,
    review: MatchReview | None = None,
    survivor_version: int | None = None,
    merged_version: int | None = None,
) -> PersonMerge:
    """Join two records of one person: `merged` becomes an alias of `survivor`.

    Every row that hangs off the merged record moves to the survivor, except rows that would
    break a rule of their table if moved: a fact the survivor already has (the same
    identifier, relationship, household membership or named professional), a relationship
    between the two records themselves, a one-to-one the survivor already has. Those stay
    on the alias, as does a break-glass opening still running. Live work held on both
    records where only one is allowed (an open child protection plan each) refuses the
    merge: hiding one on the alias would hide it from the people working the case.

    The access rule is `restriction_refusals`' docstring. The merged person's name is added
    to the survivor as an alias (removed again by unmerge). The versions the user compared
    (`survivor_version`, `merged_version`; by default those of the instances given) must
    still be current, or MergeConflict is raised and nothing changes.
    """
    user = _require(actor)
    cleaned_reason = _clean_reason(reason, "Say why these records are the same person")
    if survivor.pk == merged.pk:
        raise ValidationError({"merged": "Choose two different records"})
    expected = {
        survivor.pk: survivor.version if survivor_version is None else survivor_version,
        merged.pk: merged.version if merged_version is None else merged_version,
    }
    # Lock both rows first, so a concurrent edit or merge of either waits for this one.
    list(Person.objects.select_for_update().filter(pk__in=list(expected)).order_by("pk"))
    survivor = get_person_for(actor, survivor.pk, Permission.MERGE_PEOPLE)
    merged = get_person_for(actor, merged.pk, Permission.MERGE_PEOPLE)
    if survivor.version != expected[survivor.pk] or merged.version != expected[merged.pk]:
        raise MergeConflict(
            "One of these records was changed after you compared them. Nothing has been merged: "
            "compare them again."
        )
    now = timezone.now()
    refusals = merge_refusals(survivor=survivor, merged=merged, now=now)
    if refusals:
        raise ValidationError({NON_FIELD_ERRORS: refusals})
    merge = PersonMerge.objects.create(
        survivor=survivor, merged=merged, reason=cleaned_reason, review=review, merged_by=user, merged_at=now
    )
    book: list[MergeMove] = []
    links = person_links()
    # What the survivor had before, so that unmerge can tell what was added after.
    for link in links:
        book += [
            _bookkeeping(merge, link.label, pk, link.field.name, MergeMoveKind.SURVIVOR_HAD)
            for pk in link.manager.filter(**{link.field.attname: survivor.pk}).values_list("pk", flat=True)
        ]
    merged_restriction = RestrictedRecord.objects.filter(person=merged).first()
    moved: dict[str, int] = {}
    kept: list[str] = []
    for link in links:
        result = move_rows(link, source_pk=merged.pk, target_pk=survivor.pk, now=now, write=True)
        book += [
            _bookkeeping(merge, link.label, pk, link.field.name, MergeMoveKind.MOVED) for pk in result.moved
        ]
        if result.moved:
            moved[f"{link.label}.{link.field.name}"] = len(result.moved)
        kept += [f"{link.label}:{row.pk}" for row, _ in result.kept]
    if merged_restriction is not None and moved.get("access.restrictedrecord.person"):
        book += _keep_alias_restricted(merge, merged_restriction, merged)
    book += _add_alias(merge, survivor, merged)
    MergeMove.objects.bulk_create(book)
    Person.objects.filter(pk=merged.pk).update(merged_into=survivor, version=F("version") + 1, updated_at=now)
    Person.objects.filter(pk=survivor.pk).update(version=F("version") + 1, updated_at=now)
    # Rows moved by update() send no signals: the matcher's index is told here. The alias
    # leaves it (it is found through the survivor, which now has its names and addresses).
    index.refresh([survivor.pk, merged.pk])
    record_access(
        user=actor,
        action="merge",
        record=survivor,
        subjects=[merged],
        reason=cleaned_reason,
        detail={"merge": merge.pk, "merged": merged.pk, "moved": moved, "kept": kept},
    )
    return merge


@dataclasses.dataclass(frozen=True)
class PostMergeRow:
    """A row added to the survivor after the merge, that unmerge may give to the merged
    person. `follows` names the moved row it hangs off, when it does: it goes with it."""

    ref: RowRef
    title: str
    description: str
    follows: str = ""


def _other_parents(row: models.Model, link: Link) -> list[tuple[str, str]]:
    """The (model label, pk) of every row this row points at, other than its person."""
    parents: list[tuple[str, str]] = []
    for field in link.model._meta.concrete_fields:
        if not field.is_relation or field is link.field or field.related_model is None:
            continue
        value = getattr(row, field.attname)
        if value is not None and isinstance(field.related_model, type):
            parents.append((field.related_model._meta.label_lower, str(value)))
    return parents


def post_merge_rows(merge: PersonMerge) -> list[PostMergeRow]:
    """Rows hanging directly off the survivor that arrived after the merge (not moved by it,
    not there before it, not moved there by a later merge), in model order."""
    known = {
        (m.model_label, m.field_name, m.object_pk)
        for m in MergeMove.objects.filter(merge=merge).only("model_label", "field_name", "object_pk")
    } | {
        (m.model_label, m.field_name, m.object_pk)
        for m in MergeMove.objects.filter(
            merge__survivor_id=merge.survivor_id,
            merge__unmerged_at__isnull=True,
            merge__merged_at__gt=merge.merged_at,
            kind=MergeMoveKind.MOVED,
        ).only("model_label", "field_name", "object_pk")
    }
    moved_back = {
        (m.model_label, m.object_pk)
        for m in MergeMove.objects.filter(merge=merge, kind=MergeMoveKind.MOVED).only(
            "model_label", "object_pk"
        )
    }
    rows: list[PostMergeRow] = []
    for link in person_links():
        for row in link.manager.filter(**{link.field.attname: merge.survivor_id}).order_by("pk"):
            if (link.label, link.field.name, str(row.pk)) in known:
                continue
            parent = next((p for p in _other_parents(row, link) if p in moved_back), None)
            follows = ""
            if parent is not None:
                parent_model = apps.get_model(parent[0])
                follows = str(parent_model._base_manager.get(pk=parent[1]))
            rows.append(
                PostMergeRow(RowRef(link.label, str(row.pk), link.field.name), link.title, str(row), follows)
            )
    return rows


@transaction.atomic
def unmerge_people(
    *, actor: AnyUser, merge: PersonMerge, reason: str, reassign: Iterable[RowRef] = ()
) -> None:
    """Undo a merge: the two records are two people again, each as it was.

    Every row the merge moved goes back to the merged person; what the merge added (the
    alias name, the alias's copy of a restriction) is deleted. Rows added to the survivor
    after the merge stay with it, unless they hang off a row that goes back (a case note
    of a moved referral) or the reviewer assigns them (`reassign`) to the merged person.
    Rows added under moved rows (a core group of a moved plan) follow their parent by
    themselves. A merge whose survivor has since been merged into a third record is undone
    after that later merge.
    """
    user = _require(actor)
    cleaned_reason = _clean_reason(reason, "Say why these are not the same person")
    merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.unmerged_at is not None:
        raise ValidationError({NON_FIELD_ERRORS: "This merge has already been undone"})
    list(
        Person.objects.select_for_update().filter(pk__in=[merge.survivor_id, merge.merged_id]).order_by("pk")
    )
    survivor = get_person_for(actor, merge.survivor_id, Permission.MERGE_PEOPLE)
    merged = get_person_for(actor, merge.merged_id, Permission.MERGE_PEOPLE)
    if survivor.merged_into_id is not None:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: f"Jigsaw ID {survivor.pk} has since been merged into Jigsaw ID "
                f"{survivor.merged_into_id}: undo that merge first"
            }
        )
    post = {r.ref: r for r in post_merge_rows(merge)}
    chosen = set(reassign)
    if chosen - set(post):
        raise ValidationError({"reassign": "Choose only records added to this person since the merge"})
    now = timezone.now()
    moves = list(MergeMove.objects.filter(merge=merge).order_by("pk"))
    # What the merge added goes first: the alias's copy of a restriction must be gone before
    # the restriction itself comes back.
    for move in moves:
        if move.kind == MergeMoveKind.ADDED:
            apps.get_model(move.model_label)._base_manager.filter(pk=move.object_pk).delete()
    back: dict[tuple[str, str], list[str]] = {}
    for move in moves:
        if move.kind == MergeMoveKind.MOVED:
            back.setdefault((move.model_label, move.field_name), []).append(move.object_pk)
    for ref in post.values():
        if ref.follows or ref.ref in chosen:
            back.setdefault((ref.ref.model_label, ref.ref.field_name), []).append(ref.ref.object_pk)
    returned: dict[str, int] = {}
    stayed: list[str] = []
    for link in person_links():
        pks = back.get((link.label, link.field.name))
        if not pks:
            continue
        result = move_rows(link, source_pk=survivor.pk, target_pk=merged.pk, now=now, write=True, only=pks)
        if result.moved:
            returned[f"{link.label}.{link.field.name}"] = len(result.moved)
        stayed += [f"{link.label}:{row.pk}" for row, _ in result.kept]
    Person.objects.filter(pk=merged.pk).update(merged_into=None, version=F("version") + 1, updated_at=now)
    Person.objects.filter(pk=survivor.pk).update(version=F("version") + 1, updated_at=now)
    index.refresh([survivor.pk, merged.pk])
    merge.unmerged_by = user
    merge.unmerged_at = now
    merge.unmerge_reason = cleaned_reason
    merge.save(update_fields=["unmerged_by", "unmerged_at", "unmerge_reason"])
    record_access(
        user=actor,
        action="unmerge",
        record=survivor,
        subjects=[merged],
        reason=cleaned_reason,
        detail={
            "merge": merge.pk,
            "merged": merged.pk,
            "returned": returned,
            "reassigned": sorted(str(r) for r in chosen),
            "stayed": stayed,
        },
    )
