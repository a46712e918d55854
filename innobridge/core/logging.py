"""Structured logs: one JSON object per line (``LOG_FORMAT=json``), and one line per request.

``RequestLogMiddleware`` times every request and logs method, path, status, duration, user and
request id on the ``innobridge.request`` logger; any other record logged while a request is
being handled (an error with its traceback, a warning) carries the same request fields, so a
log search by ``request_id`` finds everything one request did. ``innobridge serve`` turns
gunicorn's own text access log off and formats gunicorn's messages the same way.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from gunicorn.glogging import Logger as GunicornBaseLogger

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

request_logger = logging.getLogger("innobridge.request")

# The fields of the request being handled by this thread (gunicorn's threads each have their own).
_request_fields: ContextVar[dict[str, Any] | None] = ContextVar("innobridge_request", default=None)

REQUEST_FIELDS = ("method", "path", "status", "duration_ms", "user_id", "request_id")
# A request id from the proxy (nginx's $request_id) is kept when it looks like one.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Load-balancer probes would otherwise fill the log; they are logged at DEBUG when they succeed.
_QUIET_PATHS = frozenset({"/healthz", "/readyz"})


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", <request fields>, "exception"}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(_request_fields.get() or {})
        for field in REQUEST_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The human-readable format (``LOG_FORMAT=text``), with the request id when there is one."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        request_id = getattr(record, "request_id", None) or (_request_fields.get() or {}).get(
            "request_id"
        )
        return f"{line} [{request_id}]" if request_id else line


class RequestLogMiddleware:
    """One log record per request: ``GET /lists/ 200 12.3ms`` with the fields as attributes.

    First in MIDDLEWARE, so the duration and status include every other middleware (an HTTPS
    redirect, a static file from WhiteNoise). The request id is echoed in ``X-Request-ID``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        fields: dict[str, Any] = {
            "method": request.method,
            "path": request.path,
            "request_id": request_id,
        }
        token = _request_fields.set(fields)
        try:
            response = self.get_response(request)
        finally:
            _request_fields.reset(token)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else None
        response.headers.setdefault("X-Request-ID", request_id)
        status = response.status_code
        quiet = request.path in _QUIET_PATHS and status < 400
        level = logging.DEBUG if quiet else logging.ERROR if status >= 500 else logging.INFO
        request_logger.log(
            level,
            "%s %s %s %.1fms",
            request.method,
            request.path,
            status,
            duration_ms,
            extra={**fields, "status": status, "duration_ms": duration_ms, "user_id": user_id},
        )
        return response


def celery_logs_as_json(logger: logging.Logger, **_: Any) -> None:
    """Celery's ``after_setup_logger`` hook: the worker's log lines in the app's JSON format."""
    for handler in logger.handlers:
        handler.setFormatter(JsonFormatter())


class GunicornLogger(GunicornBaseLogger):  # type: ignore[misc]  # gunicorn ships no type hints
    """gunicorn's own messages (workers booting, timeouts) in the same format as the app's."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        if os.environ.get("LOG_FORMAT", "json") == "json":
            for handler in self.error_log.handlers:
                handler.setFormatter(JsonFormatter())
