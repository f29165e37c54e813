"""`jigsaw seed_demo`: fill an empty database with Riverford, the synthetic demo authority."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone
from tqdm import tqdm

from jigsaw.core.demo import (
    DEMO_PASSWORD,
    DemoGenerator,
    PlannedFamily,
    create_agencies_and_staff,
    plan_families,
    reset_demo,
    write_people,
)
from jigsaw.core.demo_activity import write_access_history
from jigsaw.core.demo_casework import CASEWORK_CHILDREN_CAP, write_casework
from jigsaw.core.demo_duplicates import plant_duplicates
from jigsaw.core.demo_escalations import write_escalations
from jigsaw.core.demo_missing import write_missing
from jigsaw.core.demo_partner_activity import write_partner_activity
from jigsaw.core.demo_partner_feeds import write_partner_feeds
from jigsaw.core.demo_partners import seed_partner_network
from jigsaw.core.demo_partnership import write_partnership
from jigsaw.core.demo_performance import write_child_population, write_targets
from jigsaw.core.demo_performance_board import write_board_report
from jigsaw.core.demo_quality_audits import write_audits
from jigsaw.core.demo_quality_practice_reviews import link_demo_recommendations, write_practice_reviews
from jigsaw.core.demo_quality_recommendations import write_recommendations
from jigsaw.core.demo_quality_section11 import write_section11
from jigsaw.core.demo_quality_supervision import write_supervision
from jigsaw.core.demo_quality_training import write_training
from jigsaw.core.demo_support import write_support
from jigsaw.core.demo_voice import write_voice
from jigsaw.core.demo_vulnerable_families import write_vulnerable_families
from jigsaw.core.demo_workforce import write_workforce
from jigsaw.matching import index as match_index
from jigsaw.matching.duplicates import find_possible_duplicates
from jigsaw.matching.estimation import train_from_index
from jigsaw.people.models import Person
from jigsaw.performance.recount import recount


class Command(BaseCommand):
    help = (
        "Create a synthetic local authority (Riverford City Council): agencies, teams, staff, "
        "one sign-in per role, and families. --children counts children (including unborn); "
        "the parents and step-parents come on top, about two people per child in all."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--children", type=int, default=5000, help="children to create (default 5000)")
        parser.add_argument(
            "--people",
            type=int,
            default=None,
            help="stop at this many people instead (children and adults); overrides --children",
        )
        parser.add_argument("--seed", type=int, default=2009, help="the same seed gives the same data")
        parser.add_argument(
            "--reset", action="store_true", help="delete the existing people and demo agencies first"
        )
        parser.add_argument("--batch-size", type=int, default=5000, help="people per INSERT batch")
        parser.add_argument(
            "--no-matching-extras",
            dest="matching_extras",
            action="store_false",
            help="index the people for matching but plant no duplicates, train no model and run no "
            "duplicate check (for benchmark builds of very large indexes)",
        )
        parser.add_argument(
            "--casework-children",
            type=int,
            default=CASEWORK_CHILDREN_CAP,
            help=f"give casework to the first N children at most (default {CASEWORK_CHILDREN_CAP:,}: "
            "the demo's staff could not carry more); 0 for none",
        )
        parser.add_argument("--quiet", action="store_true", help="no progress bar and no sign-in table")

    def handle(self, *args: Any, **options: Any) -> None:
        # The demo's partners set off alerts, which Jigsaw also e-mails: building the demo
        # sends none (they are kept in memory and dropped), whatever the mail settings.
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        children: int = options["children"]
        people: int | None = options["people"]
        quiet: bool = options["quiet"]
        if (people if people is not None else children) < 0:
            raise CommandError("The number of children or people cannot be negative.")
        if Person.objects.exists():
            if not options["reset"]:
                raise CommandError(
                    "The person index is not empty. Use --reset to delete the people and the demo "
                    "agencies first (this cannot be undone)."
                )
            reset_demo()

        started = time.perf_counter()
        # A rebuildable demo: skip the fsyncs (a crash mid-way just means running it again).
        # SQLite allows this only outside a transaction (so not inside a test).
        sqlite = connection.vendor == "sqlite" and not connection.in_atomic_block
        if sqlite:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous=OFF")
        try:
            generator = DemoGenerator(options["seed"])
            sign_ins = create_agencies_and_staff(generator)
            families = plan_families(
                generator, children=None if people is not None else children, people=people
            )
            total = people if people is not None else children
            bar = tqdm(
                total=total,
                unit=" people" if people is not None else " children",
                unit_scale=True,
                disable=quiet or not sys.stderr.isatty(),
            )

            def advance(family: PlannedFamily) -> None:
                bar.update(len(family.people) if people is not None else family.children)

            with bar:
                counts = write_people(families, batch_size=options["batch_size"], progress=advance)
            # Eighteen months of casework up to today, so the work lists show what is due this
            # week and what is overdue as a real team's would (the same seed on the same day
            # gives the same casework).
            casework = write_casework(
                seed=options["seed"], today=timezone.localdate(), children_cap=options["casework_children"]
            )
            # The child population the casework's rates are per 10,000 of (the performance
            # pages' denominator).
            write_child_population(children=casework.children_covered, today=timezone.localdate())
            # The partnership's own targets, which the dashboards and board report measure against.
            write_targets()
            # The professionals around each child open to social care, and what has been
            # shared with them on what basis.
            network = seed_partner_network(seed=options["seed"], today=timezone.localdate())
            # The matcher's view of the index (bulk loads send no signals), a few records
            # added twice as real indexes have them, a model estimated from this index, and
            # the nightly duplicate check's findings in the front door's review queue.
            match_index.rebuild()
            model = None
            duplicates = queued = 0
            if options["matching_extras"]:
                duplicates = plant_duplicates(seed=options["seed"])
                model = train_from_index(seed=options["seed"]) if Person.objects.count() > 1 else None
                queued = find_possible_duplicates()
            # The partners' day: concerns through the portal, flag checks, what they set off.
            partners = write_partner_activity(seed=options["seed"])
            # Escalations: a partner's disagreement, an urgent concern, one closed, one climbing.
            escalations = write_escalations()
            # Case file audits: all children on a plan aged under five, and a multi-agency
            # thematic audit of neglect, with cases in every state, findings and actions.
            audits = write_audits(seed=options["seed"], today=timezone.localdate())
            # Supervision: the allocated cases supervised every 4 weeks, some lapsed, a few
            # overdue actions for the demo social worker; and the training offer and take-up.
            supervision = write_supervision(seed=options["seed"], today=timezone.localdate())
            # Children missing from home and care (a few repeat missing, some missing now),
            # and private fostering arrangements at every stage.
            missing = write_missing(seed=options["seed"], today=timezone.localdate())
            # Vulnerable families meetings: the health visitors with one or two GP practices
            # every six weeks over the year, families listed, actions, referrals that followed.
            family_meetings = write_vulnerable_families(seed=options["seed"], today=timezone.localdate())
            training = write_training(seed=options["seed"], today=timezone.localdate())
            # The workforce: posts by team, who fills them (some agency), vacancies,
            # leavers and joiners, sickness absence and staff records over two years.
            workforce = write_workforce(seed=options["seed"], today=timezone.localdate())
            # Section 11: last year's round all in, this year's with one agency overdue.
            section11 = write_section11(seed=options["seed"], today=timezone.localdate())
            # Practice reviews: one published and graded, one under way with IMRs partly in.
            practice_reviews = write_practice_reviews(seed=options["seed"], today=timezone.localdate())
            # Recommendations: Child R's review, the scrutiny committee's and a national review's,
            # with responses, actions across the agencies (some overdue) and progress.
            recommendations = write_recommendations(seed=options["seed"], today=timezone.localdate())
            # Child R's practice review points to its recommendations.
            link_demo_recommendations()
            # The partnership's board (six meetings over the year, actions answering the
            # recommendations) and the guidance it issued, most of it read.
            partnership = write_partnership(seed=options["seed"], today=timezone.localdate())
            # The voice of children and families: advocates at most conferences, feedback on
            # a good share of conferences and closed episodes (paper and link), with themes.
            voice = write_voice(seed=options["seed"], today=timezone.localdate())
            # Admin delegated off social workers: business support and social work assistants
            # per team, and six months of tasks in every state.
            support = write_support(seed=options["seed"], today=timezone.localdate())
            # The police's, the hospital's and a school's systems send their events, and the
            # alerts they set off follow (an emerging concern, a worker's alert, a new school told).
            feeds = write_partner_feeds(seed=options["seed"])
            # The board report for the last complete quarter, with some commentary written.
            board = write_board_report(today=timezone.localdate())
            # The access history the data protection officer's pages show, written through
            # the same actions and logging as real use.
            logged = write_access_history(seed=options["seed"], password=DEMO_PASSWORD)
            # Fresh statistics, so the query planner knows how selective the search keys are;
            # on PostgreSQL also clear the rows a --reset left dead (VACUUM cannot run inside
            # a transaction, so not inside a test).
            vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
            # The closed months the dashboards read, counted as the nightly tick counts them.
            counted = recount()
        finally:
            if sqlite:
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA synchronous=NORMAL")
        elapsed = time.perf_counter() - started

        if quiet:
            return
        self.stdout.write(
            f"Created {counts.people:,} people ({counts.children:,} children) in {counts.families:,} "
            f"families, {counts.addresses:,} addresses, {counts.relationships:,} relationships and "
            f"{counts.other_names:,} other names in {elapsed:.1f}s (reference date {generator.reference})."
        )
        if casework.contacts:
            self.stdout.write(casework.summary())
        if network.agencies_added:
            self.stdout.write(network.summary())
        if partners.concerns or partners.flag_checks:
            self.stdout.write(partners.summary())
        if escalations.raised:
            self.stdout.write(escalations.summary())
        if audits.programmes:
            self.stdout.write(audits.summary())
        if supervision.supervisions:
            self.stdout.write(supervision.summary())
        if missing.episodes:
            self.stdout.write(missing.summary())
        if family_meetings.meetings:
            self.stdout.write(family_meetings.summary())
        if training.courses:
            self.stdout.write(training.summary())
        if workforce.posts:
            self.stdout.write(workforce.summary())
        if section11.rounds:
            self.stdout.write(section11.summary())
        if practice_reviews.reviews:
            self.stdout.write(practice_reviews.summary())
        if recommendations.sets:
            self.stdout.write(recommendations.summary())
        if partnership.members:
            self.stdout.write(partnership.summary())
        if voice.advocacy_records or voice.conference_feedback or voice.episode_feedback:
            self.stdout.write(voice.summary())
        if support.tasks:
            self.stdout.write(support.summary())
        if feeds.events:
            self.stdout.write(feeds.summary())
        if board.reports:
            self.stdout.write(board.summary())
        self.stdout.write(
            f"Counted {counted.figures:,} indicator figures for the dashboards' closed months "
            f"in {counted.seconds or 0:.1f}s (as `jigsaw tick` does each night)."
        )
        if model is not None:
            self.stdout.write(
                f"Planted {duplicates} duplicate records; match model v{model.version} estimated from "
                f"{model.training_records:,} people; {queued} possible duplicates queued for review."
            )
        self.stdout.write(
            f"Wrote {logged:,} access-log entries of demo activity (searches, views, a restricted "
            "record opened by breaking glass, a failed sign-in)."
        )
        width_user = max(len("username"), *(len(s.username) for s in sign_ins))
        width_role = max(len("role"), *(len(s.role) for s in sign_ins))
        self.stdout.write("")
        self.stdout.write(f"Demo sign-ins, all with the password {DEMO_PASSWORD!r} (demo only):")
        self.stdout.write(f"  {'username':<{width_user}}  {'role':<{width_role}}  agency")
        for s in sign_ins:
            self.stdout.write(f"  {s.username:<{width_user}}  {s.role:<{width_role}}  {s.agency}")
