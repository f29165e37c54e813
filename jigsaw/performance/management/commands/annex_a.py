from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.performance.returns.annex_a import write_annex_a


class Command(BaseCommand):
    help = (
        "Write the Ofsted ILACS Annex A lists 1 to 8 (contacts to children in care) as an "
        "XLSX workbook, one sheet per list, as at a date (default today)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="The workbook to write, e.g. annex_a.xlsx")
        parser.add_argument(
            "--as-at", dest="as_at", default=None, help="The as-at date, YYYY-MM-DD (default today)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        as_at = today
        if options["as_at"]:
            try:
                as_at = datetime.date.fromisoformat(options["as_at"])
            except ValueError:
                raise CommandError(
                    f"--as-at must be a date as YYYY-MM-DD, not {options['as_at']!r}"
                ) from None
        if as_at > today:
            raise CommandError(f"--as-at cannot be in the future (today is {today:%Y-%m-%d})")
        out = Path(options["out"])
        if not out.parent.is_dir():
            raise CommandError(f"There is no folder {out.parent} to write {out.name} in")
        with out.open("wb") as file:
            summary = write_annex_a(file, as_at=as_at)
        # A return names many children: its export is logged like any other (no user here).
        record_access(
            user=None,
            action="export_annex_a",
            record_type="performance.annex_a",
            record_id=as_at.isoformat(),
            detail={
                "what": "Ofsted ILACS Annex A",
                "via": "command",
                "as_at": as_at.isoformat(),
                "rows": {f"List {n}": rows for n, rows in summary.rows.items()},
            },
        )
        for annex_list in summary.lists:
            self.stdout.write(f"List {annex_list.number} ({annex_list.title}): {annex_list.rows} rows")
        self.stdout.write(f"Wrote {out} as at {as_at:%d/%m/%Y}.")
