"""The ``innobridge tiers evaluate`` contract: enterprises as JSONL in, results as JSONL out.

Input line::

    {"id", "founded": "YYYY-MM-DD", "registered_in_wuhan": bool, "district": str, "field": str,
     "listed": bool, "certificates": [..], "flags": {"major_incident", "dishonest", "abnormal"},
     "innovation_expert_score": int?, "years": {"2022": {"revenue", ...}, ...}}

Missing keys (or null) mean unknown. Output line::

    {"id", "year", "tier", "programs": {"tsme": {"qualifies": true|false|null,
     "score": number|null, "conditions": [{"name", "value", "threshold", "passed"}],
     "missing": [...]}, ...}}

``missing`` names the unknown figures behind a null (``years.2024.rd_expense``). A malformed
line stops the run with its line number before anything is written.
"""

from __future__ import annotations

import datetime
import json
import math
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, TextIO

import orjson

from innobridge.cultivation.tiers.engine import Engine, Evaluation
from innobridge.cultivation.tiers.metrics import FLAGS, YEAR_FIELDS, Enterprise
from innobridge.cultivation.tiers.rules import load_rules

_YEAR_FIELDS = frozenset(YEAR_FIELDS)


class InputError(ValueError):
    """An input line breaks the contract; the message names the line and the key."""


def _bool(record: dict[str, Any], key: str, where: str) -> bool | None:
    value = record.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise InputError(f"{where}: {key} must be true or false")


def _text(record: dict[str, Any], key: str, where: str) -> str | None:
    value = record.get(key)
    if value is None or isinstance(value, str):
        return value
    raise InputError(f"{where}: {key} must be a string")


def _number(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"{where} must be a number")
    return float(value)


def parse_enterprise(record: Any, where: str) -> Enterprise:
    """One input object → Enterprise; ``where`` prefixes every error ("line 7")."""
    if not isinstance(record, dict):
        raise InputError(f"{where}: expected a JSON object")
    ident = record.get("id")
    if ident is None or isinstance(ident, bool) or not isinstance(ident, str | int):
        raise InputError(f"{where}: id is required (a string or an integer)")
    founded_text = record.get("founded")
    founded = None
    if founded_text is not None:
        try:
            founded = datetime.date.fromisoformat(str(founded_text))
        except ValueError:
            raise InputError(f"{where}: founded must be a date YYYY-MM-DD") from None
    certificates = record.get("certificates")
    if certificates is not None and (
        not isinstance(certificates, list) or not all(isinstance(c, str) for c in certificates)
    ):
        raise InputError(f"{where}: certificates must be a list of strings")
    flags_in = record.get("flags") or {}
    if not isinstance(flags_in, dict):
        raise InputError(f"{where}: flags must be an object")
    flags = {name: _bool(flags_in, name, f"{where}: flags") for name in FLAGS}
    years_in = record.get("years") or {}
    if not isinstance(years_in, dict):
        raise InputError(f"{where}: years must be an object keyed by year")
    years: dict[int, dict[str, float]] = {}
    for year_key, figures in years_in.items():
        if len(year_key) != 4 or not year_key.isdigit():
            raise InputError(f'{where}: years key {year_key!r} is not a year like "2024"')
        if not isinstance(figures, dict):
            raise InputError(f"{where}: years.{year_key} must be an object")
        row: dict[str, float] = {}
        for name, value in figures.items():
            if name not in _YEAR_FIELDS or value is None:
                continue  # extra keys are ignored, null means unknown
            kind = value.__class__
            if kind is int or (kind is float and math.isfinite(value)):
                row[name] = float(value)
            else:
                raise InputError(f"{where}: years.{year_key}.{name} must be a number")
        years[int(year_key)] = row
    score = _number(record.get("innovation_expert_score"), f"{where}: innovation_expert_score")
    niche = _number(record.get("niche_share"), f"{where}: niche_share")
    return Enterprise(
        id=ident,
        founded=founded,
        registered_in_wuhan=_bool(record, "registered_in_wuhan", where),
        district=_text(record, "district", where),
        field=_text(record, "field", where),
        listed=_bool(record, "listed", where),
        certificates=frozenset(certificates) if certificates is not None else None,
        flags=flags,
        innovation_expert_score=score,
        niche_share=niche,
        own_brand=_bool(record, "own_brand", where),
        years=years,
    )


def read_enterprises(lines: Iterable[str]) -> Iterator[Enterprise]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            raise InputError(f"line {number}: not valid JSON ({error.msg})") from None
        yield parse_enterprise(record, f"line {number}")


