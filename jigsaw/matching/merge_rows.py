"""What hangs off a person, and whether one row of it may point at another person instead.

Merge and unmerge move rows between two records of one person. Which rows those are comes
from the models themselves, not from a list kept by hand: every foreign key and one-to-one
to Person in any app (casework, partners, access, people, and apps not written yet), so a
new app's records move without anyone remembering to add them here.

Whether a row may move is checked in Python before anything is written (an IntegrityError
would spoil the whole transaction): the model's unique fields, `unique_together`, unique
constraints and check constraints that involve the moved field are evaluated with the row
pointing at its new person.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
from collections.abc import Collection
from typing import Any, Protocol, cast

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import CheckConstraint, Q, UniqueConstraint
from django.utils.text import capfirst

from jigsaw.access.models import BreakGlassAccess
from jigsaw.people.models import Person


class _Validating(Protocol):
    def validate(self, model: type[models.Model], instance: models.Model) -> None: ...


@dataclasses.dataclass(frozen=True)
class Link:
    """One foreign key (or one-to-one) from a model to Person."""

    model: type[models.Model]
    field: models.ForeignKey[Any, Any]
    # What a person reads: "Contacts", "Relationships (as relative)".
    title: str

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def manager(self) -> models.Manager[Any]:
        # The base manager: a default manager that filters rows must not hide any from a merge.
        return self.model._base_manager


@functools.cache
def person_links() -> tuple[Link, ...]:
    """Every link to Person whose rows are part of a person's record.

    Left out: the matching app's own rows (match features, blocking keys, the review queue,
    the merges themselves), which describe the records as records and are not a person's
    history; and `Person.merged_into`, which the merge itself sets.
    """
    found: list[tuple[type[models.Model], models.ForeignKey[Any, Any]]] = []
    for relation in Person._meta.get_fields(include_hidden=True):
        # Hidden relations (related_name="+", the tables behind many-to-many fields) count too.
        if not (relation.is_relation and relation.auto_created and not relation.concrete):
            continue
        if relation.many_to_many:
            continue  # its through table's foreign keys are listed on their own
        field = getattr(relation, "field", None)
        model = relation.related_model
        if not isinstance(field, models.ForeignKey) or not (
            isinstance(model, type) and issubclass(model, models.Model)
        ):
            continue
        if model._meta.app_label == "matching":
            continue
        if model is Person and field.name == "merged_into":
            continue
        found.append((model, field))
    per_model: dict[type[models.Model], int] = {}
    for model, _ in found:
        per_model[model] = per_model.get(model, 0) + 1
    links = []
    for model, field in found:
        title = capfirst(str(model._meta.verbose_name_plural))
        if per_model[model] > 1:
            title = f"{title} (as {field.verbose_name})"
        links.append(Link(model, field, title))
    return tuple(sorted(links, key=lambda link: (link.label, link.field.name)))


def link_for(label: str, field_name: str) -> Link | None:
    for link in person_links():
        if link.label == label and link.field.name == field_name:
            return link
    return None


@dataclasses.dataclass(frozen=True)
class Conflict:
    """Why a row cannot move. `refuse` marks live work held on both records (one open child
    protection plan per child): the merge is refused rather than hiding one on the alias."""

    reason: str
    refuse: bool = False


def _references(condition: object, field: models.ForeignKey[Any, Any]) -> bool:
    if not isinstance(condition, Q):
        return condition is not None  # an expression not known here: assume it does
    return bool(condition.referenced_base_fields & {field.name, field.attname})


def _unique_sets(link: Link) -> list[tuple[str, ...]]:
    """Unique fields and unique_together sets that include the link's field."""
    sets: list[tuple[str, ...]] = []
    if link.field.unique:
        sets.append((link.field.name,))
    for together in link.model._meta.unique_together:
        if link.field.name in together:
            sets.append(tuple(together))
    return sets


def _relevant_constraints(link: Link) -> list[models.BaseConstraint]:
    relevant: list[models.BaseConstraint] = []
    for constraint in link.model._meta.constraints:
        if isinstance(constraint, UniqueConstraint):
            if (
                link.field.name in constraint.fields
                or constraint.expressions
                or _references(constraint.condition, link.field)
            ):
                relevant.append(constraint)
        elif isinstance(constraint, CheckConstraint):
            if _references(constraint.condition, link.field):
                relevant.append(constraint)
        else:
            relevant.append(constraint)  # a kind not known here: check it, to be safe
    return relevant


