"""``innobridge tiers evaluate --year 2025 --input ENTERPRISES.jsonl [--rules RULES.yaml]``.

The contract is in innobridge/cultivation/tiers/jsonl.py: one JSON result per input line on
stdout, nothing else; a malformed line (or a bad rules file) fails with its line number (or the
bad key) on stderr and nothing on stdout. No database is used.

``innobridge tiers recompute [--year 2025]`` re-evaluates the enterprises stored in the database
(after a rules file was edited, for example).
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from innobridge.cultivation.tiers.jsonl import InputError, evaluate_file
from innobridge.cultivation.tiers.rules import RulesError, load_rules


class Command(BaseCommand):
    help = "Evaluate enterprises against the cultivation rules (tier, programmes, reasons)."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        evaluate = sub.add_parser("evaluate", help="JSONL in, JSONL out; no database")
        evaluate.add_argument("--year", type=int, required=True)
        evaluate.add_argument("--input", type=Path, required=True)
        evaluate.add_argument("--rules", type=Path, default=None)
        evaluate.add_argument(
            "--jobs", type=int, default=1, help="worker processes (0 = one per CPU)"
        )
        recompute = sub.add_parser("recompute", help="re-evaluate the enterprises in the database")
        recompute.add_argument("--year", type=int, action="append", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "recompute":
            self._recompute(options["year"])
            return
        from innobridge.cultivation.rules_files import rules_file_for

        source: Path = options["input"]
        if not source.is_file():
            raise CommandError(f"--input: no such file: {source}")
        try:
            rules_file = options["rules"] or rules_file_for(options["year"])
            load_rules(rules_file)  # fail on a bad rules file before reading any input
            buffer = io.StringIO()
            evaluate_file(
                source,
                options["year"],
                rules_file,
                buffer,
                jobs=options["jobs"] or os.cpu_count() or 1,
            )
        except (InputError, RulesError) as error:
            raise CommandError(str(error)) from None
        sys.stdout.write(buffer.getvalue())
        sys.stdout.flush()

    def _recompute(self, years: list[int] | None) -> None:
        from innobridge.cultivation import services

        done = services.evaluations_refresh(years=years, force=True)
        for year, count in sorted(done.items()):
            self.stdout.write(f"{year}: {count}")
