"""`jigsaw tick`: the periodic housekeeping run from cron (every minute is fine). It moves
escalations whose stage deadline has passed to their next stage, and once a day counts every
performance indicator's closed months for the dashboards. Several may run at once on several
machines: `escalate_overdue` moves each escalation once, and one tick a day claims the
count (`jigsaw.performance.recount`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from jigsaw.escalation.actions import escalate_overdue
from jigsaw.performance.recount import recount_if_due


class Command(BaseCommand):
    help = (
        "Periodic work: move escalations whose stage deadline has passed to the next stage; "
        "once a day, count the performance indicators' closed months"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        moved = escalate_overdue()
        counted = recount_if_due()
        if options["verbosity"] > 0:
            self.stdout.write(f"Escalations moved to their next stage: {moved}")
            if counted is not None:
                self.stdout.write(
                    f"Indicators counted for the closed months: {counted.figures:,} figures "
                    f"in {counted.seconds:.1f} s"
                )
