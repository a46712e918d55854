"""Background work: where a task runs depends on the deployment, not on the caller.

``enqueue(task, *args)`` sends the task to the Celery workers when ``REDIS_URL`` is set and
otherwise runs it in a background thread of this process (the embedded default), so a request
never waits for it. Tasks are idempotent: running one twice (a worker killed half-way, Redis
back after an outage) gives the same result.

Redis down: ``enqueue`` never fails the (already committed) request and never waits long. The
broker is given up on after a short connect timeout (settings ``CELERY_BROKER_*``) and the task
is kept in the outbox table (``core.PendingTask``: task name and JSON arguments); for
``BROKER_RETRY_AFTER`` seconds after such a failure this process writes to the outbox directly.
The outbox is sent, oldest first, by ``resend_pending()``:

- after the next successful ``enqueue`` in any process (up to ``RESEND_ON_ENQUEUE`` tasks);
- by every worker (``innobridge worker``) at start-up and then every ``RESEND_EVERY`` seconds;
- by hand: ``innobridge tasks resend`` (``innobridge tasks pending`` shows what waits).

A task is removed from the outbox in the same transaction that sent it, row-locked on
PostgreSQL, so it is sent at least once (twice at worst when a process dies between the send
and the commit, which idempotent tasks allow).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import OperationalError, close_old_connections, transaction

logger = logging.getLogger(__name__)
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()
_pending: list[Future[Any]] = []
EMBED_CHUNK = 64
LOCK_RETRIES = 8


def _local(function: Callable[..., Any], *args: Any, inline: bool = False) -> Future[Any]:
    global _executor
    with _executor_lock:
        if _executor is None and not inline:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="innobridge-task")

    def run() -> Any:
        try:
            for attempt in range(1, LOCK_RETRIES + 1):
                try:
                    return function(*args)
                except OperationalError as error:
                    # SQLite answers "database is locked" while another connection writes
                    if "locked" not in str(error) or attempt == LOCK_RETRIES:
                        raise
                    close_old_connections()
                    time.sleep(0.2 * attempt)
        except Exception:
            logger.exception("background task %s failed", getattr(function, "__name__", function))
            raise
        finally:
            close_old_connections()

    if inline:
        done: Future[Any] = Future()
        try:
            done.set_result(function(*args))
        except Exception as error:
            logger.exception("task %s failed", getattr(function, "__name__", function))
            done.set_exception(error)
        return done
    assert _executor is not None  # noqa: S101 - created above
    future = _executor.submit(run)
    _pending.append(future)
    return future


def enqueue(task: Any, *args: Any) -> None:
    """Run ``task`` (a Celery task) in the background, on Celery or in this process."""
    if settings.REDIS_URL:
        _send_or_keep(task.name, list(args))
    elif settings.BACKGROUND_MODE == "inline":
        _local(task.run, *args, inline=True)  # a failure is logged, never breaks the caller
    else:
        _local(task.run, *args)


BROKER_RETRY_AFTER = 10.0  # seconds this process goes straight to the outbox after a failure
RESEND_ON_ENQUEUE = 100
RESEND_EVERY = 60.0
_broker_down_until = 0.0


def _send(name: str, args: list[Any]) -> Exception | None:
    """Hand the task to the broker; the error instead of raising it (Redis down, timeout)."""
    global _broker_down_until
    from innobridge.celery import app

    try:
        app.send_task(name, args=args)
    except Exception as error:  # noqa: BLE001 - any broker failure means "keep it for later"
        _broker_down_until = time.monotonic() + BROKER_RETRY_AFTER
        return error
    _broker_down_until = 0.0
    return None


def _send_or_keep(name: str, args: list[Any]) -> None:
    from innobridge.core.models import PendingTask

    error: Exception | None = None
    if time.monotonic() >= _broker_down_until:
        error = _send(name, args)
        if error is None:
            try:
                if PendingTask.objects.exists():
                    resend_pending(limit=RESEND_ON_ENQUEUE)
            except Exception:  # the request has committed: never fail it now
                logger.exception("could not send the task outbox")
            return
    reason = str(error) if error is not None else "broker unavailable moments ago"
    try:
        PendingTask.objects.create(name=name, args=args, last_error=reason[:500])
        logger.warning("task %s kept in the outbox: %s", name, reason)
    except Exception:  # the database is down too: nothing left to keep it in
        logger.exception("task %s%r lost: neither the broker nor the database answer", name, args)


def resend_pending(limit: int | None = None) -> int:
    """Send the outbox, oldest first, until it is empty, ``limit`` is reached or the broker fails
    (the task stays, with its attempt counted). Returns how many tasks were sent."""
    from django.db.models import F

    from innobridge.core.models import PendingTask

    sent = 0
    while limit is None or sent < limit:
        with transaction.atomic():
            item = PendingTask.objects.select_for_update(skip_locked=True).order_by("pk").first()
            if item is None:
                break
            error = _send(item.name, list(item.args))
            if error is not None:
                PendingTask.objects.filter(pk=item.pk).update(
                    attempts=F("attempts") + 1, last_error=str(error)[:500]
                )
                break
            item.delete()
        sent += 1
    if sent:
        logger.info("sent %d task(s) from the outbox", sent)
    return sent


def start_outbox_resender(every: float = RESEND_EVERY) -> threading.Thread:
    """A daemon thread (in a worker) that sends the outbox now and then every ``every`` s."""

    def loop() -> None:
        while True:
            try:
                resend_pending()
            except Exception:
                logger.exception("could not send the task outbox")
            finally:
                close_old_connections()
            time.sleep(every)

    thread = threading.Thread(target=loop, name="innobridge-outbox", daemon=True)
    thread.start()
    return thread


def wait_for_background(timeout: float = 120.0) -> None:
    """Block until the in-process background tasks queued so far are done (commands, tests)."""
    while _pending:
        _pending.pop(0).result(timeout=timeout)


@shared_task(  # type: ignore[untyped-decorator]
    name="innobridge.embed_records",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def embed_records(name: str, pks: list[int]) -> int:
    """Encode the given records' texts for the match index and merge them into its vectors."""
    from innobridge.core.matching import embed_records as embed

    return embed(name, pks)


_queued = threading.local()


def index_after_commit(name: str, pk: int, created: bool = False) -> None:
    """Queue a record for (re)indexing once the transaction commits; a big import is sent to
    the workers in chunks, so more workers finish sooner."""
    queued: dict[str, set[int]] = getattr(_queued, "names", None) or {}
    queued.setdefault(name, set()).add(pk)
    _queued.names = queued
    if created and name == "demands":
        new: set[int] = getattr(_queued, "created", set())
        new.add(pk)
        _queued.created = new

    def flush() -> None:
        names: dict[str, set[int]] = getattr(_queued, "names", None) or {}
        _queued.names = {}
        for index_name, ids in names.items():
            ordered = sorted(ids)
            for start in range(0, len(ordered), EMBED_CHUNK):
                enqueue(embed_records, index_name, ordered[start : start + EMBED_CHUNK])
        created: list[int] = sorted(getattr(_queued, "created", set()))
        _queued.created = set()
        if created:
            enqueue(flag_duplicates, created)

    transaction.on_commit(flush)


@shared_task(name="innobridge.flag_duplicates", acks_late=True)  # type: ignore[untyped-decorator]
def flag_duplicates(pks: list[int]) -> int:
    """Flag new demands that closely repeat an earlier one (after they are committed)."""
    from innobridge.core.matching import flag_duplicates as flag

    return flag(pks)
