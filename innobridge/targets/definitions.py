"""Targets as data: ``data/<year>.yaml`` read and checked, with clear errors for a bad file."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent / "data"


class TargetFileError(ValueError):
    """The targets file breaks its format; the message names the file and the target."""


@dataclass(frozen=True)
class Target:
    key: str
    name: str
    name_en: str
    number: Decimal
    unit: str
    metric: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    manual_value: Decimal | None = None
    manual_source: str = ""
    manual_date: datetime.date | None = None
    note: str = ""
    note_en: str = ""
    baseline: bool = False
    public: bool = False  # shown on the public API without a login

    @property
    def manual(self) -> bool:
        return self.metric is None


def years() -> list[int]:
    return sorted(int(path.stem) for path in DATA.glob("*.yaml") if path.stem.isdigit())


@cache
def targets_for(year: int) -> tuple[Target, ...]:
    from innobridge.targets.metrics import METRICS

    path = DATA / f"{year}.yaml"
    if not path.exists():
        return ()
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise TargetFileError(f"{path.name}: not valid YAML ({error})") from None
    found: list[Target] = []
    seen: set[str] = set()
    for number, entry in enumerate(document.get("targets") or [], start=1):
        where = f"{path.name} target {number}"
        try:
            key = str(entry["key"])
            formula, manual = entry.get("formula"), entry.get("manual")
            if (formula is None) == (manual is None):
                raise TargetFileError(f"{where} ({key}): give exactly one of formula or manual")
            if key in seen:
                raise TargetFileError(f"{where}: key {key} is used twice")
            seen.add(key)
            target = Target(
                key=key, name=str(entry["name"]), name_en=str(entry.get("name_en") or entry["name"]),
                number=Decimal(str(entry["number"])), unit=str(entry.get("unit", "")),
                note=str(entry.get("note", "")), note_en=str(entry.get("note_en", "")),
                baseline=bool(entry.get("baseline", False)), public=bool(entry.get("public", False)),
            )  # fmt: skip
            if formula is not None:
                params = dict(formula)
                metric = params.pop("metric")
                if metric not in METRICS:
                    raise TargetFileError(f"{where} ({key}): unknown metric {metric!r}")
                target = _replace(target, metric=metric, params=params)
            else:
                target = _replace(
                    target, manual_value=Decimal(str(manual["value"])),
                    manual_source=str(manual.get("source", "")), manual_date=manual.get("date"),
                )  # fmt: skip
        except (KeyError, TypeError, ArithmeticError) as error:
            raise TargetFileError(f"{where}: missing or bad field ({error})") from None
        found.append(target)
    return tuple(found)


def _replace(target: Target, **changes: Any) -> Target:
    from dataclasses import replace

    return replace(target, **changes)


def target_for(year: int, key: str) -> Target | None:
    return next((t for t in targets_for(year) if t.key == key), None)
