"""How fast are the pages a social worker and a team manager open every day, when the work
is as big as it gets?

On a fresh database it builds:
- a child with 1,000 chronology entries of mixed kinds from several agencies (contacts,
  case notes, referrals and assessments behind many of them, so the links are real);
- a team (a manager and 15 social workers) holding 300 open referrals: most allocated and
  being assessed, some on child protection or child in need plans with their review, core
  group and visit dates, some of it overdue, some unallocated, some waiting for sign-off.

Then it renders, through Django's test client as a signed-in user (the whole request:
middleware, session, access policy, queries, template, the access-log row each view
writes), N times each after a warm-up:
(a) the child's chronology page, as the allocated social worker;
(b) the team manager's page, as the team manager.

Prints p50/p95/p99 in ms and writes bench/results/chronology-<sqlite|postgresql>.json.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import (
    fresh_database,
    machine_info,
    page_bench_parser,
    profile,
    setup_django,
    summary,
    time_page,
)

PROJECT_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = PROJECT_DIR / "bench" / "results"
DEFAULT_SQLITE = PROJECT_DIR / "var" / "bench" / "chronology.sqlite3"
TARGET_P95_MS = 150.0

# Share of the child's chronology entries of each kind (a long-known child: partner events
# and case notes make up most of it).
KIND_WEIGHTS: dict[str, float] = {
    "partner_event": 0.28,
    "case_note": 0.25,
    "visit": 0.12,
    "contact": 0.08,
    "core_group": 0.05,
    "conference": 0.03,
    "strategy": 0.03,
    "s47": 0.02,
    "assessment": 0.04,
    "referral": 0.02,
    "allocation": 0.02,
    "decision": 0.02,
    "plan": 0.02,
    "early_help": 0.01,
    "closure": 0.01,
}

PARTNER_EVENTS = [
    (
        "Riverford Police",
        "Police called to the family home after a neighbour heard shouting; children present",
    ),
    ("Riverford Police", "Mother's partner arrested for breach of a non-molestation order"),
    ("Riverside Primary School", "Attendance this half term 81%; late on 9 of 30 days"),
    ("Riverside Primary School", "Came to school hungry and in the same clothes as yesterday"),
    ("Riverford General Hospital", "Attended the emergency department with a burn to the left hand"),
    ("Riverford General Hospital", "Missed paediatric outpatient appointment (second time)"),
    ("Canal Street Surgery", "Mother seen by GP: low mood, prescribed sertraline"),
    ("Riverford Health Visiting", "Health visitor: home conditions poor, dog faeces on the floor"),
    ("Riverford Homes", "Rent arrears; notice seeking possession served"),
]
NOTE_TEXTS = [
    "Home visit. Saw the child alone in her bedroom; she said she feels safe but that her mum cries a lot.",
    "Phone call with the school DSL about attendance and lunches; school will provide breakfast club.",
    "Supervision: discussed drift in the plan; agreed to ask for a legal planning meeting.",
    "Unannounced visit, nobody home. Left a card and called mother; no answer.",
    "Observed contact with father at the family centre: warm, played well, left on time.",
]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = page_bench_parser(
        __doc__,
        default_sqlite=DEFAULT_SQLITE.relative_to(PROJECT_DIR),
        example_database="jigsaw_bench_chronology",
    )
    parser.add_argument(
        "--entries", type=int, default=1000, help="chronology entries of the child (default 1000)"
    )
    parser.add_argument("--referrals", type=int, default=300, help="open referrals in the team (default 300)")
    parser.add_argument("--runs", type=int, default=200, help="timed renders of each page (default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed renders first (default 20)")
    parser.add_argument("--seed", type=int, default=2009, help="generator seed (default 2009)")
    parser.add_argument("--profile", action="store_true", help="print the queries of one render of each page")
    return parser.parse_args(argv)


def _user(username: str, first: str, last: str) -> Any:
    from django.contrib.auth.models import User

    return User.objects.create(username=username, first_name=first, last_name=last)


def build(args: argparse.Namespace) -> dict[str, Any]:
    """The child, their chronology, the team and its referrals. Returns what the timing needs."""
    from django.db import transaction
    from django.utils import timezone

    from jigsaw.access.roles import Role
    from jigsaw.casework.models import (
        Allocation,
        Assessment,
        CaseNote,
        ChildInNeedPlan,
        ChildProtectionPlan,
        ChronologyEntry,
        Contact,
        Referral,
    )
    from jigsaw.partners.models import Agency, AgencyKind, Practitioner
    from jigsaw.people.models import Person
    from jigsaw.workforce.models import Team

    rng = random.Random(args.seed)
    today = timezone.localdate()
    now = timezone.now()

    with transaction.atomic():
        csc = Agency.objects.create(
            name="Riverford Children's Social Care", kind=AgencyKind.CHILDRENS_SOCIAL_CARE
        )
        agencies = {csc.name: csc}
        for name, agency_kind in [
            ("Riverford Police", AgencyKind.POLICE),
            ("Riverside Primary School", AgencyKind.SCHOOL),
            ("Riverford General Hospital", AgencyKind.ACUTE_HEALTH),
            ("Canal Street Surgery", AgencyKind.GP_PRACTICE),
            ("Riverford Health Visiting", AgencyKind.HEALTH_VISITING),
            ("Riverford Homes", AgencyKind.HOUSING),
        ]:
            agencies[name] = Agency.objects.create(name=name, kind=agency_kind)
        team = Team.objects.create(agency=csc, name="Assessment Team 1")

        def practitioner(username: str, first: str, last: str, role: Role) -> Any:
            user = _user(username, first, last)
            Practitioner.objects.create(
                user=user, full_name=f"{first} {last}", agency=csc, team=team, role=role, job_title=role.label
            )
            return user

        manager = practitioner("team_manager", "Tara", "Manley", Role.TEAM_MANAGER)
        workers = [
            practitioner(f"worker{i:02d}", first, f"Worker{i:02d}", Role.SOCIAL_WORKER)
            for i, first in enumerate(["Sam", "Priya", "Ola", "Jo", "Ben", "Kemi", "Lee", "Ana"] * 2, start=1)
        ][:15]
        front_door = practitioner("front_door", "Fran", "Door", Role.FRONT_DOOR_OFFICER)

        # (a) The child and their chronology.
        child = Person(given_names="Anna", family_name="Kouao", date_of_birth=datetime.date(2016, 11, 2))
        child.nhs_number = "9434765919"
        child.save()
        worker = workers[0]
        first_day = today - datetime.timedelta(days=6 * 365)
        referrals = []
        for i, (opened, closed) in enumerate(
            [
                (first_day + datetime.timedelta(days=30), first_day + datetime.timedelta(days=400)),
                (today - datetime.timedelta(days=700), today - datetime.timedelta(days=300)),
                (today - datetime.timedelta(days=200), None),
            ]
        ):
            referral = Referral.objects.create(
                person=child,
                referred_on=opened,
                source="2A",
                primary_need="N1",
                team=team,
                allocated_worker=worker if closed is None else None,
                opened_by=manager,
                closed_on=closed,
                closure_reason="RC7" if closed else "",
            )
            Allocation.objects.create(
                referral=referral,
                worker=worker if closed is None else workers[i + 1],
                allocated_by=manager,
                allocated_at=now - datetime.timedelta(days=(today - opened).days),
                ended_at=None if closed is None else now - datetime.timedelta(days=(today - closed).days),
            )
            referrals.append(referral)
        assessments = [
            Assessment.objects.create(
                referral=r,
                started_on=r.referred_on,
                due_on=r.referred_on + datetime.timedelta(days=63),
                started_by=worker,
                completed_on=r.referred_on + datetime.timedelta(days=40),
                completed_by=worker,
                authorised_by=manager,
                authorised_at=now,
                outcome="cin_plan",
            )
            for r in referrals
        ]

        kinds = list(KIND_WEIGHTS)
        weights = list(KIND_WEIGHTS.values())
        entries: list[ChronologyEntry] = []
        linked = 0
        for _ in range(args.entries):
            kind = rng.choices(kinds, weights=weights)[0]
            day = first_day + datetime.timedelta(days=rng.randrange((today - first_day).days))
            at = (
                timezone.make_aware(
                    datetime.datetime.combine(day, datetime.time(rng.randrange(7, 23), rng.randrange(60)))
                )
                if rng.random() < 0.6
                else None
            )
            source: Any = None
            agency = csc
            recorded_by = rng.choice(workers)
            detail = ""
            if kind == "partner_event":
                name, summary_text = rng.choice(PARTNER_EVENTS)
                agency, recorded_by = agencies[name], None
            elif kind == "case_note":
                text = rng.choice(NOTE_TEXTS)
                moment = at or timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
                source = CaseNote.objects.create(
                    person=child,
                    referral=rng.choice(referrals),
                    kind=rng.choice(["home_visit", "phone_call", "meeting", "observation"]),
                    occurred_at=moment,
                    recorded_at=moment + datetime.timedelta(hours=rng.randrange(1, 48)),
                    text=text,
                    author=recorded_by,
                )
                summary_text = f"{source.get_kind_display()}: {text}"
            elif kind == "contact":
                moment = at or timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
                name, concern = rng.choice(PARTNER_EVENTS)
                source = Contact.objects.create(
                    person=child,
                    received_at=moment,
                    source="6" if "Police" in name else "2A",
                    concern=concern,
                    consent="given",
                    decision_due=day + datetime.timedelta(days=1),
                    recorded_by=front_door,
                    referrer_agency=agencies[name],
                )
                agency, recorded_by = agencies[name], front_door
                summary_text = f"Contact from {source.get_source_display()} ({name}): {concern}"
                detail = (
                    "Decision: strategy discussion. Threshold met: injury with an inconsistent explanation."
                )
            elif kind == "referral":
                source = rng.choice(referrals)
                summary_text = "Referral to children's social care (N1 Abuse or neglect)"
            elif kind == "assessment":
                source = rng.choice(assessments)
                summary_text = "Child and family assessment completed: child in need plan"
            else:
                summary_text = {
                    "visit": "Statutory visit: child seen, and seen alone",
                    "core_group": "Core group meeting: plan reviewed with school, health visitor and mother",
                    "conference": "Review child protection conference: plan continues (neglect)",
                    "strategy": "Strategy discussion with police and health: section 47 enquiry to start",
                    "s47": "Section 47 enquiry started",
                    "allocation": f"Allocated to {recorded_by.get_full_name()}",
                    "decision": "Front-door decision: referral for assessment (authorised)",
                    "plan": "Child protection plan started (neglect)",
                    "early_help": "Early help episode started; lead professional from the school",
                    "closure": "Episode of need closed (RC7)",
                }[kind]
            if source is not None:
                linked += 1
            entries.append(
                ChronologyEntry(
                    person=child,
                    occurred_on=day,
                    occurred_at=at,
                    kind=kind,
                    agency=agency,
                    summary=summary_text[:300],
                    detail=detail,
                    source_type=source._meta.label_lower if source is not None else "",
                    source_id=str(source.pk) if source is not None else "",
                    significant=rng.random() < 0.1,
                    recorded_by=recorded_by,
                    recorded_at=now,
                )
            )
        ChronologyEntry.objects.bulk_create(entries, batch_size=500)

        # (b) The team's 300 open referrals, each a different child.
        open_counts = {
            "allocated": 0,
            "unallocated": 0,
            "assessments": 0,
            "overdue_assessments": 0,
            "awaiting_sign_off": 0,
            "cp_plans": 0,
            "cin_plans": 0,
        }
        for i in range(args.referrals):
            person = Person(
                given_names=rng.choice(["Mia", "Leo", "Ava", "Noah", "Isla", "Zain", "Ruby", "Theo"]),
                family_name=f"Family{i:03d}",
                date_of_birth=today - datetime.timedelta(days=rng.randrange(60, 17 * 365)),
            )
            person.save()
            referred_on = today - datetime.timedelta(days=rng.randrange(5, 400))
            holder = None if i % 15 == 14 else workers[i % len(workers)]
            referral = Referral.objects.create(
                person=person,
                referred_on=referred_on,
                source=rng.choice(["2A", "6", "3A", "1A"]),
                primary_need=rng.choice(["N1", "N4", "N5"]),
                team=team,
                allocated_worker=holder,
                opened_by=manager,
            )
            if holder is None:
                open_counts["unallocated"] += 1
                continue
            open_counts["allocated"] += 1
            Allocation.objects.create(
                referral=referral,
                worker=holder,
                allocated_by=manager,
                allocated_at=now - datetime.timedelta(days=3),
            )
            started = referred_on + datetime.timedelta(days=1)
            due = started + datetime.timedelta(days=63)
            completed = None
            if i % 10 == 3 and started + datetime.timedelta(days=20) <= today:
                completed = started + datetime.timedelta(days=20)
                open_counts["awaiting_sign_off"] += 1
            Assessment.objects.create(
                referral=referral,
                started_on=started,
                due_on=due,
                started_by=holder,
                completed_on=completed,
                completed_by=holder if completed else None,
                outcome="cin_plan" if completed else "",
            )
            open_counts["assessments"] += 1
            if completed is None and due < today:
                open_counts["overdue_assessments"] += 1
            if i % 5 == 0:
                ChildProtectionPlan.objects.create(
                    referral=referral,
                    person=person,
                    started_on=referred_on + datetime.timedelta(days=20),
                    initial_category="NEG",
                    latest_category=rng.choice(["NEG", "EMO", "PHY"]),
                    next_review_due=today + datetime.timedelta(days=rng.randrange(-20, 90)),
                    next_core_group_due=today + datetime.timedelta(days=rng.randrange(-10, 30)),
                    next_visit_due=today + datetime.timedelta(days=rng.randrange(-5, 10)),
                )
                open_counts["cp_plans"] += 1
            elif i % 5 == 1:
                ChildInNeedPlan.objects.create(
                    referral=referral,
                    started_on=referred_on + datetime.timedelta(days=30),
                    next_review_due=today + datetime.timedelta(days=rng.randrange(-15, 90)),
                    recorded_by=holder,
                )
                open_counts["cin_plans"] += 1

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "child": child,
        "worker": worker,
        "manager": manager,
        "built": {
            "chronology_entries": args.entries,
            "entries_with_a_linked_record": linked,
            "significant": sum(1 for e in entries if e.significant),
            "open_referrals": args.referrals,
            **open_counts,
        },
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    database_url = args.database_url or f"sqlite:///{DEFAULT_SQLITE}"
    fresh_database(database_url)
    setup_django(database_url)

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    vendor = connection.vendor
    print(f"database: {vendor} ({database_url}), fresh", flush=True)
    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    data = build(args)
    build_seconds = time.perf_counter() - started
    print(f"built in {build_seconds:.1f}s: {json.dumps(data['built'])}", flush=True)

    pages: dict[str, tuple[str, Any]] = {
        "chronology": (reverse("casework:chronology", args=[data["child"].pk]), data["worker"]),
    }
    try:
        pages["team"] = (reverse("casework:team"), data["manager"])
    except NoReverseMatch:
        print("casework:team does not exist yet: timing the chronology only", flush=True)

    results: dict[str, Any] = {}
    load_before = os.getloadavg()
    for name, (url, user) in pages.items():
        client = Client()
        client.force_login(user)
        if args.profile:
            profile(client, url)
        latencies, size = time_page(client, url, args.runs, args.warmup)
        results[name] = {
            "url": url,
            "signed_in_as": user.get_username(),
            "html_bytes": size,
            **summary(latencies),
        }

    report = {
        "benchmark": "chronology",
        "what": "full GET through Django's test client as a signed-in user (middleware, session, "
        "access policy, queries, template, the access-log row each view writes)",
        "seed": args.seed,
        "runs": args.runs,
        "warmup": args.warmup,
        "build_seconds": round(build_seconds, 1),
        "built": data["built"],
        "target_p95_ms": TARGET_P95_MS,
        "pages": results,
        # Other work on the machine while timing (1, 5 and 15-minute load averages).
        "load_average": {
            "before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in os.getloadavg()],
        },
        "machine": machine_info(vendor),
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"chronology-{vendor}.json"
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")

    for name, s in results.items():
        verdict = "meets" if s["p95_ms"] < TARGET_P95_MS else "MISSES"
        print(
            f"{name:>11}: p50 {s['p50_ms']:.1f} ms  p95 {s['p95_ms']:.1f} ms  p99 {s['p99_ms']:.1f} ms  "
            f"(n={s['count']}, {s['html_bytes'] / 1024:.0f} KB; {verdict} the {TARGET_P95_MS:.0f} ms p95 target)"
        )
    print(f"load average while timing: {report['load_average']} (nproc {os.cpu_count()})")
    print(f"results: {out.relative_to(PROJECT_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
