"""CPU per request of each endpoint group of the load test, in process, with the load test's own
URL mix (``bench/load.urls_for``: most detail pages and searches are asked for once a minute, so
this is the first-visit path, not a cached one), beside a baseline checkout in alternating rounds.

    .venv/bin/python bench/load_mix.py [--requests 200] [--rounds 2] [--baseline DIR]
                                       [--env NAME=VALUE] [--baseline-env NAME=VALUE]

Needs the load database and data directory that ``bench/load.py`` seeds (run it once). Each round
runs in a fresh process on an emptied Redis database (``--redis``), signs in one user per role,
warms the match indexes, then asks for ``--requests`` URLs of every group, interleaved, and
reads the process's CPU time around each request, and the CPU time of the PostgreSQL server
process serving its one connection (kept open, as deployed): "database" is that per request,
weighted like the rest, and "both" the sum. ``--baseline DIR`` (a checkout of another
commit, e.g. ``git worktree add /tmp/base HEAD~3``) runs the same mix with that code before each
round of this one (the same checkout with other settings: ``--baseline . --baseline-env
DB_PREPARED_STATEMENTS=false``); machines here slow down and speed up by ±20 % within minutes, so only rounds
run side by side compare. The weighted figure uses the load test's shares of users per group.
Wall-clock throughput under concurrency is ``bench/load.py``'s job; this one says where the CPU
goes, steadily enough to see a 10 % change.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/innobridge_load"
DEFAULT_REDIS = "redis://127.0.0.1:6379/8"


def measure(requests: int, data_dir: Path) -> dict[str, float]:
    """One round in this process: CPU milliseconds per request per group, and 'weighted'."""
    import redis

    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import load

    targets = json.loads((data_dir / "targets.json").read_text(encoding="utf-8"))
    users = list(load.ROLE_WEIGHTS)
    clients = {}
    for user in users:
        clients[user] = Client()
        clients[user].force_login(get_user_model().objects.get(username=user))
    urls = load.urls_for(targets, {user: user for user in users}, 2025)
    for group in urls:  # indexes, templates, the users' visible ids
        for path, user in urls[group][-15:]:
            clients[user].get(path, headers=panel(path))
    backend = _backend_pid()
    cpu: dict[str, float] = defaultdict(float)
    database: dict[str, float] = defaultdict(float)
    count: Counter[str] = Counter()
    for i in range(requests):
        for group in load.GROUPS:
            path, user = urls[group][i]
            before = _cpu_seconds(backend)
            started = time.process_time()
            response = clients[user].get(path, headers=panel(path))
            cpu[group] += time.process_time() - started
            database[group] += _cpu_seconds(backend) - before
            count[group] += 1
            if response.status_code != 200:
                raise SystemExit(f"{path} as {user}: {response.status_code}")
    if _backend_pid() != backend:
        raise SystemExit("the database connection was replaced during the round")
    result = {group: cpu[group] / count[group] * 1000 for group in load.GROUPS}
    result["weighted"] = sum(result[group] * share for group, share in load.GROUPS.items())
    for group in load.GROUPS:
        result[f"database {group}"] = database[group] / count[group] * 1000
    result["database"] = sum(
        database[group] / count[group] * 1000 * share for group, share in load.GROUPS.items()
    )
    result["both"] = result["weighted"] + result["database"]
    return result


def panel(path: str) -> dict[str, str]:
    """The headers of a detail page's match panel, asked for by htmx once the page is shown."""
    return {"HX-Request": "true"} if path.endswith("/matches/") else {}


def _backend_pid() -> int:
    """The PostgreSQL server process of this process' connection (kept across requests, as
    deployed: ``DB_CONN_MAX_AGE``)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process on this machine, from /proc (clock ticks: a single
    request's figure is 0 or 10 ms, the sum over hundreds is right on average)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def round_in(checkout: Path, args: argparse.Namespace, extra: list[str]) -> dict[str, float]:
    """One round in a fresh process running ``checkout``'s code, with ``extra`` NAME=VALUE
    settings in its environment."""
    env = {
        **os.environ,
        "PYTHONPATH": str(checkout),
        "DJANGO_SETTINGS_MODULE": "innobridge.settings",
        "DATABASE_URL": args.db,
        "INNOBRIDGE_DATA_DIR": str(args.data_dir),
        "REDIS_URL": args.redis,
        "INNOBRIDGE_EMBEDDER": "none",
        "LOG_REQUESTS": "false",
        "LOG_LEVEL": "WARNING",
        "DB_CONN_MAX_AGE": "60",  # as deployed: one connection for the round
        "DB_PREPARED_STATEMENTS": "true",  # as deployed (production mode)
        **dict(item.partition("=")[::2] for item in extra),
    }
    script = Path(__file__).resolve()
    command = [sys.executable, str(script), "--one-round", str(args.requests), "--data-dir", str(args.data_dir)]  # fmt: skip
    done = subprocess.run(command, cwd=checkout, env=env, capture_output=True, text=True, check=False)  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"round in {checkout} failed:\n{done.stderr[-2000:]}")
    last = [line for line in done.stdout.splitlines() if line.startswith("{")][-1]
    return dict(json.loads(last))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="per group and round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--baseline", type=Path, default=None, help="another checkout to compare")
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--redis", default=DEFAULT_REDIS, help="emptied before every round")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var" / "load-2025")
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for this code's rounds")  # fmt: skip
    parser.add_argument("--baseline-env", action="append", default=[], help="NAME=VALUE for the baseline's rounds")  # fmt: skip
    parser.add_argument("--one-round", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_round:
        print(json.dumps(measure(args.one_round, args.data_dir)))
        return 0
    if not (args.data_dir / "targets.json").exists():
        raise SystemExit(f"{args.data_dir}/targets.json is missing: run bench/load.py once first")
    runs: dict[str, list[dict[str, float]]] = defaultdict(list)
    for number in range(1, args.rounds + 1):
        if args.baseline is not None:
            runs["baseline"].append(round_in(args.baseline.resolve(), args, args.baseline_env))
            print(f"round {number}: baseline {runs['baseline'][-1]['weighted']:.2f} ms", flush=True)
        runs["this"].append(round_in(ROOT, args, args.env))
        print(f"round {number}: this     {runs['this'][-1]['weighted']:.2f} ms", flush=True)
    names = list(runs)
    print(f"\nCPU ms per request (best round of {args.rounds}; {args.requests} requests per group)")
    print(f"{'group':<11}" + "".join(f"{name:>12}" for name in names))
    for group in runs["this"][0]:
        cells = "".join(f"{min(run[group] for run in runs[name]):>12.2f}" for name in names)
        print(f"{group:<11}{cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
