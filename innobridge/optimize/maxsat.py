"""The meeting schedule as weighted MaxSAT, solved core-guided by RC2 (python-sat), two
configurations side by side in worker processes.

Why: on the hardest benchmark days CP-SAT proves the optimal break count but does not find a
schedule with it within 10 s (17 breaks against an optimum of 6), and neither does local search.
The paper's best method (Bofill et al., JAIR 2022) is MaxSAT with implied constraints; RC2 with
CaDiCaL on the encoding below finds and proves the optimum of all 20 benchmark instances, the two
hardest in 5–8 s. Core-guided search finds its first schedule without breaks beyond the bound
only when the bound reaches the optimum, so every model an intermediate SAT call returns is
decoded too: the best one is the answer when the time runs out.

The encoding (the CP-SAT model's, in clauses):

- ``x[m][s]``: meeting m in slot s, for the slots of its domain; exactly one per meeting;
- ``busy[p][s]`` ⇔ some meeting of p in s, at most one of them; p's busy slots number exactly its
  meetings (the paper's imp1);
- per slot, the busy participants at most 2 × tables (imp2), and the meetings at most the tables,
  counted over "clusters" (all meetings of one participant, who holds at most one per slot);
- ``started[p][s]``: a meeting of p at or before s; ``hole[p][s]``: a break of p ends in s (busy
  in s, idle in s − 1, started by s − 2); "no break" ⇒ the compulsory part and the envelope of p's
  block (as in ``schedule.py``);
- per participant a totalizer over its holes (unary break count, upward clauses; both ways when
  the fairness bound is relative); the soft clauses are "fewer than i breaks" for every i, so
  the cost is the total number of breaks and cores are sets of participants, not of slots (which
  made RC2 about twice as fast as one soft clause per hole).

Fairness: with a participant who never has a break (someone with 0 or 1 meetings), "at most d
breaks each"; otherwise a unary "fewest breaks" f with f ≤ breaks_p ≤ f + d. Precedences are not
encoded (``supported`` says so): the caller uses CP-SAT for those.

python-sat is an optional dependency, imported lazily (``available``).
"""

from __future__ import annotations

import multiprocessing
import queue
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from innobridge.optimize.schedule import _Prepared

# (SAT solver, CaDiCaL options): on the two hardest instances the first took 5.5 / 6.9 s and the
# second 5.3 / 13.7 s alone; CaDiCaL 1.9.5 with defaults 11.4 / 7.6, Glucose 4 14.5 / 9.6.
CONFIGS: list[tuple[str, dict[str, int]]] = [("cadical153", {}), ("cadical195", {"stabilizeonly": 1})]  # fmt: skip
SMALL_AMO = 7  # at-most-one over fewer literals: pairwise clauses; otherwise a sequential counter


def available() -> bool:
    """Whether python-sat (with RC2 and CaDiCaL) can be imported, and this process may start the
    solver process (a daemonic one, e.g. a Celery prefork worker, may not have children)."""
    if multiprocessing.current_process().daemon:
        return False
    try:
        from pysat.examples.rc2 import RC2  # noqa: F401
        from pysat.solvers import Solver  # noqa: F401
    except ImportError:
        return False
    return True


def supported(prepared: _Prepared) -> bool:
    """Whether the encoding covers the problem (everything but precedences)."""
    return not prepared.before


@dataclass
class Encoding:
    hard: list[list[int]]
    soft: list[int]  # literals, each to be false (weight 1); the cost is the total breaks
    x: list[dict[int, int]]  # meeting → slot → variable
    top: int  # the largest variable


class _Pool:
    def __init__(self) -> None:
        self.top = 0

    def new(self) -> int:
        self.top += 1
        return self.top


