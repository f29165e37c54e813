"""`jigsaw issue_api_token --agency "Riverford Police" --name "Niche RMS" --scope police_incident`:
issue an agency system's API token from the server's command line (the token is printed
once; only its hash is kept)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jigsaw.partners.actions.feeds import issue_api_token_from_command_line, scope_for
from jigsaw.partners.models import Agency, EventKind, FeedScope


class Command(BaseCommand):
    help = "Issue an API token for an agency's system; the token is printed once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", required=True, help="The agency's name (or its number in Jigsaw)")
        parser.add_argument("--name", required=True, help="The system's name, for example: Niche RMS")
        parser.add_argument(
            "--scope",
            action="append",
            required=True,
            help="What it may send (repeat for more): "
            + ", ".join(k.value for k in EventKind)
            + " (or the scope itself, e.g. events:police_incident)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        said: str = options["agency"]
        agency = (
            Agency.objects.filter(pk=int(said)).first()
            if said.isdigit()
            else Agency.objects.filter(name__iexact=said).first()
        )
        if agency is None:
            raise CommandError(f"There is no agency {said!r}")
        scopes = [s if s in FeedScope.values else scope_for(s) for s in options["scope"]]
        try:
            client, token = issue_api_token_from_command_line(
                agency=agency, name=options["name"], scopes=scopes
            )
        except ValidationError as error:
            raise CommandError(
                "; ".join(m for messages in error.message_dict.values() for m in messages)
            ) from error
        self.stderr.write(
            f"Issued a token for {client.name} ({agency.name}), sending: {', '.join(client.scopes)}."
        )
        self.stderr.write("Copy it now: it is not shown again.")
        self.stdout.write(token)