def _plain(value: Any) -> Any:
    if value.__class__ is float:
        return round(value, 6) if math.isfinite(value) else None
    if isinstance(value, frozenset | set):
        return sorted(value)
    return value


def to_json(evaluation: Evaluation) -> dict[str, Any]:
    """The output object of one evaluation (the contract above)."""
    programs = {}
    for key, result in evaluation.programs.items():
        programs[key] = {
            "qualifies": result.qualifies,
            "score": _plain(result.score),
            "conditions": [
                {
                    "name": c.full_name,
                    "value": _plain(c.value),
                    "threshold": _plain(c.threshold),
                    "passed": c.passed,
                }
                for c in result.conditions
            ],
            "missing": result.missing,
        }
    return {
        "id": evaluation.id,
        "year": evaluation.year,
        "tier": evaluation.tier,
        "programs": programs,
    }


_dumps = json.JSONEncoder(ensure_ascii=False).encode
_CONSTANTS = {True: "true", False: "false", None: "null"}


def _value(value: Any) -> str:
    kind = value.__class__
    if kind is float:
        return repr(round(value, 6)) if math.isfinite(value) else "null"
    if kind is bool or value is None:
        return _CONSTANTS[value]
    if kind is int:
        return str(value)
    return _dumps(_plain(value))


def to_json_line(evaluation: Evaluation, cache: dict[int, str]) -> str:
    """``json.dumps(to_json(evaluation))`` built from pieces: the batch command's hot path.

    ``cache`` keeps the constant text of each condition (name, static threshold) between calls.
    """
    out = [
        '{"id": ', _dumps(evaluation.id), ', "year": ', str(evaluation.year),
        ', "tier": ', _dumps(evaluation.tier), ', "programs": {',
    ]  # fmt: skip
    first_program = True
    for key, result in evaluation.programs.items():
        if not first_program:
            out.append(", ")
        first_program = False
        out += [
            _dumps(key), ': {"qualifies": ', _CONSTANTS[result.qualifies],
            ', "score": ', "null" if result.score is None else _value(result.score),
            ', "conditions": [',
        ]  # fmt: skip
        first = True
        for c in result.conditions:
            if not first:
                out.append(", ")
            first = False
            head = cache.get(id(c.spec))
            if head is None:
                head = cache[id(c.spec)] = '{"name": ' + _dumps(c.full_name) + ', "value": '
            out += [
                head, _value(c.value), ', "threshold": ', _value(c.threshold),
                ', "passed": ', _CONSTANTS[c.passed], "}",
            ]  # fmt: skip
        out += ['], "missing": ', _dumps(result.missing), "}"]
    out.append("}}")
    return "".join(out)


def evaluate_lines(engine: Engine, year: int, lines: list[str], first_line: int = 1) -> str:
    """Evaluate a block of input lines (already validated) into output lines."""
    cache: dict[int, str] = {}
    out: list[str] = []
    for number, line in enumerate(lines, start=first_line):
        if line.strip():
            enterprise = parse_enterprise(orjson.loads(line), f"line {number}")
            out.append(to_json_line(engine.evaluate(enterprise, year), cache))
    return "\n".join(out) + "\n" if out else ""


_WORKER: dict[str, Engine] = {}


def _work(args: tuple[str, int, list[str], int]) -> str:
    rules_file, year, lines, first_line = args
    engine = _WORKER.get(rules_file)
    if engine is None:
        engine = _WORKER[rules_file] = Engine(load_rules(Path(rules_file)))
    return evaluate_lines(engine, year, lines, first_line)


def evaluate_file(
    path: Path, year: int, rules_file: Path, out: TextIO, *, jobs: int = 1, chunk: int = 2000
) -> int:
    """Check every line first (nothing is written on bad input), then evaluate in ``jobs``
    processes, writing results in input order. Returns the number of enterprises."""
    engine = Engine(load_rules(rules_file))
    with path.open(encoding="utf-8") as stream:
        lines = stream.readlines()
    count = sum(1 for _ in read_enterprises(lines))
    if jobs <= 1 or count <= chunk:
        out.write(evaluate_lines(engine, year, lines))
        return count
    blocks = [(str(rules_file), year, lines[i : i + chunk], i + 1) for i in range(0, len(lines), chunk)]  # fmt: skip
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for text in pool.map(_work, blocks):
            out.write(text)
    return count
