"""The array core ``solve_arrays``: exactly the brute-force optimum with every constraint (forced,
blocked, organizations, load bounds, unscored pairs); exact scaling; the bitmap and sort paths."""

from __future__ import annotations

import itertools
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from innobridge.optimize.assignment import (
    TOO_PRECISE,
    Infeasible,
    Problem,
    _factorize,
    scaled_integers,
    solve,
    solve_arrays,
)


def brute_force(
    n_projects: int,
    n_experts: int,
    pairs: dict[tuple[int, int], int],
    k: int,
    max_load: int,
    min_load: int,
    blocked: set[tuple[int, int]],
    forced: set[tuple[int, int]],
    organization: list[int] | None,
) -> int | None:
    """The best total over every way to pick k usable reviewers per project (tiny instances)."""
    options = []
    for p in range(n_projects):
        usable = sorted(e for (q, e) in pairs if q == p and (q, e) not in blocked)
        groups = []
        for combo in itertools.combinations(usable, k):
            chosen = {(p, e) for e in combo}
            if any(q == p for q, _e in forced - chosen):
                continue
            if organization is not None and len({organization[e] for e in combo}) < k:
                continue
            groups.append(chosen)
        options.append(groups)
    best = None
    for choice in itertools.product(*options):
        loads = [0] * n_experts
        for group in choice:
            for _p, e in group:
                loads[e] += 1
        if all(min_load <= load <= max_load for load in loads):
            total = sum(pairs[pair] for group in choice for pair in group)
            best = total if best is None else max(best, total)
    return best


@st.composite
def instances(draw: st.DrawFn) -> dict:  # type: ignore[type-arg]
    """Tiny instances, mostly feasible (loose loads, few forced or blocked pairs) so that the
    optimum, not only the infeasibility, is compared."""
    n_projects, n_experts = draw(st.integers(1, 3)), draw(st.integers(2, 6))
    k = draw(st.integers(1, 3))
    max_load = draw(st.integers(1, 3))
    cells = list(itertools.product(range(n_projects), range(n_experts)))
    scored = [cell for cell in cells if draw(st.integers(0, 7)) > 0]  # some pairs unscored
    costs = draw(st.lists(st.integers(-(10**12), 10**12), min_size=len(scored), max_size=len(scored)))  # fmt: skip
    flags = draw(st.lists(st.integers(0, 15), min_size=len(scored), max_size=len(scored)))
    with_organizations = draw(st.booleans())
    return {
        "n_projects": n_projects, "n_experts": n_experts, "k": k, "max_load": max_load,
        "min_load": min(draw(st.sampled_from([0, 0, 0, 1])), max_load),
        "pairs": dict(zip(scored, costs, strict=True)),
        "blocked": {cell for cell, flag in zip(scored, flags, strict=True) if flag == 0},
        "forced": {cell for cell, flag in zip(scored, flags, strict=True) if flag == 1},
        "organization": [draw(st.integers(0, 3)) for _ in range(n_experts)] if with_organizations else None,
    }  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(instances())
def test_solve_arrays_equals_the_brute_force_optimum(case: dict) -> None:  # type: ignore[type-arg]
    pairs = case["pairs"]
    order = list(pairs)[::-1]  # any order of the input pairs
    project = np.array([p for p, _e in order], dtype=np.int32)
    expert = np.array([e for _p, e in order], dtype=np.int32)
    cost = np.array([pairs[pair] for pair in order], dtype=np.int64)
    blocked = np.array([pair in case["blocked"] for pair in order], dtype=bool)
    forced = np.array([pair in case["forced"] for pair in order], dtype=bool)
    organization = None if case["organization"] is None else np.array(case["organization"], dtype=np.int32)  # fmt: skip
    expected = brute_force(**case)

    def run() -> tuple[np.ndarray, int]:  # type: ignore[type-arg]
        result = solve_arrays(
            project, expert, cost, n_projects=case["n_projects"], n_experts=case["n_experts"],
            k=case["k"], max_load=case["max_load"], min_load=case["min_load"], blocked=blocked,
            forced=forced, organization=organization,
        )  # fmt: skip
        return result.chosen, result.total

    if expected is None:
        with pytest.raises(Infeasible):
            run()
        return
    chosen, total = run()
    assert total == expected == int(cost[chosen].sum())
    assert not blocked[chosen].any()
    assert set(np.flatnonzero(forced).tolist()) <= set(chosen.tolist())
    assert np.bincount(project[chosen], minlength=case["n_projects"]).tolist() == [case["k"]] * case["n_projects"]  # fmt: skip
    loads = np.bincount(expert[chosen], minlength=case["n_experts"])
    assert loads.min() >= case["min_load"]
    assert loads.max() <= case["max_load"]
    if organization is not None:
        assert len({(int(p), int(organization[e])) for p, e in zip(project[chosen], expert[chosen], strict=True)}) == len(chosen)  # fmt: skip