def encode(prepared: _Prepared) -> Encoding:
    """The clauses described in the module docstring."""
    from pysat.card import CardEnc, EncType, ITotalizer

    from innobridge.optimize.schedule import _block_starts, _clusters

    problem = prepared.problem
    n_slots, tables = problem.n_slots, problem.n_tables
    pool = _Pool()
    hard: list[list[int]] = []
    soft: list[int] = []

    def at_most_one(literals: list[int]) -> None:
        if len(literals) < SMALL_AMO:
            hard.extend([-a, -b] for i, a in enumerate(literals) for b in literals[i + 1 :])
        else:
            hard.extend(_card(CardEnc.atmost(literals, 1, top_id=pool.top, encoding=EncType.seqcounter), pool))  # fmt: skip

    x: list[dict[int, int]] = []
    for domain in prepared.domains:
        row = {s: pool.new() for s in domain}
        x.append(row)
        hard.append(list(row.values()))
        at_most_one(list(row.values()))

    someone_free = any(len(m) <= 1 for m in prepared.of_person)
    bound = problem.fairness
    relative = bound is not None and not someone_free
    counters: list[list[int]] = []  # participant → unary break count (relative fairness only)
    busy_in: dict[int, list[int]] = {s: [] for s in range(1, n_slots + 1)}
    for p, meetings in enumerate(prepared.of_person):
        busy: dict[int, int] = {}
        for s in range(1, n_slots + 1):
            here = [x[m][s] for m in meetings if s in x[m]]
            if not here:
                continue
            busy[s] = var = pool.new()
            hard.append([-var, *here])
            hard.extend([-v, var] for v in here)
            if len(here) > 1:
                at_most_one(here)
            busy_in[s].append(var)
        if len(meetings) <= 1:
            counters.append([])
            continue
        hard.extend(_card(CardEnc.equals(list(busy.values()), len(meetings), top_id=pool.top, encoding=EncType.seqcounter), pool))  # fmt: skip
        started: dict[int, int] = {}
        previous: int | None = None
        for s in range(min(busy), max(busy) + 1):
            if s in busy:
                if previous is None:
                    previous = busy[s]
                else:
                    now = pool.new()
                    hard.extend([[-now, previous, busy[s]], [-previous, now], [-busy[s], now]])
                    previous = now
            if previous is not None:
                started[s] = previous
        holes = []
        for s, busy_now in busy.items():
            if s - 2 not in started:
                continue
            hole = pool.new()
            idle_before = [busy[s - 1]] if s - 1 in busy else []
            hard.append([-busy_now, *idle_before, -started[s - 2], hole])
            hard.extend([[-hole, busy_now], [-hole, started[s - 2]]])
            if s - 1 in busy:
                hard.append([-hole, -busy[s - 1]])
            holes.append(hole)
        if not holes:
            counters.append([])
            continue
        if relative:
            outputs = _totalizer(holes, pool, hard)
            counters.append(outputs)
        else:
            cap = len(holes) if bound is None else min(len(holes), bound + 1)
            total = ITotalizer(lits=holes, ubound=cap, top_id=pool.top)
            pool.top = total.top_id
            hard.extend(total.cnf.clauses)
            outputs = list(total.rhs[:cap])
            if bound is not None and bound < len(holes):
                hard.extend(_card(CardEnc.atmost(holes, bound, top_id=pool.top, encoding=EncType.seqcounter), pool))  # fmt: skip
            counters.append([])
        soft.extend(outputs)
        if prepared.least[p]:
            hard.extend(_card(CardEnc.atleast(holes, prepared.least[p], top_id=pool.top, encoding=EncType.seqcounter), pool))  # fmt: skip
        tight = pool.new()  # no break
        hard.append([tight, *holes])
        hard.extend([-tight, -hole] for hole in holes)
        starts = _block_starts(prepared, p)
        if not starts:
            hard.append([-tight])
            continue
        n = len(meetings)
        always, ever = set(range(starts[-1], starts[0] + n)), set(range(starts[0], starts[-1] + n))
        for s, var in busy.items():
            if s in always:
                hard.append([-tight, var])
            elif s not in ever:
                hard.append([-tight, -var])
    if relative and bound is not None:
        _relative_fairness(counters, bound, pool, hard)
    for variables in busy_in.values():  # imp2: twice the slot's meetings
        if len(variables) > 2 * tables:
            hard.extend(_card(CardEnc.atmost(variables, 2 * tables, top_id=pool.top, encoding=EncType.totalizer), pool))  # fmt: skip
    clusters = _clusters(prepared)
    for s in range(1, n_slots + 1):
        if sum(1 for row in x if s in row) <= tables:
            continue
        counted = []
        for group in clusters:
            here = [x[m][s] for m in group if s in x[m]]
            if len(here) == 1:
                counted.append(here[0])
            elif here:
                any_of = pool.new()
                hard.extend([-v, any_of] for v in here)
                counted.append(any_of)
        if len(counted) > tables:
            hard.extend(_card(CardEnc.atmost(counted, tables, top_id=pool.top, encoding=EncType.totalizer), pool))  # fmt: skip
    return Encoding(hard, soft, x, pool.top)


