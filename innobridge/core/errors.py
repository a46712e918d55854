"""The one error type services raise; pages and the API turn it into a readable message."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A rule of the domain was broken; ``message`` is shown to the user as it is."""

    status = 400

    def __init__(self, message: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        self.extra = extra or {}


class AccessDenied(ApplicationError):
    """The user's role may not do this to this record."""

    status = 403


class NotFound(ApplicationError):
    """No such record, or one the user may not see (the two are not told apart)."""

    status = 404


class NotReady(ApplicationError):
    """A part the request needs is still being prepared (a match index after a restart); the
    request may be tried again in a moment."""

    status = 503
