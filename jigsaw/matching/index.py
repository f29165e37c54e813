"""The person index as the matcher sees it: each person's features and blocking keys.

Kept in step with the people tables by signals (a person, their other names, their
residences) inside the same transaction as the change, so the matcher never misses a
person that exists nor finds one that was merged away. Bulk loaders that bypass signals
(the demo, the benchmark) call `rebuild`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from django.db import transaction

from jigsaw.matching.features import Features, blocking_keys, features
from jigsaw.matching.models import BlockingKey, MatchFeatures
from jigsaw.matching.records import MatchRecord
from jigsaw.people.models import BirthDatePrecision, Person, PersonName, Residence


def _record(person: Person, names: Sequence[PersonName], residences: Sequence[Residence]) -> MatchRecord:
    current = [r for r in residences if r.moved_out is None]
    previous = [r for r in residences if r.moved_out is not None]
    home = current[0].address if current else None
    return MatchRecord(
        record_id=str(person.pk),
        given_name=person.given_names,
        family_name=person.family_name,
        other_names=tuple(f"{n.given_names} {n.family_name}".strip() for n in names),
        dob=person.date_of_birth,
        dob_estimated=person.birth_date_precision != BirthDatePrecision.EXACT,
        sex=person.sex,
        postcode=home.postcode if home else "",
        address=f"{home.line_1} {home.postcode}" if home else "",
        previous_postcodes=tuple(r.address.postcode for r in previous + current[1:]),
        previous_addresses=tuple(f"{r.address.line_1} {r.address.postcode}" for r in previous + current[1:]),
        nhs_number=person.nhs_number,
        upn=person.upn,
    )


def person_records(people: Sequence[Person]) -> list[MatchRecord]:
    """The match records of these people, with their other names and addresses, in three
    queries whatever the number of people."""
    ids = [p.pk for p in people]
    names: dict[int, list[PersonName]] = defaultdict(list)
    for name in PersonName.objects.filter(person_id__in=ids):
        names[name.person_id].append(name)
    residences: dict[int, list[Residence]] = defaultdict(list)
    for residence in (
        Residence.objects.filter(person_id__in=ids).select_related("address").order_by("-moved_in")
    ):
        residences[residence.person_id].append(residence)
    return [_record(p, names[p.pk], residences[p.pk]) for p in people]


def person_record(person: Person) -> MatchRecord:
    return person_records([person])[0]


@transaction.atomic
def refresh(person_ids: Iterable[int]) -> None:
    """Recompute the features and keys of these people (and drop those of people merged
    into another, who are found through their survivor)."""
    ids = sorted(set(person_ids))
    if not ids:
        return
    BlockingKey.objects.filter(person_id__in=ids).delete()
    people = list(Person.objects.filter(pk__in=ids, merged_into__isnull=True))
    live = {p.pk for p in people}
    MatchFeatures.objects.filter(person_id__in=[i for i in ids if i not in live]).delete()
    _write(people, update=True)


def _write(people: Sequence[Person], *, update: bool) -> None:
    rows = [features(r) for r in person_records(people)]
    feature_rows = [MatchFeatures(person_id=int(f["record_id"]), features=f) for f in rows]
    if update:
        MatchFeatures.objects.bulk_create(
            feature_rows,
            update_conflicts=True,
            unique_fields=["person"],
            update_fields=["features", "updated_at"],
        )
    else:
        MatchFeatures.objects.bulk_create(feature_rows)
    BlockingKey.objects.bulk_create(
        [BlockingKey(person_id=int(f["record_id"]), key=key) for f in rows for key in blocking_keys(f)]
    )


def rebuild(*, batch_size: int = 5000, progress: Callable[[int], None] | None = None) -> int:
    """Recompute the whole index (after a bulk load, or after the comparisons changed).
    Returns the number of people indexed."""
    with transaction.atomic():
        BlockingKey.objects.all().delete()
        MatchFeatures.objects.all().delete()
    done = 0
    last = 0
    while True:
        with transaction.atomic():
            batch = list(
                Person.objects.filter(pk__gt=last, merged_into__isnull=True).order_by("pk")[:batch_size]
            )
            if not batch:
                return done
            _write(batch, update=False)
        last = batch[-1].pk
        done += len(batch)
        if progress:
            progress(len(batch))


def indexed_features(person_ids: Iterable[int]) -> dict[int, Features]:
    return dict(
        MatchFeatures.objects.filter(person_id__in=list(person_ids)).values_list("person_id", "features")
    )
