"""The Redis cache, made optional: when Redis is down, each process goes on with its own memory.

What the platform keeps in the cache (login-failure counters, cached counts) may be recomputed
or lost without harm, so a cache outage is logged and every call goes to a per-process
in-memory cache instead (Django's LocMemCache) until Redis answers again: pages go on, and login
failures are still counted — per web process rather than for all of them, so the lockout keeps
working, only less strictly. After a failure Redis is left alone for ``RETRY_AFTER`` seconds, so
an unreachable server costs one short connect timeout (settings: ``socket_connect_timeout``), not
one per call.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)
T = TypeVar("T")
RETRY_AFTER = 10.0


class _ReusedClients(RedisCacheClient):
    """Django's client, keeping one ``redis.Redis`` per connection pool instead of building one
    per call: building it (redis-py checks its deprecated arguments through ``inspect``) took
    ~0.2 ms, more than the GET it served, and a page makes several. A ``redis.Redis`` on a pool
    is safe to share between threads."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = super().get_client(key, write=write)
        return client


class ResilientRedisCache(RedisCache):
    """Django's RedisCache, falling back to this process's memory while Redis cannot be reached."""

    _down_until = 0.0
    _state_lock = threading.Lock()
    _local: LocMemCache | None = None

    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusedClients

    def _either(self, method: str, *args: Any) -> Any:
        import redis

        if time.monotonic() >= ResilientRedisCache._down_until:
            try:
                return getattr(RedisCache, method)(self, *args)
            except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError) as error:  # fmt: skip
                with ResilientRedisCache._state_lock:
                    ResilientRedisCache._down_until = time.monotonic() + RETRY_AFTER
                logger.warning("cache unavailable (%s); this process uses its own memory", error)
        with ResilientRedisCache._state_lock:
            if ResilientRedisCache._local is None:
                ResilientRedisCache._local = LocMemCache("innobridge-redis-fallback", {})
            local = ResilientRedisCache._local
        return getattr(local, method)(*args)

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._either("get", key, default, version)

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return cast(dict[Any, Any], self._either("get_many", keys, version))

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return bool(self._either("has_key", key, version))

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        self._either("set", key, value, timeout, version)

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return bool(self._either("add", key, value, timeout, version))

    def set_many(
        self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        return cast(list[Any], self._either("set_many", data, timeout, version))

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return bool(self._either("touch", key, timeout, version))

    def delete(self, key: Any, version: int | None = None) -> bool:
        return bool(self._either("delete", key, version))

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._either("delete_many", keys, version)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        return int(self._either("incr", key, delta, version))

    def clear(self) -> None:
        self._either("clear")


# --- cached counts ------------------------------------------------------------------------------
# A list page's "共 55,119 条" and the home page's totals are COUNT(*)s over 100,000 rows under
# the user's visibility filter (5–20 ms of PostgreSQL each, the largest part of a list request).
# They are kept in the cache under the query's SQL (which holds the user's organizations, role
# and filters) and the data version: one number that every committed save or delete of any
# record moves on (signals connected in CoreConfig.ready), shared by all workers through Redis.
# Writes that bypass signals (QuerySet.update, bulk_create) are covered by COUNT_TTL.
DATA_VERSION_KEY = "innobridge:data-version"
COUNT_TTL = 60


_request = threading.local()  # this thread's request: the data version it read (one per request)


def data_version() -> int:
    """The current data version: read from the shared cache once per request (a page asks for
    it a dozen times, each a Redis round trip), at every call outside requests."""
    from django.core.cache import cache

    memo = getattr(_request, "version", None)
    if memo is not None:
        return int(memo)
    version = cache.get(DATA_VERSION_KEY)
    if version is None:
        # a cache that lost it starts from a number no earlier entry was stored under
        cache.add(DATA_VERSION_KEY, time.time_ns(), None)
        version = cache.get(DATA_VERSION_KEY, 0)
    if getattr(_request, "active", False):
        _request.version = int(version)
    return int(version)


def request_started(**_signal: Any) -> None:
    _request.active, _request.version = True, None


def request_finished(**_signal: Any) -> None:
    _request.active, _request.version = False, None


def bump_data_version(**_signal: Any) -> None:
    """Any record changed: now (this transaction's own reads) and again on commit (a reader
    between the two could have stored what other transactions still saw)."""
    from django.db import transaction

    _bump()
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(entry[1] is _bump for entry in connection.run_on_commit):
        return  # an import saving 10,000 rows in one transaction moves it once on commit
    transaction.on_commit(_bump)


def _bump() -> None:
    from django.core.cache import cache

    _request.version = None  # this request reads the new version next

    try:
        cache.incr(DATA_VERSION_KEY)
    except ValueError:  # not there (first write, or the cache was cleared)
        cache.add(DATA_VERSION_KEY, time.time_ns(), None)


class VersionedCopies:
    """This process's copies of cache entries whose key holds the data version: such a key
    names one state of the data, so a copy is as good as the shared entry until it expires
    (``COUNT_TTL``). The copies are dropped when the version moves. Reading them from Redis
    (a round trip and unpickling: a searched word's ids, the investors a user may see) was the
    largest part of a cached page's time under load."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self.lock = threading.Lock()
        self.version: int | None = None
        self.entries: dict[str, tuple[float, Any]] = {}

    def get(self, key: str, version: int) -> Any:
        with self.lock:
            if self.version != version:
                return None
            found = self.entries.get(key)
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]

    def put(self, key: str, value: Any, version: int, ttl: float) -> None:
        with self.lock:
            if self.version != version:
                self.entries.clear()
                self.version = version
            while len(self.entries) >= self.size:
                self.entries.pop(next(iter(self.entries)))
            self.entries[key] = (time.monotonic() + ttl, value)


_copies = VersionedCopies()


def versioned(key: str, compute: Callable[[], T], ttl: float = COUNT_TTL) -> T:
    """``compute()`` kept under ``key`` + the data version: in this process, then in the shared
    cache (every worker), until any record changes or ``ttl`` seconds pass. The value is
    shared by every caller: read it, never change it."""
    from django.core.cache import cache

    version = data_version()
    full = f"{key}:{version}"
    found = _copies.get(full, version)
    if found is None:
        found = cache.get(full)
        if found is None:
            found = compute()
            cache.set(full, found, ttl)
        _copies.put(full, found, version, ttl)
    return cast(T, found)


class LastingCopies:
    """This process's copies of cache entries whose key names the state of the data they were
    read from by other means than the data version (a table's stamp): unlike
    ``VersionedCopies`` they outlive a change elsewhere. The least recently used go first, so
    that the entries hold at most ``budget`` items in all (2,000,000 record ids: about 70 MB)."""

    def __init__(self, budget: int = 2_000_000) -> None:
        self.budget = budget
        self.lock = threading.Lock()
        self.entries: dict[str, tuple[float, Any, int]] = {}
        self.held = 0

    def get(self, key: str) -> Any:
        with self.lock:
            found = self.entries.pop(key, None)
            if found is None:
                return None
            if found[0] < time.monotonic():
                self.held -= found[2]
                return None
            self.entries[key] = found  # most recently used last
        return found[1]

    def put(self, key: str, value: Any, ttl: float) -> None:
        size = len(value) if hasattr(value, "__len__") else 1
        if size > self.budget:
            return
        with self.lock:
            old = self.entries.pop(key, None)
            self.held -= old[2] if old else 0
            while self.entries and self.held + size > self.budget:
                self.held -= self.entries.pop(next(iter(self.entries)))[2]
            self.entries[key] = (time.monotonic() + ttl, value, size)
            self.held += size


_lasting = LastingCopies()
LASTING_TTL = 3600  # bounds what a write that bypasses ``updated`` (raw SQL) leaves stale


def lasting(name: str, parts: tuple[Any, ...], compute: Callable[[], T], ttl: float = LASTING_TTL) -> T:  # fmt: skip
    """``compute()``, kept per ``parts`` in this process and in the shared cache for ``ttl``
    seconds, whatever else changes: ``parts`` must name the state of everything ``compute``
    reads (e.g. ``table_stamp`` of each table). The value is shared: read it, never change it."""
    import hashlib

    from django.core.cache import cache

    key = (
        f"innobridge:{name}:"
        + hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()
    )
    found = _lasting.get(key)
    if found is None:
        found = cache.get(key)
        if found is None:
            found = compute()
            cache.set(key, found, ttl)
        _lasting.put(key, found, ttl)
    return cast(T, found)


def table_stamp(model: Any) -> tuple[int, Any] | None:
    """(rows, latest ``updated``) of a model's table, read once per data version: a saved,
    added (also in bulk) or deleted row moves it, a change to any other table does not. None
    for a model without an ``updated`` field."""
    if not any(field.name == "updated" for field in model._meta.concrete_fields):
        return None

    def read() -> tuple[int, Any]:
        from django.db.models import Count, Max

        summary = model._base_manager.aggregate(rows=Count("pk"), latest=Max("updated"))
        return (int(summary["rows"]), summary["latest"])

    return remembered("table-stamp", (model._meta.label,), read, per_language=False)


def query_key(queryset: Any) -> str | None:
    """A queryset's query as one cache-key part: its database, SQL and parameters (which hold
    the user's visibility filter, the filters and the order), hashed; None when it can match
    nothing. Compiling the SQL is ~1 ms for a list's query: compute it once per queryset."""
    import hashlib

    from django.core.exceptions import EmptyResultSet

    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # .none(), or a filter that can match nothing
        return None
    text = f"{queryset.db}\n{sql}\n{params!r}"
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def cached_count(queryset: Any, key: str | None = "") -> int:
    """``queryset.count()``, remembered until any record changes (or ``COUNT_TTL`` seconds);
    ``key``: the queryset's ``query_key`` when the caller has it already."""
    if key == "":
        key = query_key(queryset)
    if key is None:
        return 0
    return int(versioned("innobridge:count:" + key, queryset.count))


def remembered(
    name: str, parts: tuple[Any, ...], compute: Callable[[], T], *, per_language: bool = True
) -> T:
    """``compute()``, kept until any record changes (or ``COUNT_TTL`` seconds) per ``parts``
    and language: for figures that take many queries to gather and are the same for everyone
    ``parts`` names (the targets dashboard for a year; a user's home page totals). ``parts``
    must hold everything besides the data that the figures depend on (the year, the user);
    ``per_language=False`` for what no language changes (record ids)."""
    import hashlib

    from django.utils.translation import get_language

    text = repr((parts, get_language() if per_language else ""))
    key = f"innobridge:{name}:" + hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()
    return versioned(key, compute)
