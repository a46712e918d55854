"""Reviewer assignment speed and exactness: dense random scores (6 decimals), k = 3, max load 8,
~0.5% conflicts; the min-cost-flow solver beside the LP optimum from scipy's HiGHS in the same run
(the assignment LP has an integral optimum, so its value is the true optimum).

    .venv/bin/pip install scipy   # only for the LP baseline
    .venv/bin/python bench/assign_speed.py [--sizes 1000x500 5000x2000] [--lp-max 600000]

The instance is built directly in array form (project and expert indices, scores as exact
integers score × 10^6, a conflict mask). "flow" times ``solve_arrays`` from receiving those
arrays to the chosen pairs and the exact total: checks, diagnostics, graph building, the solve
and reading the flows. "LP" times building the sparse constraint matrices from the same arrays
plus HiGHS. Up to --decimal-max pairs it also times the named API ``solve(Problem)`` (a dict of
Decimals, converted to the same arrays inside) on the same instance.

Targets (issue #4): total equal to the optimum (relative 1e-9), ≥ 10× faster than the LP on
1,000 × 500, and 5,000 × 2,000 in ≤ 30 s. Asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from innobridge.optimize.assignment import Problem, solve, solve_arrays  # noqa: E402

K, MAX_LOAD, PLACES = 3, 8, 6
Arrays = tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.int64], npt.NDArray[np.bool_]]  # fmt: skip


def instance(n_projects: int, n_experts: int, seed: int = 4) -> Arrays:
    """Every (project, expert) pair scored uniformly in [0, 1) with 6 decimals; ~0.5% conflicts."""
    rng = np.random.default_rng(seed)
    n = n_projects * n_experts
    project = np.repeat(np.arange(n_projects, dtype=np.int32), n_experts)
    expert = np.tile(np.arange(n_experts, dtype=np.int32), n_projects)
    cost = rng.integers(0, 10**PLACES, size=n, dtype=np.int64)
    return project, expert, cost, rng.random(n) < 0.005


def lp_optimum(arrays: Arrays, n_projects: int, n_experts: int) -> float:
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    project, expert, cost, blocked = arrays
    keep = ~blocked
    n = int(keep.sum())
    columns = np.arange(n)
    a_eq = coo_matrix((np.ones(n), (project[keep], columns)), shape=(n_projects, n))
    a_ub = coo_matrix((np.ones(n), (expert[keep], columns)), shape=(n_experts, n))
    result = linprog(
        -cost[keep] / 10**PLACES, A_ub=a_ub.tocsr(), b_ub=np.full(n_experts, MAX_LOAD),
        A_eq=a_eq.tocsr(), b_eq=np.full(n_projects, K), bounds=(0, 1), method="highs",
    )  # fmt: skip
    return float(-result.fun)


def as_problem(arrays: Arrays) -> Problem:
    project, expert, cost, blocked = arrays
    names = [(f"P{p}", f"E{e}") for p, e in zip(project.tolist(), expert.tolist(), strict=True)]
    scores = {pair: Decimal(c).scaleb(-PLACES) for pair, c in zip(names, cost.tolist(), strict=True)}  # fmt: skip
    conflicts = {names[i] for i in np.flatnonzero(blocked).tolist()}
    return Problem(scores, k=K, max_load=MAX_LOAD, conflicts=conflicts)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", nargs="*", default=["1000x500", "5000x2000"])
    parser.add_argument("--lp-max", type=int, default=600_000, help="skip the LP above this many pairs")  # fmt: skip
    parser.add_argument("--decimal-max", type=int, default=600_000, help="skip solve(Problem) above this many pairs")  # fmt: skip
    args = parser.parse_args()
    for size in args.sizes:
        n_projects, n_experts = (int(x) for x in size.split("x"))
        arrays = instance(n_projects, n_experts)
        project, expert, cost, blocked = arrays
        started = time.perf_counter()
        result = solve_arrays(
            project, expert, cost, n_projects=n_projects, n_experts=n_experts, k=K,
            max_load=MAX_LOAD, blocked=blocked,
        )  # fmt: skip
        seconds = time.perf_counter() - started
        total = Decimal(result.total).scaleb(-PLACES)
        line = f"{size:>10}: flow {seconds:7.2f} s  total {total}"
        if n_projects * n_experts <= args.lp_max:
            try:
                started = time.perf_counter()
                optimum = lp_optimum(arrays, n_projects, n_experts)
                lp_seconds = time.perf_counter() - started
                gap = abs(float(total) - optimum) / optimum
                line += f" | LP (HiGHS) {lp_seconds:7.2f} s  total {optimum:.6f}  relative gap {gap:.1e}  speed-up {lp_seconds / seconds:5.1f}×"  # fmt: skip
            except ImportError:
                line += " | LP skipped (pip install scipy)"
        else:
            line += " | LP skipped (size)"
        if n_projects * n_experts <= args.decimal_max:
            problem = as_problem(arrays)
            started = time.perf_counter()
            named = solve(problem)
            named_seconds = time.perf_counter() - started
            same = "same total" if named.total == total else f"total {named.total} DIFFERS"
            line += f" | solve(Problem) {named_seconds:5.2f} s ({same})"
        print(line, flush=True)


if __name__ == "__main__":
    main()
