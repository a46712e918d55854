"""CPU of one detail page view, in process: a demand or project page and, in code where the page
asks for its match panel once shown (htmx, ``/demands/<id>/matches/``, ``/projects/<id>/matches/``),
that panel too, for the same records and roles, beside a baseline checkout in alternating rounds.

    .venv/bin/python bench/page_view.py [--views 400] [--rounds 3] [--baseline DIR]

The load test counts a page and its panel as two requests (its detail and match groups); this
says what a person opening the page costs in all. Needs the load database and data directory that
``bench/load.py`` seeds (run it once). Each round runs in a fresh process with the code of its
checkout (``git worktree add /tmp/base <commit>``), on an emptied Redis database (``--redis``, the
shared cache as deployed), signs in one user per role (staff, manager, enterprise, university,
investor), builds the match indexes, opens 40 pages to warm up and then ``--views`` pages of
random records each role may see, reading the process's CPU time around each request. Prints the
best round of each checkout: page, panel, and both.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/innobridge_load"
DEFAULT_REDIS = "redis://127.0.0.1:6379/8"
ROLES = ("staff", "manager", "enterprise", "university", "investor")
WARM_UP = 40


def measure(views: int, data_dir: Path) -> dict[str, float]:
    """One round in this process: CPU milliseconds per view of the page, its panel and both."""
    import redis

    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from innobridge.core.matching import index_for

    targets = json.loads((data_dir / "targets.json").read_text(encoding="utf-8"))
    clients = {}
    for role in ROLES:
        clients[role] = Client()
        clients[role].force_login(get_user_model().objects.get(username=role))
    index_for("projects", wait=-1)
    index_for("demands", wait=-1)
    try:
        reverse("demands:matches", kwargs={"pk": 1})
        panels = True
    except NoReverseMatch:  # code from before the panels: the page ranks itself
        panels = False
    rng = random.Random(2025)
    pages = []
    for _ in range(WARM_UP + views):
        role, kind = rng.choice(ROLES), rng.choice(("project", "demand"))
        pages.append((role, f"/{kind}s/{rng.choice(targets[role][kind + 's'])}/"))
    cpu: dict[str, float] = defaultdict(float)
    for number, (role, path) in enumerate(pages):
        parts = [("page", path, {})]
        if panels:
            parts.append(("panel", f"{path}matches/", {"HX-Request": "true"}))
        for part, url, headers in parts:
            started = time.process_time()
            response = clients[role].get(url, headers=headers)
            if number >= WARM_UP:
                cpu[part] += time.process_time() - started
            if response.status_code != 200:
                raise SystemExit(f"{url} as {role}: {response.status_code}")
    result = {part: cpu[part] / views * 1000 for part in ("page", "panel")}
    result["page view"] = result["page"] + result["panel"]
    return result


def round_in(checkout: Path, args: argparse.Namespace, data_dir: Path) -> dict[str, float]:
    """One round in a fresh process running ``checkout``'s code on ``data_dir``."""
    env = {
        **os.environ,
        "PYTHONPATH": str(checkout),
        "DJANGO_SETTINGS_MODULE": "innobridge.settings",
        "DATABASE_URL": args.db,
        "INNOBRIDGE_DATA_DIR": str(data_dir),
        "REDIS_URL": args.redis,
        "INNOBRIDGE_EMBEDDER": "none",
        "LOG_REQUESTS": "false",
        "LOG_LEVEL": "WARNING",
        "DB_CONN_MAX_AGE": "60",  # as deployed
        "DB_PREPARED_STATEMENTS": "true",  # as deployed (production mode)
    }
    command = [sys.executable, str(Path(__file__).resolve()), "--one-round", str(args.views), "--data-dir", str(data_dir)]  # fmt: skip
    done = subprocess.run(command, cwd=checkout, env=env, capture_output=True, text=True, check=False)  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"round in {checkout} failed:\n{done.stderr[-2000:]}")
    last = [line for line in done.stdout.splitlines() if line.startswith("{")][-1]
    return dict(json.loads(last))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--views", type=int, default=400, help="per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", type=Path, default=None, help="another checkout to compare")
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--redis", default=DEFAULT_REDIS, help="emptied before every round")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var" / "load-2025")
    parser.add_argument(
        "--baseline-data-dir", type=Path, default=None,
        help="a copy of the data dir for the baseline (cp -r var/load-2025 var/load-2025-base): "
        "code that segments otherwise would segment the 120,000 texts again in every round",
    )  # fmt: skip
    parser.add_argument("--one-round", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_round:
        print(json.dumps(measure(args.one_round, args.data_dir)))
        return 0
    args.data_dir = args.data_dir.resolve()  # the rounds run in the checkout's directory
    if args.baseline_data_dir is not None:
        args.baseline_data_dir = args.baseline_data_dir.resolve()
    if not (args.data_dir / "targets.json").exists():
        raise SystemExit(f"{args.data_dir}/targets.json is missing: run bench/load.py once first")
    runs: dict[str, list[dict[str, float]]] = defaultdict(list)
    for number in range(1, args.rounds + 1):
        if args.baseline is not None:
            runs["baseline"].append(round_in(args.baseline.resolve(), args, args.baseline_data_dir or args.data_dir))  # fmt: skip
            print(f"round {number}: baseline {runs['baseline'][-1]['page view']:.2f} ms", flush=True)  # fmt: skip
        runs["this"].append(round_in(ROOT, args, args.data_dir))
        print(f"round {number}: this     {runs['this'][-1]['page view']:.2f} ms", flush=True)
    names = list(runs)
    print(
        f"\nCPU ms per detail page view (best round of {args.rounds}; {args.views} views a round)"
    )
    print(f"{'part':<11}" + "".join(f"{name:>12}" for name in names))
    for part in ("page", "panel", "page view"):
        cells = "".join(f"{min(run[part] for run in runs[name]):>12.2f}" for name in names)
        print(f"{part:<11}{cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
