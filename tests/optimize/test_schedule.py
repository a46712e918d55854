"""Meeting schedules: always valid (checked by a validator written here, independently of the
solver), optimal against brute force on small instances, and the infeasibility messages."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from innobridge.optimize.schedule import (
    Infeasible,
    Meeting,
    Schedule,
    ScheduleProblem,
    count_breaks,
    schedule,
)


def gaps(slots: list[int]) -> int:
    """Breaks of one participant, counted here on purpose without ``count_breaks``: walk the day
    and count each idle stretch that lies between two meetings."""
    taken = set(slots)
    breaks, seen_meeting, idle = 0, False, False
    for slot in range(1, max(taken, default=0) + 1):
        if slot in taken:
            breaks += seen_meeting and idle
            seen_meeting, idle = True, False
        else:
            idle = True
    return breaks


def violations(problem: ScheduleProblem, slots: dict[str, int]) -> list[str]:
    """Everything wrong with ``slots`` (meeting id → slot) for ``problem``; empty when valid."""
    wrong = []
    if sorted(slots) != sorted(m.id for m in problem.meetings):
        wrong.append("not exactly the problem's meetings are scheduled")
        return wrong
    per_slot: Counter[int] = Counter()
    busy: dict[tuple[str, int], str] = {}
    for m in problem.meetings:
        s = slots[m.id]
        per_slot[s] += 1
        if not 1 <= s <= problem.n_slots:
            wrong.append(f"{m.id} in slot {s}, outside the day")
        if m.session == 1 and s > problem.n_morning or m.session == 2 and s <= problem.n_morning:
            wrong.append(f"{m.id} in slot {s}, outside its session {m.session}")
        if m.fixed_slot is not None and s != m.fixed_slot:
            wrong.append(f"{m.id} moved from its locked slot {m.fixed_slot} to {s}")
        for who in (m.a, m.b):
            if s in problem.forbidden.get(who, set()):
                wrong.append(f"{who} meets in its forbidden slot {s}")
            if (who, s) in busy:
                wrong.append(f"{who} double-booked in slot {s}: {busy[who, s]} and {m.id}")
            busy[who, s] = m.id
    wrong += [f"slot {s} holds {n} > {problem.n_tables} meetings" for s, n in per_slot.items() if n > problem.n_tables]  # fmt: skip
    for later, earlier in problem.precedences.items():
        wrong += [f"{e} is not before {later}" for e in earlier if not slots[e] < slots[later]]
    if problem.fairness is not None:
        counts = list(breaks_of(problem, slots).values())
        if counts and max(counts) - min(counts) > problem.fairness:
            wrong.append(f"breaks {min(counts)}..{max(counts)} differ by more than {problem.fairness}")  # fmt: skip
    return wrong


def breaks_of(problem: ScheduleProblem, slots: dict[str, int]) -> dict[str, int]:
    """Every participant of the event (also those without meetings) → breaks."""
    taken: dict[str, list[int]] = {p: [] for p in problem.participants}
    for m in problem.meetings:
        taken.setdefault(m.a, []).append(slots[m.id])
        taken.setdefault(m.b, []).append(slots[m.id])
    return {p: gaps(s) for p, s in taken.items()}


def assert_valid(problem: ScheduleProblem, result: Schedule) -> None:
    assert violations(problem, result.slots) == []
    assert result.breaks_by_participant == breaks_of(problem, result.slots)
    assert result.breaks == sum(result.breaks_by_participant.values())
    assert sorted(result.tables) == sorted(result.slots)
    seats = [(result.slots[m], t) for m, t in result.tables.items()]
    assert len(set(seats)) == len(seats), "two meetings share a table in a slot"
    assert all(1 <= t <= problem.n_tables for t in result.tables.values())


def brute_force(problem: ScheduleProblem) -> int | None:
    """The fewest breaks over every assignment of slots to meetings (tiny instances only)."""
    options = []
    for m in problem.meetings:
        allowed = [s for s in range(1, problem.n_slots + 1) if m.fixed_slot in (None, s)]
        options.append(allowed)
    best = None
    for choice in itertools.product(*options):
        slots = {m.id: s for m, s in zip(problem.meetings, choice, strict=True)}
        if not violations(problem, slots):
            total = sum(breaks_of(problem, slots).values())
            best = total if best is None else min(best, total)
    return best


@st.composite
def problems(draw: st.DrawFn) -> ScheduleProblem:
    n_slots = draw(st.integers(2, 5))
    people = [f"P{i}" for i in range(draw(st.integers(2, 5)))]
    meetings = []
    for i in range(draw(st.integers(1, 6))):
        a, b = draw(st.lists(st.sampled_from(people), min_size=2, max_size=2, unique=True))
        session = draw(st.sampled_from([3, 3, 3, 1, 2]))
        fixed = draw(st.sampled_from([None] * 6 + list(range(1, n_slots + 1))))
        meetings.append(Meeting(f"M{i}", a, b, session, fixed))
    forbidden = {p: set(draw(st.lists(st.integers(1, n_slots), max_size=2))) for p in people if draw(st.integers(0, 3)) == 0}  # fmt: skip
    precedences: dict[str, set[str]] = defaultdict(set)
    if len(meetings) > 1 and draw(st.booleans()):
        first, second = draw(st.lists(st.sampled_from([m.id for m in meetings]), min_size=2, max_size=2, unique=True))  # fmt: skip
        precedences[second].add(first)
    return ScheduleProblem(
        n_slots=n_slots, n_morning=draw(st.integers(0, n_slots)), n_tables=draw(st.integers(1, 3)),
        meetings=meetings, forbidden=forbidden, precedences=dict(precedences),
        fairness=draw(st.sampled_from([None, 0, 1, 2])),
        participants=draw(st.sampled_from([[], ["Idle"]])),
    )  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(problems())
def test_schedule_is_valid_and_optimal_against_brute_force(problem: ScheduleProblem) -> None:
    expected = brute_force(problem)
    if expected is None:
        with pytest.raises(Infeasible):
            schedule(problem, time_limit=5)
        return
    result = schedule(problem, time_limit=5)
    assert_valid(problem, result)
    assert result.optimal
    assert result.breaks == expected


def test_breaks_count_idle_runs_once() -> None:
    assert count_breaks([]) == 0
    assert count_breaks([4]) == 0
    assert count_breaks([1, 2, 3]) == 0
    assert count_breaks([1, 3]) == 1
    assert count_breaks([1, 5, 6, 9]) == 2  # 2-4 idle is one break, 7-8 another
    assert count_breaks([9, 1, 5, 6]) == 2  # order does not matter


def test_fairness_trades_total_breaks_for_balance() -> None:
    # A meets B in the locked slots 1 and 4: one break each, forced. D and E have one meeting
    # each, hence no break, so d = 0 is impossible and d = 1 allows the two forced breaks.
    meetings = [
        Meeting("1", "A", "B", fixed_slot=1), Meeting("2", "A", "B", fixed_slot=4),
        Meeting("3", "C", "D"), Meeting("4", "C", "E"),
    ]  # fmt: skip
    problem = ScheduleProblem(n_slots=4, n_morning=4, n_tables=2, meetings=meetings, fairness=0)
    with pytest.raises(Infeasible, match="fairness bound allows at most 0 breaks"):
        schedule(problem)
    problem.fairness = 1
    result = schedule(problem)
    assert_valid(problem, result)
    assert result.breaks == 2
    assert result.optimal


def test_locked_meetings_keep_their_slots_on_resolve() -> None:
    meetings = [Meeting(f"m{i}", "Hub", f"S{i}") for i in range(4)]
    first = schedule(ScheduleProblem(n_slots=6, n_morning=3, n_tables=1, meetings=meetings))
    assert first.breaks == 0
    locked = [Meeting(m.id, m.a, m.b, fixed_slot=first.slots[m.id] if m.id in ("m0", "m2") else None) for m in meetings]  # fmt: skip
    again = schedule(ScheduleProblem(n_slots=6, n_morning=3, n_tables=1, meetings=locked))
    assert again.slots["m0"] == first.slots["m0"]
    assert again.slots["m2"] == first.slots["m2"]
    assert again.breaks == 0


def test_precedences_and_sessions() -> None:
    meetings = [Meeting("early", "A", "B", session=2), Meeting("late", "A", "C"), Meeting("x", "B", "C", session=1)]  # fmt: skip
    problem = ScheduleProblem(n_slots=4, n_morning=2, n_tables=2, meetings=meetings, precedences={"late": {"early"}})  # fmt: skip
    result = schedule(problem)
    assert_valid(problem, result)
    assert (result.slots["early"], result.slots["late"]) == (3, 4)
    assert result.slots["x"] <= 2


def day(slots: int, morning: int, tables: int, *meetings: Meeting, **extra: object) -> ScheduleProblem:  # fmt: skip
    return ScheduleProblem(slots, morning, tables, list(meetings), **extra)  # type: ignore[arg-type]


M = Meeting
INFEASIBLE = [
    (day(2, 1, 5, M("1", "A", "B"), M("2", "A", "C"), M("3", "A", "D")), "participant A has 3 meetings but only 2 usable slots"),
    (day(3, 1, 5, M("1", "A", "B", 1), M("2", "A", "C", 1)), "A has 2 meetings that must be in the morning but only 1 usable morning slots"),
    (day(3, 1, 5, M("1", "A", "B", fixed_slot=2), forbidden={"B": {2}}), "meeting 1 .A–B. is locked to slot 2"),
    (day(3, 1, 1, M("1", "A", "B", fixed_slot=2), M("2", "C", "D", fixed_slot=2)), "slot 2 has 2 locked meetings but only 1 tables"),
    (day(3, 1, 5, M("1", "A", "B"), M("2", "A", "C"), precedences={"1": {"2"}, "2": {"1"}}), "the precedences form a cycle"),
    (day(2, 1, 1, M("1", "A", "B"), M("2", "C", "D"), M("3", "E", "F")), "3 meetings do not fit 2 slots × 1 tables"),
    (day(3, 1, 1, M("1", "A", "B", 1), M("2", "C", "D", 1), M("3", "E", "F"), fairness=None), "no schedule satisfies every constraint"),
    (day(4, 2, 2, M("1", "A", "B", fixed_slot=1), M("2", "A", "B", fixed_slot=3), M("3", "C", "D", fixed_slot=1), M("4", "C", "D", fixed_slot=2), fairness=0), "no schedule keeps every two participants' breaks within 0 of each other"),
]  # fmt: skip


@pytest.mark.parametrize(("problem", "message"), INFEASIBLE)
def test_infeasible_says_who_and_why(problem: ScheduleProblem, message: str) -> None:
    with pytest.raises(Infeasible, match=message):
        schedule(problem)


def test_bad_input_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="same participant"):
        schedule(ScheduleProblem(3, 1, 1, [Meeting("1", "A", "A")]))
    with pytest.raises(ValueError, match="used twice"):
        schedule(ScheduleProblem(3, 1, 1, [Meeting("1", "A", "B"), Meeting("1", "A", "C")]))
    with pytest.raises(ValueError, match="unknown meeting"):
        schedule(ScheduleProblem(3, 1, 1, [Meeting("1", "A", "B")], precedences={"1": {"9"}}))
    with pytest.raises(ValueError, match="session"):
        schedule(ScheduleProblem(3, 1, 1, [Meeting("1", "A", "B", session=4)]))
