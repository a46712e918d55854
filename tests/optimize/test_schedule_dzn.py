"""The MiniZinc (.dzn) reader and the ``innobridge schedule`` command's contract: JSON shape,
1-based slots in the order of ``requested``, exit code 2 with a message and no output file on
bad input or infeasibility; and the published benchmark instances when they are present."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from innobridge.optimize.dzn import DznError, parse_assignments, parse_b2b, read_dzn
from innobridge.optimize.schedule import schedule
from tests.optimize.test_schedule import assert_valid, breaks_of, brute_force, violations

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "b2b-meetings"

TINY = """% three participants, one of them in two meetings
nBusiness = 4;
nMeetings = 3;
nTables = 2;
nTotalSlots = 4;
nMorningSlots = 2;
requested = [|1, 2, 3
|1, 3, 1,
|2, 3, 3, |];
meetingsxBusiness = [{1,2,3}, {1,2,4}, {1,3,4}, {1}];
nMeetingsBusiness = [2,2,2,0];
forbidden = [{0}, {4}, {}, {0}];
fixed = [0, 2, 0];
precedences = [{3}, {}, {0}];
"""

OVERBOOKED = """nBusiness = 3; nMeetings = 3; nTables = 3; nTotalSlots = 2; nMorningSlots = 1;
requested = [| 1, 2, 3 | 1, 3, 3 | 1, 2, 3 |];
"""


def test_parses_the_data_language() -> None:
    fields = parse_assignments("a = 3; % note\nb = {1, 3..5};\nc = [{}, {0}, 2..3];\nd = [| 1, 2 | 3, 4 |];")  # fmt: skip
    assert fields == {
        "a": 3, "b": frozenset({1, 3, 4, 5}), "c": [frozenset(), frozenset({0}), frozenset({2, 3})],
        "d": [[1, 2], [3, 4]],
    }  # fmt: skip


def test_reads_a_b2b_instance() -> None:
    instance = parse_b2b(TINY, fairness=1)
    problem = instance.problem
    assert instance.meeting_ids == ["1", "2", "3"]
    assert (problem.n_slots, problem.n_morning, problem.n_tables, problem.fairness) == (4, 2, 2, 1)
    assert [(m.a, m.b, m.session, m.fixed_slot) for m in problem.meetings] == [
        ("1", "2", 3, None), ("1", "3", 1, 2), ("2", "3", 3, None),
    ]  # fmt: skip
    assert problem.forbidden == {"2": {4}}
    assert problem.precedences == {"1": {"3"}}
    assert problem.participants == ["1", "2", "3", "4"]
    result = schedule(problem)
    assert_valid(problem, result)
    assert result.slots["3"] < result.slots["1"]
    assert result.slots["2"] == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (TINY.replace("nTables = 2;", ""), "missing nTables"),
        (
            TINY.replace("nMeetings = 3;", "nMeetings = 4;"),
            "requested has 3 rows but nMeetings = 4",
        ),
        (TINY.replace("|2, 3, 3, |", "|2, 3, 7, |"), "meeting 3 has session 7"),
        (TINY.replace("|2, 3, 3, |", "|2, 2, 3, |"), "meeting 3 has participants 2, 2"),
        (TINY.replace("[2,2,2,0]", "[2,2,1,0]"), "nMeetingsBusiness says participant 3 has 1"),
        (TINY.replace("{1,2,3}, {1,2,4}", "{1,2}, {1,2,4}"), "meetingsxBusiness for participant 1"),
        (TINY.replace("fixed = [0, 2, 0]", "fixed = [0, 9, 0]"), "fixed slot 9 of meeting 2"),
        (
            TINY.replace("forbidden = [{0}, {4},", "forbidden = [{0},"),
            "forbidden has 3 sets, expected 4",
        ),  # fmt: skip
        (TINY.replace("nTables = 2;", "nTables = 2"), "line 5: expected ';'"),
        (TINY.replace("{3}, {}, {0}", "{3}, {}, {5}"), "precedences of meeting 3"),
        ("nBusiness = two;", "line 1: unexpected 'two'"),
    ],
)
def test_refuses_damaged_files_saying_where(text: str, message: str) -> None:
    with pytest.raises(DznError, match=message):
        parse_b2b(text)


def test_command_writes_the_schedule_in_requested_order(tmp_path: Path) -> None:
    (tmp_path / "tiny.dzn").write_text(TINY, encoding="utf-8")
    out = tmp_path / "schedule.json"
    call_command("schedule", "--dzn", str(tmp_path / "tiny.dzn"), "--out", str(out), stdout=open(os.devnull, "w"))  # noqa: SIM115  # fmt: skip
    payload = json.loads(out.read_text(encoding="utf-8"))
    assert list(payload) == ["breaks", "optimal", "slots"]
    assert isinstance(payload["breaks"], int)
    assert payload["optimal"] is True
    slots = payload["slots"]
    assert len(slots) == 3
    assert all(isinstance(s, int) and 1 <= s <= 4 for s in slots)
    assert slots[1] == 2  # meeting 2 is locked to slot 2
    problem = read_dzn(tmp_path / "tiny.dzn").problem
    by_id = dict(zip(["1", "2", "3"], slots, strict=True))
    assert violations(problem, by_id) == []
    assert payload["breaks"] == sum(breaks_of(problem, by_id).values()) == brute_force(problem)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nBusiness = 2;\nnMeetings = [1;", "line 2"),
        (OVERBOOKED, "participant 1 has 3 meetings but only 2 usable slots"),
    ],
)
def test_command_refuses_bad_input_with_code_2_and_no_file(tmp_path: Path, text: str, message: str) -> None:  # fmt: skip
    (tmp_path / "bad.dzn").write_text(text, encoding="utf-8")
    out = tmp_path / "schedule.json"
    with pytest.raises(CommandError, match=message) as caught:
        call_command("schedule", "--dzn", str(tmp_path / "bad.dzn"), "--out", str(out))
    assert caught.value.returncode == 2
    assert list(tmp_path.iterdir()) == [tmp_path / "bad.dzn"]


def test_command_exit_code_in_a_real_process(tmp_path: Path) -> None:
    (tmp_path / "bad.dzn").write_text(OVERBOOKED, encoding="utf-8")
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none", "INNOBRIDGE_DATA_DIR": str(tmp_path)}  # fmt: skip
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "innobridge.cli", "schedule", "--dzn", "bad.dzn", "--fairness", "2", "--time-limit", "5", "--out", "s.json"],
        capture_output=True, text=True, env=env, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2
    assert "participant 1 has 3 meetings but only 2 usable slots" in done.stderr
    assert not (tmp_path / "s.json").exists()


needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f"benchmark data not present at {DATA}")


@needs_data
def test_reads_every_benchmark_instance() -> None:
    files = sorted((DATA / "instances").glob("*.dzn"))
    assert len(files) == 20
    for path in files:
        instance = read_dzn(path)
        assert len(instance.meeting_ids) == len(instance.problem.meetings) > 100


@needs_data
@pytest.mark.parametrize("name", ["tic-12", "forumt-14crafd"])
def test_easy_benchmark_instances_reach_the_published_optimum(name: str) -> None:
    optima = dict(line.split("\t")[:2] for line in (DATA / "optima.tsv").read_text().splitlines()[1:])  # fmt: skip
    instance = read_dzn(DATA / "instances" / f"{name}.original.dzn")
    result = schedule(instance.problem, time_limit=10)
    assert_valid(instance.problem, result)
    assert result.breaks == int(optima[name])
