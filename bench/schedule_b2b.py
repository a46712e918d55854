"""Meeting schedules on the published B2B benchmark, and the time to choose and schedule a
synthetic matchmaking session.

    .venv/bin/python bench/schedule_b2b.py [--time-limit 10] [--fairness 2] [--workers 2]
        [--command] [--only forum-13,tic-12] [--no-synthetic] [--no-baseline]
        [--backend auto|cpsat|maxsat]

Part 1 runs every instance of ../shared/data/b2b-meetings/instances (relative to the repo, i.e.
/work/shared/data) with fairness d = 2 through the .dzn reader and ``schedule`` in-process
(``--command``: through ``innobridge schedule`` in a subprocess, reading its JSON), and prints
the breaks found beside the published optimum (optima.tsv: Bofill et al., JAIR 2022, MaxSAT
with a 7200 s limit), whether the solver proved optimality, when the returned schedule was found
and the wall time of the whole call (reading included; the full limit when not proven).
Beside each, in the same run, the baseline: CP-SAT alone with its local-search warm start
(``schedule(..., backend="cpsat")``, the method before the MaxSAT backend; ``--no-baseline``
skips it). ``--backend`` picks the backend of the main column (default auto: MaxSAT when
python-sat is installed). Skips with a message when the
data folder is absent.

Part 2: 400 SMEs × 80 providers × 12 slots (80 tables, one per provider), each SME interested
in 12 random providers (weights 1–9), each participant available in 12 minus 0–2 random slots
and capped at its available slots: the time of ``choose_meetings`` (exact b-matching) and of
``schedule`` on the chosen meetings.

Targets (issue): the published optimum on all 20, each within 10 s on 2 cores. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from innobridge.optimize.dzn import read_dzn  # noqa: E402
from innobridge.optimize.schedule import (  # noqa: E402
    Infeasible,
    Meeting,
    ScheduleProblem,
    choose_meetings,
    schedule,
)

DATA = ROOT.parent / "shared" / "data" / "b2b-meetings"


def run_benchmark(args: argparse.Namespace) -> None:
    if not (DATA / "instances").is_dir():
        print(f"skipped: benchmark data not found at {DATA}")
        return
    optima = {}
    for line in (DATA / "optima.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        name, best, *_rest = line.split("\t")
        optima[name] = int(best)
    names = sorted(optima) if not args.only else args.only.split(",")
    print(f"B2B instances, fairness d = {args.fairness}, time limit {args.time_limit:g} s, {args.workers} workers, {'command' if args.command else 'in-process'}")  # fmt: skip
    baseline = not args.command and not args.no_baseline
    head = f"{'instance':16} {'breaks':>6} {'optimum':>7} {'proven':>6} {'found s':>7} {'time s':>7}  {'result':<10}"  # fmt: skip
    print(head + (" | baseline CP-SAT + warm start: breaks proven time s" if baseline else ""))
    at_optimum = in_time = proven = 0
    base_optimum = base_in_time = 0
    for name in names:
        path = DATA / "instances" / f"{name}.original.dzn"
        started = time.perf_counter()
        breaks, optimal, found = (solve_command if args.command else solve_in_process)(path, args)
        elapsed = time.perf_counter() - started
        hit = breaks == optima[name]
        at_optimum += hit
        in_time += hit and elapsed <= 10.0
        proven += optimal
        verdict = (
            "no schedule" if breaks < 0 else "= optimum" if hit else f"+{breaks - optima[name]}"
        )
        shown = "-" if found is None else f"{found:.2f}"
        line = f"{name:16} {breaks:>6} {optima[name]:>7} {'yes' if optimal else 'no':>6} {shown:>7} {elapsed:>7.2f}  {verdict:<10}"  # fmt: skip
        if baseline:
            started = time.perf_counter()
            b_breaks, b_optimal, _found = solve_in_process(path, args, backend="cpsat")
            b_elapsed = time.perf_counter() - started
            base_optimum += b_breaks == optima[name]
            base_in_time += b_breaks == optima[name] and b_elapsed <= 10.0
            line += f" | {b_breaks:>6} {'yes' if b_optimal else 'no':>6} {b_elapsed:>6.2f}"
        print(line, flush=True)
    print(f"at the published optimum: {at_optimum}/{len(names)}; of them within 10 s: {in_time}; proven optimal: {proven}")  # fmt: skip
    if baseline:
        print(f"baseline (CP-SAT + warm start), same run: at the optimum {base_optimum}/{len(names)}, within 10 s {base_in_time}")  # fmt: skip


def solve_in_process(path: Path, args: argparse.Namespace, *, backend: str | None = None) -> tuple[int, bool, float | None]:  # fmt: skip
    """Breaks, proven, and seconds until that schedule was found (reading excluded)."""
    instance = read_dzn(path, fairness=args.fairness)
    try:
        result = schedule(instance.problem, time_limit=args.time_limit, workers=args.workers, backend=backend or args.backend)  # fmt: skip
    except Infeasible:
        return -1, False, None
    return result.breaks, result.optimal, result.found_after


def solve_command(path: Path, args: argparse.Namespace) -> tuple[int, bool, float | None]:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "schedule.json"
        command = [str(Path(sys.executable).parent / "innobridge"), "schedule", "--dzn", str(path), "--fairness", str(args.fairness), "--time-limit", str(args.time_limit), "--out", str(out)]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            return -1, False, None
        payload = json.loads(out.read_text(encoding="utf-8"))
        return payload["breaks"], payload["optimal"], None


def synthetic(args: argparse.Namespace, n_smes: int = 400, n_providers: int = 80, n_slots: int = 12) -> None:  # fmt: skip
    rng = random.Random(7)
    smes = [f"S{i:03d}" for i in range(n_smes)]
    providers = [f"P{i:02d}" for i in range(n_providers)]
    forbidden = {p: set(rng.sample(range(1, n_slots + 1), rng.choice([0, 0, 0, 1, 2]))) for p in smes + providers}  # fmt: skip
    caps = {p: n_slots - len(slots) for p, slots in forbidden.items()}
    candidates = [(s, p, rng.randint(1, 9)) for s in smes for p in rng.sample(providers, 12)]
    started = time.perf_counter()
    chosen = choose_meetings(candidates, caps)
    choose_s = time.perf_counter() - started
    weight = {(a, b): w for a, b, w in candidates}
    print(f"\nsynthetic session: {n_smes} SMEs × {n_providers} providers × {n_slots} slots, {len(candidates)} candidate pairs")  # fmt: skip
    print(f"choose_meetings: {len(chosen)} meetings, total interest {sum(weight[p] for p in chosen)}, {choose_s:.2f} s")  # fmt: skip
    problem = ScheduleProblem(
        n_slots=n_slots, n_morning=n_slots // 2, n_tables=n_providers,
        meetings=[Meeting(f"{a}-{b}", a, b) for a, b in chosen],
        forbidden={p: s for p, s in forbidden.items() if s}, fairness=args.fairness,
    )  # fmt: skip
    started = time.perf_counter()
    try:
        result = schedule(problem, time_limit=args.time_limit, workers=args.workers, backend=args.backend)  # fmt: skip
    except Infeasible as error:
        print(f"schedule: no schedule ({error}), {time.perf_counter() - started:.2f} s")
        return
    schedule_s = time.perf_counter() - started
    print(f"schedule: {result.breaks} breaks ({'proven optimal' if result.optimal else 'not proven optimal'}), {schedule_s:.2f} s")  # fmt: skip
    print(f"choose + schedule: {choose_s + schedule_s:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--fairness", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--command", action="store_true", help="run the CLI per instance")
    parser.add_argument("--only", default="", help="comma-separated instance names")
    parser.add_argument("--no-synthetic", action="store_true")
    parser.add_argument("--backend", default="auto", choices=["auto", "cpsat", "maxsat"])
    parser.add_argument(
        "--no-baseline", action="store_true", help="skip the run without warm start"
    )
    args = parser.parse_args()
    run_benchmark(args)
    if not args.no_synthetic:
        synthetic(args)


if __name__ == "__main__":
    main()
