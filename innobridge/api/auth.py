"""How API callers prove who they are: a personal token, the browser session, or nobody."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from innobridge.core.models import ApiToken, hash_token


class TokenAuth(HttpBearer):
    """``Authorization: Bearer ib_…`` with a token made on the "接口令牌" page."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_token(token), user__is_active=True)
            .first()
        )
        if found is None:
            return None
        now = timezone.now()
        if found.last_used is None or (now - found.last_used).total_seconds() > 60:
            ApiToken.objects.filter(pk=found.pk).update(last_used=now)
        request.user = found.user
        return found.user


def anonymous(request: HttpRequest) -> Any:
    """Lets a read endpoint answer the public; the selectors then show only public records."""
    request.user = AnonymousUser()
    return request.user


SIGNED_IN = [TokenAuth(), SessionAuth()]
ANYONE = [TokenAuth(), SessionAuth(), anonymous]
