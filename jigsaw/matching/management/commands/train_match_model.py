from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jigsaw.matching.estimation import train_from_index


class Command(BaseCommand):
    help = (
        "Estimate the match model (Fellegi-Sunter weights, with Splink on DuckDB) from the person "
        "index and the reviewers' decisions, store it as the next version and put it in force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=0, help="seed for Splink's random sampling")
        parser.add_argument("--no-activate", action="store_true", help="store the model without using it")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            version = train_from_index(seed=options["seed"], activate=not options["no_activate"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        state = "in force" if version.is_active else "stored, not in force"
        self.stdout.write(
            f"Match model v{version.version} {state}: estimated from {version.training_records} people "
            f"and {version.labelled_pairs} reviewed pairs (Splink {version.splink_version})."
        )
