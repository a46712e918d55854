"""Reviewer assignment: exactly optimal, never a conflict, k each, loads respected; the command."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from innobridge.optimize.assignment import Infeasible, Problem, solve


def brute_force(problem: Problem) -> Decimal | None:
    """The best total over every way to pick k reviewers per project (tiny instances)."""
    projects = sorted({p for p, _e in problem.scores})
    options = []
    for project in projects:
        eligible = [e for (p, e) in problem.scores if p == project and (p, e) not in problem.conflicts]  # fmt: skip
        options.append([tuple((project, e) for e in combo) for combo in itertools.combinations(sorted(eligible), problem.k)])  # fmt: skip
    best = None
    for choice in itertools.product(*options):
        pairs = [pair for group in choice for pair in group]
        loads: dict[str, int] = {}
        for _p, expert in pairs:
            loads[expert] = loads.get(expert, 0) + 1
        experts = {e for _p, e in problem.scores}
        if any(loads.get(e, 0) > problem.max_load or loads.get(e, 0) < problem.min_load for e in experts):  # fmt: skip
            continue
        total = sum((problem.scores[p] for p in pairs), Decimal(0))
        best = total if best is None or total > best else best
    return best


instances = st.builds(
    lambda n_projects, n_experts, k, max_load, min_load, cells, conflicts: (n_projects, n_experts, k, max_load, min_load, cells, conflicts),  # fmt: skip
    st.integers(1, 4), st.integers(2, 5), st.integers(1, 2), st.integers(1, 3), st.integers(0, 1),
    st.lists(st.decimals(min_value=0, max_value=1, places=3, allow_nan=False), min_size=20, max_size=20),
    st.lists(st.booleans(), min_size=20, max_size=20),
)  # fmt: skip


@settings(max_examples=80, deadline=None)
@given(instances)
def test_solution_equals_the_brute_force_optimum(instance: tuple) -> None:  # type: ignore[type-arg]
    n_projects, n_experts, k, max_load, min_load, cells, conflict_flags = instance
    scores, conflicts = {}, set()
    for i, (p, e) in enumerate(itertools.product(range(n_projects), range(n_experts))):
        scores[(f"P{p}", f"E{e}")] = cells[i]
        if conflict_flags[i] and i % 3 == 0:
            conflicts.add((f"P{p}", f"E{e}"))
    problem = Problem(scores, k=k, max_load=max_load, min_load=min(min_load, max_load), conflicts=conflicts)  # fmt: skip
    expected = brute_force(problem)
    if expected is None:
        with pytest.raises(Infeasible):
            solve(problem)
        return
    result = solve(problem)
    assert result.total == expected  # exactly, not approximately
    assert not set(result.pairs) & conflicts
    per_project: dict[str, int] = {}
    per_expert: dict[str, int] = {}
    for project, expert in result.pairs:
        per_project[project] = per_project.get(project, 0) + 1
        per_expert[expert] = per_expert.get(expert, 0) + 1
    assert set(per_project.values()) == {k}
    assert max(per_expert.values()) <= max_load


def test_tiny_differences_are_not_rounded_away() -> None:
    scores = {("P", "A"): Decimal("0.1000001"), ("P", "B"): Decimal("0.1000002")}
    assert solve(Problem(scores, k=1, max_load=1)).pairs == [("P", "B")]


def test_forced_forbidden_and_one_per_organization() -> None:
    scores = {(p, e): Decimal(s) for (p, e, s) in [
        ("P1", "A1", "0.9"), ("P1", "A2", "0.8"), ("P1", "B1", "0.1"),
        ("P2", "A1", "0.7"), ("P2", "B1", "0.6"), ("P2", "A2", "0.5"),
    ]}  # fmt: skip
    orgs = {"A1": "华中科技大学", "A2": "华中科技大学", "B1": "武汉大学"}
    result = solve(Problem(scores, k=2, max_load=2, organization=orgs))
    assert set(result.pairs) == {("P1", "A1"), ("P1", "B1"), ("P2", "A1"), ("P2", "B1")}
    forced = solve(Problem(scores, k=1, max_load=2, forced={("P1", "B1")}, forbidden={("P2", "A1")}))  # fmt: skip
    assert set(forced.pairs) == {("P1", "B1"), ("P2", "B1")}


def test_infeasible_names_the_projects_and_why() -> None:
    scores = {("P1", "A"): Decimal("1"), ("P1", "B"): Decimal("1"), ("P2", "A"): Decimal("1")}
    with pytest.raises(Infeasible, match=r"P2: 1 eligible reviewer\(s\) for k=2"):
        solve(Problem(scores, k=2, max_load=3))
    with pytest.raises(Infeasible, match="P1: 1 eligible"):
        solve(Problem(scores, k=2, max_load=3, conflicts={("P1", "B")}, projects=["P1"]))


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none", "INNOBRIDGE_DATA_DIR": str(cwd)}  # fmt: skip
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run([sys.executable, "-m", "innobridge.cli", "assign", *args], capture_output=True, text=True, env=env, check=False, cwd=cwd)  # noqa: S603  # fmt: skip


def test_command_contract(tmp_path: Path) -> None:
    (tmp_path / "s.csv").write_text(
        "project,expert,score\nP1,E1,0.90\nP1,E2,0.80\nP1,E3,0.10\nP2,E1,0.85\nP2,E2,0.20\nP2,E3,0.70\n",
        encoding="utf-8",
    )
    (tmp_path / "c.csv").write_text("project,expert\nP2,E1\n", encoding="utf-8")
    done = run_cli("--scores", "s.csv", "--k", "1", "--max-load", "1", "--conflicts", "c.csv", "--out", "a.csv", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "a.csv").read_text(encoding="utf-8") == "project,expert,score\nP1,E1,0.90\nP2,E3,0.70\n"  # fmt: skip
    done = run_cli(
        "--scores", "s.csv", "--k", "3", "--max-load", "1", "--out", "b.csv", cwd=tmp_path
    )
    assert done.returncode == 2
    assert "need more reviews" in done.stderr
    assert not (tmp_path / "b.csv").exists()
    (tmp_path / "bad.csv").write_text("project,expert,score\nP1,E1,很高\n", encoding="utf-8")
    done = run_cli("--scores", "bad.csv", "--k", "1", "--max-load", "1", "--out", "x.csv", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 2
    assert "bad.csv line 2" in done.stderr
