"""Matchmaking-event schedules: which meetings to hold, then when and at which table.

``choose_meetings`` picks the meetings: the pairs of largest total mutual interest such that
nobody gets more meetings than their cap (the slots they are available) — a maximum-weight
b-matching, solved exactly as a min-cost flow when the pairs form a bipartite graph (SMEs ×
providers), with CP-SAT otherwise.

``schedule`` places the meetings into slots and tables — the Business-to-Business Meeting
Scheduling Problem of Bofill et al. (JAIR 74, 2022): nobody in two meetings at once, at most
``n_tables`` meetings per slot, forbidden slots, morning/afternoon sessions, locked (fixed)
meetings and precedences respected, and the total number of *breaks* minimal, where a break is a
gap between two consecutive meetings of a participant (a run of idle slots counts once).

Fairness bound d: every two participants' break counts differ by at most d. As in the paper's
model it ranges over all participants of the event — those of the meetings plus
``ScheduleProblem.participants`` (the benchmark files list every participant, also those left
without a meeting). A participant with no or one meeting never has a break, so with such a
participant (the usual case) the bound simply means "nobody has more than d breaks".

With python-sat installed and no precedences, the problem is first solved as MaxSAT
(``maxsat.py``: RC2 with CaDiCaL on the same model in clauses, soft clauses per participant and
break count); it finds and proves the optimum of all 20 benchmark instances in at most ~7.5 s on
one core, where CP-SAT below found 17 breaks for an optimum of 6 in 10 s. When it has no schedule
after half the time limit (or there is none), the CP-SAT model below takes over.

The CP-SAT model is over booleans "meeting m in slot s", per participant "busy in slot s",
"has had a meeting by slot s" and "a break ends in slot s"; breaks are the sum of the last ones.
It is solved as the paper found best, MaxSAT-style: one worker is CP-SAT's core-guided search
(it raises the lower bound by finding sets of participants that cannot all go without a break),
the other a plain CDCL search that improves solutions from above; the LP is off (it slowed the
search tenfold and its bound is weak here). The search starts from a schedule found by local
search (``warmstart.py``: Kempe-chain annealing, at most 15 % of the time limit), which on the
hardest days is far better than anything the two threads find by themselves in the first seconds;
when the exact search ends without beating it, that schedule is the answer. What makes it fast are
implied constraints that the solver cannot derive quickly itself, each measured on the 20
benchmark instances:

- table capacity also as a totalizer (unary counter) per slot over "clusters" (all meetings of
  one participant, who holds at most one of them per slot): its auxiliary literals let clause
  learning count, the linear constraint alone does not (tight slots went from unsolved to ~2 s);
- every slot's busy participants are twice its meetings, so even and at most 2 × tables (the
  paper's "imp2"; without it the lower bound on one instance stalled below the optimum);
- each participant's busy slots number exactly its meetings (the paper's "imp1");
- each participant's fewest possible breaks given its usable slots and sessions (a small dynamic
  program), e.g. forbidden slots that split the day;
- "no break" implies the compulsory part and the envelope of the participant's block: the slots
  every (resp. some) gap-free placement of its meetings covers — this is what exposes congested
  slots (e.g. around noon, where participants with both morning-only and afternoon-only meetings
  must sit) to the table counters.

Tried and left out because they made it slower (measured over several seeds): ordering
identical meetings or interchangeable participants (CP-SAT's own symmetry detection does better),
a cumulative over break-free blocks, literals for each block start, per-participant unary break
counters as the objective, totalizers over the busy participants or per-participant meeting
counts, and a second core-guided worker in place of the CDCL one (better on the two hardest
instances, but then nothing finds solutions while the lower bound is below the optimum).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ortools.graph.python import min_cost_flow
from ortools.sat.python import cp_model

from innobridge.optimize import maxsat, warmstart

MORNING, AFTERNOON, EITHER = 1, 2, 3
TOTALIZER_LIMIT = 40_000  # largest (inputs × bound) built as a totalizer; beyond, linear only
DP_LIMIT = 2_000_000  # largest state space of the per-participant break bound with sessions
STOP_MARGIN = 0.3  # s: CP-SAT takes up to ~0.15 s to stop; the whole call stays within the limit
WARM_START_SECONDS = 1.5  # local search before the exact search (warmstart.py), at most …
WARM_START_SHARE = 0.15  # … this share of the time limit
MAXSAT_SHARE = 0.5  # without a schedule from MaxSAT after this share of the limit: CP-SAT
# "auto" leaves larger days to CP-SAT: the synthetic 910-meeting session (bench) took MaxSAT
# 7–10 s for 41–42 breaks and CP-SAT 6.4 s for 41 proven; the benchmark's days have ≤ 302.
MAXSAT_MAX_MEETINGS = 500


class Infeasible(ValueError):  # noqa: N818 - a result, not a bug
    """No schedule satisfies the constraints; the message says who or what and why."""


@dataclass(frozen=True)
class Meeting:
    id: str
    a: str  # participant ids
    b: str
    session: int = EITHER  # 1 = must be morning, 2 = must be afternoon, 3 = either
    fixed_slot: int | None = None  # 1-based; a locked meeting keeps its slot


@dataclass
class ScheduleProblem:
    n_slots: int
    n_morning: int  # slots 1..n_morning are the morning, the rest the afternoon
    n_tables: int
    meetings: list[Meeting]
    forbidden: dict[str, set[int]] = field(default_factory=dict)  # participant → unusable slots
    precedences: dict[str, set[str]] = field(default_factory=dict)  # meeting → meetings before it
    fairness: int | None = 2  # None = no fairness bound
    # Further participants without meetings: 0 breaks, and they count for fairness.
    participants: list[str] = field(default_factory=list)


@dataclass
class Schedule:
    slots: dict[str, int]  # meeting id → slot (1-based)
    tables: dict[str, int]  # meeting id → table (1-based), no two meetings share a table in a slot
    breaks: int
    optimal: bool  # proven optimal within the time limit
    breaks_by_participant: dict[str, int]
    found_after: float = 0.0  # seconds from the call until this schedule was found


def count_breaks(slots_of_participant: Iterable[int]) -> int:
    """Gaps between consecutive meetings of one participant: a run of idle slots counts once."""
    ordered = sorted(set(slots_of_participant))
    return sum(1 for before, after in zip(ordered, ordered[1:], strict=False) if after > before + 1)


# ---------------------------------------------------------------------------------------------
# Choosing the meetings


def choose_meetings(candidates: list[tuple[str, str, int]], caps: dict[str, int]) -> list[tuple[str, str]]:  # fmt: skip
    """Exact maximum-weight selection of pairs (a, b, weight > 0) so that every participant is in
    at most caps[p] chosen pairs (a participant missing from caps has cap 0); sorted.

    Bipartite pairs (SMEs × providers, or any 2-colourable set) are a min-cost flow: source →
    a (capacity cap) → b (capacity 1, cost −weight) → sink (capacity cap), plus a free arc source
    → sink so that the flow may stop wherever more pairs would not add weight; integral, exact.
    Otherwise (someone on both sides of an odd cycle) CP-SAT solves the b-matching exactly.
    Candidates are sorted first, so the choice among equal-weight optima does not depend on
    their order.
    """
    pairs: dict[frozenset[str], tuple[str, str, int]] = {}
    for a, b, weight in sorted(candidates):
        if a == b:
            raise ValueError(f"pair {a}–{b} pairs a participant with itself")
        if isinstance(weight, bool) or not isinstance(weight, int) or weight <= 0:
            raise ValueError(f"pair {a}–{b}: weight must be a positive integer, got {weight!r}")
        key = frozenset((a, b))
        if key in pairs:
            raise ValueError(f"pair {a}–{b} is listed twice")
        if any(cap < 0 for cap in (caps.get(a, 0), caps.get(b, 0))):
            raise ValueError(f"pair {a}–{b}: caps must be ≥ 0")
        if caps.get(a, 0) > 0 and caps.get(b, 0) > 0:
            pairs[key] = (a, b, weight)
    usable = sorted(pairs.values())
    if not usable:
        return []
    side = _two_colouring([(a, b) for a, b, _w in usable])
    chosen = _flow_matching(usable, caps, side) if side is not None else _sat_matching(usable, caps)  # fmt: skip
    return sorted(chosen)


def _two_colouring(edges: list[tuple[str, str]]) -> dict[str, int] | None:
    """Side 0 or 1 for every participant so that each pair joins both sides, or None."""
    neighbours: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        neighbours[a].append(b)
        neighbours[b].append(a)
    side: dict[str, int] = {}
    for start in sorted(neighbours):
        if start in side:
            continue
        side[start] = 0
        stack = [start]
        while stack:
            node = stack.pop()
            for other in neighbours[node]:
                if other not in side:
                    side[other] = 1 - side[node]
                    stack.append(other)
                elif side[other] == side[node]:
                    return None
    return side


def _flow_matching(pairs: list[tuple[str, str, int]], caps: dict[str, int], side: dict[str, int]) -> list[tuple[str, str]]:  # fmt: skip
    people = sorted(side)
    node = {p: i for i, p in enumerate(people)}
    source, sink = len(people), len(people) + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    left = [p for p in people if side[p] == 0]
    right = [p for p in people if side[p] == 1]
    total = min(sum(caps[p] for p in left), sum(caps[p] for p in right))
    for p in left:
        flow.add_arc_with_capacity_and_unit_cost(source, node[p], caps[p], 0)
    for p in right:
        flow.add_arc_with_capacity_and_unit_cost(node[p], sink, caps[p], 0)
    arcs = []
    for a, b, weight in pairs:
        tail, head = (a, b) if side[a] == 0 else (b, a)
        arcs.append(flow.add_arc_with_capacity_and_unit_cost(node[tail], node[head], 1, -weight))
    flow.add_arc_with_capacity_and_unit_cost(source, sink, total, 0)
    flow.set_node_supply(source, total)
    flow.set_node_supply(sink, -total)
    status = flow.solve()
    if status != flow.OPTIMAL:  # cannot happen: the free arc always carries the whole supply
        raise RuntimeError(f"min-cost flow failed with status {status}")
    return [(a, b) for (a, b, _w), arc in zip(pairs, arcs, strict=True) if flow.flow(arc) > 0]


def _sat_matching(pairs: list[tuple[str, str, int]], caps: dict[str, int]) -> list[tuple[str, str]]:  # fmt: skip
    model = cp_model.CpModel()
    use = [model.new_bool_var(f"use{i}") for i in range(len(pairs))]
    of_person: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    for (a, b, _w), var in zip(pairs, use, strict=True):
        of_person[a].append(var)
        of_person[b].append(var)
    for person, variables in of_person.items():
        if len(variables) > caps[person]:
            model.add(sum(variables) <= caps[person])
    model.maximize(sum(w * var for (_a, _b, w), var in zip(pairs, use, strict=True)))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.max_time_in_seconds = 600.0
    if solver.solve(model) != cp_model.OPTIMAL:
        raise RuntimeError("the meeting choice was not proven optimal within 10 minutes")
    return [(a, b) for (a, b, _w), var in zip(pairs, use, strict=True) if solver.value(var)]


# ---------------------------------------------------------------------------------------------
# Scheduling: preparation (indices, slot domains, the plain-English checks)


@dataclass
class _Prepared:
    problem: ScheduleProblem
    people: list[str]  # participant index → id
    ends: list[tuple[int, int]]  # meeting index → (participant a, participant b)
    domains: list[list[int]]  # meeting index → usable slots, ascending
    of_person: list[list[int]]  # participant index → its meetings
    before: list[tuple[int, int]]  # (earlier, later) meeting indices
    least: list[int]  # participant index → fewest breaks it can have (a lower bound)


def _prepare(problem: ScheduleProblem) -> _Prepared:
    """Indices and slot domains, after checking the input (ValueError) and the obvious reasons
    there can be no schedule (Infeasible, saying who and why)."""
    n_slots, n_morning = problem.n_slots, problem.n_morning
    if n_slots < 1 or not 0 <= n_morning <= n_slots or problem.n_tables < 0:
        raise ValueError("need n_slots ≥ 1, 0 ≤ n_morning ≤ n_slots and n_tables ≥ 0")
    if problem.fairness is not None and problem.fairness < 0:
        raise ValueError("the fairness bound must be ≥ 0 (or None for no bound)")
    index: dict[str, int] = {}
    for number, meeting in enumerate(problem.meetings):
        if meeting.id in index:
            raise ValueError(f"meeting id {meeting.id} is used twice")
        index[meeting.id] = number
        if meeting.a == meeting.b:
            raise ValueError(f"meeting {meeting.id} has the same participant {meeting.a} twice")
        if meeting.session not in (MORNING, AFTERNOON, EITHER):
            raise ValueError(f"meeting {meeting.id}: session must be 1 (morning), 2 (afternoon) or 3 (either)")  # fmt: skip
        if meeting.fixed_slot is not None and not 1 <= meeting.fixed_slot <= n_slots:
            raise ValueError(f"meeting {meeting.id} is locked to slot {meeting.fixed_slot}, outside 1..{n_slots}")  # fmt: skip
    for who, slots in problem.forbidden.items():
        if not all(1 <= s <= n_slots for s in slots):
            raise ValueError(f"forbidden slots of {who} must be in 1..{n_slots}")
    people = list(dict.fromkeys([p for m in problem.meetings for p in (m.a, m.b)] + list(problem.participants)))  # fmt: skip
    person = {p: i for i, p in enumerate(people)}
    ends = [(person[m.a], person[m.b]) for m in problem.meetings]
    of_person: list[list[int]] = [[] for _ in people]
    for number, (a, b) in enumerate(ends):
        of_person[a].append(number)
        of_person[b].append(number)
    before = []
    for later, earlier_ids in sorted(problem.precedences.items()):
        for earlier in sorted(earlier_ids):
            if later not in index or earlier not in index:
                raise ValueError(f"precedence {earlier} before {later} names an unknown meeting")
            if earlier == later:
                raise Infeasible(f"meeting {later} is required to come before itself")
            before.append((index[earlier], index[later]))
    _check_cycles(problem, before)

    session_slots = {
        MORNING: range(1, n_morning + 1),
        AFTERNOON: range(n_morning + 1, n_slots + 1),
        EITHER: range(1, n_slots + 1),
    }
    empty: set[int] = set()
    domains = []
    for meeting in problem.meetings:
        blocked = problem.forbidden.get(meeting.a, empty) | problem.forbidden.get(meeting.b, empty)  # fmt: skip
        allowed = [s for s in session_slots[meeting.session] if s not in blocked]
        if meeting.fixed_slot is not None:
            if meeting.fixed_slot not in allowed:
                raise Infeasible(f"meeting {meeting.id} ({meeting.a}–{meeting.b}) is locked to slot {meeting.fixed_slot}, which its session or a participant's forbidden slots exclude")  # fmt: skip
            allowed = [meeting.fixed_slot]
        if not allowed:
            raise Infeasible(f"meeting {meeting.id} ({meeting.a}–{meeting.b}) has no usable slot: its session and the participants' forbidden slots exclude every one")  # fmt: skip
        domains.append(allowed)
    prepared = _Prepared(problem, people, ends, domains, of_person, before, [])
    _check_capacity(prepared)
    prepared.least = [_least_breaks_of(prepared, p) for p in range(len(people))]
    return prepared


def _check_cycles(problem: ScheduleProblem, before: list[tuple[int, int]]) -> None:
    after: dict[int, list[int]] = defaultdict(list)
    for earlier, later in before:
        after[earlier].append(later)
    state: dict[int, int] = {}  # 1 = on the current path, 2 = done
    for start in sorted(after):
        if start in state:
            continue
        path, stack = [start], [iter(after[start])]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                cycle = path[path.index(nxt) :] + [nxt]
                names = " before ".join(problem.meetings[m].id for m in cycle)
                raise Infeasible(f"the precedences form a cycle: {names}")
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(after[nxt]))


def _check_capacity(prepared: _Prepared) -> None:
    """Per participant, its meetings need distinct usable slots (a bipartite matching); per
    slot, its locked meetings fit the tables and nobody is locked twice."""
    problem = prepared.problem
    if len(problem.meetings) > problem.n_slots * problem.n_tables:
        raise Infeasible(f"{len(problem.meetings)} meetings do not fit {problem.n_slots} slots × {problem.n_tables} tables")  # fmt: skip
    for p, meetings in enumerate(prepared.of_person):
        who = prepared.people[p]
        for session, name in ((MORNING, "morning"), (AFTERNOON, "afternoon")):
            bound = [m for m in meetings if problem.meetings[m].session == session]
            window = {s for m in bound for s in prepared.domains[m]}
            if len(bound) > len(window):
                raise Infeasible(f"participant {who} has {len(bound)} meetings that must be in the {name} but only {len(window)} usable {name} slots")  # fmt: skip
        usable = {s for m in meetings for s in prepared.domains[m]}
        if len(meetings) > len(usable):
            forbidden = len(problem.forbidden.get(who, ()))
            raise Infeasible(f"participant {who} has {len(meetings)} meetings but only {len(usable)} usable slots ({problem.n_slots} slots, {forbidden} of them forbidden to {who}, others excluded by sessions or partners' forbidden slots)")  # fmt: skip
        if not _has_matching([prepared.domains[m] for m in meetings]):
            raise Infeasible(f"participant {who}'s {len(meetings)} meetings cannot all get different slots: sessions, forbidden slots and locks leave too few")  # fmt: skip
    locked: dict[int, list[int]] = defaultdict(list)
    for number, meeting in enumerate(problem.meetings):
        if meeting.fixed_slot is not None:
            locked[meeting.fixed_slot].append(number)
    for slot, meetings in sorted(locked.items()):
        if len(meetings) > problem.n_tables:
            raise Infeasible(f"slot {slot} has {len(meetings)} locked meetings but only {problem.n_tables} tables")  # fmt: skip
        seen: dict[int, int] = {}
        for m in meetings:
            for p in prepared.ends[m]:
                if p in seen:
                    first, second = problem.meetings[seen[p]].id, problem.meetings[m].id
                    raise Infeasible(f"participant {prepared.people[p]} has two meetings locked to slot {slot}: {first} and {second}")  # fmt: skip
                seen[p] = m


def _has_matching(domains: Sequence[Sequence[int]]) -> bool:
    """Whether every item gets a different value from its domain (augmenting paths)."""
    owner: dict[int, int] = {}

    def augment(item: int, seen: set[int]) -> bool:
        for value in domains[item]:
            if value not in seen:
                seen.add(value)
                if value not in owner or augment(owner[value], seen):
                    owner[value] = item
                    return True
        return False

    order = sorted(range(len(domains)), key=lambda i: len(domains[i]))
    return all(augment(item, set()) for item in order)


def _least_breaks_of(prepared: _Prepared, p: int) -> int:
    """``least_breaks`` for participant p: its usable and locked slots, and the morning and
    afternoon windows that its session-bound meetings need."""
    problem = prepared.problem
    domains = [prepared.domains[m] for m in prepared.of_person[p]]
    usable = {s for d in domains for s in d}
    required = {d[0] for d in domains if len(d) == 1}
    windows = []
    for window in (set(range(1, problem.n_morning + 1)), set(range(problem.n_morning + 1, problem.n_slots + 1))):  # fmt: skip
        need = sum(1 for d in domains if set(d) <= window)
        if need:
            windows.append((window, need))
    states = (len(domains) + 1) * 2 * problem.n_slots
    for _window, need in windows:
        states *= need + 1
    if states > DP_LIMIT:  # a huge day: the bound without the session windows (still valid)
        windows = []
    return least_breaks(problem.n_slots, required, usable, windows, len(domains))


def least_breaks(n_slots: int, required: set[int], usable: set[int], windows: list[tuple[set[int], int]], count: int) -> int:  # fmt: skip
    """Fewest breaks of one participant with ``count`` meetings in distinct ``usable`` slots that
    include ``required`` and put at least k meetings into each (window, k).

    A relaxation of the participant's own constraints (Hall's condition checked for the given
    windows only), hence a valid lower bound. Dynamic programming over the slots with state
    (meetings placed, meetings placed per window up to its k, busy in the previous slot) → fewest
    runs of meetings so far; breaks = runs − 1.
    """
    if count <= 1:
        return 0
    unreachable = n_slots + 1
    State = tuple[int, tuple[int, ...], bool]
    states: dict[State, int] = {(0, tuple(0 for _ in windows), False): 0}
    for slot in range(1, n_slots + 1):
        following: dict[State, int] = {}
        for (placed, reached, busy), runs in states.items():
            options = []
            if slot not in required:
                options.append(((placed, reached, False), runs))
            if slot in usable and placed < count:
                grown = tuple(min(r + (slot in w), k) for r, (w, k) in zip(reached, windows, strict=True))  # fmt: skip
                options.append(((placed + 1, grown, True), runs + (not busy)))
            for key, value in options:
                if following.get(key, unreachable) > value:
                    following[key] = value
        states = following
    goal = tuple(k for _w, k in windows)
    best = min((runs for (placed, reached, _b), runs in states.items() if placed == count and reached == goal), default=unreachable)  # fmt: skip
    return max(best - 1, 0) if best < unreachable else 0


def _block_starts(prepared: _Prepared, p: int) -> list[int]:
    """First slots f such that p's meetings can fill f..f+n−1 exactly (each in its domain, all
    different: a matching) — the places where p could sit without a break."""
    meetings = prepared.of_person[p]
    n = len(meetings)
    starts = []
    for first in range(1, prepared.problem.n_slots - n + 2):
        window = range(first, first + n)
        if _has_matching([[s for s in prepared.domains[m] if s in window] for m in meetings]):
            starts.append(first)
    return starts


def _clusters(prepared: _Prepared) -> list[list[int]]:
    """Meetings grouped so that each group shares a participant (at most one of them per slot):
    greedily, the participant with most meetings not yet grouped takes them all."""
    left = set(range(len(prepared.ends)))
    clusters = []
    while left:
        best = max(range(len(prepared.people)), key=lambda p: (len(left.intersection(prepared.of_person[p])), -p))  # fmt: skip
        group = sorted(left.intersection(prepared.of_person[best]))
        clusters.append(group)
        left.difference_update(group)
    return clusters


# ---------------------------------------------------------------------------------------------
# Scheduling: the model and the solve


def schedule(problem: ScheduleProblem, *, time_limit: float = 10.0, workers: int = 2, warm_start: bool = True, backend: str = "auto") -> Schedule:  # fmt: skip
    """The schedule with fewest breaks (``optimal`` when proven within ``time_limit`` seconds,
    which bounds the whole call), or Infeasible saying why there is none.

    ``backend``: "auto" solves as MaxSAT (``maxsat.py``, RC2) when python-sat is installed,
    the problem has no precedences and at most ``MAXSAT_MAX_MEETINGS`` meetings, falling back
    to CP-SAT when that finds no schedule in half the time (or none exists: CP-SAT then says
    why); "cpsat" is CP-SAT only, "maxsat" MaxSAT
    only (ValueError when it cannot be used). ``warm_start=False`` leaves out the local search
    before CP-SAT (the benchmark's baseline)."""
    started = time.monotonic()
    if backend not in ("auto", "cpsat", "maxsat"):
        raise ValueError(f"backend must be auto, cpsat or maxsat, got {backend!r}")
    prepared = _prepare(problem)
    _check_fairness(prepared)
    if backend != "cpsat":
        usable = maxsat.available() and maxsat.supported(prepared)
        if backend == "maxsat" and not usable:
            raise ValueError("the MaxSAT backend needs python-sat and a problem without precedences")  # fmt: skip
        if usable and (backend == "maxsat" or len(problem.meetings) <= MAXSAT_MAX_MEETINGS):
            found = _maxsat(prepared, started, time_limit, workers, alone=backend == "maxsat")
            if found is not None:
                return found
            if backend == "maxsat":
                raise Infeasible(f"MaxSAT found no schedule within {time_limit:g} s")
    seconds = min(WARM_START_SECONDS, WARM_START_SHARE * time_limit) if warm_start else 0.0
    warm = _warm_start(prepared, seconds)
    warm_at = time.monotonic() - started
    model = _Model(prepared)
    if warm is not None:  # where the search starts: CP-SAT repairs or improves it
        for m, row in enumerate(model.x):
            for s, var in row.items():
                model.model.add_hint(var, s == warm[0][m])
    solver = _solver(time_limit - (time.monotonic() - started) - STOP_MARGIN, workers)
    clock = _Clock(started)
    status = solver.solve(model.model, clock)
    solved = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    if solved and (warm is None or round(solver.objective_value) <= warm[1]):
        slots = {
            problem.meetings[m].id: next(s for s, var in row.items() if solver.value(var))
            for m, row in enumerate(model.x)
        }
        result = _finish(prepared, slots, optimal=status == cp_model.OPTIMAL)
        result.found_after = clock.last or time.monotonic() - started
        return result
    if warm is None:
        raise Infeasible(_why_not(prepared, status, time_limit))
    slots = {meeting.id: warm[0][m] for m, meeting in enumerate(problem.meetings)}
    bound = solver.best_objective_bound if solved else 0.0
    result = _finish(prepared, slots, optimal=bound >= warm[1])
    result.found_after = warm_at
    return result


def _maxsat(prepared: _Prepared, started: float, time_limit: float, workers: int, *, alone: bool) -> Schedule | None:  # fmt: skip
    """The MaxSAT backend's schedule, or None when it found none (in half the time, unless it
    is the only backend)."""
    offset = time.monotonic() - started
    seconds = time_limit - offset - STOP_MARGIN
    result = maxsat.solve(prepared, seconds, workers=workers, give_up=None if alone else MAXSAT_SHARE * time_limit)  # fmt: skip
    if result.slots is None:
        return None
    slots = {meeting.id: result.slots[m] for m, meeting in enumerate(prepared.problem.meetings)}
    found = _finish(prepared, slots, optimal=result.optimal)
    found.found_after = offset + result.found_after
    return found


def _warm_start(prepared: _Prepared, seconds: float) -> tuple[list[int], int] | None:
    """A good valid schedule from local search (``warmstart.py``), or None. It does not model
    precedences, and the fairness bound only as "at most d breaks each" (when someone has none,
    which is when that is what the bound means); a result that breaks the bound is dropped."""
    problem = prepared.problem
    if prepared.before or len(problem.meetings) < 2 or seconds <= 0:
        return None
    someone_free = any(len(m) <= 1 for m in prepared.of_person)
    cap = problem.fairness if someone_free else None
    found = warmstart.warm_start(
        problem.n_slots, problem.n_tables, prepared.domains, prepared.ends, len(prepared.people),
        cap=cap, seconds=seconds, target=sum(prepared.least),
    )  # fmt: skip
    if found is None:
        return None
    if problem.fairness is not None and not someone_free:
        slots = {meeting.id: found[0][m] for m, meeting in enumerate(problem.meetings)}
        counts = _finish(prepared, slots, optimal=False).breaks_by_participant.values()
        if max(counts) - min(counts) > problem.fairness:
            return None
    return found


class _Clock(cp_model.CpSolverSolutionCallback):
    """Notes when the latest (best) solution arrived."""

    def __init__(self, started: float) -> None:
        super().__init__()
        self.started = started
        self.last = 0.0

    def on_solution_callback(self) -> None:
        self.last = time.monotonic() - self.started


def _solver(seconds: float, workers: int) -> cp_model.CpSolver:
    """Two full searches side by side: core-guided (lower bound, MaxSAT-style) and plain CDCL
    without LP (solutions from above); more workers add LP-based and restart-heavy searches."""
    solver = cp_model.CpSolver()
    parameters = solver.parameters
    parameters.max_time_in_seconds = max(seconds, 0.05)
    parameters.num_workers = max(1, workers)
    parameters.linearization_level = 0
    parameters.random_seed = 1
    full = ["core", "no_lp", "max_lp", "quick_restart_no_lp", "default_lp"]
    if workers <= 1:
        parameters.interleave_search = True
        parameters.subsolvers.extend(full[:2])
    else:
        count = 2 if workers == 2 else min(len(full), workers - 1)  # the rest run LNS
        parameters.subsolvers.extend(full[:count])
        parameters.num_full_subsolvers = count
    return solver


def _check_fairness(prepared: _Prepared) -> None:
    """With a participant who never has a break, the bound d caps everyone's breaks at d: say
    who cannot stay within it (forbidden slots or sessions force their breaks)."""
    bound = prepared.problem.fairness
    if bound is None or not any(len(m) <= 1 for m in prepared.of_person):
        return
    over = [(prepared.people[p], need) for p, need in enumerate(prepared.least) if need > bound]
    if over:
        who = ", ".join(f"{p} needs at least {need}" for p, need in over)
        raise Infeasible(f"the fairness bound allows at most {bound} breaks per participant (someone has none), but forbidden slots and sessions force more: {who}")  # fmt: skip


def _why_not(prepared: _Prepared, status: cp_model.CpSolverStatus, time_limit: float) -> str:
    problem = prepared.problem
    if status != cp_model.INFEASIBLE:
        return f"no schedule found within the time limit of {time_limit:g} s (not proven impossible); allow more time"  # fmt: skip
    if problem.fairness is not None:
        loose = _Model(prepared, fairness=False, objective=False)
        solver = _solver(min(time_limit, 10.0), 2)
        if solver.solve(loose.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return f"no schedule keeps every two participants' breaks within {problem.fairness} of each other; loosen the fairness bound"  # fmt: skip
    return f"no schedule satisfies every constraint together ({len(problem.meetings)} meetings, {problem.n_slots} slots × {problem.n_tables} tables, sessions, forbidden slots, locks, precedences); add slots or tables, or unlock meetings"  # fmt: skip


class _Model:
    """The CP-SAT model; ``x[m][s]`` is "meeting m in slot s" for the slots in its domain."""

    def __init__(self, prepared: _Prepared, *, objective: bool = True, fairness: bool = True) -> None:  # fmt: skip
        self.prepared = prepared
        problem = prepared.problem
        model = self.model = cp_model.CpModel()
        self.true = model.new_constant(1)
        self.x: list[dict[int, cp_model.IntVar]] = []
        for m, domain in enumerate(prepared.domains):
            row = {s: model.new_bool_var(f"x{m}_{s}") for s in domain}
            model.add_exactly_one(row.values())
            self.x.append(row)
        self._tables()
        for earlier, later in prepared.before:
            model.add(self._slot(earlier) + 1 <= self._slot(later))

        breaks: list[cp_model.LinearExprT] = []
        busy_in: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for p, meetings in enumerate(prepared.of_person):
            busy: dict[int, cp_model.IntVar] = {}
            for s in range(1, problem.n_slots + 1):
                here = [self.x[m][s] for m in meetings if s in self.x[m]]
                if len(here) == 1:
                    busy[s] = here[0]
                elif here:
                    busy[s] = model.new_bool_var(f"busy{p}_{s}")
                    model.add(sum(here) == busy[s])
                if here:
                    busy_in[s].append(busy[s])
            if len(meetings) <= 1:
                breaks.append(0)
                continue
            model.add(sum(busy.values()) == len(meetings))
            holes = self._breaks(p, busy)
            if prepared.least[p]:
                model.add(sum(holes) >= prepared.least[p])
            breaks.append(sum(holes))
        for s, variables in busy_in.items():  # twice the slot's meetings: even, ≤ 2 × tables
            pairs = model.new_int_var(0, min(problem.n_tables, len(variables) // 2), f"pairs{s}")
            model.add(sum(variables) == 2 * pairs)
        self.breaks = breaks
        if fairness and problem.fairness is not None and len(breaks) > 1:
            if any(len(m) <= 1 for m in prepared.of_person):  # someone has 0 breaks
                for b in breaks:
                    model.add(b <= problem.fairness)
            else:
                fewest = model.new_int_var(0, problem.n_slots, "fewest_breaks")
                for b in breaks:
                    model.add(b >= fewest)
                    model.add(b <= fewest + problem.fairness)
        if objective:
            model.minimize(sum(breaks))

    def _tables(self) -> None:
        """At most n_tables meetings per slot: linear, and as a totalizer over clusters."""
        prepared, model = self.prepared, self.model
        tables = prepared.problem.n_tables
        clusters = _clusters(prepared)
        for s in range(1, prepared.problem.n_slots + 1):
            variables = [row[s] for row in self.x if s in row]
            if len(variables) <= tables:
                continue
            model.add(sum(variables) <= tables)
            counted = []
            for group in clusters:
                here = [self.x[m][s] for m in group if s in self.x[m]]
                if len(here) == 1:
                    counted.append(here[0])
                elif here:
                    any_of = model.new_bool_var(f"cluster_{group[0]}_{s}")
                    for var in here:
                        model.add_implication(var, any_of)
                    counted.append(any_of)
            if tables < len(counted) and len(counted) * (tables + 1) <= TOTALIZER_LIMIT:
                _at_most(model, counted, tables)

    def _breaks(self, p: int, busy: dict[int, cp_model.IntVar]) -> list[cp_model.IntVar]:
        """The literals "a break of p ends in slot s" (busy at s, idle at s − 1, a meeting
        before s − 1), exactly; plus "no break" ⇒ p's block covers its compulsory slots and
        stays within its envelope."""
        model, true = self.model, self.true
        started: dict[int, cp_model.IntVar] = {}  # a meeting at or before s
        previous: cp_model.IntVar | None = None
        for s in range(min(busy), max(busy) + 1):
            if s in busy:
                if previous is None:
                    previous = busy[s]
                else:
                    now = model.new_bool_var(f"started{p}_{s}")
                    model.add_bool_or([~now, previous, busy[s]])
                    model.add_implication(previous, now)
                    model.add_implication(busy[s], now)
                    previous = now
            if previous is not None:
                started[s] = previous
        holes = []
        for s, here in busy.items():
            if s - 2 not in started:
                continue
            idle_before = ~busy[s - 1] if s - 1 in busy else true
            hole = model.new_bool_var(f"break_end{p}_{s}")
            model.add_bool_or([~here, ~idle_before, ~started[s - 2], hole])
            model.add_implication(hole, here)
            model.add_implication(hole, idle_before)
            model.add_implication(hole, started[s - 2])
            holes.append(hole)
        if not holes:
            return holes
        tight = model.new_bool_var(f"no_break{p}")
        model.add_bool_or([tight, *holes])
        for hole in holes:
            model.add_implication(tight, ~hole)
        starts = _block_starts(self.prepared, p)
        if not starts:
            model.add(tight == 0)
            return holes
        n = len(self.prepared.of_person[p])
        always = set(range(starts[-1], starts[0] + n))
        ever = set(range(starts[0], starts[-1] + n))
        for s, here in busy.items():
            if s in always:
                model.add_implication(tight, here)
            elif s not in ever:
                model.add_implication(tight, ~here)
        return holes

    def _slot(self, m: int) -> cp_model.LinearExprT:
        return sum(s * var for s, var in self.x[m].items())


def _at_most(model: cp_model.CpModel, literals: list[cp_model.IntVar], k: int) -> None:
    """At most k of ``literals`` true, as a totalizer: a tree of unary counters (output i true
    when at least i + 1 inputs below are), cut at k + 1, whose (k+1)-th output is false. Only the
    upward clauses are needed for an upper bound."""

    def count(items: list[cp_model.IntVar]) -> list[cp_model.IntVar]:
        if len(items) == 1:
            return items
        left, right = count(items[: len(items) // 2]), count(items[len(items) // 2 :])
        size = min(len(left) + len(right), k + 1)
        out = [model.new_bool_var("") for _ in range(size)]
        for i in range(len(left) + 1):
            for j in range(len(right) + 1):
                if 0 < i + j <= size:
                    premise = ([left[i - 1]] if i else []) + ([right[j - 1]] if j else [])
                    model.add_bool_or([*(~q for q in premise), out[i + j - 1]])
        for higher, lower in zip(out[1:], out, strict=False):
            model.add_implication(higher, lower)
        return out

    outputs = count(list(literals))
    if len(outputs) > k:
        model.add(outputs[k] == 0)


def _finish(prepared: _Prepared, slots: dict[str, int], *, optimal: bool) -> Schedule:
    """Tables in meeting order within each slot (any order fits: ≤ n_tables per slot), and the
    breaks counted from the slots themselves."""
    problem = prepared.problem
    tables: dict[str, int] = {}
    used: dict[int, int] = defaultdict(int)
    for meeting in problem.meetings:
        used[slots[meeting.id]] += 1
        tables[meeting.id] = used[slots[meeting.id]]
    by_person: dict[str, list[int]] = {p: [] for p in prepared.people}
    for meeting in problem.meetings:
        by_person[meeting.a].append(slots[meeting.id])
        by_person[meeting.b].append(slots[meeting.id])
    breaks = {p: count_breaks(s) for p, s in by_person.items()}
    return Schedule(slots, tables, sum(breaks.values()), optimal, breaks)
