"""Which meetings to hold: an exact maximum-weight b-matching as a min-cost flow.

Every wanted pair (a, b, weight) is an arc a → b with capacity 1 and cost −weight; each
participant's cap is the capacity of its arc from the source (side a) or to the sink (side b).
A zero-cost bypass arc source → sink lets the flow skip pairs, so the minimum-cost flow of value
Σ caps is the maximum total weight — exactly, with integer weights. Pure Python + OR-Tools.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow


def choose_meetings(candidates: list[tuple[str, str, int]], caps: dict[str, int]) -> list[tuple[str, str]]:  # fmt: skip
    """Pairs (a, b, weight > 0), every participant in at most ``caps[p]`` chosen pairs (missing:
    0); returns the pairs of maximum total weight, sorted. Sides a and b must not share ids."""
    pairs = [(a, b, w) for a, b, w in candidates if w > 0 and caps.get(a, 0) > 0 and caps.get(b, 0) > 0]  # fmt: skip
    if not pairs:
        return []
    left = sorted({a for a, _b, _w in pairs})
    right = sorted({b for _a, b, _w in pairs})
    if set(left) & set(right):
        raise ValueError("a participant appears on both sides")
    index = {name: i + 2 for i, name in enumerate(left + right)}  # 0 = source, 1 = sink
    flow = min_cost_flow.SimpleMinCostFlow()
    supply = sum(caps[a] for a in left)
    flow.add_arcs_with_capacity_and_unit_cost(
        np.array([0] * len(left) + [index[b] for b in right] + [0], dtype=np.int32),
        np.array([index[a] for a in left] + [1] * len(right) + [1], dtype=np.int32),
        np.array([caps[a] for a in left] + [caps[b] for b in right] + [supply], dtype=np.int64),
        np.zeros(len(left) + len(right) + 1, dtype=np.int64),
    )
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        np.array([index[a] for a, _b, _w in pairs], dtype=np.int32),
        np.array([index[b] for _a, b, _w in pairs], dtype=np.int32),
        np.ones(len(pairs), dtype=np.int64),
        np.array([-w for _a, _b, w in pairs], dtype=np.int64),
    )
    flow.set_node_supply(0, supply)
    flow.set_node_supply(1, -supply)
    for node in range(2, 2 + len(left) + len(right)):
        flow.set_node_supply(node, 0)
    if flow.solve() != flow.OPTIMAL:
        raise RuntimeError(
            "the selection flow did not solve"
        )  # cannot happen: the bypass is always feasible
    used = flow.flows(arcs)
    return sorted((a, b) for (a, b, _w), amount in zip(pairs, used, strict=True) if amount > 0)