def exactly_scaled(score: Decimal, places: int) -> int:
    sign, digits, exponent = score.as_tuple()
    assert isinstance(exponent, int)
    value = int("".join(map(str, digits))) * 10 ** (exponent + places)
    return -value if sign else value


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.decimals(allow_nan=False, allow_infinity=False),
            st.builds(
                lambda digits, exponent: Decimal(f"{digits}E{exponent}"),
                st.integers(-(10**6), 10**6),
                st.integers(-8, 4),
            ),  # fmt: skip
            st.builds(
                lambda text: Decimal(text),
                st.from_regex(r"-?[0-9]{1,12}\.[0-9]{0,8}", fullmatch=True),
            ),  # fmt: skip
        ),
        max_size=12,
    )
)
def test_scaling_is_exact_or_refused(scores: list[Decimal]) -> None:
    places = max([0] + [-int(s.as_tuple().exponent) for s in scores])
    expected = [exactly_scaled(s, places) for s in scores]
    if any(abs(value) >= 2**63 for value in expected):
        with pytest.raises(ValueError, match=TOO_PRECISE):
            scaled_integers(scores)
        return
    cost, found = scaled_integers(scores)
    assert cost.dtype == np.int64
    assert found == places
    assert cost.tolist() == expected


def test_messages_name_the_pairs_and_projects() -> None:
    scores = {("P1", "A"): Decimal("1"), ("P1", "B"): Decimal("0.5"), ("P2", "A"): Decimal("1"), ("P2", "B"): Decimal("2")}  # fmt: skip
    with pytest.raises(
        Infeasible, match="forced pair P1–B is not scored, or conflicting/forbidden"
    ):
        solve(Problem(scores, k=1, max_load=2, forced={("P1", "B")}, conflicts={("P1", "B")}))
    with pytest.raises(Infeasible, match=r"P2: 1 eligible reviewer\(s\) for k=2 \(2 scored, 0 conflicting"):  # fmt: skip
        solve(Problem(scores, k=2, max_load=2, organization={"A": "X", "B": "X"}, projects=["P2"]))
    with pytest.raises(ValueError, match="listed twice"):
        solve_arrays(np.array([0, 0], np.int32), np.array([1, 1], np.int32), np.array([1, 2], np.int64), n_projects=1, n_experts=2, k=1, max_load=1)  # fmt: skip
    with pytest.raises(ValueError, match="too many decimal places"):
        solve(Problem({("P", "A"): Decimal("1E-30"), ("P", "B"): Decimal("1")}, k=1, max_load=1))


def test_bitmap_and_sort_give_the_same_groups() -> None:
    rng = np.random.default_rng(1)
    key = rng.integers(0, 3_000, size=500, dtype=np.int64)
    dense, sparse = _factorize(key, 3_000), _factorize(key * 10**6, 3 * 10**9)
    assert (dense[0] == sparse[0]).all()
    assert (dense[1] * 10**6 == sparse[1]).all()


def test_a_forced_pair_is_used_once() -> None:
    """Its unit is pre-routed, so it must not also be offered as a free arc (worth 10 twice)."""
    result = solve_arrays(
        np.array([0, 0, 0], np.int32), np.array([0, 1, 2], np.int32), np.array([10, 9, 1], np.int64),
        n_projects=1, n_experts=3, k=2, max_load=2, forced=np.array([True, False, False]),
    )  # fmt: skip
    assert result.chosen.tolist() == [0, 1]
    assert result.total == 19
