"""A quick good schedule to start the exact search from: local search over meeting slots.

CP-SAT proves lower bounds on the breaks well but, on two threads, finds good schedules slowly
on the hardest benchmark days (its first schedule after seconds, with four times the optimal
breaks). Timetabling's standard local search finds much better ones in a second, and handed to
CP-SAT as a hint (``schedule.py``) it is where the exact search starts improving from.

Two phases over "meeting m in slot s" (slots from each meeting's domain only, so sessions,
forbidden and locked slots always hold):

1. *repair*: random single moves, accepted when they do not increase a penalty for double
   bookings and over-full slots (plus the breaks), until there are none;
2. *anneal*: simulated annealing with Kempe-chain moves — move meeting m from slot s to t, and
   every meeting that would then clash, in a chain, from t to s — so nobody is ever double-booked;
   the cost is the breaks, plus a penalty for a slot over its tables and for a participant over
   the fairness cap.

Participants' busy slots are bit masks, so a participant's breaks are
``popcount(mask & ~(mask << 1)) − 1``. Precedences are not modelled: with any, there is no warm
start. The result is a valid schedule (checked) or None; pure Python, no Django.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Sequence

TABLE_PENALTY = 3.0  # cost of one meeting over a slot's tables while annealing
FAIRNESS_PENALTY = 3.0  # cost of one break over the fairness cap
START_TEMPERATURE = 1.0
END_TEMPERATURE = 0.02


def breaks_of(mask: int) -> int:
    """Breaks of a participant whose busy slots are the set bits of ``mask``."""
    return (mask & ~(mask << 1)).bit_count() - 1 if mask else 0


def warm_start(
    n_slots: int,
    n_tables: int,
    domains: Sequence[Sequence[int]],
    ends: Sequence[tuple[int, int]],
    n_people: int,
    *,
    cap: int | None,
    seconds: float,
    target: int = 0,
    seed: int = 1,
) -> tuple[list[int], int] | None:
    """A valid schedule (slot per meeting) and its breaks, or None when none was found in time.

    ``cap`` bounds every participant's breaks (the fairness bound when someone has none);
    the search stops early at ``target`` breaks (a known lower bound)."""
    deadline = time.monotonic() + seconds
    rng = random.Random(seed)
    slots = _repair(n_slots, n_tables, domains, ends, n_people, rng, deadline)
    if slots is None:
        return None
    return _anneal(slots, n_slots, n_tables, domains, ends, n_people, cap, rng, deadline, target)


def _repair(
    n_slots: int,
    n_tables: int,
    domains: Sequence[Sequence[int]],
    ends: Sequence[tuple[int, int]],
    n_people: int,
    rng: random.Random,
    deadline: float,
) -> list[int] | None:
    """Random slots, then single moves that never make the penalty worse, until no meeting
    shares a participant with another in its slot and no slot is over its tables."""
    slots = [d[rng.randrange(len(d))] for d in domains]
    count = [[0] * (n_slots + 1) for _ in range(n_people)]
    load = [0] * (n_slots + 1)
    for m, s in enumerate(slots):
        a, b = ends[m]
        count[a][s] += 1
        count[b][s] += 1
        load[s] += 1
    clashes = sum(c - 1 for row in count for c in row if c > 1)
    over = sum(n - n_tables for n in load if n > n_tables)
    movable = [m for m, d in enumerate(domains) if len(d) > 1]
    steps = 0
    while clashes or over:
        steps += 1
        if not movable or (steps & 255 == 0 and time.monotonic() >= deadline):
            return None
        m = movable[rng.randrange(len(movable))]
        old, domain = slots[m], domains[m]
        new = domain[rng.randrange(len(domain))]
        if new == old:
            continue
        a, b = ends[m]
        more_clashes = (count[a][new] > 0) + (count[b][new] > 0) - (count[a][old] > 1) - (count[b][old] > 1)  # fmt: skip
        more_over = (load[new] >= n_tables) - (load[old] > n_tables)
        if more_clashes + more_over <= 0:
            slots[m] = new
            for p in (a, b):
                count[p][old] -= 1
                count[p][new] += 1
            load[old] -= 1
            load[new] += 1
            clashes += more_clashes
            over += more_over
    return slots


def _anneal(
    slots: list[int],
    n_slots: int,
    n_tables: int,
    domains: Sequence[Sequence[int]],
    ends: Sequence[tuple[int, int]],
    n_people: int,
    cap: int | None,
    rng: random.Random,
    deadline: float,
    target: int,
) -> tuple[list[int], int] | None:
    allowed = [set(d) for d in domains]
    at: list[dict[int, int]] = [{} for _ in range(n_people)]  # participant → slot → meeting
    mask = [0] * n_people
    load = [0] * (n_slots + 1)
    for m, s in enumerate(slots):
        for p in ends[m]:
            at[p][s] = m
            mask[p] |= 1 << s
        load[s] += 1

    def person_cost(busy: int) -> float:
        holes = breaks_of(busy)
        return holes + (FAIRNESS_PENALTY * (holes - cap) if cap is not None and holes > cap else 0)  # fmt: skip

    cost_of = [person_cost(mask[p]) for p in range(n_people)]
    cost = sum(cost_of) + TABLE_PENALTY * sum(n - n_tables for n in load if n > n_tables)
    best: tuple[list[int], int] | None = None

    def record() -> None:
        nonlocal best
        holes = [breaks_of(busy) for busy in mask]
        if max(load) <= n_tables and (cap is None or max(holes, default=0) <= cap):
            if best is None or sum(holes) < best[1]:
                best = (slots[:], sum(holes))

    record()
    movable = [m for m, d in enumerate(domains) if len(d) > 1]
    started, span = time.monotonic(), max(deadline - time.monotonic(), 1e-3)
    temperature, steps = START_TEMPERATURE, 0
    while movable and (best is None or best[1] > target):
        steps += 1
        if steps & 255 == 0:
            now = time.monotonic()
            if now >= deadline:
                break
            temperature = START_TEMPERATURE * (END_TEMPERATURE / START_TEMPERATURE) ** ((now - started) / span)  # fmt: skip
        m = movable[rng.randrange(len(movable))]
        first, domain = slots[m], domains[m]
        second = domain[rng.randrange(len(domain))]
        if second == first:
            continue
        chain, seen, fits = [m], {m}, True
        for x in chain:  # grows while it is walked: the Kempe chain of m between the two slots
            other = second if slots[x] == first else first
            if other not in allowed[x]:
                fits = False
                break
            for p in ends[x]:
                y = at[p].get(other)
                if y is not None and y not in seen:
                    seen.add(y)
                    chain.append(y)
        if not fits:
            continue
        bits = (1 << first) | (1 << second)
        changed: dict[int, int] = {}
        delta = 0.0
        for x in chain:
            for p in ends[x]:
                if p not in changed and bool(mask[p] >> first & 1) != bool(mask[p] >> second & 1):
                    changed[p] = mask[p] ^ bits
        for p, busy in changed.items():
            delta += person_cost(busy) - cost_of[p]
        moved_out = sum(1 for x in chain if slots[x] == first)
        moved_in = len(chain) - moved_out
        if moved_out != moved_in:
            after_first, after_second = load[first] - moved_out + moved_in, load[second] - moved_in + moved_out  # fmt: skip
            delta += TABLE_PENALTY * (
                max(0, after_first - n_tables) + max(0, after_second - n_tables)
                - max(0, load[first] - n_tables) - max(0, load[second] - n_tables)
            )  # fmt: skip
        if delta > 0 and rng.random() >= math.exp(-delta / temperature):
            continue
        for x in chain:
            for p in ends[x]:
                if at[p].get(slots[x]) == x:
                    del at[p][slots[x]]
        for x in chain:
            slots[x] = second if slots[x] == first else first
            for p in ends[x]:
                at[p][slots[x]] = x
        for p, busy in changed.items():
            mask[p] = busy
            cost_of[p] = person_cost(busy)
        load[first] += moved_in - moved_out
        load[second] += moved_out - moved_in
        cost += delta
        if best is None or cost < best[1] - 1e-9:  # feasible ⇒ cost = breaks
            record()
    return best
