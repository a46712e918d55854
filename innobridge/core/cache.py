"""The Redis cache, made optional: when Redis is down, pages go on as if nothing were cached.

What the platform keeps in the cache (login-failure counters, cached counts) can be recomputed
or lost without harm, so a cache outage is logged and answered like a miss: ``get`` returns the
default, writes are dropped, ``incr`` starts again from zero. After a failure the server is left
alone for ``RETRY_AFTER`` seconds, so an unreachable Redis costs one short connect timeout
(settings: ``socket_connect_timeout``), not one per call.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)
T = TypeVar("T")
RETRY_AFTER = 10.0


class ResilientRedisCache(RedisCache):
    """Django's RedisCache, answering like an empty cache while Redis cannot be reached."""

    _down_until = 0.0
    _state_lock = threading.Lock()

    def _guard(self, call: Callable[[], T], fallback: T) -> T:
        import redis

        if time.monotonic() < ResilientRedisCache._down_until:
            return fallback
        try:
            return call()
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError) as error:
            with ResilientRedisCache._state_lock:
                ResilientRedisCache._down_until = time.monotonic() + RETRY_AFTER
            logger.warning("cache unavailable (%s); going on without it", error)
            return fallback

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._guard(lambda: RedisCache.get(self, key, default, version), default)

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self._guard(lambda: RedisCache.get_many(self, keys, version), {})

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._guard(lambda: RedisCache.has_key(self, key, version), False)

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        self._guard(lambda: RedisCache.set(self, key, value, timeout, version), None)

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return self._guard(lambda: RedisCache.add(self, key, value, timeout, version), False)

    def set_many(
        self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        return self._guard(lambda: RedisCache.set_many(self, data, timeout, version), list(data))

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guard(lambda: RedisCache.touch(self, key, timeout, version), False)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._guard(lambda: RedisCache.delete(self, key, version), False)

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._guard(lambda: RedisCache.delete_many(self, keys, version), None)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        # a counter that cannot be reached starts again: nobody is locked out by an outage
        return self._guard(lambda: RedisCache.incr(self, key, delta, version), delta)

    def clear(self) -> None:
        self._guard(lambda: RedisCache.clear(self), None)
