"""``innobridge schedule --dzn INSTANCE.dzn [--fairness 2] [--time-limit 10] --out SCHEDULE.json``:
a meeting schedule with the fewest breaks for a B2B instance in MiniZinc data format.

Writes ``{"breaks": int, "optimal": bool, "slots": [slot of meeting 1, slot of meeting 2, ...]}``
(slots 1-based, in the order of ``requested``), atomically (a temporary file beside the output,
then a rename), so a reader never sees half a file. No database. Exit code 2 with a message on
infeasibility or bad input, and then no output file.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from innobridge.optimize.dzn import DznError, read_dzn
from innobridge.optimize.schedule import Infeasible, schedule


def fairness_bound(text: str) -> int | None:
    """``--fairness``: an integer d ≥ 0, or ``none`` for no bound."""
    if text.strip().lower() == "none":
        return None
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer ≥ 0 or 'none', got {text!r}") from None  # fmt: skip
    if value < 0:
        raise argparse.ArgumentTypeError("the fairness bound must be ≥ 0")
    return value


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("the time limit must be > 0 seconds")
    return value


class Command(BaseCommand):
    help = "Schedule B2B meetings (MiniZinc .dzn) with the fewest breaks (no database)."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dzn", type=Path, required=True)
        parser.add_argument("--fairness", type=fairness_bound, default=2, help="d, or 'none'")
        parser.add_argument("--time-limit", type=positive_seconds, default=10.0, help="seconds")
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            instance = read_dzn(options["dzn"], fairness=options["fairness"])
            result = schedule(instance.problem, time_limit=options["time_limit"])
        except (DznError, Infeasible, ValueError) as error:
            raise CommandError(str(error), returncode=2) from None
        slots = [result.slots[m] for m in instance.meeting_ids]
        payload = {"breaks": result.breaks, "optimal": result.optimal, "slots": slots}
        try:
            write_atomically(options["out"], json.dumps(payload) + "\n")
        except OSError as error:
            raise CommandError(f"cannot write {options['out']}: {error}", returncode=2) from None
        proven = "optimal" if result.optimal else "not proven optimal"
        self.stdout.write(f"{len(slots)} meetings scheduled, {result.breaks} breaks ({proven})")  # fmt: skip


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file in the same folder, then rename it over ``path``."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # fmt: skip
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
