"""Request plumbing: Chinese-first language choice, readable pages for ApplicationError, and a
503 page while the database is unreachable."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from innobridge.core.errors import ApplicationError

logger = logging.getLogger(__name__)


DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = "30"


def database_unavailable_message() -> str:
    return _("数据库暂时不可用，请稍后重试。")


def database_unavailable_page() -> HttpResponse:
    """503 while the database cannot be reached: a page rendered without the request context
    (the navigation, the session and the user all need the database)."""
    html = render_to_string("core/unavailable.html", {"message": database_unavailable_message()})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = RETRY_AFTER_SECONDS
    return response


class ApplicationErrorMiddleware:
    """ApplicationError → a readable page with its status; the database unreachable (dropped
    connection, server down) → 503 with a readable page instead of a server error. The next
    request connects again (CONN_HEALTH_CHECKS replaces a dropped persistent connection)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_ERRORS) and not request.path.startswith("/api/"):
            logger.warning(
                "database unavailable on %s %s", request.method, request.path, exc_info=exception
            )
            return database_unavailable_page()
        if request.path.startswith("/api/") or not isinstance(exception, ApplicationError):
            return None
        return render(
            request, "core/error.html", {"message": exception.message}, status=exception.status
        )


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Pages are Chinese unless the user picked another language with the switcher (cookie).

    A browser's Accept-Language alone does not switch the bureau's pages to English; API
    callers may still ask for English messages with that header.
    """

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith("/api/"):
            super().process_request(request)
            return
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",  # no inline scripts anywhere: behaviours live in static/innobridge/*.js
        "style-src 'self' 'unsafe-inline'",  # style attributes (htmx indicators, chart sizing)
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# The interactive API docs page is django-ninja's own (Swagger UI with its inline start-up script).
CSP_EXEMPT = ("/api/docs",)


class SecurityHeadersMiddleware:
    """Content-Security-Policy without inline scripts, referrer and permissions policies."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(CSP_EXEMPT):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        return response
