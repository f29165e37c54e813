"""`jigsaw recount_indicators`: count every indicator's closed months now and keep them for
the dashboards (what `jigsaw tick` does once a day), whatever was counted earlier today."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from jigsaw.performance.recount import recount


class Command(BaseCommand):
    help = "Count every indicator's closed months now and keep them for the dashboards"

    def handle(self, *args: Any, **options: Any) -> None:
        done = recount()
        if options["verbosity"] > 0:
            self.stdout.write(
                f"Counted {done.figures:,} figures: {done.months} closed months, in {done.seconds:.1f} s"
            )
