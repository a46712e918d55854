"""The audit log and login throttling, wired to Django's signals in one place.

- Logins, failed logins and lockouts; exports (called by the export views); group (role)
  changes; every pipeline/lifecycle transition (ProjectEvent, DemandEvent) — as ``AuditEvent``.
- Login throttling: after ``LOCK_AFTER`` failures for one account (or from one address) within
  ``LOCK_MINUTES``, further attempts are refused for ``LOCK_MINUTES`` (counters in the cache:
  Redis in a multi-worker deployment, so every worker sees the same counts).
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.http import HttpRequest

LOCK_AFTER = 5
LOCK_MINUTES = 15


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(kind: str, *, actor: Any = None, username: str = "", target: str = "", detail: str = "", request: HttpRequest | None = None) -> None:  # fmt: skip
    from innobridge.core.models import AuditEvent

    user = actor if getattr(actor, "is_authenticated", False) else None
    AuditEvent.objects.create(
        kind=kind, actor=user, username=(username or getattr(user, "username", ""))[:150],
        target=str(target)[:200], detail=str(detail)[:500], ip=client_ip(request),
    )  # fmt: skip


def _keys(username: str, ip: str | None) -> list[str]:
    keys = [f"login-fail:user:{username.lower()}"]
    if ip:
        keys.append(f"login-fail:ip:{ip}")
    return keys


def locked(username: str, ip: str | None) -> bool:
    return any((cache.get(key) or 0) >= LOCK_AFTER for key in _keys(username, ip))


def register_failure(username: str, ip: str | None) -> bool:
    """Count a failure; True when this failure locks the account (or the address)."""
    locks = False
    for key in _keys(username, ip):
        cache.add(key, 0, LOCK_MINUTES * 60)
        try:
            count = cache.incr(key)
        except ValueError:
            cache.set(key, 1, LOCK_MINUTES * 60)
            count = 1
        locks = locks or count == LOCK_AFTER
    return locks


def clear_failures(username: str) -> None:
    cache.delete(f"login-fail:user:{username.lower()}")


def connect() -> None:
    """Called once from CoreConfig.ready()."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.signals import user_logged_in, user_login_failed
    from django.db.models.signals import m2m_changed, post_save

    def logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
        clear_failures(user.get_username())
        record("login", actor=user, request=request)

    def login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:  # fmt: skip
        username = str(credentials.get("username", ""))
        ip = client_ip(request)
        record("login_failed", username=username, request=request)
        if register_failure(username, ip):
            record("lockout", username=username, detail=f"{LOCK_AFTER} failures", request=request)

    def groups_changed(sender: Any, instance: Any, action: str, pk_set: set[int] | None, **kwargs: Any) -> None:  # fmt: skip
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        from django.contrib.auth.models import Group

        names = sorted(Group.objects.filter(pk__in=pk_set or []).values_list("name", flat=True))
        record("permission", username=getattr(instance, "username", ""), target=str(instance), detail=f"{action}: {', '.join(names)}")  # fmt: skip

    def transition(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
        if created:
            subject = getattr(instance, "project", None) or getattr(instance, "demand", None)
            before = getattr(instance, "from_stage", None) or getattr(instance, "from_status", "")
            after = getattr(instance, "to_stage", None) or getattr(instance, "to_status", "")
            record("transition", actor=instance.actor, target=str(subject), detail=f"{instance.action}: {before} → {after}; {instance.reason}")  # fmt: skip

    from innobridge.demands.models import DemandEvent
    from innobridge.projects.models import ProjectEvent

    user_logged_in.connect(logged_in, dispatch_uid="audit-login", weak=False)
    user_login_failed.connect(login_failed, dispatch_uid="audit-login-failed", weak=False)
    m2m_changed.connect(groups_changed, sender=get_user_model().groups.through, dispatch_uid="audit-groups", weak=False)  # fmt: skip
    post_save.connect(
        transition, sender=ProjectEvent, dispatch_uid="audit-project-event", weak=False
    )
    post_save.connect(transition, sender=DemandEvent, dispatch_uid="audit-demand-event", weak=False)
