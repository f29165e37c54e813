from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from jigsaw.access.retention import approve_disposal, propose_disposal


class Command(BaseCommand):
    help = (
        "List the records past their retention date (a dry run, kept as a numbered proposal); "
        "with --approve N --approver USERNAME, dispose of proposal N."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--approve", type=int, help="the proposal to dispose of")
        parser.add_argument("--approver", help="the data protection officer approving it")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if options["approve"] is None:
            batch = propose_disposal(today=today)
            items = list(batch.items.order_by("due_on"))
            for item in items:
                self.stdout.write(f"{item.record_type} {item.record_id}\tdue {item.due_on}\t{item.rule}")
            self.stdout.write(
                f"Proposal {batch.pk}: {len(items)} record(s) due for disposal. Nothing has been removed. "
                f"To dispose: jigsaw apply_retention --approve {batch.pk} --approver USERNAME"
            )
            return
        approver = User.objects.filter(username=options["approver"] or "").first()
        if approver is None:
            raise CommandError("Name the approving data protection officer with --approver USERNAME")
        try:
            batch = approve_disposal(actor=approver, batch_id=options["approve"], today=today)
        except PermissionDenied:
            raise CommandError(f"{approver.username} may not approve disposals") from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        disposed = batch.items.filter(disposed=True).count()
        kept = batch.items.filter(disposed=False).count()
        self.stdout.write(
            f"Proposal {batch.pk} approved by {approver.username}: {disposed} disposed, {kept} kept"
        )
