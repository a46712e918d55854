"""Structured logs: each request is one JSON line with its path, status, duration, user and
request id; whatever else is logged during the request (an exception) carries the same id."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import datetime

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from innobridge.core.logging import (
    GunicornLogger,
    JsonFormatter,
    RequestLogMiddleware,
    TextFormatter,
)


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """What the app logs on the request logger and on ``innobridge.test``, as JSON lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger("innobridge.request"), logging.getLogger("innobridge.test")]
    for logger in loggers:
        logger.addHandler(handler)
    yield stream
    for logger in loggers:
        logger.removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.django_db
def test_a_request_is_one_json_line(json_log: io.StringIO, django_user_model: type) -> None:
    user = django_user_model.objects.create_user(username="reader", password="pw-reader-2025")
    client = Client()
    client.force_login(user)
    response = client.get("/lists/", {"q": "激光"}, HTTP_X_REQUEST_ID="nginx-4f2a")
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "nginx-4f2a"

    [entry] = lines(json_log)
    assert entry["level"] == "INFO"
    assert entry["logger"] == "innobridge.request"
    assert entry["method"] == "GET"
    assert entry["path"] == "/lists/"  # the query string (search words) stays out of the log
    assert entry["status"] == 200
    assert isinstance(entry["duration_ms"], float)
    assert entry["duration_ms"] >= 0
    assert entry["user_id"] == user.pk
    assert entry["request_id"] == "nginx-4f2a"
    assert str(entry["message"]).startswith("GET /lists/ 200 ")
    assert datetime.fromisoformat(str(entry["time"])).tzinfo is not None


@pytest.mark.django_db
def test_request_ids_are_made_up_when_missing_or_odd(json_log: io.StringIO) -> None:
    client = Client()
    client.get("/lists/")
    client.get("/lists/", HTTP_X_REQUEST_ID="bad id\nwith newline")
    first, second = lines(json_log)
    assert len(str(first["request_id"])) == 32
    assert second["request_id"] != "bad id\nwith newline"
    assert "user_id" not in first  # anonymous


def test_an_exception_during_a_request_carries_the_request_fields(json_log: io.StringIO) -> None:
    def failing_view(request: HttpRequest) -> HttpResponse:
        try:
            1 / 0  # noqa: B018
        except ZeroDivisionError:
            logging.getLogger("innobridge.test").exception("导出失败")
        return HttpResponse(status=500)

    request = RequestFactory().post("/excel/projects/export/")
    RequestLogMiddleware(failing_view)(request)
    error, access = lines(json_log)
    assert error["message"] == "导出失败"
    assert "ZeroDivisionError" in str(error["exception"])
    assert error["path"] == "/excel/projects/export/"
    assert error["request_id"] == access["request_id"]
    assert access["status"] == 500
    assert access["level"] == "ERROR"


def test_health_probes_are_quiet(json_log: io.StringIO) -> None:
    Client().get("/healthz")
    assert json_log.getvalue() == ""


def test_text_format_is_one_readable_line() -> None:
    record = logging.LogRecord(
        "innobridge.request", logging.INFO, __file__, 1, "GET / 200", (), None
    )
    record.request_id = "abc123"
    line = TextFormatter().format(record)
    assert "INFO innobridge.request GET / 200 [abc123]" in line


def test_gunicorn_messages_use_the_json_format(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from gunicorn.config import Config

    monkeypatch.setenv("LOG_FORMAT", "json")
    logger = GunicornLogger(Config())
    logger.info("Booting worker with pid: %s", 42)
    entry = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert entry["logger"] == "gunicorn.error"
    assert entry["message"] == "Booting worker with pid: 42"
