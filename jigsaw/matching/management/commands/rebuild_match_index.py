from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from jigsaw.matching import index
from jigsaw.people.models import Person


class Command(BaseCommand):
    help = "Recompute every person's match features and blocking keys (after a bulk load or an upgrade)."

    def handle(self, *args: Any, **options: Any) -> None:
        total = Person.objects.filter(merged_into__isnull=True).count()
        with tqdm(total=total, unit="person", disable=options["verbosity"] < 1) as bar:

            def advance(count: int) -> None:
                bar.update(count)

            done = index.rebuild(progress=advance)
        self.stdout.write(f"Indexed {done} people for matching.")
