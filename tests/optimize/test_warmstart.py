"""The local-search warm start: whatever it returns is a valid schedule with the breaks it claims
(checked by the independent validator of test_schedule.py), and on a busy day it returns one."""

from __future__ import annotations

import dataclasses
import random

from hypothesis import given, settings

from innobridge.optimize.schedule import Meeting, ScheduleProblem, _prepare
from innobridge.optimize.warmstart import warm_start
from tests.optimize.test_schedule import breaks_of, problems, violations


def run(problem: ScheduleProblem, cap: int | None, seconds: float = 0.3) -> dict[str, int] | None:
    prepared = _prepare(problem)
    found = warm_start(
        problem.n_slots, problem.n_tables, prepared.domains, prepared.ends, len(prepared.people),
        cap=cap, seconds=seconds,
    )  # fmt: skip
    if found is None:
        return None
    slots = {meeting.id: found[0][m] for m, meeting in enumerate(problem.meetings)}
    assert found[1] == sum(breaks_of(problem, slots).values())
    return slots


@settings(max_examples=60, deadline=None)
@given(problems())
def test_whatever_it_returns_is_valid(problem: ScheduleProblem) -> None:
    try:
        _prepare(problem)
    except ValueError:  # Infeasible included: the exact search says why, not the warm start
        return
    free = dataclasses.replace(problem, precedences={}, fairness=None)
    slots = run(free, cap=problem.fairness)
    if slots is not None:
        assert violations(free, slots) == []
        if problem.fairness is not None:
            assert max(breaks_of(free, slots).values()) <= problem.fairness


def test_a_busy_day_gets_a_schedule_within_the_cap() -> None:
    """60 participants, 120 meetings, 12 slots of 14 tables, some morning-only and afternoon-only
    meetings and forbidden slots: a valid schedule with nobody over two breaks."""
    rng = random.Random(7)
    people = [f"P{i}" for i in range(60)]
    pairs: set[tuple[str, str]] = set()
    while len(pairs) < 120:
        a, b = rng.sample(people, 2)
        pairs.add((min(a, b), max(a, b)))
    meetings = [
        Meeting(str(i), a, b, rng.choice([1, 2, 3, 3, 3])) for i, (a, b) in enumerate(sorted(pairs))
    ]
    forbidden = {p: {rng.randint(1, 12)} for p in rng.sample(people, 10)}
    problem = ScheduleProblem(12, 6, 14, meetings, forbidden=forbidden, fairness=None)
    slots = run(problem, cap=2, seconds=5.0)
    assert slots is not None
    assert violations(problem, slots) == []
    assert max(breaks_of(problem, slots).values()) <= 2
