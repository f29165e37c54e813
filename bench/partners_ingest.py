"""Partner feed ingest: how many events a second, matching included?

Issue 5, item 4: at least 2,000 events per second, on SQLite and on PostgreSQL.

Builds (or, with --reuse, reuses) an index of N synthetic people with the demo generator (as
bench/matching_latency.py does: `seed_demo`, then the matcher's blocking keys and features),
then sends E events in batches of B through `receive_api_events` -- what the API calls once
a batch has passed its schema: the checks are done, so what is timed is the delivery record,
the idempotency lookup, matching every named person against the index in batches (blocking
keys, stored features, the active model's scorer, the link/review/new policy), queueing the
uncertain matches for the front door, finding the children living at each address, bulk
inserts of events, subjects and chronology entries, the one access-log entry per batch and
the alerts hook -- each batch in its own transaction, as the API runs it. Optionally
(--csv) the same number of events again as CSV files through `upload_events` (parsing and
line-by-line checking included).

The events are made from people really in the index, with the errors agencies make (as in
bench/matching_latency.py: a typo in the family name, day and month swapped, a nickname, no
NHS number): 40% police domestic abuse incidents (the mother as victim, one or two children
present, an alleged perpetrator not in the index, the family's address), 25% A&E
attendances, 20% school attendance (with the UPN when the index has one) and 15% "was not
brought" -- about two people named per event on average.

Writes bench/results/partners_ingest_<backend>.json (with -<people> for another size). See bench/README.md.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime
import io
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import machine_info
from matching_latency import incoming_records, open_index, prewarm, rebuild_matching_index
from person_search import sample_people

PROJECT_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = PROJECT_DIR / "bench" / "results"
TARGET_EVENTS_PER_SECOND = 2000.0
DEFAULT_PEOPLE = 100_000
NOW = datetime.datetime(2026, 11, 23, 12, tzinfo=datetime.UTC)
MIX = {"police_incident": 0.4, "health_attendance": 0.25, "school_attendance": 0.2, "was_not_brought": 0.15}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--people", type=int, default=DEFAULT_PEOPLE, help="people in the index (default 100,000)"
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="default: a SQLite file var/bench/partners_ingest-<N>.sqlite3; "
        "e.g. postgres://postgres@127.0.0.1:5432/jigsaw_bench_partners (created if missing)",
    )
    parser.add_argument("--reuse", action="store_true", help="use the people already in the database")
    parser.add_argument("--seed", type=int, default=2009)
    parser.add_argument("--events", type=int, default=20_000, help="events timed (default 20,000)")
    parser.add_argument("--batch", type=int, default=1000, help="events per delivery (default 1,000)")
    parser.add_argument("--warmup", type=int, default=1000, help="events sent first, untimed (default 1,000)")
    parser.add_argument("--csv", action="store_true", help="also time CSV uploads of the same size")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one timed batch")
    return parser.parse_args(argv)


@dataclasses.dataclass
class Family:
    """A child from the index, as agencies would send them, with a parent and a sibling
    living at the same address where the index has them."""

    child: Any  # MatchRecord
    line_1: str
    postcode: str
    adults: list[Any]  # MatchRecord
    siblings: list[Any]  # MatchRecord


def families(rng: random.Random, count: int) -> list[Family]:
    """Children (under 18) sampled from the index, with the adults and other children living
    at their current address, each as an agency would write them (with errors)."""
    from jigsaw.matching.index import person_records
    from jigsaw.people.models import Person, Residence

    today = datetime.date(2026, 11, 23)
    indexed = (
        Person.objects.filter(
            merged_into__isnull=True, date_of_birth__isnull=False, birth_date_precision="exact"
        )
        .exclude(given_names="")
        .count()
    )
    sampled = [
        p
        for p in sample_people(rng, min(count * 3, indexed // 2))
        if p.date_of_birth
        and (today - p.date_of_birth).days < 17 * 365
        and p.date_of_birth < datetime.date(2026, 11, 1)
    ]
    sampled = sampled[:count]
    homes = dict(
        Residence.objects.filter(person__in=sampled, moved_out__isnull=True).values_list(
            "person_id", "address_id"
        )
    )
    lines = dict(
        Residence.objects.filter(address_id__in=set(homes.values()))
        .values_list("address_id", "address__line_1")
        .distinct()
    )
    living: dict[int, list[int]] = {}
    for address_id, person_id in Residence.objects.filter(
        address_id__in=set(homes.values()), moved_out__isnull=True
    ).values_list("address_id", "person_id"):
        living.setdefault(address_id, []).append(person_id)
    housemates = {
        p.pk: p
        for p in Person.objects.filter(
            pk__in={pid for ids in living.values() for pid in ids},
            merged_into__isnull=True,
            # Born before the events (the index holds unborn children too, with a due date).
            birth_date_precision="exact",
            date_of_birth__lt=datetime.date(2026, 11, 1),
        )
    }
    records = {int(r.record_id): r for r in person_records(list(housemates.values()) + sampled)}
    as_sent = {
        true_id: record
        for _, record, true_id in incoming_records(rng, [r for r in records.values() if r.dob is not None])
    }
    out = []
    for person in sampled:
        if person.pk not in as_sent:
            continue
        address_id = homes.get(person.pk, 0)
        others = [housemates[i] for i in living.get(address_id, []) if i != person.pk and i in housemates]
        adults = [
            as_sent[p.pk]
            for p in others
            if p.date_of_birth and (today - p.date_of_birth).days >= 18 * 365 and p.pk in as_sent
        ]
        siblings = [
            as_sent[p.pk]
            for p in others
            if p.date_of_birth and (today - p.date_of_birth).days < 18 * 365 and p.pk in as_sent
        ]
        child = as_sent[person.pk]
        out.append(Family(child, lines.get(address_id, ""), child.postcode, adults, siblings))
    return out


def _person(record: Any, role: str) -> Any:
    from jigsaw.partners.ingest import PersonRow

    return PersonRow(
        role=role,
        given_name=record.given_name,
        family_name=record.family_name,
        date_of_birth=record.dob,
        sex=record.sex,
        nhs_number=record.nhs_number,
        upn=record.upn,
    )


def make_rows(rng: random.Random, people: list[Family], count: int, prefix: str) -> dict[str, list[Any]]:
    """`count` events of the mix, by kind, made from these families."""
    from jigsaw.partners.ingest import EventRow, check_event
    from jigsaw.partners.models import EventKind, SubjectRole

    kinds = list(MIX)
    weights = list(MIX.values())
    rows: dict[str, list[Any]] = {k: [] for k in kinds}
    start = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
    for number in range(count):
        kind = rng.choices(kinds, weights=weights)[0]
        family = rng.choice(people)
        occurred_at = start + datetime.timedelta(minutes=rng.randrange(0, 30_000))
        source_id = f"{prefix}-{kind}-{number}"
        if kind == EventKind.POLICE_INCIDENT:
            persons = [_person(family.child, SubjectRole.CHILD_PRESENT)]
            persons += [_person(s, SubjectRole.CHILD_PRESENT) for s in family.siblings[: rng.randint(0, 1)]]
            if family.adults:
                persons.append(_person(family.adults[0], SubjectRole.VICTIM))
            persons.append(
                _person(
                    dataclasses.replace(
                        family.child,
                        given_name=rng.choice(["Dean", "Lee", "Craig", "Wayne"]),
                        family_name=rng.choice(["Walsh", "Barker", "Dunn", "Hale"]),
                        dob=datetime.date(1985, rng.randint(1, 12), rng.randint(1, 28)),
                        nhs_number="",
                        sex="M",
                    ),
                    SubjectRole.PERPETRATOR,
                )
            )
            subtype = "domestic_abuse"
        elif kind == EventKind.HEALTH_ATTENDANCE:
            persons = [_person(family.child, SubjectRole.PATIENT)]
            subtype = rng.choice(["a_and_e", "minor_injuries"])
        elif kind == EventKind.SCHOOL_ATTENDANCE:
            persons = [_person(family.child, SubjectRole.PUPIL)]
            subtype = rng.choice(["persistent_absence", "suspension", "missing_education"])
        else:
            persons = [_person(family.child, SubjectRole.CHILD)]
            subtype = rng.choice(["health_visiting", "health_appointment"])
        row = EventRow(
            kind=kind,
            subtype=subtype,
            source_id=source_id,
            occurred_at=occurred_at,
            persons=tuple(persons),
            payload={"format": "bench", "source_id": source_id},
            address_line_1=family.line_1,
            postcode=family.postcode,
        )
        # An agency's slip can make a date of birth fall after the event (a day and month
        # swapped): the API refuses such a batch, so the benchmark sends only good events.
        if not check_event(row, now=NOW):
            rows[kind].append(row)
    return rows


def clients() -> dict[str, Any]:
    """One agency system per kind, with its token's scope."""
    from jigsaw.partners.models import Agency, AgencyKind, ApiClient

    agency_kinds = {
        "police_incident": AgencyKind.POLICE,
        "health_attendance": AgencyKind.ACUTE_HEALTH,
        "school_attendance": AgencyKind.SCHOOL,
        "was_not_brought": AgencyKind.HEALTH_VISITING,
    }
    out = {}
    for kind, agency_kind in agency_kinds.items():
        agency, _ = Agency.objects.get_or_create(name=f"Bench {agency_kind}", defaults={"kind": agency_kind})
        client, _ = ApiClient.objects.get_or_create(
            name=f"Bench {kind}",
            agency=agency,
            defaults={"token_prefix": "bench", "token_hash": f"bench-{kind}", "scopes": [f"events:{kind}"]},
        )
        out[kind] = client
    return out


