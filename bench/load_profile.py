"""One request per endpoint of the load test, in process, against the load database: time (best of
three after a warm-up), number of SQL queries and the slowest ones — where a page spends its time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/innobridge_load INNOBRIDGE_DATA_DIR=var/load-2025 \
        .venv/bin/python bench/load_profile.py [--user staff] [--explain] [URL ...]

``--explain`` prints EXPLAIN ANALYZE of each page's slowest query; ``--pyinstrument`` prints a
call-tree profile of each request (needs ``pip install pyinstrument``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "innobridge.settings")
os.environ.setdefault("INNOBRIDGE_EMBEDDER", "none")
os.environ.setdefault("LOG_REQUESTS", "false")


def default_urls(user: str) -> list[str]:
    from django.conf import settings

    targets = json.loads((Path(settings.DATA_DIR) / "targets.json").read_text(encoding="utf-8"))
    mine = targets[user]
    project, demand = mine["projects"][0], mine["demands"][0]
    return [
        "/projects/", "/projects/?page=50", "/projects/?field=laser&stage=selected",
        "/demands/", "/demands/?field=laser&status=published", "/orgs/", "/orgs/?page=50",
        f"/projects/{project}/", f"/demands/{demand}/", f"/orgs/{targets['organizations'][0]}/",
        "/projects/?q=%E6%BF%80%E5%85%89", "/demands/?q=%E5%82%A8%E8%83%BD",
        f"/api/match/demands/{demand}/projects", f"/api/match/projects/{project}/demands",
        "/", "/targets/",
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="*")
    parser.add_argument("--user", default="staff")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--pyinstrument", action="store_true")
    parser.add_argument("--top", type=int, default=3, help="slowest queries shown per page")
    args = parser.parse_args(argv)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    user = get_user_model().objects.get(username=args.user)
    client.force_login(user)
    for url in args.urls or default_urls(args.user):
        client.get(url)  # warm-up: indexes, templates, caches
        best = float("inf")
        for _attempt in range(3):
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                t0 = time.perf_counter()
                response = client.get(url)
                elapsed = time.perf_counter() - t0
            if elapsed < best:
                best, queries = elapsed, list(captured.captured_queries)
        sql_ms = sum(float(q["time"]) for q in queries) * 1000
        print(f"{response.status_code} {best * 1000:8.1f} ms  {len(queries):3d} queries ({sql_ms:6.1f} ms SQL)  {url}")  # fmt: skip
        for query in sorted(queries, key=lambda q: -float(q["time"]))[: args.top]:
            print(f"        {float(query['time']) * 1000:7.1f} ms  {query['sql'][:220]}")
        if args.explain and queries:
            slowest = max(queries, key=lambda q: float(q["time"]))["sql"]
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN ANALYZE " + slowest)
                for (line,) in cursor.fetchall():
                    print("          | " + line)
        if args.pyinstrument:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
            client.get(url)
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
