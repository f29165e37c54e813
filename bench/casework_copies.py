"""Many authorities' worth of children in need from one demo: the casework copied in SQL.

The demo generator writes casework at English rates: about 2.4% of a population's children
are in one census year's return (118 of 5,000 at the demo's eighteen months). 400,000
children in need would take a demo of some 17 million children, hours of generating people
nobody reads. So the returns benchmark seeds a demo of 100,000 children with casework for
all of them, then copies its children in need many times over with `INSERT ... SELECT`:

- the children (every person named by a casework record: children with contacts,
  referrals, plans, episodes and chronology entries), with their other names,
  identifiers, addresses lived at and relationships to each other;
- every casework record: contacts, referrals, allocations, assessments, child in need
  plans and reviews, early help and looked-after episodes, strategy discussions (with
  the referrals they cover and who attended), section 47 enquiries, conferences (the
  children, the invitations), child protection plans, core groups, visits, case notes and
  the chronology.

Copy k of a row takes the primary key `pk + k * M` (M: the table's largest key before
copying), and each foreign key to a copied table moves by that table's M, so copy k is a
closed world of its own: its referrals point at its contacts and its children, its
conferences at its plans, a chronology entry's `source_id` at its copy of the record.
Foreign keys to what is not copied (staff, teams, agencies, practitioners, addresses)
stay as they are: the same workforce, agencies and streets serve every copy. Dates are
kept, so every copy's timescales and validation are the demo's own (a copy's children are
in need in the same weeks as the originals); only who they are differs, by key. A
person merged into another is copied unmerged (the demo built for benchmarks merges no
one).

Foreign-key checks are off while copying (SQLite's `foreign_keys` pragma, PostgreSQL's
`session_replication_role`) and the tests of this module check the result with SQLite's
`foreign_key_check`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

# People tables copied with the children (those with a foreign key to Person); a
# household is shared by its members and not copied, so its membership is not either.
PEOPLE_MODELS = ("people.PersonName", "people.PersonIdentifier", "people.Residence", "people.Relationship")
# Casework tables not copied: the timescale policy is the authority's, not the child's.
NOT_COPIED = ("casework.TimescalePolicy", "casework.Timescale")


@dataclass
class CopyPlan:
    """What one copy of the children in need consists of, in dependency order."""

    models: list[Any]
    offsets: dict[str, int]  # model label -> M, the largest primary key before copying
    rows_per_copy: dict[str, int] = field(default_factory=dict)


def _models() -> list[Any]:
    from django.apps import apps

    casework = [
        m
        for m in apps.get_app_config("casework").get_models(include_auto_created=True)
        if m._meta.label not in NOT_COPIED
    ]
    people = [apps.get_model("people.Person")] + [apps.get_model(label) for label in PEOPLE_MODELS]
    return _dependency_order(people + casework)


def _dependency_order(models: list[Any]) -> list[Any]:
    labels = {m._meta.label for m in models}
    done: list[Any] = []
    seen: set[str] = set()

    def visit(model: Any) -> None:
        if model._meta.label in seen:
            return
        seen.add(model._meta.label)
        for f in model._meta.local_concrete_fields:
            target = f.remote_field.model if f.is_relation else None
            if target is not None and target._meta.label in labels and target is not model:
                visit(target)
        done.append(model)

    for m in models:
        visit(m)
    return done


def _person_columns(models: list[Any]) -> list[tuple[str, str]]:
    """(table, column) of every casework foreign key to a person."""
    return [
        (m._meta.db_table, f.column)
        for m in models
        if m._meta.app_label == "casework"
        for f in m._meta.local_concrete_fields
        if f.is_relation and f.remote_field.model._meta.label == "people.Person"
    ]


def plan_copies() -> CopyPlan:
    """Mark the children to copy (a table `bench_subject`) and note each table's largest key."""
    from django.db import connection
    from django.db.models import Max

    models = _models()
    selects = " UNION ".join(
        f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL"  # noqa: S608 - names from the models
        for table, column in _person_columns(models)
    )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_subject")
        cursor.execute("CREATE TABLE bench_subject (id bigint PRIMARY KEY)")
        cursor.execute(f"INSERT INTO bench_subject (id) {selects}")  # nosec B608 - table names from the models
    offsets = {m._meta.label: int(m._base_manager.aggregate(n=Max("pk"))["n"] or 0) for m in models}
    plan = CopyPlan(models=models, offsets=offsets)
    with connection.cursor() as cursor:
        for m in models:
            where = _where(m)
            cursor.execute(f"SELECT count(*) FROM {m._meta.db_table}{where}")  # noqa: S608  # nosec B608
            plan.rows_per_copy[m._meta.label] = int(cursor.fetchone()[0])
    return plan


def _where(model: Any) -> str:
    """Which rows of a table belong to the children in need (all of a casework table)."""
    label = model._meta.label
    if label == "people.Person":
        return " WHERE id IN (SELECT id FROM bench_subject)"
    if label == "people.Relationship":
        return (
            " WHERE person_id IN (SELECT id FROM bench_subject)"
            " AND relative_id IN (SELECT id FROM bench_subject)"
        )
    if model._meta.app_label == "people":
        return " WHERE person_id IN (SELECT id FROM bench_subject)"
    return ""