def batches(rows: dict[str, list[Any]], size: int) -> list[tuple[str, list[Any]]]:
    out = []
    for kind, kind_rows in rows.items():
        for start in range(0, len(kind_rows), size):
            out.append((kind, kind_rows[start : start + size]))
    random.Random(1).shuffle(out)
    return out


def send(
    kind_batches: list[tuple[str, list[Any]]], by_kind: dict[str, Any]
) -> tuple[float, int, dict[str, float]]:
    """Send each batch as the API does; (seconds, events, seconds spent in the alerts hook)."""
    from unittest import mock

    from jigsaw.partners.actions import feeds
    from jigsaw.partners.actions.alerts import events_arrived as hook
    from jigsaw.partners.ingest import check_event

    spent = {"alerts": 0.0}

    def timed_hook(**kwargs: Any) -> None:
        # The alerts hook (jigsaw.partners.actions.alerts) runs inside each delivery's
        # transaction; its share of the time is reported apart.
        began = time.perf_counter()
        hook(**kwargs)
        spent["alerts"] += time.perf_counter() - began

    started = time.perf_counter()
    events = 0
    now = NOW
    with mock.patch.object(feeds, "events_arrived", timed_hook):
        for kind, rows in kind_batches:
            # The checks every event passes on its way in (rows_of in the API).
            problems = [p for row in rows for p in check_event(row, now=now)]
            assert not problems, problems[:3]
            delivery = feeds.receive_api_events(
                client=by_kind[kind], kind=kind, received=len(rows), rows=rows, problems=[]
            )
            assert delivery.record.accepted, delivery.problems[:3]
            events += len(rows)
    return time.perf_counter() - started, events, spent


