"""The ``innobridge assign`` files: SCORES.csv (project,expert,score), CONFLICTS.csv
(project,expert) in; ASSIGNMENT.csv (project,expert,score) out, scores written as they came in."""

from __future__ import annotations

import csv
from decimal import Decimal, InvalidOperation
from pathlib import Path


class InputError(ValueError):
    """A file breaks the contract; the message names the file and the line."""


def _rows(path: Path, header: list[str]) -> list[tuple[int, list[str]]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            reader = csv.reader(stream)
            first = next(reader, None)
            if first is None or [h.strip() for h in first] != header:
                raise InputError(f"{path.name} line 1: header must be {','.join(header)}")
            rows = []
            for number, row in enumerate(reader, start=2):
                if not row or not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(header):
                    raise InputError(f"{path.name} line {number}: expected {len(header)} columns")
                rows.append((number, [cell.strip() for cell in row]))
            return rows
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path.name}: not UTF-8 text") from None


def read_scores(path: Path) -> tuple[dict[tuple[str, str], Decimal], dict[tuple[str, str], str]]:
    scores: dict[tuple[str, str], Decimal] = {}
    texts: dict[tuple[str, str], str] = {}
    for number, (project, expert, text) in _rows(path, ["project", "expert", "score"]):
        if not project or not expert:
            raise InputError(f"{path.name} line {number}: project and expert are required")
        try:
            score = Decimal(text)
        except InvalidOperation:
            raise InputError(f"{path.name} line {number}: score {text!r} is not a number") from None
        if not score.is_finite():
            raise InputError(f"{path.name} line {number}: score must be a finite number")
        if (project, expert) in scores:
            raise InputError(f"{path.name} line {number}: pair {project},{expert} listed twice")
        scores[(project, expert)] = score
        texts[(project, expert)] = text
    return scores, texts


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
