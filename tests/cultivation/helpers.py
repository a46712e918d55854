"""Build enterprises for the rules engine from small dicts (input format of ``tiers evaluate``)."""

from __future__ import annotations

import copy
from typing import Any

from innobridge.cultivation.tiers.engine import Engine, Evaluation
from innobridge.cultivation.tiers.jsonl import parse_enterprise
from innobridge.cultivation.tiers.rules import load_rules, rules_path

ENGINE = Engine(load_rules(rules_path(2025)))


def year(**overrides: Any) -> dict[str, Any]:
    """A healthy small high-tech firm's year (万元): every ratio comfortably passes."""
    figures = {
        "revenue": 3000, "main_revenue": 2700, "hitech_revenue": 2400, "rd_expense": 240,
        "rd_expense_in_china": 240, "total_cost": 2500, "profit": 300, "employees": 100,
        "st_staff": 35, "rd_staff": 25, "assets": 4000, "liabilities": 1500, "ip_class1": 1,
        "ip_class2": 5, "conversions": 3, "equity_financing": 0, "valuation_musd": 60,
    }  # fmt: skip
    figures.update(overrides)
    return figures


def enterprise(**overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": "E1",
        "founded": "2018-06-01",
        "registered_in_wuhan": True,
        "district": "东湖高新区",
        "field": "laser",
        "listed": False,
        "certificates": [],
        "flags": {"major_incident": False, "dishonest": False, "abnormal": False},
        "innovation_expert_score": 60,
        "niche_share": 0.12,
        "own_brand": True,
        "years": {"2022": year(), "2023": year(), "2024": year()},
    }
    for key, value in overrides.items():
        record[key] = value
    return record


def with_years(record: dict[str, Any], **per_year: dict[str, Any]) -> dict[str, Any]:
    """Override figures of given years: with_years(e, y2024={"revenue": 5000})."""
    record = copy.deepcopy(record)
    for key, figures in per_year.items():
        record["years"][key.removeprefix("y")].update(figures)
    return record


def evaluate(record: dict[str, Any], year_: int = 2025) -> Evaluation:
    return ENGINE.evaluate(parse_enterprise(record, "test"), year_)


def condition(evaluation: Evaluation, program: str, name_part: str) -> Any:
    found = [c for c in evaluation.programs[program].conditions if name_part in c.full_name]
    assert len(found) == 1, [c.full_name for c in evaluation.programs[program].conditions]
    return found[0]
