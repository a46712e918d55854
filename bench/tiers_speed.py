"""Tier-rules speed: 100,000 synthetic enterprises × 3 fiscal years evaluated against the 2025
rules (11 programmes, the tier ladder and the rosters, every condition explained).

    .venv/bin/python bench/tiers_speed.py [--enterprises 100000] [--jobs 2]

Printed side by side, all in this process run:
- parse only: reading the JSONL into the engine's records (the floor any evaluator pays);
- baseline: a hand-written Python check of one programme (科技型中小企业, score and size
  conditions) with no explanation — what a one-off script would do;
- reference engine: every programme, tier and roster with every condition's value, threshold
  and verdict, one enterprise at a time (what pages and the JSONL command use);
- batch engine: the same verdicts (tier, programmes, scores, gaps, every condition) in numpy
  columns — tests check it against the reference condition by condition; in N processes each
  worker reads, parses and evaluates its own part of the file (the issue's target line);
- command: ``innobridge tiers evaluate`` end to end (parse, evaluate, write JSONL), 1 and N jobs.
Target (issue #6): ≤ 10 s for 100,000 enterprises on 2 cores. Asserts nothing about time.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import random
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from innobridge.cultivation.tiers.engine import Engine  # noqa: E402
from innobridge.cultivation.tiers.jsonl import evaluate_file, read_enterprises  # noqa: E402
from innobridge.cultivation.tiers.metrics import Enterprise  # noqa: E402
from innobridge.cultivation.tiers.rules import load_rules, rules_path  # noqa: E402
from innobridge.cultivation.tiers.vector import VectorEngine  # noqa: E402

FIELDS = ["laser", "infrared", "ic", "icv", "equipment", "biomed", "energy", "ai", "materials", "beidou"]  # fmt: skip
CERTS = ["high_tech", "tsme", "srdi", "national_award", "provincial_rd_institution"]


def synthetic(n: int, seed: int = 6) -> list[str]:
    """Deterministic enterprises spread across every tier and around the thresholds."""
    rng = random.Random(seed)
    lines = []
    for index in range(n):
        revenue = rng.lognormvariate(7.5, 1.6)
        growth = rng.gauss(0.15, 0.2)
        founded = f"{rng.randint(2008, 2023)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        years = {}
        for offset, year in enumerate((2022, 2023, 2024)):
            r = revenue * (1 + growth) ** offset
            employees = max(3, int(r / rng.uniform(40, 120)))
            years[str(year)] = {
                "revenue": round(r, 2), "main_revenue": round(r * rng.uniform(0.5, 1), 2),
                "hitech_revenue": round(r * rng.uniform(0.3, 0.95), 2),
                "rd_expense": round(r * rng.uniform(0.01, 0.15), 2),
                "rd_expense_in_china": round(r * rng.uniform(0.01, 0.12), 2),
                "total_cost": round(r * rng.uniform(0.7, 1.05), 2), "profit": round(r * rng.uniform(-0.1, 0.2), 2),
                "employees": employees, "st_staff": int(employees * rng.uniform(0.05, 0.5)),
                "rd_staff": int(employees * rng.uniform(0.02, 0.4)), "assets": round(r * rng.uniform(0.8, 2), 2),
                "liabilities": round(r * rng.uniform(0.2, 1.2), 2), "ip_class1": rng.randint(0, 3),
                "ip_class2": rng.randint(0, 8), "conversions": rng.randint(0, 6),
                "equity_financing": rng.choice((0, 0, 0, 500, 2000, 8000)),
                "valuation_musd": rng.choice((None, 20, 80, 300, 1500)),
            }  # fmt: skip
        record = {
            "id": f"E{index:06d}", "founded": founded, "registered_in_wuhan": rng.random() < 0.95,
            "district": "东湖高新区", "field": rng.choice(FIELDS), "listed": rng.random() < 0.05,
            "certificates": rng.sample(CERTS, rng.randint(0, 2)),
            "flags": {"major_incident": rng.random() < 0.01, "dishonest": rng.random() < 0.01, "abnormal": rng.random() < 0.02},  # fmt: skip
            "innovation_expert_score": rng.choice((None, 50, 60, 70)), "years": years,
        }  # fmt: skip
        lines.append(json.dumps(record, ensure_ascii=False))
    return lines


def tsme_by_hand(e: Enterprise) -> bool:
    """The baseline: one programme, no explanation, no unknowns."""
    y = e.years.get(2024, {})
    revenue, employees = y.get("revenue", 0), y.get("employees", 0) or 1
    if employees > 500 or revenue > 20000 or y.get("assets", 0) > 20000:
        return False
    share = y.get("st_staff", 0) / employees
    st = next(
        (p for t, p in ((0.3, 20), (0.25, 16), (0.2, 12), (0.15, 8), (0.1, 4)) if share >= t), 0
    )
    rd_ratio = y.get("rd_expense", 0) / revenue if revenue else 0
    rd = next((p for t, p in ((0.06, 50), (0.05, 40), (0.04, 30), (0.03, 20), (0.02, 10)) if rd_ratio >= t), 0)  # fmt: skip
    ip = 30 if y.get("ip_class1", 0) >= 1 else min(24, 6 * y.get("ip_class2", 0))
    return st > 0 and st + rd + ip >= 60


_ENGINE: list[Engine] = []


def _evaluate_range(job: tuple[str, int, int, bool]) -> int:
    """A worker reads its own byte range of the input file, parses and evaluates it (with the
    reference engine, or in columns with the batch engine)."""
    path, start, end, batch = job
    if not _ENGINE:
        _ENGINE.append(Engine(load_rules(rules_path(2025))))
    engine = _ENGINE[0]
    with open(path, "rb") as stream:
        stream.seek(start)
        lines = stream.read(end - start).decode("utf-8").splitlines()
    records = list(read_enterprises(lines))
    if batch:
        return sum(1 for tier in VectorEngine(engine).evaluate(records, 2025).tier if tier)
    return sum(1 for e in records if engine.evaluate(e, 2025).tier)


def byte_ranges(path: Path, parts: int) -> list[tuple[str, int, int]]:
    """Split a JSONL file into ``parts`` ranges that end on line boundaries."""
    size = path.stat().st_size
    cuts = [0]
    with path.open("rb") as stream:
        for index in range(1, parts):
            stream.seek(size * index // parts)
            stream.readline()
            cuts.append(stream.tell())
    cuts.append(size)
    return [(str(path), a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def parallel(source: Path, jobs: int, batch: bool) -> int:
    ranges = [(*r, batch) for r in byte_ranges(source, jobs * 4)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return sum(pool.map(_evaluate_range, ranges))


def timed(label: str, seconds: float, n: int, target: float | None = None) -> None:
    per = seconds / n * 1e6
    note = f"   (target ≤ {target:.0f} s: {'met' if seconds <= target else 'NOT met'})" if target else ""  # fmt: skip
    print(f"{label:<58} {seconds:7.2f} s   {per:7.1f} µs/enterprise{note}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    n, jobs = args.enterprises, args.jobs
    print(
        f"tiers speed: {n:,} enterprises × 3 years, rules 2025, {os.cpu_count()} CPUs, {jobs} jobs"
    )
    lines = synthetic(n)

    start = time.perf_counter()
    records = list(read_enterprises(lines))
    timed("parse only (JSONL → records)", time.perf_counter() - start, n)
    gc.freeze()  # the inputs live all run long: keep the collector off them

    start = time.perf_counter()
    hand = sum(tsme_by_hand(e) for e in records)
    timed("baseline: one programme by hand, no reasons", time.perf_counter() - start, n)

    engine = Engine(load_rules(rules_path(2025)))
    start = time.perf_counter()
    tiers: dict[str | None, int] = {}
    tsme = 0
    for e in records:
        result = engine.evaluate(e, 2025)
        tiers[result.tier] = tiers.get(result.tier, 0) + 1
        tsme += bool(result.programs["tsme"].qualifies)
    timed("reference engine: every condition explained, 1 process", time.perf_counter() - start, n)

    start = time.perf_counter()
    batch = VectorEngine(engine).evaluate(records, 2025)
    timed("batch engine (numpy columns): same verdicts, 1 process", time.perf_counter() - start, n)  # fmt: skip
    assert sum(1 for t in batch.tier if t) == sum(v for k, v in tiers.items() if k)

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "enterprises.jsonl"
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")
        start = time.perf_counter()
        tiered = parallel(source, jobs, batch=False)
        timed(f"reference engine: read + parse + evaluate, {jobs} processes", time.perf_counter() - start, n)  # fmt: skip
        start = time.perf_counter()
        tiered_batch = parallel(source, jobs, batch=True)
        timed(f"batch engine: read + parse + evaluate, {jobs} processes", time.perf_counter() - start, n, 10)  # fmt: skip
        for count in sorted({1, jobs}):
            out = io.StringIO()
            start = time.perf_counter()
            evaluate_file(source, 2025, rules_path(2025), out, jobs=count)
            timed(f"command end to end (JSONL out), {count} job(s)", time.perf_counter() - start, n)
        size = len(out.getvalue().encode()) / n
    print(f"output: {size:,.0f} bytes per enterprise; tsme by hand {hand:,} vs engine {tsme:,}; "
          f"tiers {dict(sorted(tiers.items(), key=lambda kv: str(kv[0])))}; with a tier: {tiered:,} = {tiered_batch:,}")  # fmt: skip


if __name__ == "__main__":
    main()
