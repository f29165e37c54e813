"""Do the Oversight pages stay fast with the data of a large authority?

On a fresh database it builds, with the demo's own code:
- `seed_demo --children N` (default 100,000 children, about 200,000 people) with casework
  for all of them (no matching extras): the supervision demo then supervises every
  allocated case of that casework;
- the oversight demo written many times over, as years of a partnership's work would
  leave it: audit programmes (each through the audit actions: cases chosen by criteria,
  assigned, audited, moderated, findings and actions), recommendation sets, section 11
  rounds and practice reviews;
- a training record for a partnership's whole workforce: `--learners` (default 30,000)
  staff of the partner agencies who do not sign in to Jigsaw, with three years of
  attendance at the demo's courses.

Then it GETs every list page of the app (each `quality:` URL that is not a form, a file or
a single record) through Django's test client as the signed-in user who sees the most on
it (middleware, session, access policy, queries, template, access-log rows), N times
after a warm-up, and prints p50/p95/p99 in ms against the 200 ms p95 target. Writes
bench/results/oversight-<sqlite|postgresql>.json. See bench/README.md.
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
DEFAULT_SQLITE = PROJECT_DIR / "var" / "bench" / "oversight.sqlite3"
TARGET_P95_MS = 200.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = page_bench_parser(
        __doc__,
        default_sqlite=DEFAULT_SQLITE.relative_to(PROJECT_DIR),
        example_database="jigsaw_bench_oversight",
    )
    parser.add_argument("--children", type=int, default=100_000, help="children in the authority (100,000)")
    parser.add_argument(
        "--years", type=int, default=8, help="times the oversight demo is written over (default 8)"
    )
    parser.add_argument(
        "--agencies", type=int, default=250, help="schools and practices added for a whole-partnership round"
    )
    parser.add_argument("--learners", type=int, default=30_000, help="extra learners without sign-ins")
    parser.add_argument("--runs", type=int, default=60, help="timed GETs of each page (default 60)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed GETs first (default 5)")
    parser.add_argument("--seed", type=int, default=2009, help="generator seed (default 2009)")
    parser.add_argument("--reuse", action="store_true", help="time the database already built")
    parser.add_argument("--profile", action="store_true", help="print the queries of one GET of each page")
    parser.add_argument("--only", default="", help="time only pages whose name contains this")
    return parser.parse_args(argv)


# --- Building ----------------------------------------------------------------------------


def build(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command
    from django.utils import timezone

    from jigsaw.core.demo_quality_audits import write_audits
    from jigsaw.core.demo_quality_practice_reviews import write_practice_reviews
    from jigsaw.core.demo_quality_recommendations import write_recommendations
    from jigsaw.core.demo_quality_section11 import write_section11

    built: dict[str, Any] = {}
    started = time.perf_counter()
    call_command(
        "seed_demo",
        children=args.children,
        casework_children=args.children,
        matching_extras=False,
        seed=args.seed,
        quiet=True,
    )
    built["seed_demo_seconds"] = round(time.perf_counter() - started, 1)
    today = timezone.localdate()
    # The demo wrote each part once; years of work leave many more.
    for year in range(1, args.years):
        seed = args.seed + year
        write_audits(seed=seed, today=today)
        write_recommendations(seed=seed, today=today)
        write_section11(seed=seed, today=today)
        write_practice_reviews(seed=seed, today=today)
    built["section11_agencies"] = whole_partnership_round(args.agencies, seed=args.seed, today=today)
    built["learners_added"] = add_learners(args.learners, seed=args.seed, today=today)
    # Fresh planner statistics for what was added after seed_demo's ANALYZE, as the
    # database's own autovacuum would have them in service.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    built["rows"] = row_counts()
    built["seconds"] = round(time.perf_counter() - started, 1)
    return built


def whole_partnership_round(extra_agencies: int, *, seed: int, today: datetime.date) -> int:
    """A section 11 round sent, through the actions, to every agency of a large partnership
    (the demo's and `extra_agencies` more schools and GP practices), every return answered
    and submitted, with an action for each standard short of fully met."""
    from django.contrib.auth.models import User
    from django.db import transaction
    from django.utils import timezone

    from jigsaw.partners.models import Agency, AgencyKind
    from jigsaw.quality.actions.section11 import create_round, send_round
    from jigsaw.quality.models.section11 import (
        Rating,
        ReturnStatus,
        Section11Answer,
        Section11GapAction,
        Section11Return,
    )

    rng = random.Random(seed)
    member = User.objects.get(username="partnership_member")
    Agency.objects.bulk_create(
        [
            Agency(
                name=f"Riverford {'Academy' if n % 4 else 'Medical Practice'} {n + 1}",
                kind=AgencyKind.SCHOOL if n % 4 else AgencyKind.GP_PRACTICE,
            )
            for n in range(extra_agencies)
        ]
    )
    agencies = list(Agency.objects.values_list("pk", flat=True))
    with transaction.atomic():
        round_ = create_round(
            actor=member,
            title="Section 11 self-assessment: the whole partnership",
            period=f"April {today.year - 1} to March {today.year}",
            opens_on=today - datetime.timedelta(days=60),
            due_on=today - datetime.timedelta(days=1),
            agency_ids=agencies,
        )
        round_ = send_round(actor=member, round_id=round_.pk, expected_version=round_.version)
        standards = list(round_.standards.all())
        now = timezone.now()
        returns = list(round_.returns.all())
        answers = [
            Section11Answer(
                section11_return=r,
                standard=standard,
                rating=rng.choice(Rating.values),
                evidence="Policy, training records and an audit of practice this year.",
            )
            for r in returns
            for standard in standards
        ]
        Section11Answer.objects.filter(section11_return__in=returns).delete()  # sending may add blanks
        answers = Section11Answer.objects.bulk_create(answers, batch_size=2000)
        Section11GapAction.objects.bulk_create(
            [
                Section11GapAction(
                    answer=a,
                    action="Close the gap: a plan agreed with the partnership",
                    owner="Designated safeguarding lead",
                    due_on=today + datetime.timedelta(days=90),
                    added_by=member,
                    added_at=now,
                )
                for a in answers
                if a.rating != Rating.FULLY_MET
            ],
            batch_size=2000,
        )
        Section11Return.objects.filter(round=round_).update(
            status=ReturnStatus.SUBMITTED, submitted_at=now, submitted_by=member, updated_at=now
        )
    return len(agencies)


def add_learners(count: int, *, seed: int, today: datetime.date) -> int:
    """Partner agencies' staff who do not sign in, with three years of attendance at the
    demo's courses: those mandatory for their agency mostly taken (some lapsed), others now
    and then. The extra learners go to extra sessions of each course (a course's sessions
    are as full as the demo's, not swollen to hundreds), and each learner's latest attended
    session of a course is their current one."""
    from django.contrib.auth.models import User
    from django.db import transaction
    from django.utils import timezone

    from jigsaw.core.demo import DemoGenerator
    from jigsaw.partners.models import Agency
    from jigsaw.quality.models.training import (
        Attendance,
        AttendanceStatus,
        Course,
        Learner,
        LearnerGroup,
        TrainingSession,
    )
    from jigsaw.quality.queries.training import expiry_of

    rng = random.Random(seed)
    names = DemoGenerator(seed + 99, today=today)
    agencies = list(Agency.objects.order_by("pk"))
    courses = list(Course.objects.order_by("pk"))
    owner = User.objects.get(username="partnership_member")
    with transaction.atomic():
        learners = Learner.objects.bulk_create(
            [
                Learner(
                    full_name=names.practitioner_name(),
                    group=LearnerGroup.STAFF,
                    agency=rng.choice(agencies),
                    job_title="Practitioner",
                )
                for _ in range(count)
            ],
            batch_size=2000,
        )
        # Who takes each course, and how often (a refresher or two in three years).
        takers: dict[int, list[tuple[Learner, int]]] = {c.pk: [] for c in courses}
        for learner in learners:
            assert learner.agency is not None
            for course in courses:
                mandatory = (
                    LearnerGroup.STAFF in course.mandatory_groups
                    or learner.agency.kind in course.mandatory_agency_kinds
                )
                if rng.random() < (0.85 if mandatory else 0.05):
                    takers[course.pk].append((learner, rng.choice((1, 1, 2))))
        rows: list[Attendance] = []
        for course in courses:
            template = TrainingSession.objects.filter(course=course).order_by("pk").first()
            places = SESSION_PLACES
            needed = -(-sum(times for _, times in takers[course.pk]) // places)
            if template is None or needed == 0:
                continue
            sessions = TrainingSession.objects.bulk_create(
                [
                    _session_like(template, today - datetime.timedelta(days=rng.randint(1, 3 * 365)), places)
                    for _ in range(needed)
                ]
            )
            by_pk = {session.pk: session for session in sessions}
            # Every place of every session, in a random order: each attendance takes the next.
            slots = [session for session in sessions for _ in range(places)]
            rng.shuffle(slots)
            for learner, times in takers[course.pk]:
                picked = {slots.pop().pk: None for _ in range(times)}  # twice in one session: once
                taken = sorted((by_pk[pk] for pk in picked), key=_start)
                for n, session in enumerate(taken):
                    rows.append(
                        Attendance(
                            session=session,
                            learner=learner,
                            course=course,
                            status=AttendanceStatus.ATTENDED,
                            expires_on=expiry_of(course, timezone.localdate(session.starts_at)),
                            booked_by=owner,
                            booked_at=session.starts_at - datetime.timedelta(days=21),
                            recorded_by=owner,
                            recorded_at=session.ends_at,
                            current=n == len(taken) - 1,
                        )
                    )
        Attendance.objects.bulk_create(rows, batch_size=5000)
    return count


# A session's places (the demo's sessions hold 12 to about 40).
SESSION_PLACES = 30


def _session_like(template: Any, day: datetime.date, places: int) -> Any:
    """Another session of the template's course on `day`, at its time, place and trainer."""
    from django.utils import timezone

    from jigsaw.quality.models.training import TrainingSession

    starts = timezone.make_aware(
        datetime.datetime.combine(day, timezone.localtime(template.starts_at).time())
    )
    return TrainingSession(
        course_id=template.course_id,
        starts_at=starts,
        ends_at=starts + (template.ends_at - template.starts_at),
        online=template.online,
        venue=template.venue,
        trainer=template.trainer,
        places=places,
    )


def _start(session: Any) -> datetime.datetime:
    return session.starts_at  # type: ignore[no-any-return]


def row_counts() -> dict[str, int]:
    from django.apps import apps

    return {
        model._meta.object_name or model.__name__: model._base_manager.count()
        for model in apps.get_app_config("quality").get_models()
    }


# --- Pages -------------------------------------------------------------------------------


def pages() -> dict[str, tuple[str, str]]:
    """Each list page: its url and the user who sees the most on it."""
    from django.db.models import Count
    from django.urls import reverse

    from jigsaw.quality.models.audits import AuditProgramme
    from jigsaw.quality.models.practice_reviews import PracticeReview
    from jigsaw.quality.models.recommendations import RecommendationSet
    from jigsaw.quality.models.section11 import Section11Return, Section11Round
    from jigsaw.quality.models.training import Course, TrainingSession

    member, manager, worker = "partnership_member", "team_manager", "social_worker"
    biggest_programme = AuditProgramme.objects.annotate(n=Count("cases")).order_by("-n").first()
    biggest_set = RecommendationSet.objects.annotate(n=Count("recommendations")).order_by("-n").first()
    latest_round = Section11Round.objects.annotate(n=Count("returns")).order_by("-n", "-pk").first()
    busiest_agency = (
        Section11Return.objects.values_list("agency_id", flat=True)
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    biggest_course = Course.objects.annotate(n=Count("sessions__attendances")).order_by("-n").first()
    busiest_session = TrainingSession.objects.annotate(n=Count("attendances")).order_by("-n").first()
    review = PracticeReview.objects.order_by("-pk").first()
    assert (
        biggest_programme and biggest_set and latest_round and biggest_course and busiest_session and review
    )
    found: dict[str, tuple[str, str]] = {
        "oversight home": (reverse("quality:home"), member),
        # Supervision: a worker's own cases; the manager's team; every team's figures.
        "supervision (worker)": (reverse("quality:supervision"), worker),
        "supervision (manager)": (reverse("quality:supervision"), manager),
        "supervision teams": (reverse("quality:supervision_teams"), member),
        # Audits.
        "audits": (reverse("quality:audits"), member),
        "audit programme": (reverse("quality:audit_programme", args=[biggest_programme.pk]), member),
        "audit themes": (reverse("quality:audit_themes"), member),
        # Section 11.
        "section 11": (reverse("quality:section11"), member),
        "section 11 standards": (reverse("quality:section11_standards"), member),
        "section 11 round": (reverse("quality:section11_round", args=[latest_round.pk]), member),
        "section 11 comparison": (reverse("quality:section11_grid", args=[latest_round.pk]), member),
        "section 11 agency": (reverse("quality:section11_agency", args=[busiest_agency]), member),
        # Practice reviews.
        "practice reviews": (reverse("quality:practice_reviews"), member),
        "practice review": (reverse("quality:practice_review", args=[review.pk]), member),
        # Recommendations.
        "recommendations": (reverse("quality:recommendations"), member),
        "recommendation set": (reverse("quality:recommendation_set", args=[biggest_set.pk]), member),
        "scrutiny report": (
            reverse("quality:recommendation_report") + f"?set={biggest_set.pk}",
            member,
        ),
        # Training.
        "training": (reverse("quality:training"), member),
        "training course": (reverse("quality:training_course", args=[biggest_course.pk]), member),
        "training session": (reverse("quality:training_session", args=[busiest_session.pk]), member),
        "training learners": (reverse("quality:training_learners"), member),
        "training take-up": (reverse("quality:training_takeup"), member),
        "training overdue": (reverse("quality:training_overdue"), member),
    }
    return found


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    database_url = args.database_url or f"sqlite:///{DEFAULT_SQLITE}"
    if not args.reuse:
        fresh_database(database_url)
    setup_django(database_url)

    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    vendor = connection.vendor
    print(f"database: {vendor} ({database_url}){'' if args.reuse else ', fresh'}", flush=True)
    built: dict[str, Any] = {}
    if not args.reuse:
        call_command("migrate", verbosity=0, interactive=False)
        built = build(args)
        print(f"built in {built['seconds']:.0f}s: {json.dumps(built['rows'])}", flush=True)

    results: dict[str, Any] = {}
    load_before = os.getloadavg()
    for name, (url, username) in pages().items():
        if args.only and args.only not in name:
            continue
        client = Client()
        client.force_login(User.objects.get(username=username))
        if args.profile:
            profile(client, url)
        latencies, size = time_page(client, url, args.runs, args.warmup)
        results[name] = {"url": url, "signed_in_as": username, "html_bytes": size, **summary(latencies)}
        s = results[name]
        verdict = "meets" if s["p95_ms"] < TARGET_P95_MS else "MISSES"
        print(
            f"{name:>22}: p50 {s['p50_ms']:6.1f} ms  p95 {s['p95_ms']:6.1f} ms  p99 {s['p99_ms']:6.1f} ms  "
            f"({size / 1024:.0f} KB, {verdict})",
            flush=True,
        )

    report = {
        "benchmark": "oversight",
        "what": "full GET through Django's test client as a signed-in user (middleware, session, "
        "access policy, queries, template, the access-log rows each view writes)",
        "children": args.children,
        "seed": args.seed,
        "runs": args.runs,
        "warmup": args.warmup,
        "built": built,
        "target_p95_ms": TARGET_P95_MS,
        "pages": results,
        "worst_p95_ms": max((s["p95_ms"] for s in results.values()), default=None),
        "load_average": {
            "before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in os.getloadavg()],
        },
        "machine": machine_info(vendor),
    }
    if not args.only:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        out = RESULTS_DIR / f"oversight-{vendor}.json"
        out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"results: {out.relative_to(PROJECT_DIR)}")
    worst = report["worst_p95_ms"]
    print(f"worst p95 {worst} ms against the {TARGET_P95_MS:.0f} ms target; load {report['load_average']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
