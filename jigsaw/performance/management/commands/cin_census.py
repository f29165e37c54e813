"""`jigsaw cin_census --year 2026 --out cin.xml`: the children in need census as XML, after
the DfE's validation rules (refused while errors remain, unless --force)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jigsaw.access.log import record_access
from jigsaw.performance.returns.cin_validation import write_validated_cin_census

# Failures listed on the terminal; the page lists them all.
SHOWN = 50


class Command(BaseCommand):
    help = (
        "Write the children in need census for the collection year ending 31 March YEAR "
        "(year 2026: 1 April 2025 to 31 March 2026) as XML, after validating it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="the year the collection ends, e.g. 2026")
        parser.add_argument("--out", required=True, help="the XML file to write")
        parser.add_argument("--force", action="store_true", help="write the file even if errors remain")

    def handle(self, *args: Any, **options: Any) -> None:
        year: int = options["year"]
        if not 2010 <= year <= 2100:
            raise CommandError("Give the year the collection ends, for example --year 2026.")
        out = Path(options["out"])
        if not out.parent.exists():
            raise CommandError(f"There is no folder {out.parent} to write the file in.")
        # One pass: the file is written to a temporary file beside `out` while it is
        # validated, and moved into place only if it may be kept (a move in one folder is
        # atomic, so `out` is never left half-written).
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, before the move
            dir=out.parent, prefix=f".{out.name}.", suffix=".part", delete=False
        )
        temporary = Path(handle.name)
        try:
            with handle:
                summary, failures = write_validated_cin_census(handle, year=year)
            errors = [f for f in failures if f.is_error]
            queries = len(failures) - len(errors)
            for f in failures[:SHOWN]:
                self.stdout.write(f"{f.severity} {f.code} LAchildID {f.la_child_id}: {f.message} ({f.url})")
            if len(failures) > SHOWN:
                self.stdout.write(f"... and {len(failures) - SHOWN} more (the returns page lists them all)")
            self.stdout.write(f"{len(errors)} errors, {queries} queries")
            if errors and not options["force"]:
                raise CommandError(
                    f"The census has {len(errors)} errors: put the records right, or write it anyway with --force."
                )
            temporary.replace(out)
        finally:
            temporary.unlink(missing_ok=True)
        # A disclosure of many children's records: one row for the export.
        record_access(
            user=None,
            action="export_cin_census",
            record_type="performance.cin_census",
            record_id=str(year),
            detail={
                "children": summary.children,
                "episodes": summary.episodes,
                "errors": len(errors),
                "via": "command",
            },
        )
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {summary.children} children, {summary.episodes} episodes to {out}")
        )
