"""Turn an ApplicationError that escapes a page view into a readable error page."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from innobridge.core.errors import ApplicationError


class ApplicationErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if request.path.startswith("/api/") or not isinstance(exception, ApplicationError):
            return None
        return render(
            request, "core/error.html", {"message": exception.message}, status=exception.status
        )
