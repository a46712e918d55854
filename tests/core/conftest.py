"""The permission matrix's table, printed at the end of a normal test run (no -s needed); a
Redis database of the local server for tests of the shared cache and the broker."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

# Filled by tests/core/test_permission_matrix.py: role names, then one row per operation
# (label, {role: cell}) where a cell is the status code, or "leak!" when a sentinel leaked.
MATRIX: dict[str, Any] = {"roles": [], "rows": [], "leaks": 0}


def pytest_terminal_summary(terminalreporter: Any) -> None:
    rows = MATRIX["rows"]
    if not rows:
        return
    roles = MATRIX["roles"]
    width = min(max(len(label) for label, _cells in rows), 90)
    write = terminalreporter.write_line
    terminalreporter.section("permission matrix (status per role; leak! = a sentinel leaked)")
    write(" " * width + " " + " ".join(f"{role[:9]:>9}" for role in roles))
    for label, cells in rows:
        text = label if len(label) <= width else label[: width - 1] + "…"
        write(f"{text:<{width}} " + " ".join(f"{str(cells.get(r, '')):>9}" for r in roles))
    write(
        f"matrix size: {len(roles)} roles × {len(rows)} operations = {len(roles) * len(rows)} "
        f"cells; leaks: {MATRIX['leaks']}"
    )


# the platform's keys (core.cache), Django's cached sessions and rendered fragments ({% cache %})
CACHE_PREFIXES = (":1:innobridge:", ":1:django.contrib.sessions.", ":1:template.cache.")
KOMBU_KEYS = ("innobridge", "unacked", "unacked_index", "unacked_mutex", "_kombu.binding.innobridge", "_kombu.binding_permanent.innobridge", "_kombu.binding_deadlines")  # fmt: skip


@pytest.fixture
def redis_back() -> Iterator[tuple[str, Any]]:
    """A Redis database nobody else uses (the local server; 15 is test_index_lifecycle's),
    with what Celery put there removed afterwards."""
    import redis

    for number in range(9, 15):
        url = f"redis://127.0.0.1:6379/{number}"
        client = redis.Redis.from_url(url)
        if not [key for key in client.keys("*") if not ours(key.decode())]:
            break
        client.close()
    else:
        pytest.skip("no free Redis database among 9–14")
    clear(client)
    yield url, client
    clear(client)
    client.close()


def ours(key: str) -> bool:
    """What Celery and the shared cache (``CACHE_PREFIXES``) leave in a database these tests
    used: an earlier run's leftovers, not another user's data."""
    return key in KOMBU_KEYS or key.startswith(CACHE_PREFIXES)


def clear(client: Any) -> None:
    leftovers = [key for key in client.keys("*") if ours(key.decode())]
    if leftovers:
        client.delete(*leftovers)


def redis_caches(url: str) -> dict[str, Any]:
    """The settings' caches with the shared one on Redis at ``url``."""
    from django.conf import settings

    shared = {
        "BACKEND": "innobridge.core.cache.ResilientRedisCache",
        "LOCATION": url,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    return {**settings.CACHES, "default": shared}
