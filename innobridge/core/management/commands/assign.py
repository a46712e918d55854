"""``innobridge assign --scores SCORES.csv --k 3 --max-load 8 [--min-load 0]
[--conflicts CONFLICTS.csv] --out ASSIGNMENT.csv``: an exactly optimal reviewer assignment.

No database. Exit code 2 with a message on infeasibility or bad input (and no output file).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from innobridge.optimize.assignment import Infeasible, Problem, solve
from innobridge.optimize.csvio import InputError, read_pairs, read_scores, write_assignment


class Command(BaseCommand):
    help = "Assign k reviewers per project maximizing total affinity (exact, no database)."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scores", type=Path, required=True)
        parser.add_argument("--k", type=int, required=True)
        parser.add_argument("--max-load", type=int, required=True)
        parser.add_argument("--min-load", type=int, default=0)
        parser.add_argument("--conflicts", type=Path, default=None)
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            scores, texts = read_scores(options["scores"])
            conflicts = read_pairs(options["conflicts"]) if options["conflicts"] else set()
            problem = Problem(
                scores, k=options["k"], max_load=options["max_load"],
                min_load=options["min_load"], conflicts=conflicts,
            )  # fmt: skip
            result = solve(problem)
        except (InputError, Infeasible, ValueError) as error:
            raise CommandError(str(error), returncode=2) from None
        write_assignment(options["out"], result.pairs, texts)
        self.stdout.write(f"{len(result.pairs)} pairs, total affinity {result.total}")
