"""``innobridge match batch --supply S.jsonl --demand D.jsonl --k 10 > RUN.tsv``.

The batch contract (innobridge/matching/batch.py): TREC run lines on stdout, nothing else; a
malformed input line fails with its line number on stderr and nothing on stdout.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from innobridge.matching.batch import InputError, run
from innobridge.matching.dense import embedder_from_env


class Command(BaseCommand):
    help = "Match technologies to demands from JSONL files (no database needed)."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        batch = sub.add_parser("batch", help="JSONL in, TREC run format out")
        batch.add_argument("--supply", type=Path, required=True)
        batch.add_argument("--demand", type=Path, required=True)
        batch.add_argument("--k", type=int, default=10)

    def handle(self, *args: Any, **options: Any) -> None:
        for key in ("supply", "demand"):
            if not options[key].is_file():
                raise CommandError(f"--{key}: no such file: {options[key]}")
        buffer = io.StringIO()
        try:
            run(
                options["supply"],
                options["demand"],
                options["k"],
                buffer,
                embedder=embedder_from_env(),
            )
        except (InputError, ValueError) as error:
            raise CommandError(str(error)) from None
        sys.stdout.write(buffer.getvalue())
        sys.stdout.flush()
