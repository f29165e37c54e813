from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jigsaw.access.log import verify_chain
from jigsaw.access.models import AccessLogEntry


class Command(BaseCommand):
    help = "Check that the access log's hash chain is unbroken; name the first bad entry if not."

    def handle(self, *args: Any, **options: Any) -> None:
        breaks = list(verify_chain())
        if breaks:
            first = breaks[0]
            for b in breaks:
                self.stderr.write(f"entry {b.entry_id}: {b.reason}")
            raise CommandError(
                f"the access log is broken: first bad entry {first.entry_id} ({first.reason}); "
                f"{len(breaks)} problem(s) in all"
            )
        self.stdout.write(f"access log verified: {AccessLogEntry.objects.count()} entries, chain unbroken")
