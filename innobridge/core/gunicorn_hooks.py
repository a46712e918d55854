"""gunicorn server hooks (``innobridge serve`` passes ``--config python:innobridge.core.gunicorn_hooks``).

A web process builds its match indexes on first use: at 100,000 technologies that is seconds of
BM25 alone and half a minute with vectors (their inverted file's k-means), and the first user to
search or match after a deploy or restart waited for it. Each worker now starts building them
as soon as it is up, in a thread; a request that needs an index meanwhile waits for that build
(``core.matching.index_for`` builds under a lock) instead of starting another one.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

log = logging.getLogger(__name__)


def warm_match_indexes() -> None:
    """Build this process's match indexes (every one in ``core.matching.SOURCES``)."""
    from django.db import connection

    from innobridge.core.matching import SOURCES, index_for

    started = time.perf_counter()
    try:
        for name in SOURCES:
            index_for(name, wait=-1.0)  # as long as it takes; requests meanwhile wait less
        log.info("match indexes ready in %.1f s", time.perf_counter() - started)
    except Exception:  # a request builds them instead, as before
        log.exception("warming the match indexes failed")
    finally:
        connection.close()  # this thread's own connection


def post_worker_init(worker: Any) -> None:
    threading.Thread(target=warm_match_indexes, name="warm-indexes", daemon=True).start()
