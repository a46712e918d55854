"""``innobridge worker [--concurrency N]``: a Celery worker for background work (needs REDIS_URL).

Add workers (on this or other machines, same REDIS_URL and database) to go faster; a worker
killed in the middle of a task leaves it to another (tasks are acknowledged late and idempotent).
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Run a Celery worker for Innobridge's background tasks (needs REDIS_URL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--concurrency", type=int, default=os.cpu_count() or 1)
        parser.add_argument("--loglevel", default="INFO")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.REDIS_URL:
            raise CommandError(
                "REDIS_URL is not set: without it background work runs inside the web process "
                "and no worker is needed (set e.g. REDIS_URL=redis://127.0.0.1:6379/0)."
            )
        from innobridge.celery import app

        if settings.LOG_FORMAT == "json":
            from celery.signals import after_setup_logger, after_setup_task_logger

            from innobridge.core.logging import celery_logs_as_json

            after_setup_logger.connect(celery_logs_as_json, weak=False)
            after_setup_task_logger.connect(celery_logs_as_json, weak=False)
        app.worker_main(
            ["worker", f"--concurrency={options['concurrency']}", f"--loglevel={options['loglevel']}",
             "--queues=innobridge"]
        )  # fmt: skip
