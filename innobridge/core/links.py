"""Links to a record's page, for lists that show many of them.

``reverse()`` checks every URL it builds against its route's pattern (~28 µs, a fifth of a list
row's rendering). A detail route takes one integer, so its URL is a fixed head and tail around
the id: they are read off one ``reverse()`` per route and URL prefix, and the rest is
formatting. Models use it in ``get_absolute_url``.
"""

from __future__ import annotations

import threading

from django.urls import get_script_prefix, get_urlconf, reverse

_SAMPLE = 918273645  # an id no route could mistake for anything else
_lock = threading.Lock()
_around: dict[tuple[str, str, object], tuple[str, str]] = {}


def record_url(viewname: str, pk: int) -> str:
    """``reverse(viewname, args=[pk])`` for a route whose only argument is an integer id."""
    key = (viewname, get_script_prefix(), get_urlconf())
    found = _around.get(key)
    if found is None:
        head, sample, tail = reverse(viewname, args=[_SAMPLE]).partition(str(_SAMPLE))
        if not sample:
            raise ValueError(f"{viewname} does not take the id as it is")
        found = (head, tail)
        with _lock:
            _around[key] = found
    return f"{found[0]}{int(pk)}{found[1]}"