def _copy_sql(model: Any, plan: CopyPlan, k: int, *, vendor: str) -> str:
    quote = '"{}"'.format
    columns: list[str] = []
    values: list[str] = []
    text = "text" if vendor == "postgresql" else "TEXT"
    for f in model._meta.local_concrete_fields:
        columns.append(quote(f.column))
        column = quote(f.column)
        if model._meta.label == "people.Person" and f.name == "merged_into":
            values.append("NULL")
        elif f.is_relation and f.remote_field.model._meta.label in plan.offsets:
            values.append(f"{column} + {k * plan.offsets[f.remote_field.model._meta.label]}")
        elif f.primary_key:
            values.append(f"{column} + {k * plan.offsets[model._meta.label]}")
        elif model._meta.label == "casework.ChronologyEntry" and f.name == "source_id":
            # The entry links to its record by label and key: to this copy's record.
            cases = " ".join(
                f"WHEN '{m._meta.label_lower}' THEN CAST(CAST(source_id AS bigint) + "
                f"{k * plan.offsets[m._meta.label]} AS {text})"
                for m in plan.models
                if plan.offsets[m._meta.label]
            )
            values.append(
                f"CASE WHEN source_id = '' THEN source_id ELSE CASE source_type {cases} ELSE source_id END END"
            )
        else:
            values.append(column)
    table = quote(model._meta.db_table)
    limit = plan.offsets[model._meta.label]
    where = _where(model)
    # Only the original rows are copied, never an earlier copy.
    where = f"{where} AND " if where else " WHERE "
    pk = quote(model._meta.pk.column)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608  # nosec B608 - names, numbers from the models
        f"SELECT {', '.join(values)} FROM {table}{where}{pk} <= {limit}"
    )


@contextmanager
def _indexes_rebuilt_after(models: list[Any]) -> Iterator[dict[str, float]]:
    """Drop the copied tables' secondary indexes and create them again at the end: one
    sorted build of each index is much faster than millions of inserts at random places
    in it (the chronology's index on `source_id`, a string, above all). Indexes behind
    primary keys and constraints stay."""
    from django.db import connection

    tables = [m._meta.db_table for m in models]
    timing: dict[str, float] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            placeholders = ", ".join("%s" for _ in tables)
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "  # noqa: S608
                f"AND tbl_name IN ({placeholders})",
                tables,
            )
        else:
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
                "AND i.tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                "WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)",
                [tables],
            )
        indexes = [(str(name), str(sql)) for name, sql in cursor.fetchall()]
        for name, _sql in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    try:
        yield timing
    finally:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for _name, sql in indexes:
                cursor.execute(sql)
        timing["index_seconds"] = round(time.perf_counter() - started, 1)


@contextmanager
def _without_fk_checks(vendor: str) -> Iterator[None]:
    from django.db import connection

    # SQLite changes neither inside a transaction (a test's): the checks then stay on.
    sqlite = vendor == "sqlite" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        if sqlite:
            cursor.execute("PRAGMA foreign_keys=OFF")
            cursor.execute("PRAGMA synchronous=OFF")
            # SQLite's default page cache is 2 MB: too small for tables this size.
            cursor.execute("PRAGMA cache_size=-1000000")
        elif vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if sqlite:
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.execute("PRAGMA synchronous=NORMAL")
            elif vendor == "postgresql":
                cursor.execute("SET session_replication_role = DEFAULT")


def copy_children_in_need(
    copies: int, *, plan: CopyPlan | None = None, progress: Callable[[int], None] | None = None
) -> dict[str, Any]:
    """Add `copies` copies of every child in need and their casework; returns the rows added."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    vendor = connection.vendor
    plan = plan or plan_copies()
    started = time.perf_counter()
    with _without_fk_checks(vendor), _indexes_rebuilt_after(plan.models) as indexes:
        for k in range(1, copies + 1):
            with transaction.atomic(), connection.cursor() as cursor:
                for model in plan.models:
                    cursor.execute(_copy_sql(model, plan, k, vendor=vendor))
            if progress is not None:
                progress(k)
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), plan.models):
                cursor.execute(sql)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_subject")
    return {
        "copies": copies,
        "rows_per_copy": plan.rows_per_copy,
        "rows_added": {label: n * copies for label, n in plan.rows_per_copy.items()},
        "seconds": round(time.perf_counter() - started, 1),
        **indexes,
    }


def children_in_need(year: int) -> int:
    """Children with a referral open at some time in the collection year ending 31 March `year`."""
    import datetime

    from django.db.models import Q

    from jigsaw.casework.models import Referral

    start, end = datetime.date(year - 1, 4, 1), datetime.date(year, 3, 31)
    return (
        Referral.objects.filter(referred_on__lte=end)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start))
        .values("person")
        .distinct()
        .count()
    )