def is_constrained(link: Link) -> bool:
    """Whether moving a row of this link could break a rule (so rows move one at a time)."""
    return bool(_unique_sets(link) or _relevant_constraints(link))


def _humanise(name: str) -> str:
    return name.replace("_", " ")


def conflict(link: Link, row: models.Model, target_pk: int) -> Conflict | None:
    """What stops `row` from pointing at person `target_pk` instead, or None."""
    field = link.field
    original = getattr(row, field.attname)
    setattr(row, field.attname, target_pk)
    try:
        return _conflict(link, row)
    finally:
        setattr(row, field.attname, original)


def _conflict(link: Link, row: models.Model) -> Conflict | None:
    opts = link.model._meta
    for names in _unique_sets(link):
        lookup: dict[str, object] = {}
        for name in names:
            unique_field = opts.get_field(name)
            assert isinstance(unique_field, models.Field)
            attname = unique_field.attname
            value = getattr(row, attname)
            if value is None:
                break  # NULLs never collide
            lookup[attname] = value
        else:
            if link.manager.filter(**lookup).exclude(pk=row.pk).exists():
                return Conflict("the other record already has the same")
    for constraint in _relevant_constraints(link):
        try:
            # django-stubs lack BaseConstraint.validate (Django has it since 4.1).
            cast(_Validating, constraint).validate(link.model, row)
        except ValidationError:
            if isinstance(constraint, UniqueConstraint):
                if constraint.condition is not None and tuple(constraint.fields) == (link.field.name,):
                    return Conflict(
                        f"Both records have a current {opts.verbose_name} and a person can have only "
                        "one at a time: end one of them before merging",
                        refuse=True,
                    )
                return Conflict("the other record already has the same")
            return Conflict(f"it would break the rule: {_humanise(constraint.name)}")
    return None


def staying_condition(link: Link, now: datetime.datetime) -> Q | None:
    """Rows that never move, whatever the constraints say.

    A break-glass opening still running stays with the record it opened: moving it would
    open the other record's history to someone who was never given it.
    """
    if link.model is BreakGlassAccess:
        return Q(expires_at__gt=now)
    return None


@dataclasses.dataclass
class Sorted:
    """The rows of one link from one person: those that moved (or would), those that stay."""

    moved: list[str] = dataclasses.field(default_factory=list)
    kept: list[tuple[models.Model, Conflict]] = dataclasses.field(default_factory=list)


def move_rows(
    link: Link,
    *,
    source_pk: int,
    target_pk: int,
    now: datetime.datetime,
    write: bool,
    only: Collection[str] | None = None,
) -> Sorted:
    """Point the link's rows at `source_pk` to `target_pk` instead (all of them, or `only`
    those primary keys), except the rows that may not move. With `write=False` nothing is
    written: the result says what a move would do.

    Constrained rows are checked and moved one at a time, so each is checked against the
    rows already moved before it.
    """
    result = Sorted()
    rows = link.manager.filter(**{link.field.attname: source_pk})
    if only is not None:
        rows = rows.filter(pk__in=list(only))
    staying = staying_condition(link, now)
    if staying is not None:
        result.kept += [
            (row, Conflict("a break-glass opening still running stays with the record it opened"))
            for row in rows.filter(staying).order_by("pk")
        ]
        rows = rows.exclude(staying)
    if not is_constrained(link):
        pks = list(rows.order_by("pk").values_list("pk", flat=True))
        if write and pks:
            link.manager.filter(pk__in=pks).update(**{link.field.attname: target_pk})
        result.moved = [str(pk) for pk in pks]
        return result
    for row in rows.order_by("pk"):
        found = conflict(link, row, target_pk)
        if found is not None:
            result.kept.append((row, found))
            continue
        if write:
            link.manager.filter(pk=row.pk).update(**{link.field.attname: target_pk})
        result.moved.append(str(row.pk))
    return result
