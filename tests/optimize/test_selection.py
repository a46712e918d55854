"""Choosing meetings: the flow's total weight equals a brute-force optimum on small instances."""

from __future__ import annotations

from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from innobridge.optimize.selection import choose_meetings


def brute_force(candidates: list[tuple[str, str, int]], caps: dict[str, int]) -> int:
    best = 0
    for size in range(len(candidates) + 1):
        for subset in combinations(candidates, size):
            load: dict[str, int] = {}
            for a, b, _w in subset:
                load[a] = load.get(a, 0) + 1
                load[b] = load.get(b, 0) + 1
            if all(n <= caps.get(p, 0) for p, n in load.items()):
                best = max(best, sum(w for _a, _b, w in subset))
    return best


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 2), st.integers(1, 6)),
        max_size=9,
        unique_by=lambda t: (t[0], t[1]),
    ),  # fmt: skip
    st.lists(st.integers(0, 3), min_size=7, max_size=7),
)
def test_choice_is_optimal_and_respects_caps(rows: list[tuple[int, int, int]], limits: list[int]) -> None:  # fmt: skip
    candidates = [(f"s{a}", f"p{b}", w) for a, b, w in rows]
    caps = {f"s{i}": limits[i] for i in range(4)} | {f"p{i}": limits[4 + i] for i in range(3)}
    chosen = choose_meetings(candidates, caps)
    weight = {(a, b): w for a, b, w in candidates}
    assert sum(weight[pair] for pair in chosen) == brute_force(candidates, caps)
    for participant, cap in caps.items():
        assert sum(participant in pair for pair in chosen) <= cap
    assert chosen == sorted(chosen)


def test_nothing_wanted_nothing_chosen() -> None:
    assert choose_meetings([], {"s": 3}) == []
    assert choose_meetings([("s", "p", 2)], {"s": 1}) == []  # p has no slot free
