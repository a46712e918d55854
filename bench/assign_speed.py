"""Reviewer assignment speed and exactness: dense random scores (6 decimals), k = 3, max load 8,
~0.5% conflicts; the min-cost-flow solver beside the LP optimum from scipy's HiGHS in the same run
(the assignment LP has an integral optimum, so its value is the true optimum).

    .venv/bin/pip install scipy   # only for the LP baseline
    .venv/bin/python bench/assign_speed.py [--sizes 1000x500 5000x2000] [--lp-max 600000]

Targets (issue #4): total equal to the optimum (relative 1e-9), ≥ 10× faster than the LP on
1,000 × 500, and 5,000 × 2,000 in ≤ 30 s. Asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from innobridge.optimize.assignment import Problem, solve  # noqa: E402


def instance(n_projects: int, n_experts: int, seed: int = 4) -> Problem:
    rng = random.Random(seed)
    scores, conflicts = {}, set()
    for p in range(n_projects):
        for e in range(n_experts):
            scores[(f"P{p}", f"E{e}")] = Decimal(rng.randrange(1_000_000)) / Decimal(1_000_000)
            if rng.random() < 0.005:
                conflicts.add((f"P{p}", f"E{e}"))
    return Problem(scores, k=3, max_load=8, conflicts=conflicts)


def lp_optimum(problem: Problem) -> float:
    import numpy as np
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    projects = sorted({p for p, _e in problem.scores})
    experts = sorted({e for _p, e in problem.scores})
    p_index = {p: i for i, p in enumerate(projects)}
    e_index = {e: i for i, e in enumerate(experts)}
    pairs = [pair for pair in problem.scores if pair not in problem.conflicts]
    n = len(pairs)
    cost = -np.array([float(problem.scores[pair]) for pair in pairs])
    columns = np.arange(n)
    a_eq = coo_matrix((np.ones(n), ([p_index[p] for p, _e in pairs], columns)), shape=(len(projects), n))  # fmt: skip
    a_ub = coo_matrix((np.ones(n), ([e_index[e] for _p, e in pairs], columns)), shape=(len(experts), n))  # fmt: skip
    result = linprog(
        cost, A_ub=a_ub.tocsr(), b_ub=np.full(len(experts), problem.max_load),
        A_eq=a_eq.tocsr(), b_eq=np.full(len(projects), problem.k), bounds=(0, 1), method="highs",
    )  # fmt: skip
    return float(-result.fun)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", nargs="*", default=["1000x500", "5000x2000"])
    parser.add_argument("--lp-max", type=int, default=600_000, help="skip the LP above this many pairs")  # fmt: skip
    args = parser.parse_args()
    for size in args.sizes:
        n_projects, n_experts = (int(x) for x in size.split("x"))
        problem = instance(n_projects, n_experts)
        started = time.perf_counter()
        result = solve(problem)
        seconds = time.perf_counter() - started
        line = f"{size:>10}: flow {seconds:7.2f} s  total {result.total}"
        if n_projects * n_experts <= args.lp_max:
            try:
                started = time.perf_counter()
                optimum = lp_optimum(problem)
                lp_seconds = time.perf_counter() - started
                gap = abs(float(result.total) - optimum) / optimum
                line += f" | LP (HiGHS) {lp_seconds:7.2f} s  total {optimum:.6f}  relative gap {gap:.1e}  speed-up {lp_seconds / seconds:5.1f}×"  # fmt: skip
            except ImportError:
                line += " | LP skipped (pip install scipy)"
        else:
            line += " | LP skipped (size)"
        print(line, flush=True)


if __name__ == "__main__":
    main()
