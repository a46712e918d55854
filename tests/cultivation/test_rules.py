"""Rules files: schema validation with the path of the bad key, and threshold flips."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from innobridge.cultivation.tiers.rules import RulesError, parse_rules, rules_path
from tests.cultivation.helpers import enterprise, evaluate, with_years

SHIPPED = yaml.safe_load(rules_path(2025).read_text(encoding="utf-8"))


def _broken(change: Any) -> str:
    data = copy.deepcopy(SHIPPED)
    change(data)
    with pytest.raises(RulesError) as error:
        parse_rules(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "2026.yaml")
    return str(error.value)


def test_shipped_rules_load_and_mark_pending_items() -> None:
    rules = parse_rules(rules_path(2025).read_text(encoding="utf-8"))
    assert rules.year == 2025
    assert rules.programs["gazelle"].pending is True
    assert rules.programs["hnte"].pending is False
    assert [tier.key for tier in rules.tiers] == ["引领", "瞪羚", "跃升", "育苗"]


def test_bad_comparison_names_its_path() -> None:
    message = _broken(lambda d: d["programs"]["tsme"]["conditions"][0].update(op="≥"))
    assert message.startswith("2026.yaml: programs.tsme.conditions.0.op:")


def test_unknown_metric_names_its_path() -> None:
    message = _broken(lambda d: d["programs"]["hnte"]["conditions"][3].update(metric="staff_share"))
    assert "programs.hnte.conditions.3.metric: unknown metric 'staff_share'" in message


def test_misspelled_key_is_refused() -> None:
    def typo(d: dict[str, Any]) -> None:
        d["programs"]["tsme"]["conditions"][0]["treshold"] = 400

    assert "programs.tsme.conditions.0.treshold: Extra inputs are not permitted" in _broken(typo)


def test_missing_programme_and_forward_reference() -> None:
    assert "programs: missing hnte" in _broken(lambda d: d["programs"].pop("hnte"))

    def forward(d: dict[str, Any]) -> None:
        d["programs"]["tsme"]["conditions"].append({"name": "x", "name_en": "x", "program": "gazelle"})  # fmt: skip

    assert "programs.tsme.conditions.7.program: 'gazelle' is not a programme defined above" in _broken(forward)  # fmt: skip


def test_not_yaml_and_not_a_mapping() -> None:
    with pytest.raises(RulesError, match="not valid YAML"):
        parse_rules("year: [2025", "r.yaml")
    with pytest.raises(RulesError, match="must be a mapping"):
        parse_rules("- 1\n- 2\n", "r.yaml")


def test_an_edited_threshold_changes_the_verdict_without_code() -> None:
    data = copy.deepcopy(SHIPPED)
    data["programs"]["tsme"]["conditions"][0]["value"] = 50  # employees ≤ 50 instead of 500
    rules = parse_rules(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    from innobridge.cultivation.tiers.engine import Engine
    from innobridge.cultivation.tiers.jsonl import parse_enterprise

    firm = parse_enterprise(enterprise(), "x")  # 100 employees
    assert Engine(rules).evaluate(firm, 2025).programs["tsme"].qualifies is False
    assert evaluate(enterprise()).programs["tsme"].qualifies is True


# (programme, condition name part, year field, threshold, passes(value)) — each field feeds only
# that condition of the programme, so moving it across the threshold must flip only that one.
FLIPS = [
    ("tsme", "资产总额", "assets", 20000, lambda v: v <= 20000),
    ("hnte", "高新技术产品", "hitech_revenue", 1800, lambda v: v / 3000 >= 0.6),
    ("gazelle", "上年盈利", "profit", 0, lambda v: v > 0),
    ("yumiao", "主营业务收入", "main_revenue", 2000, lambda v: v <= 2000),
]


@pytest.mark.parametrize(("program", "name", "field", "threshold", "passes"), FLIPS)
@settings(max_examples=25, deadline=None)
@given(offset=st.floats(min_value=-0.5, max_value=0.5, allow_nan=False))
def test_moving_a_value_across_its_threshold_flips_only_that_condition(
    program: str, name: str, field: str, threshold: float, passes: Any, offset: float
) -> None:
    base = enterprise(founded="2020-02-01")
    value = round(threshold + offset * max(abs(threshold), 1000), 2)  # money has 2 decimals
    if field == "hitech_revenue":
        value = min(value, 3000)
    before = evaluate(with_years(base, y2024={field: threshold})).programs[program].conditions
    after = evaluate(with_years(base, y2024={field: value})).programs[program].conditions
    for old, new in zip(before, after, strict=True):
        if name in new.full_name:
            assert new.passed is passes(value)
        else:
            assert new.passed == old.passed, new.full_name
