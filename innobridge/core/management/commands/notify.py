"""``innobridge notify digest`` (daily e-mail digest) and ``innobridge notify deadlines``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from innobridge.core.notify import remind_deadlines, send_digests


class Command(BaseCommand):
    help = "Send the daily notification digests, or remind followers of closing challenges."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["digest", "deadlines"])
        parser.add_argument("--days", type=int, default=3)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "digest":
            self.stdout.write(f"digests sent: {send_digests()}")
        else:
            self.stdout.write(f"reminders: {remind_deadlines(options['days'])}")
