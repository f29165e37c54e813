from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jigsaw.matching.duplicates import find_possible_duplicates


class Command(BaseCommand):
    help = (
        "Score the person index against itself and queue possible duplicates for review "
        "(nightly; a pair already queued or decided is not queued again)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--threshold",
            type=float,
            default=None,
            help="Queue pairs at or above this probability (default: the model's review threshold)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        threshold = options["threshold"]
        if threshold is not None and not 0 < threshold < 1:
            raise CommandError(f"--threshold must be between 0 and 1, not {threshold}")
        queued = find_possible_duplicates(threshold=threshold, progress=options["verbosity"] > 1)
        noun = "possible duplicate" if queued == 1 else "possible duplicates"
        self.stdout.write(f"Queued {queued} {noun} for review.")
