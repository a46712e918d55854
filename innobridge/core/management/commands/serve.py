"""``innobridge serve``: the production-style server (gunicorn, static files by WhiteNoise)."""

from __future__ import annotations

import os
import subprocess  # nosec B404 # starts our own index build, no user input
import sys
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from innobridge.core.matching import SOURCES, tokens_current
from innobridge.matching.dense import embedder_name


def index_build_needed() -> bool:
    """Whether ``index rebuild --if-missing`` has work beside the server: vectors to encode (a
    model is chosen), or texts to segment again (a release changed the dictionary)."""
    return embedder_name() is not None or not all(tokens_current(name) for name in SOURCES)


class Command(BaseCommand):
    help = "Run Innobridge with gunicorn (static files served by WhiteNoise)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("INNOBRIDGE_BIND", "127.0.0.1:8000"))
        # One single-threaded process per core by default: the pages are CPU work in Python, and
        # each process keeps what it read (rendered fragments, visible ids, segmented texts). On
        # 2 cores under 100 users (bench/load.py), 2 × 1 served ~240 req/s at p95 ~600 ms; 4 × 1
        # ~200 at ~780 ms; 4 × 2 ~195 at ~1,400 ms (threads wait for each other's GIL and
        # serve the cheapest pages first). nginx in front buffers slow clients. Each process
        # holds its own match indexes (~1.7 GB at 100,000 projects and 20,000 demands), hence
        # at most 4 by default.
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_CONCURRENCY") or min(os.cpu_count() or 2, 4)),
        )
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "1")))
        parser.add_argument("--no-collectstatic", action="store_true")
        parser.add_argument(
            "--no-index",
            action="store_true",
            help="do not build missing match vectors in the background",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings
        from django.db import connection
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("数据库结构不是最新的：请先运行 `innobridge migrate`，再启动服务。")
        if settings.PRODUCTION:
            # gunicorn does not run Django's checks: a misconfigured deployment stops here.
            call_command("check", deploy=True)
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        if not options["no_index"] and index_build_needed():
            self.start_index_build()
        # No gunicorn access log: the app logs every request itself (RequestLogMiddleware, with
        # user and request id), and gunicorn's own messages use the app's format (LOG_FORMAT).
        os.environ["LOG_FORMAT"] = settings.LOG_FORMAT
        argv = [
            sys.executable, "-m", "gunicorn", "innobridge.wsgi:application",
            "--bind", options["bind"], "--workers", str(options["workers"]),
            "--threads", str(options["threads"]),
            "--logger-class", "innobridge.core.logging.GunicornLogger",
            # each worker builds its match indexes as soon as it is up
            "--config", "python:innobridge.core.gunicorn_hooks",
            "--timeout", "120",
        ]  # fmt: skip
        self.stdout.write(f"科创桥 Innobridge: http://{options['bind']}/")
        sys.stdout.flush()
        # Replaces this process with gunicorn; argv is ours, not user input.
        os.execv(sys.executable, argv)  # noqa: S606  # nosec B606

    def start_index_build(self) -> None:
        """Segment the texts again if this release segments them another way, and encode records
        that have no vectors yet, at low priority, beside the server; until it finishes, matching
        uses the old tokens and BM25 alone (the index picks the new files up when they appear)."""
        from django.conf import settings

        log = Path(settings.DATA_DIR) / "index-rebuild.log"
        command = [sys.executable, "-m", "innobridge.cli", "index", "rebuild", "--if-missing"]
        with log.open("ab") as output:
            subprocess.Popen(  # noqa: S603  # nosec B603, B607 # our own command; nice from PATH
                ["nice", "-n", "10", *command],  # noqa: S607
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.stdout.write(f"匹配索引在后台构建（分词与向量，日志：{log}）")
