"""The MaxSAT backend (``maxsat.py``): valid schedules, optimal against brute force, the
relative fairness bound, and the backend choice of ``schedule``."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from innobridge.optimize import maxsat
from innobridge.optimize.schedule import (
    Infeasible,
    Meeting,
    ScheduleProblem,
    _prepare,
    schedule,
)
from tests.optimize.test_schedule import assert_valid, brute_force, problems

needs_pysat = pytest.mark.skipif(not maxsat.available(), reason="python-sat is not installed")


@needs_pysat
@settings(max_examples=60, deadline=None)
@given(problems())
def test_maxsat_is_valid_and_optimal_against_brute_force(problem: ScheduleProblem) -> None:
    problem = replace(problem, precedences={})  # not encoded: the caller uses CP-SAT for them
    expected = brute_force(problem)
    if expected is None:
        with pytest.raises(Infeasible):
            schedule(problem, time_limit=5, backend="maxsat")
        return
    result = schedule(problem, time_limit=5, backend="maxsat")
    assert_valid(problem, result)
    assert result.optimal
    assert result.breaks == expected


@needs_pysat
@settings(max_examples=30, deadline=None)
@given(problems(), st.integers(0, 1))
def test_relative_fairness_when_everyone_has_two_meetings(problem: ScheduleProblem, bound: int) -> None:  # fmt: skip
    # Everyone has at least two meetings: the bound is "within d of the fewest", not "at most d".
    people = sorted({p for m in problem.meetings for p in (m.a, m.b)})
    extra = [Meeting(f"X{i}", a, b) for i, (a, b) in enumerate(itertools.pairwise(people + people[:1]))]  # fmt: skip
    problem = replace(problem, meetings=problem.meetings + extra, precedences={}, participants=[], fairness=bound)  # fmt: skip
    if len(problem.meetings) > 8 or any(sum(p in (m.a, m.b) for m in problem.meetings) < 2 for p in people):  # fmt: skip
        return  # brute force stays small; the relative case needs two meetings each
    expected = brute_force(problem)
    if expected is None:
        with pytest.raises(Infeasible):
            schedule(problem, time_limit=5, backend="maxsat")
        return
    result = schedule(problem, time_limit=5, backend="maxsat")
    assert_valid(problem, result)
    assert result.optimal
    assert result.breaks == expected


def test_unary_counter_is_exact() -> None:
    """For every input assignment, the only output assignment satisfying the clauses is the
    unary count (output i true iff more than i inputs are)."""
    pool = maxsat._Pool()
    inputs = [pool.new() for _ in range(5)]
    hard: list[list[int]] = []
    outputs = maxsat._totalizer(inputs, pool, hard)
    assert len(outputs) == len(inputs)
    inner = list(range(len(inputs) + 1, pool.top + 1))  # the counters of the tree, outputs too
    for values in itertools.product([False, True], repeat=len(inputs)):
        satisfying = set()
        for rest in itertools.product([False, True], repeat=len(inner)):
            true = {v for v, on in zip(inputs + inner, values + rest, strict=True) if on}
            if all(any((x > 0) == (abs(x) in true) for x in clause) for clause in hard):
                satisfying.add(tuple(o in true for o in outputs))
        assert satisfying == {tuple(i < sum(values) for i in range(len(outputs)))}


def test_backend_choice() -> None:
    meetings = [Meeting("1", "A", "B"), Meeting("2", "A", "C"), Meeting("3", "B", "C")]
    problem = ScheduleProblem(n_slots=4, n_morning=2, n_tables=1, meetings=meetings)
    for backend in ("auto", "cpsat"):
        result = schedule(problem, time_limit=5, backend=backend)
        assert_valid(problem, result)
        assert result.breaks == 1  # a triangle, one table: someone waits
        assert result.optimal
    with pytest.raises(ValueError, match="backend"):
        schedule(problem, backend="gurobi")
    with_order = replace(problem, precedences={"2": {"1"}})
    assert not maxsat.supported(_prepare(with_order))
    result = schedule(with_order, time_limit=5)  # auto: CP-SAT, which models precedences
    assert result.slots["1"] < result.slots["2"]
    if maxsat.available():
        with pytest.raises(ValueError, match="MaxSAT backend"):
            schedule(with_order, backend="maxsat")
