"""Optimal reviewer assignment as a min-cost flow, exactly.

Maximize the total affinity so that every project gets exactly ``k`` reviewers, every expert
reviews between ``min_load`` and ``max_load`` projects, no conflicting or forbidden pair is used,
forced pairs are used, and (optionally) no project gets two reviewers from the same organization.

Scores are decimals as written (``Decimal("0.731")``): they are scaled by 10^d, d = the most
decimal places of any score, to integers without rounding, so the flow optimum is the exact
optimum (the known matcher that truncates ``int(-100*score)`` is not). Lower bounds (minimum
loads, forced pairs) use the standard supply transformation. When no assignment exists, the error
says which projects lack eligible reviewers and why.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from ortools.graph.python import min_cost_flow

INT64_SAFE = 2**62


class Infeasible(ValueError):  # noqa: N818 - a result, not a bug
    """No assignment satisfies the constraints; the message says where and why."""


@dataclass
class Problem:
    scores: dict[
        tuple[str, str], Decimal
    ]  # (project, expert) → affinity; unlisted pairs are not allowed
    k: int
    max_load: int
    min_load: int = 0
    conflicts: set[tuple[str, str]] = field(default_factory=set)
    forced: set[tuple[str, str]] = field(default_factory=set)
    forbidden: set[tuple[str, str]] = field(default_factory=set)
    organization: dict[str, str] | None = None  # expert → organization, for one-per-organization
    projects: list[str] | None = None  # projects to cover (default: every project with a score)


@dataclass
class Assignment:
    pairs: list[tuple[str, str]]
    total: Decimal


def _places(scores: Iterable[Decimal]) -> int:
    """The most decimal places of any score (so every score × 10^places is an integer)."""
    exponents = {score.as_tuple().exponent for score in scores}
    return max([0] + [-e for e in exponents if isinstance(e, int) and e < 0])


def solve(problem: Problem) -> Assignment:
    projects = problem.projects or sorted({p for p, _e in problem.scores})
    experts = sorted({e for _p, e in problem.scores})
    blocked = problem.conflicts | problem.forbidden
    allowed = {pair: score for pair, score in problem.scores.items() if pair not in blocked}
    _check(problem, projects, experts, allowed)
    places = _places(allowed.values())
    costs = {pair: int(score.scaleb(places)) for pair, score in allowed.items()}
    if costs and max(abs(c) for c in costs.values()) * problem.k * len(projects) >= INT64_SAFE:
        raise ValueError("scores have too many decimal places to be solved exactly; round them first")  # fmt: skip

    flow = min_cost_flow.SimpleMinCostFlow()
    ids: dict[object, int] = {}

    def node(key: object) -> int:
        if key not in ids:
            ids[key] = len(ids)
        return ids[key]

    supply: dict[int, int] = defaultdict(int)
    source, sink = node("source"), node("sink")
    supply[source] += problem.k * len(projects)
    supply[sink] -= problem.k * len(projects)
    project_node = {project: node(("p", project)) for project in projects}
    expert_node = {expert: node(("e", expert)) for expert in experts}
    for project in projects:
        flow.add_arc_with_capacity_and_unit_cost(source, project_node[project], problem.k, 0)
    pairs: list[tuple[str, str]] = []
    tails: list[int] = []
    heads: list[int] = []
    capacities: list[int] = []
    unit_costs: list[int] = []
    forced = problem.forced
    by_organization = problem.organization
    for pair, cost in costs.items():
        project, expert = pair
        head = project_node.get(project)
        if head is None:
            continue  # a project outside the ones to cover
        if by_organization is not None:  # at most one reviewer per organization per project
            organization = by_organization.get(expert, f"expert:{expert}")
            middle = ("po", project, organization)
            if middle not in ids:
                flow.add_arc_with_capacity_and_unit_cost(head, node(middle), 1, 0)
            head = ids[middle]
        tail = expert_node[expert]
        pairs.append(pair)
        tails.append(head)
        heads.append(tail)
        unit_costs.append(-cost)
        if pair in forced:
            capacities.append(0)  # lower bound 1 = capacity 1 − 1 plus the supply shift
            supply[head] -= 1
            supply[tail] += 1
        else:
            capacities.append(1)
    pair_arcs = flow.add_arcs_with_capacity_and_unit_cost(
        np.array(tails, dtype=np.int32), np.array(heads, dtype=np.int32),
        np.array(capacities, dtype=np.int64), np.array(unit_costs, dtype=np.int64),
    ) if pairs else np.zeros(0, dtype=np.int32)  # fmt: skip
    for expert in experts:
        tail = expert_node[expert]
        flow.add_arc_with_capacity_and_unit_cost(tail, sink, problem.max_load - problem.min_load, 0)
        supply[tail] -= problem.min_load
        supply[sink] += problem.min_load
    for key, amount in supply.items():
        flow.set_node_supply(key, amount)
    for key in ids.values():
        if key not in supply:
            flow.set_node_supply(key, 0)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise Infeasible(
            "no assignment satisfies every constraint together (exactly k per project, the load "
            "limits, forced pairs, one reviewer per organization); loosen the loads or the forced pairs"
        )
    used = flow.flows(pair_arcs) if len(pairs) else np.zeros(0, dtype=np.int64)
    chosen = sorted([pair for pair, amount in zip(pairs, used, strict=True) if amount > 0] + sorted(problem.forced))  # fmt: skip
    total = sum((problem.scores[pair] for pair in chosen), Decimal(0))
    return Assignment(chosen, total)


def _check(
    problem: Problem,
    projects: list[str],
    experts: list[str],
    allowed: dict[tuple[str, str], Decimal],  # fmt: skip
) -> None:
    if problem.k < 1 or problem.max_load < 1 or not 0 <= problem.min_load <= problem.max_load:
        raise ValueError("need k ≥ 1 and 0 ≤ min-load ≤ max-load (max-load ≥ 1)")
    for pair in problem.forced:
        if pair not in allowed:
            raise Infeasible(
                f"forced pair {pair[0]}–{pair[1]} is not scored, or conflicting/forbidden"
            )
    eligible: dict[str, set[str]] = defaultdict(set)
    for project, expert in allowed:
        eligible[project].add(expert)
    reasons = []
    for project in projects:
        candidates = eligible.get(project, set())
        if problem.organization is not None:
            count = len({problem.organization.get(e, f"expert:{e}") for e in candidates})
        else:
            count = len(candidates)
        if count < problem.k:
            scored = sum(1 for p, _e in problem.scores if p == project)
            blocked = scored - len(candidates)
            reasons.append(
                f"{project}: {count} eligible reviewer(s) for k={problem.k} "
                f"({scored} scored, {blocked} conflicting or forbidden)"
            )
    if reasons:
        raise Infeasible("projects without enough eligible reviewers: " + "; ".join(reasons))
    if problem.k * len(projects) > problem.max_load * len(experts):
        raise Infeasible(
            f"{len(projects)} projects × k={problem.k} need more reviews than "
            f"{len(experts)} experts × max-load {problem.max_load} can give"
        )
    if problem.min_load * len(experts) > problem.k * len(projects):
        raise Infeasible(
            f"{len(experts)} experts × min-load {problem.min_load} exceed the "
            f"{problem.k * len(projects)} reviews to give"
        )
