"""The Celery application (``innobridge worker``); tasks live in each app's ``tasks.py``."""

from __future__ import annotations

import os
from typing import Any

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "innobridge.settings")

app = Celery("innobridge")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["innobridge.core", "innobridge.targets"])


@worker_ready.connect  # type: ignore[untyped-decorator]
def _send_outbox(**_kwargs: Any) -> None:
    """Tasks kept while Redis was down (innobridge.core.tasks): sent at start-up, then every
    minute while the worker runs."""
    from innobridge.core.tasks import start_outbox_resender

    start_outbox_resender()
