from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jigsaw.access.log import verify_chain
from jigsaw.access.models import AccessLogEntry


class Command(BaseCommand):
    help = "Check that the access log's hash chain is unbroken."

    def handle(self, *args: Any, **options: Any) -> None:
        breaks = list(verify_chain())
        for b in breaks:
            self.stderr.write(f"entry {b.entry_id}: {b.reason}")
        if breaks:
            raise CommandError(f"the access log chain is broken in {len(breaks)} place(s)")
        self.stdout.write(f"access log verified: {AccessLogEntry.objects.count()} entries, chain unbroken")