def outcomes(source_prefix: str) -> dict[str, Any]:
    from django.db.models import Count

    from jigsaw.casework.models import ChronologyEntry
    from jigsaw.partners.models import EventSubject, PartnerEvent

    subjects = EventSubject.objects.filter(event__source_id__startswith=source_prefix)
    by_outcome = dict(
        subjects.values_list("match_outcome").annotate(n=Count("pk")).values_list("match_outcome", "n")
    )
    events = PartnerEvent.objects.filter(source_id__startswith=source_prefix)
    return {
        "events": events.count(),
        "subjects": subjects.count(),
        "subjects_by_outcome": by_outcome,
        "household_children": subjects.filter(role="household_child").count(),
        "chronology_entries": ChronologyEntry.objects.filter(
            source_type="partners.partnerevent",
            source_id__in=[str(pk) for pk in events.values_list("pk", flat=True)],
        ).count(),
    }


def csv_files(rows: dict[str, list[Any]], size: int) -> list[tuple[str, bytes]]:
    """The same events as the CSV files an agency would upload."""
    from jigsaw.partners.ingest import LAYOUTS

    files = []
    for kind, kind_rows in rows.items():
        columns = [c.name for c in LAYOUTS[kind]]
        for start in range(0, len(kind_rows), size):
            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=columns)
            writer.writeheader()
            for row in kind_rows[start : start + size]:
                for n, person in enumerate(row.persons):
                    line = {
                        "reference": row.source_id,
                        "date": row.occurred_at.strftime("%d/%m/%Y %H:%M") if n == 0 else "",
                        "type": row.subtype if n == 0 else "",
                        "address": row.address_line_1 if n == 0 else "",
                        "postcode": row.postcode if n == 0 else "",
                        "role": {"child_present": "child present", "perpetrator": "alleged perpetrator"}.get(
                            person.role, person.role
                        ),
                        "given_name": person.given_name,
                        "family_name": person.family_name,
                        "date_of_birth": person.date_of_birth.strftime("%d/%m/%Y")
                        if person.date_of_birth
                        else "",
                        "sex": person.sex,
                        "nhs_number": person.nhs_number,
                        "upn": person.upn,
                    }
                    writer.writerow({k: v for k, v in line.items() if k in columns})
            files.append((kind, out.getvalue().encode()))
    random.Random(2).shuffle(files)
    return files


