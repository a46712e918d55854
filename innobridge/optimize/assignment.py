"""Optimal reviewer assignment as a min-cost flow, exactly.

Maximize the total affinity so that every project gets exactly ``k`` reviewers, every expert
reviews between ``min_load`` and ``max_load`` projects, no conflicting or forbidden pair is used,
forced pairs are used, and (optionally) no project gets two reviewers from the same organization.

Scores are decimals as written (``Decimal("0.731")``): they are scaled by 10^d, d = the most
decimal places of any score, to integers without rounding, so the flow optimum is the exact
optimum (the known matcher that truncates ``int(-100*score)`` is not). Lower bounds (minimum
loads, forced pairs) use the standard supply transformation. When no assignment exists, the error
says which projects lack eligible reviewers and why.

``solve_arrays`` is the core: pairs as index arrays and exact integer costs, everything numpy
vectorized, because a Python loop per pair is what dominated on dense inputs (10^7 pairs).
``solve`` keeps the named, Decimal-based API as a thin wrapper over it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter
from typing import Any

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

INT64_SAFE = 2**62
TOO_PRECISE = "scores have too many decimal places to be solved exactly; round them first"
_POWERS = 10 ** np.arange(19, dtype=np.int64)


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


@dataclass(frozen=True)
class ArrayAssignment:
    """The chosen pairs as ascending positions in the input arrays; ``total`` = their summed
    costs, exact (divide by the same 10^d the costs were scaled with)."""

    chosen: npt.NDArray[np.int64]
    total: int


def solve(problem: Problem) -> Assignment:
    """The named API: scores to exact int64 costs and names to indices, then ``solve_arrays``."""
    _check_limits(problem.k, problem.max_load, problem.min_load)
    projects = list(dict.fromkeys(problem.projects or sorted(set(map(itemgetter(0), problem.scores)))))  # fmt: skip
    experts = sorted(set(map(itemgetter(1), problem.scores)))
    project_id = {project: i for i, project in enumerate(projects)}
    expert_id = {expert: i for i, expert in enumerate(experts)}
    for name, who in sorted(problem.forced):
        if (name, who) not in problem.scores:
            raise Infeasible(f"forced pair {name}–{who} is not scored, or conflicting/forbidden")
        if name not in project_id:
            raise ValueError(f"forced pair {name}–{who} is for a project not to cover")
    pairs = list(problem.scores)
    values: Iterable[Decimal] = problem.scores.values()
    if problem.projects:  # pairs of projects outside the ones to cover play no part
        pairs = [pair for pair in pairs if pair[0] in project_id]
        values = map(problem.scores.__getitem__, pairs)
    n = len(pairs)
    project = np.fromiter(map(project_id.__getitem__, map(itemgetter(0), pairs)), np.int32, n)
    expert = np.fromiter(map(expert_id.__getitem__, map(itemgetter(1), pairs)), np.int32, n)
    blocked_pairs = problem.conflicts | problem.forbidden
    blocked = np.fromiter(map(blocked_pairs.__contains__, pairs), bool, n) if blocked_pairs else None  # fmt: skip
    forced = np.fromiter(map(problem.forced.__contains__, pairs), bool, n) if problem.forced else None  # fmt: skip
    organization = None
    if problem.organization is not None:
        names = [problem.organization.get(e, f"expert:{e}") for e in experts]
        organization = np.unique(np.array(names, dtype=str), return_inverse=True)[1].astype(np.int32)  # fmt: skip
    cost, _places = scaled_integers(values)
    result = solve_arrays(
        project, expert, cost, n_projects=len(projects), n_experts=len(experts), k=problem.k,
        max_load=problem.max_load, min_load=problem.min_load, blocked=blocked, forced=forced,
        organization=organization, project_names=projects, expert_names=experts,
    )  # fmt: skip
    chosen = sorted(pairs[i] for i in result.chosen.tolist())
    return Assignment(chosen, sum((problem.scores[pair] for pair in chosen), Decimal(0)))


def scaled_integers(scores: Iterable[Decimal]) -> tuple[npt.NDArray[np.int64], int]:
    """``(score × 10^places as int64, places)``, places = the most decimal places of any score;
    exact or refused (ValueError), never rounded.

    ``str(Decimal)`` writes most scores as plain ASCII ``-?digits.digits``: those (up to 18
    digits) are read byte column by byte column in numpy; the rest (exponents, more digits)
    through their Decimal digits and exponent, one by one.
    """
    texts = list(map(str, scores))
    if not texts:
        return np.zeros(0, dtype=np.int64), 0
    n = len(texts)
    codes = np.array(texts, dtype="S").view(np.uint8).reshape(n, -1)  # ASCII, 0-padded
    mantissa = np.zeros(n, dtype=np.int64)
    n_digits = np.zeros(n, dtype=np.int64)
    places_each = np.zeros(n, dtype=np.int64)
    after_point = np.zeros(n, dtype=bool)
    plain = np.ones(n, dtype=bool)
    for column in np.ascontiguousarray(codes.T):  # Horner's rule, one character column at a time
        offset = column - ord("0")  # unsigned: wraps around below "0"
        digit = offset < 10
        mantissa = np.where(digit, mantissa * 10 + offset, mantissa)
        n_digits += digit
        places_each += digit & after_point
        point = column == ord(".")
        after_point |= point
        plain &= digit | point | (column == 0) | (column == ord("-"))
    plain &= n_digits <= 18  # so the mantissa did not overflow
    mantissa = np.where(codes[:, 0] == ord("-"), -mantissa, mantissa)
    other: dict[int, tuple[int, int]] = {}  # row → (mantissa, places), exactly
    for row in np.flatnonzero(~plain).tolist():
        score = Decimal(texts[row])
        if not score.is_finite():
            raise ValueError(f"score {score} is not a finite number")
        sign, digits, exponent = score.as_tuple()
        assert isinstance(exponent, int)
        value = int("".join(map(str, digits))) * 10 ** max(exponent, 0)
        other[row] = (-value if sign else value, max(-exponent, 0))
    places = max([int(places_each[plain].max(initial=0))] + [p for _v, p in other.values()])
    shift = places - places_each
    fits = plain & (n_digits + shift <= 18)  # so the scaled value stays below 10^18
    cost = np.where(fits, mantissa * _POWERS[np.where(fits, shift, 0)], 0)
    for row in np.flatnonzero(~fits).tolist():
        value, own = other.get(row, (int(mantissa[row]), int(places_each[row])))
        value *= 10 ** (places - own)
        if not -(2**63) < value < 2**63:
            raise ValueError(TOO_PRECISE)
        cost[row] = value
    return cost, places


def solve_arrays(
    project: npt.NDArray[np.int32],
    expert: npt.NDArray[np.int32],
    cost: npt.NDArray[np.int64],
    *,
    n_projects: int,
    n_experts: int,
    k: int,
    max_load: int,
    min_load: int = 0,
    blocked: npt.NDArray[np.bool_] | None = None,
    forced: npt.NDArray[np.bool_] | None = None,
    organization: npt.NDArray[np.int32] | None = None,
    project_names: Sequence[str] | None = None,
    expert_names: Sequence[str] | None = None,
) -> ArrayAssignment:
    """The assignment of largest total affinity, exactly: pair i is ``(project[i], expert[i])``
    with affinity ``cost[i]`` (already exact integers, e.g. score × 10^d), listed at most once.

    Every project 0..n_projects-1 gets k reviewers, every expert 0..n_experts-1 between min_load
    and max_load; ``blocked`` pairs (conflicting or forbidden) are never used, ``forced`` ones
    always; ``organization`` (one id per expert) allows one reviewer per organization and
    project. Names, when given, make the messages readable.
    """
    _check_limits(k, max_load, min_load)
    n = len(cost)
    masks = [mask for mask in (blocked, forced) if mask is not None]
    if any(len(array) != n for array in (project, expert, *masks)):
        raise ValueError("project, expert, cost, blocked and forced must have the same length")
    if organization is not None and (len(organization) != n_experts or organization.min(initial=0) < 0):  # fmt: skip
        raise ValueError("organization needs one id ≥ 0 per expert")
    if n and (min(project.min(), expert.min()) < 0 or project.max() >= n_projects or expert.max() >= n_experts):  # fmt: skip
        raise ValueError("project or expert index out of range")
    pair_key = project.astype(np.int64) * n_experts + expert
    if len(_factorize(pair_key, n_projects * n_experts)[1]) < n:
        raise ValueError("a (project, expert) pair is listed twice")
    usable = np.ones(n, dtype=bool) if blocked is None else ~blocked
    is_forced = np.zeros(n, dtype=bool) if forced is None else forced
    wrong = np.flatnonzero(is_forced & ~usable)
    if len(wrong):
        i = int(wrong[0])
        raise Infeasible(
            f"forced pair {_name(project_names, int(project[i]))}–"
            f"{_name(expert_names, int(expert[i]))} is not scored, or conflicting/forbidden"
        )

    # Nodes: projects, experts, source, sink, then one per (project, organization) group.
    source, sink = n_projects + n_experts, n_projects + n_experts + 1
    n_nodes = sink + 1
    tail: npt.NDArray[np.integer[Any]] = project  # where a pair's arc starts
    eligible = np.bincount(project[usable], minlength=n_projects)
    count = eligible
    if organization is not None:  # one reviewer per organization: a group node of capacity 1
        n_organizations = int(organization.max(initial=-1)) + 1
        group_key = project[usable].astype(np.int64) * n_organizations + organization[expert[usable]]  # fmt: skip
        group, group_keys = _factorize(group_key, n_projects * n_organizations)
        group_project = group_keys // n_organizations
        count = np.bincount(group_project, minlength=n_projects)
        tail = np.zeros(n, dtype=np.int64)
        tail[usable] = group + n_nodes
        group_nodes = np.arange(len(group_keys)) + n_nodes
        n_nodes += len(group_keys)
    short = np.flatnonzero(count < k).tolist()
    if short:
        scored = np.bincount(project, minlength=n_projects)
        raise Infeasible("projects without enough eligible reviewers: " + "; ".join(
            f"{_name(project_names, p)}: {count[p]} eligible reviewer(s) for k={k} "
            f"({scored[p]} scored, {scored[p] - eligible[p]} conflicting or forbidden)"
            for p in short
        ))  # fmt: skip
    if k * n_projects > max_load * n_experts:
        raise Infeasible(
            f"{n_projects} projects × k={k} need more reviews than "
            f"{n_experts} experts × max-load {max_load} can give"
        )
    if min_load * n_experts > k * n_projects:
        raise Infeasible(
            f"{n_experts} experts × min-load {min_load} exceed the {k * n_projects} reviews to give"
        )
    if n and max(-int(cost.min()), int(cost.max())) * k * n_projects >= INT64_SAFE:
        raise ValueError(TOO_PRECISE)

    flow = min_cost_flow.SimpleMinCostFlow()
    _arcs(flow, np.full(n_projects, source), np.arange(n_projects), k)
    if organization is not None:
        _arcs(flow, group_project, group_nodes, 1)
    expert_node = expert + n_projects
    free = np.flatnonzero(usable & ~is_forced)
    pair_arcs = _arcs(flow, tail[free], expert_node[free], 1, -cost[free])
    _arcs(flow, np.arange(n_experts) + n_projects, np.full(n_experts, sink), max_load - min_load)
    pinned = np.flatnonzero(is_forced)  # lower bound 1: the arc is left out, its unit pre-routed
    supply = np.bincount(expert_node[pinned], minlength=n_nodes) - np.bincount(tail[pinned], minlength=n_nodes)  # fmt: skip
    supply[n_projects:source] -= min_load
    supply[source] += k * n_projects
    supply[sink] += min_load * n_experts - k * n_projects
    flow.set_nodes_supplies(np.arange(n_nodes, dtype=np.int32), supply.astype(np.int64))
    status = flow.solve()
    if status == flow.BAD_COST_RANGE:
        raise ValueError(TOO_PRECISE)
    if status != flow.OPTIMAL:
        raise Infeasible(
            "no assignment satisfies every constraint together (exactly k per project, the load "
            "limits, forced pairs, one reviewer per organization); loosen the loads or the forced pairs"
        )
    used = free[flow.flows(pair_arcs) > 0] if len(free) else free
    chosen = np.sort(np.concatenate([used, pinned]))
    return ArrayAssignment(chosen, int(cost[chosen].sum()))


def _name(names: Sequence[str] | None, index: int) -> str:
    return names[index] if names is not None else str(index)


def _check_limits(k: int, max_load: int, min_load: int) -> None:
    if k < 1 or max_load < 1 or not 0 <= min_load <= max_load:
        raise ValueError("need k ≥ 1 and 0 ≤ min-load ≤ max-load (max-load ≥ 1)")


def _factorize(
    key: npt.NDArray[np.int64], space: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """``(ids, uniques)``: the sorted distinct keys and each key's position among them; a bitmap
    over ``0..space-1`` when that is not much bigger than the keys (linear), else a sort."""
    if space <= 4 * len(key) + 2**20:
        present = np.zeros(space, dtype=bool)
        present[key] = True
        return (np.cumsum(present) - 1)[key], np.flatnonzero(present)
    uniques, ids = np.unique(key, return_inverse=True)
    return ids, uniques


def _arcs(
    flow: min_cost_flow.SimpleMinCostFlow,
    tails: npt.NDArray[np.integer[Any]],
    heads: npt.NDArray[np.integer[Any]],
    capacity: int,
    unit_costs: npt.NDArray[np.int64] | None = None,
) -> npt.NDArray[np.int32]:
    """Add arcs of one capacity in one call (cost 0 unless given); their arc ids."""
    if len(tails) == 0:
        return np.zeros(0, dtype=np.int32)
    costs = np.zeros(len(tails), dtype=np.int64) if unit_costs is None else unit_costs
    arcs: npt.NDArray[np.int32] = flow.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32),
        np.full(len(tails), capacity, dtype=np.int64), costs,
    )  # fmt: skip
    return arcs