def _card(formula: Any, pool: _Pool) -> list[list[int]]:
    pool.top = max(pool.top, formula.nv)
    clauses: list[list[int]] = formula.clauses
    return clauses


def _totalizer(literals: list[int], pool: _Pool, hard: list[list[int]]) -> list[int]:
    """Outputs o[i] ⇔ at least i + 1 of ``literals`` (both directions: exact unary count)."""
    if len(literals) == 1:
        return literals
    left = _totalizer(literals[: len(literals) // 2], pool, hard)
    right = _totalizer(literals[len(literals) // 2 :], pool, hard)
    out = [pool.new() for _ in range(len(left) + len(right))]
    for i in range(len(left) + 1):
        for j in range(len(right) + 1):
            if i + j:  # at least i on the left and j on the right ⇒ at least i + j
                hard.append([*([-left[i - 1]] if i else []), *([-right[j - 1]] if j else []), out[i + j - 1]])  # fmt: skip
            if i + j < len(out):  # at most i on the left and j on the right ⇒ at most i + j
                hard.append([*([left[i]] if i < len(left) else []), *([right[j]] if j < len(right) else []), -out[i + j]])  # fmt: skip
    return out


def _relative_fairness(counters: list[list[int]], bound: int, pool: _Pool, hard: list[list[int]]) -> None:  # fmt: skip
    """f ≤ breaks_p ≤ f + bound for every participant, with f unary (at_least[i] ⇔ f ≥ i + 1)."""
    most = max((len(c) for c in counters), default=0)
    at_least = [pool.new() for _ in range(most)]
    hard.extend([-higher, lower] for higher, lower in zip(at_least[1:], at_least, strict=False))
    for outputs in counters:  # a participant without possible breaks has exactly 0
        for i, f in enumerate(at_least):
            hard.append([-f, outputs[i]] if i < len(outputs) else [-f])  # f ≥ i+1 ⇒ breaks ≥ i+1
            if i + bound < len(outputs):  # breaks ≥ i+1+bound ⇒ f ≥ i+1
                hard.append([-outputs[i + bound], f])


# ---------------------------------------------------------------------------------------------
# Solving: RC2 in worker processes, every model decoded and the best one reported


@dataclass
class Result:
    slots: list[int] | None  # slot per meeting of the best schedule found, or None
    breaks: int  # its breaks (−1 when none)
    bound: int  # the largest proven lower bound
    optimal: bool
    found_after: float  # seconds from the start until ``slots`` was found


def solve(prepared: _Prepared, seconds: float, *, workers: int = 2, give_up: float | None = None) -> Result:  # fmt: skip
    """The schedule with fewest breaks found within ``seconds`` by RC2 processes, one per
    configuration of ``CONFIGS`` when ``workers`` allows one more thread for the waiting caller,
    else one: on this 2-core machine two SAT processes side by side were each two to three times
    slower than one alone (forum-14: 2.5 s alone, not solved in 10 s beside the other). Stops as soon as one proves its schedule optimal; when
    nobody has a schedule after ``give_up`` seconds, stops then (the caller falls back)."""
    started = time.monotonic()
    context = _context()
    channel = context.Queue()
    count = 1 if workers <= 2 else min(len(CONFIGS), workers - 1)
    processes = [
        context.Process(target=_worker, args=(prepared, name, options, channel), daemon=True)
        for name, options in CONFIGS[:count]
    ]
    for process in processes:
        process.start()
    best = Result(None, -1, 0, False, 0.0)
    finished = 0
    deadline = started + seconds
    try:
        while finished < len(processes):
            now = time.monotonic()
            if now >= deadline or (give_up is not None and best.slots is None and now >= started + give_up):  # fmt: skip
                break
            try:
                kind, payload = channel.get(timeout=min(0.05, deadline - now))
            except queue.Empty:
                continue
            if kind == "model":
                slots, breaks = payload
                if best.slots is None or breaks < best.breaks:
                    best.slots, best.breaks = slots, breaks
                    best.found_after = time.monotonic() - started
            elif kind == "bound":
                best.bound = max(best.bound, payload)
            elif kind == "done":
                finished += 1
            if best.slots is not None and best.bound >= best.breaks:
                best.optimal = True
                break
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
        for process in processes:
            process.join(timeout=1.0)
        channel.close()
        channel.cancel_join_thread()
    return best


def _context() -> Any:
    """Fork where there is fork (no re-import, the workers start at once), else spawn."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


class _Found(Exception):  # noqa: N818 - control flow: a model meets the lower bound
    pass


def _worker(prepared: _Prepared, solver: str, options: dict[str, int], channel: Any) -> None:
    try:
        run_rc2(prepared, solver, options, lambda kind, payload: channel.put((kind, payload)))
    finally:
        channel.put(("done", None))


def run_rc2(prepared: _Prepared, solver: str, options: dict[str, int], report: Callable[[str, Any], None]) -> None:  # fmt: skip
    """RC2 on the encoding; ``report("model", (slots, breaks))`` for every better model any SAT
    call returns, ``report("bound", cost)`` whenever the lower bound rises. Ends when a model
    meets the bound (or RC2 ends: then its model is optimal, or the problem has no schedule)."""
    from pysat.examples.rc2 import RC2
    from pysat.formula import WCNF

    encoding = encode(prepared)
    formula = WCNF()
    formula.extend(encoding.hard)
    for literal in encoding.soft:
        formula.append([-literal], weight=1)
    best = [-1]
    bound = [0]

    def observe(oracle: Any, cost: int) -> None:
        if cost > bound[0]:
            bound[0] = cost
            report("bound", cost)
        model = oracle.get_model()
        if model is None:
            return
        slots = decode(encoding, model)
        breaks = _breaks(prepared, slots)
        if best[0] < 0 or breaks < best[0]:
            best[0] = breaks
            report("model", (slots, breaks))
        if breaks <= cost:
            raise _Found

    class Observed(RC2):  # type: ignore[misc]
        def init(self, formula: Any, incr: bool = False) -> None:
            super().init(formula, incr)
            if options:
                self.oracle.configure(options)
            plain = self.oracle.solve_limited

            def solve_limited(assumptions: Any = (), expect_interrupt: bool = False) -> Any:
                if self.cost > bound[0]:
                    bound[0] = self.cost
                    report("bound", self.cost)
                answer = plain(assumptions=list(assumptions), expect_interrupt=expect_interrupt)
                if answer:
                    observe(self.oracle, self.cost)
                return answer

            self.oracle.solve_limited = solve_limited

    rc2 = Observed(formula, solver=solver, adapt=True, exhaust=True, minz=True, trim=5)
    try:
        model = rc2.compute()
    except _Found:
        return
    finally:
        rc2.delete()
    if model is not None:
        report("bound", rc2.cost)
        slots = decode(encoding, model)
        report("model", (slots, _breaks(prepared, slots)))


def decode(encoding: Encoding, model: list[int]) -> list[int]:
    """The slot of each meeting in a model."""
    true = set(literal for literal in model if literal > 0)
    return [next(s for s, var in row.items() if var in true) for row in encoding.x]


def _breaks(prepared: _Prepared, slots: list[int]) -> int:
    from innobridge.optimize.schedule import count_breaks

    return sum(count_breaks(slots[m] for m in meetings) for meetings in prepared.of_person)
