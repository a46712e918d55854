"""``innobridge tiers evaluate``: the exact contract other tools depend on."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from innobridge.cultivation.tiers.jsonl import InputError, evaluate_file
from innobridge.cultivation.tiers.rules import REQUIRED_PROGRAMS, rules_path
from tests.cultivation.helpers import enterprise, with_years

GAZELLE = enterprise(id="G1", years={
    "2022": {"revenue": 1000, "profit": 10}, "2023": {"revenue": 1200}, "2024": {"revenue": 1440, "profit": 50},
})  # fmt: skip


def run_cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none", "INNOBRIDGE_DATA_DIR": str(data_dir)}  # fmt: skip
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "innobridge.cli", "tiers", "evaluate", *args],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip


@pytest.fixture
def input_file(tmp_path: Path) -> Path:
    rows = [enterprise(id="E1"), GAZELLE, {"id": 7}]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n", encoding="utf-8")  # fmt: skip
    return path


def test_output_lines_follow_the_contract(input_file: Path, tmp_path: Path) -> None:
    done = run_cli("--year", "2025", "--input", str(input_file), data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["E1", "G1", 7]
    for line in lines:
        assert set(line) == {"id", "year", "tier", "programs"}
        assert line["year"] == 2025
        assert set(REQUIRED_PROGRAMS) <= set(line["programs"])
        for program in line["programs"].values():
            assert program["qualifies"] in (True, False, None)
            assert program["score"] is None or isinstance(program["score"], int | float)
            for condition in program["conditions"]:
                assert set(condition) == {"name", "value", "threshold", "passed"}
    first, gazelle, unknown = lines
    assert first["tier"] == "跃升"
    assert first["programs"]["tsme"] == {
        **first["programs"]["tsme"],
        "qualifies": True,
        "score": 100,
    }
    cagr = next(
        c for c in gazelle["programs"]["gazelle"]["conditions"] if "复合增长率" in c["name"]
    )
    assert cagr == {"name": "成长路径：高成长：近三年营业收入复合增长率不低于20%", "value": 0.2, "threshold": 0.2, "passed": True}  # fmt: skip
    assert gazelle["programs"]["gazelle"]["qualifies"] is True
    # Nothing known: every programme is unknown or fails, never qualifies; missing fields named.
    assert unknown["tier"] is None
    assert all(p["qualifies"] is not True for p in unknown["programs"].values())
    assert "founded" in unknown["programs"]["future_eagle"]["missing"]


def test_malformed_line_fails_with_its_number_and_prints_nothing(input_file: Path, tmp_path: Path) -> None:  # fmt: skip
    bad = tmp_path / "bad.jsonl"
    good = json.dumps(enterprise(), ensure_ascii=False)
    bad.write_text(good + "\n" + good + "\n" + '{"id": "X", "years": {"2024": {"revenue": "很多"}}}\n', encoding="utf-8")  # fmt: skip
    done = run_cli("--year", "2025", "--input", str(bad), data_dir=tmp_path)
    assert done.returncode != 0
    assert done.stdout == ""
    assert "line 3" in done.stderr
    assert "years.2024.revenue must be a number" in done.stderr
    bad.write_text(good + "\n{not json\n", encoding="utf-8")
    done = run_cli("--year", "2025", "--input", str(bad), data_dir=tmp_path)
    assert "line 2: not valid JSON" in done.stderr
    assert done.stdout == ""


def test_bad_rules_file_names_the_key(input_file: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(rules_path(2025).read_text(encoding="utf-8").replace('op: "<=", value: 500}', 'op: "=<", value: 500}', 1), encoding="utf-8")  # fmt: skip
    done = run_cli("--year", "2025", "--input", str(input_file), "--rules", str(rules), data_dir=tmp_path)  # fmt: skip
    assert done.returncode != 0
    assert done.stdout == ""
    assert "programs.tsme.conditions.0.op" in done.stderr


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"founded": "2020-13-01"}, "founded must be a date"),
        ({"certificates": "high_tech"}, "certificates must be a list"),
        ({"flags": {"dishonest": "no"}}, "dishonest must be true or false"),
        ({"years": {"24": {}}}, "is not a year"),
        ({"id": None}, "id is required"),
    ],
)
def test_each_kind_of_bad_value_is_refused(tmp_path: Path, record: dict[str, object], message: str) -> None:  # fmt: skip
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps({**enterprise(), **record}) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=message):
        evaluate_file(path, 2025, rules_path(2025), io.StringIO())


def test_parallel_jobs_give_the_same_lines_in_input_order(tmp_path: Path) -> None:
    rows = [with_years(enterprise(id=f"E{i}"), y2024={"employees": 50 + i * 7, "st_staff": 20}) for i in range(60)]  # fmt: skip
    path = tmp_path / "many.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    one, two = io.StringIO(), io.StringIO()
    assert evaluate_file(path, 2025, rules_path(2025), one) == 60
    evaluate_file(path, 2025, rules_path(2025), two, jobs=2, chunk=7)
    assert one.getvalue() == two.getvalue()
    assert [json.loads(line)["id"] for line in one.getvalue().splitlines()] == [f"E{i}" for i in range(60)]  # fmt: skip


def test_fast_writer_matches_the_plain_json(tmp_path: Path) -> None:
    from innobridge.cultivation.tiers.engine import Engine
    from innobridge.cultivation.tiers.jsonl import parse_enterprise, to_json, to_json_line
    from innobridge.cultivation.tiers.rules import load_rules

    engine = Engine(load_rules(rules_path(2025)))
    cache: dict[int, str] = {}
    for record in (enterprise(), GAZELLE, {"id": "blank"}, enterprise(certificates=["high_tech"], niche_share=None)):  # fmt: skip
        evaluation = engine.evaluate(parse_enterprise(record, "t"), 2025)
        assert json.loads(to_json_line(evaluation, cache)) == json.loads(json.dumps(to_json(evaluation)))  # fmt: skip