def uploaders() -> dict[str, Any]:
    from django.contrib.auth.models import User

    from jigsaw.access.roles import Role
    from jigsaw.partners.models import ApiClient, Practitioner

    out = {}
    for kind, client in clients().items():
        user, _ = User.objects.get_or_create(username=f"bench-{kind}")
        Practitioner.objects.get_or_create(
            user=user,
            defaults={
                "full_name": f"Bench {kind}",
                "agency": client.agency,
                "role": Role.PARTNER_PRACTITIONER,
            },
        )
        out[kind] = user
    assert ApiClient.objects.exists()
    return out


def upload(files: list[tuple[str, bytes]], users: dict[str, Any]) -> tuple[float, int]:
    from jigsaw.partners.actions.feeds import upload_events

    started = time.perf_counter()
    events = 0
    for kind, data in files:
        delivery = upload_events(actor=users[kind], kind=kind, filename="bench.csv", data=data)
        assert delivery.record.accepted, [str(p) for p in delivery.problems[:3]]
        events += delivery.record.new_events
    return time.perf_counter() - started, events


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Alerts e-mail the allocated workers after commit: kept in memory here, so that what is
    # timed is Jigsaw's work, not the console printing (or a mail server answering).
    vendor, build_seconds, _ = open_index(
        "partners_ingest", args, environ={"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    )

    from jigsaw.matching.matcher import active_scorer
    from jigsaw.matching.models import MatchFeatures
    from jigsaw.people.models import Person

    total_people = Person.objects.filter(merged_into__isnull=True).count()
    if MatchFeatures.objects.count() != total_people:
        print("building the matcher's index", flush=True)
        rebuild_matching_index(total_people)

    rng = random.Random(args.seed + 5)
    print("making the events", flush=True)
    people = families(rng, 3000)
    run = f"run{int(time.time())}"
    warm = make_rows(rng, people, args.warmup, f"{run}-warm")
    timed = make_rows(rng, people, args.events, f"{run}-api")
    by_kind = clients()
    prewarm(vendor)
    active_scorer()
    send(batches(warm, args.batch), by_kind)

    if args.profile:
        import cProfile
        import pstats

        one = make_rows(rng, people, args.batch, f"{run}-profile")
        profiler = cProfile.Profile()
        profiler.enable()
        send(batches(one, args.batch)[:1], by_kind)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)

    load_before = os.getloadavg()
    seconds, events, spent = send(batches(timed, args.batch), by_kind)
    load_after = os.getloadavg()
    rate = events / seconds
    without_alerts = events / (seconds - spent["alerts"])
    print(f"API path: {events:,} events in {seconds:.2f}s = {rate:,.0f} events/s", flush=True)
    print(
        f"  of which the alerts hook {spent['alerts']:.2f}s; without it {without_alerts:,.0f} events/s",
        flush=True,
    )
    found = outcomes(f"{run}-api")
    print(f"  {found}", flush=True)

    csv_result: dict[str, Any] | None = None
    if args.csv:
        users = uploaders()
        files = csv_files(make_rows(rng, people, args.events, f"{run}-csv"), args.batch)
        csv_seconds, csv_events = upload(files, users)
        csv_result = {
            "events": csv_events,
            "seconds": round(csv_seconds, 2),
            "events_per_second": round(csv_events / csv_seconds, 1),
            "lines": sum(data.count(b"\n") - 1 for _, data in files),
        }
        print(
            f"CSV path: {csv_events:,} events in {csv_seconds:.2f}s = {csv_events / csv_seconds:,.0f} events/s",
            flush=True,
        )

    persons_named = sum(len(r.persons) for rows in timed.values() for r in rows)
    result = {
        "benchmark": "partners_ingest",
        "people_in_index": total_people,
        "seed": args.seed,
        "build_seconds": round(build_seconds, 1) if build_seconds is not None else None,
        "target_events_per_second": TARGET_EVENTS_PER_SECOND,
        "batch_size": args.batch,
        "mix": MIX,
        "api_path": {
            "events": events,
            "people_named": persons_named,
            "seconds": round(seconds, 2),
            "events_per_second": round(rate, 1),
            "alerts_hook_seconds": round(spent["alerts"], 2),
            "events_per_second_without_alerts_hook": round(without_alerts, 1),
            "people_matched_per_second": round(persons_named / seconds, 1),
            "meets_target": rate >= TARGET_EVENTS_PER_SECOND,
            **found,
        },
        "csv_path": csv_result,
        "load_average": {
            "before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in load_after],
        },
        "machine": machine_info(vendor),
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    # The figures quoted are for the default index; another size never overwrites them.
    suffix = "" if args.people == DEFAULT_PEOPLE else f"-{args.people}"
    out = RESULTS_DIR / f"partners_ingest_{vendor}{suffix}.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
