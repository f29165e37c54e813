"""`jigsaw tick`: the periodic housekeeping run from cron (every minute is fine). For now it
moves escalations whose stage deadline has passed to their next stage. Several may run at
once on several machines: `escalate_overdue` moves each escalation once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from jigsaw.escalation.actions import escalate_overdue


class Command(BaseCommand):
    help = "Periodic work: move escalations whose stage deadline has passed to the next stage"

    def handle(self, *args: Any, **options: Any) -> None:
        moved = escalate_overdue()
        if options["verbosity"] > 0:
            self.stdout.write(f"Escalations moved to their next stage: {moved}")
