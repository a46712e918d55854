"""Matchmaking-event schedules: which meetings to hold, then when and at which table.

``choose_meetings`` picks the meetings: the pairs of largest total mutual interest such that
nobody gets more meetings than their cap (the slots they are available) — a maximum-weight
b-matching, solved exactly as a min-cost flow when the pairs form a bipartite graph (SMEs ×
providers) and with CP-SAT otherwise.

``schedule`` places the meetings into slots and tables — the Business-to-Business Meeting
Scheduling Problem of Bofill et al. (JAIR 74, 2022): nobody in two meetings at once, at most
``n_tables`` meetings per slot, forbidden slots, morning/afternoon sessions, locked (fixed)
meetings and precedences respected, and the total number of *breaks* minimal, where a break is a
gap between two consecutive meetings of a participant (a run of idle slots counts once). The
fairness bound d asks every two participants' break counts to differ by at most d; as in the
paper's model it ranges over all participants, including those with no or one meeting (who
never have a break) — so with such a participant it means "nobody has more than d breaks".

The model is CP-SAT over booleans "meeting m in slot s", with, per participant, booleans "busy
in slot s" and "a run of meetings starts in slot s": breaks = runs − 1. What makes it fast are
implied constraints the solver would not find on its own (as the paper's imp1/imp2 are for
MaxSAT): each participant's least possible number of breaks given their usable slots and
sessions (a small dynamic program), and the ordering of interchangeable meetings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

MORNING, AFTERNOON, EITHER = 1, 2, 3
import os
FEATURES = set(os.environ.get("FEATURES", "").split(","))


def _independent(prepared: "_Prepared") -> set[int]:
    """Greedy: participants with most meetings first, no two meeting each other."""
    chosen: set[int] = set()
    blocked: set[int] = set()
    partners: dict[int, set[int]] = defaultdict(set)
    for a, b in prepared.ends:
        partners[a].add(b)
        partners[b].add(a)
    for p in sorted(range(len(prepared.people)), key=lambda p: -len(prepared.of_person[p])):
        if p not in blocked:
            chosen.add(p)
            blocked |= partners[p]
    return chosen


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
    # Participants without meetings: they have 0 breaks and count for fairness, as in the paper
    # (its files list every participant, also those left without a meeting).
    participants: list[str] = field(default_factory=list)


@dataclass
class Schedule:
    slots: dict[str, int]  # meeting id → slot (1-based)
    tables: dict[str, int]  # meeting id → table (1-based), no two meetings share a table in a slot
    breaks: int
    optimal: bool  # proven optimal within the time limit
    breaks_by_participant: dict[str, int]


def count_breaks(slots_of_participant: Iterable[int]) -> int:
    """Gaps between consecutive meetings: a run of idle slots counts once."""
    ordered = sorted(set(slots_of_participant))
    return sum(1 for before, after in zip(ordered, ordered[1:], strict=False) if after > before + 1)


# ---------------------------------------------------------------------------------------------
# Preparation: indices, domains and the plain-English checks


@dataclass
class _Prepared:
    problem: ScheduleProblem
    people: list[str]  # participant index → id
    ends: list[tuple[int, int]]  # meeting index → (participant a, participant b)
    domains: list[list[int]]  # meeting index → usable slots, ascending
    of_person: list[list[int]]  # participant index → its meetings
    before: list[tuple[int, int]]  # (earlier, later) meeting indices


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
    for later, earlier_ids in problem.precedences.items():
        for earlier in sorted(earlier_ids):
            if later not in index or earlier not in index:
                raise ValueError(f"precedence {earlier} before {later} names an unknown meeting")
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
    prepared = _Prepared(problem, people, ends, domains, of_person, before)
    _check_capacity(prepared)
    return prepared


def _check_cycles(problem: ScheduleProblem, before: list[tuple[int, int]]) -> None:
    after: dict[int, list[int]] = defaultdict(list)
    for earlier, later in before:
        after[earlier].append(later)
    state: dict[int, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: int, path: list[int]) -> None:
        state[node] = 1
        for nxt in after[node]:
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt) :] + [nxt] if nxt in path else [node, nxt]
                names = " before ".join(problem.meetings[m].id for m in cycle)
                raise Infeasible(f"the precedences form a cycle: {names}")
            if nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for start in sorted(after):
        if start not in state:
            visit(start, [start])


def _check_capacity(prepared: _Prepared) -> None:
    """Per participant, its meetings need distinct usable slots (a bipartite matching); per
    slot, its locked meetings fit the tables and nobody is locked twice."""
    problem = prepared.problem
    n_morning = problem.n_morning
    for p, meetings in enumerate(prepared.of_person):
        who = prepared.people[p]
        usable = set().union(*(prepared.domains[m] for m in meetings)) if meetings else set()
        if len(meetings) > len(usable):
            forbidden = len(problem.forbidden.get(who, ()))
            raise Infeasible(f"participant {who} has {len(meetings)} meetings but only {len(usable)} usable slots ({problem.n_slots} slots, {forbidden} forbidden to them, the rest excluded by sessions or partners)")  # fmt: skip
        for session, name in ((MORNING, "morning"), (AFTERNOON, "afternoon")):
            bound = [m for m in meetings if problem.meetings[m].session == session]
            window = {s for m in bound for s in prepared.domains[m]}
            if len(bound) > len(window):
                raise Infeasible(f"participant {who} has {len(bound)} meetings that must be in the {name} but only {len(window)} usable {name} slots")  # fmt: skip
        if not _has_matching([prepared.domains[m] for m in meetings]):
            raise Infeasible(f"participant {who}'s {len(meetings)} meetings cannot all get different slots: their partners' forbidden slots, sessions and locks leave too few")  # fmt: skip
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
    _ = n_morning


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

    return all(augment(item, set()) for item in sorted(range(len(domains)), key=lambda i: len(domains[i])))  # fmt: skip


def _participant_bound(prepared: _Prepared, p: int) -> int:
    """``least_breaks`` for participant p: its usable slots, locked slots, and the morning and
    afternoon windows its session-bound meetings need."""
    problem = prepared.problem
    meetings = prepared.of_person[p]
    domains = [prepared.domains[m] for m in meetings]
    usable = set().union(*domains) if domains else set()
    required = {d[0] for d in domains if len(d) == 1}
    morning = set(range(1, problem.n_morning + 1))
    afternoon = set(range(problem.n_morning + 1, problem.n_slots + 1))
    windows = []
    for window in (morning, afternoon):
        k = sum(1 for d in domains if set(d) <= window)
        if k:
            windows.append((window, k))
    return least_breaks(problem.n_slots, required, usable, windows, len(meetings))


def least_breaks(n_slots: int, required: set[int], usable: set[int], windows: list[tuple[set[int], int]], count: int) -> int:  # fmt: skip
    """Fewest breaks of one participant with ``count`` meetings in distinct ``usable`` slots
    that include ``required`` and put at least k meetings into each (window, k): a relaxation of
    the participant's own constraints (Hall's condition for the given windows only), so a valid
    lower bound. A dynamic program over slots with state (meetings placed, per window meetings
    placed up to k, busy in the previous slot), at most a few thousand states."""
    if count <= 1:
        return 0
    infinity = n_slots + 1
    # state: (placed, tuple(min(in window w, k_w)), previous busy) → fewest runs so far
    states: dict[tuple[int, tuple[int, ...], bool], int] = {(0, tuple(0 for _ in windows), False): 0}  # fmt: skip
    for slot in range(1, n_slots + 1):
        nxt: dict[tuple[int, tuple[int, ...], bool], int] = {}
        for (placed, reached, busy), runs in states.items():
            options = []
            if slot not in required:
                options.append((placed, reached, False, runs))
            if slot in usable and placed < count:
                grown = tuple(min(r + (slot in w), k) for r, (w, k) in zip(reached, windows, strict=True))  # fmt: skip
                options.append((placed + 1, grown, True, runs + (not busy)))
            for placed2, reached2, busy2, runs2 in options:
                key = (placed2, reached2, busy2)
                if nxt.get(key, infinity) > runs2:
                    nxt[key] = runs2
        states = nxt
    goal = tuple(k for _w, k in windows)
    best = min((runs for (placed, reached, _b), runs in states.items() if placed == count and reached == goal), default=infinity)  # fmt: skip
    return max(best - 1, 0) if best < infinity else 0


# ---------------------------------------------------------------------------------------------
# The model


def schedule(problem: ScheduleProblem, *, time_limit: float = 10.0, workers: int = 2) -> Schedule:
    """The schedule with fewest breaks (proven optimal when ``optimal``), or Infeasible."""
    prepared = _prepare(problem)
    model = _Model(prepared)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.max_time_in_seconds = max(time_limit, 0.01)
    solver.parameters.random_seed = 1
    status = solver.solve(model.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise Infeasible(_why_not(prepared, status, time_limit))
    return model.read(solver, optimal=status == cp_model.OPTIMAL)


def _why_not(prepared: _Prepared, status: int, time_limit: float) -> str:
    problem = prepared.problem
    if status != cp_model.INFEASIBLE:
        return f"no schedule found within the time limit of {time_limit:g} s (not proven impossible); allow more time"  # fmt: skip
    if problem.fairness is not None:
        loose = ScheduleProblem(
            problem.n_slots, problem.n_morning, problem.n_tables, problem.meetings,
            problem.forbidden, problem.precedences, None, problem.participants,
        )  # fmt: skip
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = 5.0
        if solver.solve(_Model(_prepare(loose), objective=False).model) in (cp_model.OPTIMAL, cp_model.FEASIBLE):  # fmt: skip
            return f"no schedule keeps every two participants' breaks within {problem.fairness} of each other; loosen the fairness bound"  # fmt: skip
    return f"no schedule satisfies every constraint together ({len(problem.meetings)} meetings, {problem.n_slots} slots × {problem.n_tables} tables, sessions, forbidden slots, locks, precedences); add slots or tables, or unlock meetings"  # fmt: skip


class _Model:
    def __init__(self, prepared: _Prepared, *, objective: bool = True) -> None:
        self.prepared = prepared
        problem = prepared.problem
        model = self.model = cp_model.CpModel()
        n_slots = problem.n_slots
        self.x: list[dict[int, cp_model.IntVar]] = []
        for m, domain in enumerate(prepared.domains):
            row = {s: model.new_bool_var(f"x{m}_{s}") for s in domain}
            model.add_exactly_one(row.values())
            self.x.append(row)
        by_slot: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for row in self.x:
            for s, var in row.items():
                by_slot[s].append(var)
        for s, variables in by_slot.items():
            if len(variables) > problem.n_tables:
                model.add(sum(variables) <= problem.n_tables)
        for earlier, later in prepared.before:
            model.add(self._slot(earlier) + 1 <= self._slot(later))

        breaks: list[cp_model.LinearExprT] = []
        self.holes: list[list[cp_model.IntVar]] = []
        self.blocks: list[tuple[int, cp_model.IntervalVar]] = []
        self.true = model.new_constant(1)
        busy_in: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for p, meetings in enumerate(prepared.of_person):
            busy: dict[int, cp_model.IntVar] = {}
            for s in range(1, n_slots + 1):
                here = [self.x[m][s] for m in meetings if s in self.x[m]]
                if len(here) == 1:
                    busy[s] = here[0]
                elif here:
                    busy[s] = model.new_bool_var(f"busy{p}_{s}")
                    model.add(sum(here) == busy[s])
            for s, var in busy.items():
                busy_in[s].append(var)
            if len(meetings) <= 1:
                breaks.append(0)
                self.holes.append([])
                continue
            model.add(sum(busy.values()) == len(meetings))
            holes = self._participant(p, busy)
            self.holes.append(holes)
            breaks.append(sum(holes))
            bound = _participant_bound(prepared, p)
            if bound:
                model.add(sum(holes) >= bound)
        if "cumul" in FEATURES or "cumul1" in FEATURES:
            capacity = 2 * problem.n_tables if "cumul" in FEATURES else problem.n_tables
            chosen = self.blocks if "cumul" in FEATURES else [b for b in self.blocks if b[0] in _independent(prepared)]
            if chosen:
                model.add_cumulative([iv for _p, iv in chosen], [1] * len(chosen), capacity)
        # Implied: the busy participants of a slot are twice its meetings (even, ≤ 2 × tables).
        for s, variables in busy_in.items():
            pairs = model.new_int_var(0, min(problem.n_tables, len(variables) // 2), f"pairs{s}")
            model.add(sum(variables) == 2 * pairs)
        self.breaks = breaks
        if problem.fairness is not None and len(breaks) > 1:
            low = model.new_int_var(0, n_slots, "fewest_breaks")
            for b in breaks:
                model.add(b >= low)
                model.add(b <= low + problem.fairness)
        if objective:
            model.minimize(sum(breaks))

    def _participant(self, p: int, busy: dict[int, cp_model.IntVar]) -> list[cp_model.IntVar]:
        model = self.model
        true = self.true
        n = len(self.prepared.of_person[p])
        lo, hi = min(busy), max(busy)
        started: dict[int, cp_model.IntVar] = {}
        previous = None
        for s in range(lo, hi + 1):
            if s not in busy:
                started[s] = previous
                continue
            if previous is None:
                started[s] = busy[s]
            else:
                now = model.new_bool_var(f"started{p}_{s}")
                model.add_bool_or([~now, previous, busy[s]])
                model.add_implication(previous, now)
                model.add_implication(busy[s], now)
                started[s] = now
            previous = started[s]
        holes = []
        for s in busy:
            if s - 2 not in started:
                continue
            idle_before = ~busy[s - 1] if s - 1 in busy else true
            hole = model.new_bool_var(f"hole_end{p}_{s}")
            model.add_bool_or([~busy[s], ~idle_before, ~started[s - 2], hole])
            model.add_implication(hole, busy[s])
            model.add_implication(hole, idle_before)
            model.add_implication(hole, started[s - 2])
            holes.append(hole)
        if "first" not in FEATURES:
            return holes
        pending: dict[int, cp_model.IntVar] = {}
        following = None
        for s in range(hi, lo - 1, -1):
            if s not in busy:
                pending[s] = following
                continue
            if following is None:
                pending[s] = busy[s]
            else:
                now = model.new_bool_var(f"pending{p}_{s}")
                model.add_bool_or([~now, following, busy[s]])
                model.add_implication(following, now)
                model.add_implication(busy[s], now)
                pending[s] = now
            following = pending[s]
        first = model.new_int_var(lo, hi, f"first{p}")
        last = model.new_int_var(lo, hi, f"last{p}")
        for s in range(lo, hi):
            model.add(first <= s).only_enforce_if(started[s])
            model.add(first >= s + 1).only_enforce_if(~started[s])
        for s in range(lo + 1, hi + 1):
            model.add(last >= s).only_enforce_if(pending[s])
            model.add(last <= s - 1).only_enforce_if(~pending[s])
        model.add(last - first + 1 >= n)
        tight = model.new_bool_var(f"tight{p}")  # no break
        if holes:
            model.add_bool_or([tight, *holes])
            for h in holes:
                model.add_implication(tight, ~h)
        else:
            model.add(tight == 1)
        model.add(last - first + 1 == n).only_enforce_if(tight)
        model.add(last - first + 1 >= n + 1).only_enforce_if(~tight)
        for s in range(lo, hi + 1):
            if s in busy:
                model.add_bool_or([~tight, ~started[s], ~pending[s], busy[s]])
        self.blocks.append((p, model.new_optional_fixed_size_interval_var(first, n, tight, f"block{p}")))
        return holes

    def _slot(self, m: int) -> cp_model.LinearExprT:
        return sum(s * var for s, var in self.x[m].items())

    def read(self, solver: cp_model.CpSolver, *, optimal: bool) -> Schedule:
        prepared = self.prepared
        problem = prepared.problem
        slots = {}
        for m, row in enumerate(self.x):
            slots[problem.meetings[m].id] = next(s for s, var in row.items() if solver.value(var))
        return _finish(prepared, slots, optimal=optimal)


def _finish(prepared: _Prepared, slots: dict[str, int], *, optimal: bool) -> Schedule:
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
