"""Choosing the meetings: exactly the brute-force maximum weight within every participant's cap,
for bipartite (min-cost flow) and general (CP-SAT) pair sets; deterministic, sorted output."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from innobridge.optimize.schedule import choose_meetings


def best_total(candidates: list[tuple[str, str, int]], caps: dict[str, int]) -> int:
    """The largest total weight of a subset within the caps, over every subset (tiny inputs)."""
    best = 0
    for size in range(len(candidates) + 1):
        for subset in itertools.combinations(candidates, size):
            load = Counter(p for a, b, _w in subset for p in (a, b))
            if all(n <= caps.get(p, 0) for p, n in load.items()):
                best = max(best, sum(w for _a, _b, w in subset))
    return best


def check(candidates: list[tuple[str, str, int]], caps: dict[str, int]) -> None:
    chosen = choose_meetings(candidates, caps)
    assert chosen == sorted(chosen)
    weight = {(a, b): w for a, b, w in candidates}
    assert all(pair in weight for pair in chosen)  # as given, not reversed
    load = Counter(p for pair in chosen for p in pair)
    assert all(n <= caps.get(p, 0) for p, n in load.items())
    assert sum(weight[pair] for pair in chosen) == best_total(candidates, caps)
    assert choose_meetings(list(reversed(candidates)), caps) == chosen  # order does not matter


@st.composite
def instances(draw: st.DrawFn, bipartite: bool) -> tuple[list[tuple[str, str, int]], dict[str, int]]:  # fmt: skip
    if bipartite:
        smes = [f"S{i}" for i in range(draw(st.integers(1, 4)))]
        providers = [f"P{i}" for i in range(draw(st.integers(1, 3)))]
        cells = list(itertools.product(smes, providers))
        people = smes + providers
    else:
        people = [f"X{i}" for i in range(draw(st.integers(2, 5)))]
        cells = list(itertools.combinations(people, 2))
    picked = draw(st.lists(st.sampled_from(cells), unique=True, max_size=9))
    candidates = [(a, b, draw(st.integers(1, 9))) for a, b in picked]
    caps = {p: draw(st.integers(0, 3)) for p in people if draw(st.integers(0, 5))}  # some missing
    return candidates, caps


@settings(max_examples=60, deadline=None)
@given(instances(bipartite=True))
def test_bipartite_choice_is_the_exact_optimum(instance: tuple) -> None:  # type: ignore[type-arg]
    check(*instance)


@settings(max_examples=40, deadline=None)
@given(instances(bipartite=False))
def test_general_choice_is_the_exact_optimum(instance: tuple) -> None:  # type: ignore[type-arg]
    check(*instance)


def test_triangle_needs_the_general_solver() -> None:
    candidates = [("A", "B", 5), ("B", "C", 5), ("A", "C", 5), ("C", "D", 1)]
    assert choose_meetings(candidates, {"A": 1, "B": 1, "C": 1, "D": 1}) == [("A", "B"), ("C", "D")]  # fmt: skip


def test_caps_limit_and_missing_caps_are_zero() -> None:
    candidates = [("S1", "P1", 3), ("S1", "P2", 2), ("S2", "P1", 4)]
    assert choose_meetings(candidates, {"S1": 2, "S2": 1, "P1": 1, "P2": 1}) == [("S1", "P2"), ("S2", "P1")]  # fmt: skip
    assert choose_meetings(candidates, {"S1": 2, "P1": 1, "P2": 1}) == [("S1", "P1"), ("S1", "P2")]  # fmt: skip
    assert choose_meetings([], {}) == []


@pytest.mark.parametrize(
    ("candidates", "message"),
    [
        ([("A", "B", 1), ("B", "A", 2)], "listed twice"),
        ([("A", "B", 0)], "positive integer"),
        ([("A", "B", 1.5)], "positive integer"),
        ([("A", "A", 1)], "itself"),
    ],
)
def test_bad_candidates_are_refused(candidates: list, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValueError, match=message):
        choose_meetings(candidates, {"A": 1, "B": 1})
