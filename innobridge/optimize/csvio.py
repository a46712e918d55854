"""The ``innobridge assign`` files: SCORES.csv (project,expert,score), CONFLICTS.csv
(project,expert) in; ASSIGNMENT.csv (project,expert,score) out, scores written as they came in."""

from __future__ import annotations

import csv
import gc
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import wraps
from pathlib import Path
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class InputError(ValueError):
    """A file breaks the contract; the message names the file and the line."""


def _gc_paused(function: Callable[P, R]) -> Callable[P, R]:
    """Run without the cyclic garbage collector: reading creates millions of small containers that
    live on, and its repeated passes over them took about as long as the parsing itself."""

    @wraps(function)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return paused


def _rows(path: Path, header: list[str]) -> list[tuple[int, list[str]]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            reader = csv.reader(stream)
            first = next(reader, None)
            if first is None or [h.strip() for h in first] != header:
                raise InputError(f"{path.name} line 1: header must be {','.join(header)}")
            rows = []
            for number, row in enumerate(reader, start=2):
                if not "".join(row).strip():  # a blank line, or blank cells only
                    continue
                if len(row) != len(header):
                    raise InputError(f"{path.name} line {number}: expected {len(header)} columns")
                rows.append((number, list(map(str.strip, row))))
            return rows
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path.name}: not UTF-8 text") from None


@_gc_paused
def read_scores(path: Path) -> tuple[dict[tuple[str, str], Decimal], dict[tuple[str, str], str]]:
    """Scores by pair and their texts as written. Checked in bulk (a per-row loop dominated on
    large files); only a file that fails is walked row by row to name its first bad line."""
    rows = _rows(path, ["project", "expert", "score"])
    pairs = [(cells[0], cells[1]) for _number, cells in rows]
    texts = [cells[2] for _number, cells in rows]
    try:
        values = list(map(Decimal, texts))
    except InvalidOperation:
        values = []
    scores = dict(zip(pairs, values, strict=False))
    if len(scores) < len(rows) or not all(map(all, pairs)) or not all(map(Decimal.is_finite, values)):  # fmt: skip
        _first_error(path, rows)
    return scores, dict(zip(pairs, texts, strict=True))


def _first_error(path: Path, rows: list[tuple[int, list[str]]]) -> None:
    seen: set[tuple[str, str]] = set()
    for number, (project, expert, text) in rows:
        if not project or not expert:
            raise InputError(f"{path.name} line {number}: project and expert are required")
        try:
            score = Decimal(text)
        except InvalidOperation:
            raise InputError(f"{path.name} line {number}: score {text!r} is not a number") from None
        if not score.is_finite():
            raise InputError(f"{path.name} line {number}: score must be a finite number")
        if (project, expert) in seen:
            raise InputError(f"{path.name} line {number}: pair {project},{expert} listed twice")
        seen.add((project, expert))


@_gc_paused
def read_pairs(path: Path) -> set[tuple[str, str]]:
    pairs = set()
    for number, (project, expert) in _rows(path, ["project", "expert"]):
        if not project or not expert:
            raise InputError(f"{path.name} line {number}: project and expert are required")
        pairs.add((project, expert))
    return pairs


def write_assignment(path: Path, pairs: list[tuple[str, str]], texts: dict[tuple[str, str], str]) -> None:  # fmt: skip
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(["project", "expert", "score"])
        for project, expert in pairs:
            writer.writerow([project, expert, texts[(project, expert)]])
    temporary.replace(path)  # the output appears whole or not at all
