"""Production mode (INNOBRIDGE_ENV=production): Django's deployment checks come out clean, the
server refuses to start without a real SECRET_KEY or with DEBUG on, and a login over HTTPS
behind the proxy gets Secure cookies while plain HTTP is redirected."""

from __future__ import annotations

import importlib.util
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "innobridge" / "settings.py"
# Variables that would change what production mode means; the tests start from none of them.
_SETTING_VARIABLES = (
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set for the whole session by the browser tests
    "DEBUG",
    "SECRET_KEY",
    "SECRET_KEY_FILE",
    "DATABASE_URL",
    "REDIS_URL",
    "INNOBRIDGE_TESTING",
    "LOG_FORMAT",
    "SECURE_COOKIES",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
)


def production_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SETTING_VARIABLES}
    env.update(
        INNOBRIDGE_ENV="production",
        INNOBRIDGE_DATA_DIR=str(data_dir),
        SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_SETTINGS_MODULE="innobridge.settings",
    )
    env.update(extra)
    return env


def innobridge(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "innobridge.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_deploy_check_is_clean_in_production(tmp_path: Path) -> None:
    result = innobridge(
        "check", "--deploy", "--fail-level", "WARNING", env=production_env(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_development_mode_would_not_pass_the_deploy_check(tmp_path: Path) -> None:
    """The demo stays plain HTTP: production settings are opt-in."""
    env = production_env(tmp_path)
    del env["INNOBRIDGE_ENV"], env["SECRET_KEY"]
    result = innobridge("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "SESSION_COOKIE_SECURE" in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SECRET_KEY": "too-short"}, "SECRET_KEY"),
        ({"DEBUG": "true"}, "DEBUG"),
    ],
)
def test_production_refuses_to_start_when_misconfigured(
    tmp_path: Path, change: dict[str, str], named: str
) -> None:
    result = innobridge("serve", "--no-index", env=production_env(tmp_path, **change))
    assert result.returncode == 1
    assert result.stderr.startswith("innobridge: ")
    assert named in result.stderr
    assert "生产模式" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "secret_key").exists()  # never falls back to a generated key


def production_security_settings(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> dict[str, Any]:
    """The cookie and HTTPS settings our settings module computes under the production env."""
    for name, value in production_env(data_dir).items():
        monkeypatch.setenv(name, value)
    for name in _SETTING_VARIABLES:
        if name != "SECRET_KEY":
            monkeypatch.delenv(name, raising=False)
    spec = importlib.util.spec_from_file_location("innobridge_production_settings", SETTINGS_FILE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    prefixes = ("SECURE_", "SESSION_COOKIE_", "CSRF_COOKIE_", "LANGUAGE_COOKIE_")
    return {name: getattr(module, name) for name in dir(module) if name.startswith(prefixes)}


@pytest.mark.django_db
def test_login_in_production_sets_secure_cookies(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    production = production_security_settings(monkeypatch, tmp_path)
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    get_user_model().objects.create_user(username="operator", password="pw-for-operator-2025")
    with override_settings(**production):
        client = Client(enforce_csrf_checks=True)  # the middleware is built with these settings
        # Plain HTTP is redirected to HTTPS; the load balancer's probes are not.
        plain = client.get("/account/login/")
        assert plain.status_code == 301
        assert plain.headers["Location"] == "https://testserver/account/login/"
        assert client.get("/healthz").status_code == 200

        # Behind nginx: TLS ends at the proxy, which passes the Host and says so in
        # X-Forwarded-Proto; the browser sends its Origin with the form.
        https = {
            "HTTP_HOST": "testserver",
            "HTTP_X_FORWARDED_PROTO": "https",
            "HTTP_ORIGIN": "https://testserver",
        }
        page = client.get("/account/login/", **https)
        assert page.status_code == 200
        assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        csrf_cookie = page.cookies["csrftoken"]
        assert csrf_cookie["secure"] is True

        login = client.post(
            "/account/login/",
            {
                "username": "operator",
                "password": "pw-for-operator-2025",
                "csrfmiddlewaretoken": csrf_cookie.value,
            },
            **https,
        )
        assert login.status_code == 302, login.content[:500]
        session_cookie = login.cookies["sessionid"]
        assert session_cookie["secure"] is True
        assert session_cookie["httponly"] is True
        assert login.cookies["csrftoken"]["secure"] is True  # rotated at login, still Secure
