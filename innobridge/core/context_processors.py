"""What every page needs: the navigation entries and the user's roles.

The entries depend only on the language, the user's roles and the URL prefix, so they are built
once per combination in this process (13 ``reverse`` calls and translations were ~0.4 ms of
every page); ``nav_key`` names the combination and the active entry for the header's fragment
cache (``base.html``, ``{% cache … using="fragments" %}``).
"""

from __future__ import annotations

import threading
from typing import Any

from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from innobridge.core.roles import Role, is_staff_role, role_labels, roles_of

_entries_lock = threading.Lock()
_entries: dict[tuple[Any, ...], tuple[tuple[str, str], ...]] = {}


def _nav_entries(signed_in: bool, roles: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """(label, url) of the main navigation for a user with these roles."""
    items = [(_("首页"), reverse("home"))]
    if signed_in:
        items += [
            (_("单位"), reverse("orgs:list")),
            (_("技术项目"), reverse("projects:list")),
            (_("征集评审"), reverse("calls:list")),
        ]
    items.append((_("场景需求"), reverse("demands:list")))
    items.append((_("需求清单"), reverse("demand_lists:index")))
    if signed_in:
        items.append((_("投资机构"), reverse("capital:list")))
        items.append((_("周三会"), reverse("matchmaking:list")))
    items.append((_("联合实验室"), reverse("orgs:lab_list")))
    if Role.STAFF in roles:
        items.append((_("企业培育"), reverse("cultivation:overview")))
        items.append((_("目标考核"), reverse("targets:dashboard")))
    if roles & {Role.STAFF, Role.EXPERT}:
        items.append((_("专家评审"), reverse("review:mine")))
    return tuple((str(label), url) for label, url in items)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    signed_in = bool(user.is_authenticated)
    roles = roles_of(user)
    key = (get_language(), get_script_prefix(), signed_in, tuple(sorted(roles)))
    entries = _entries.get(key)
    if entries is None:
        entries = _nav_entries(signed_in, roles)
        with _entries_lock:
            _entries[key] = entries
    current = request.path
    active = {url for _label, url in entries if url != "/" and current.startswith(url)}
    nav = [{"label": label, "url": url, "active": url in active} for label, url in entries]
    unread = 0
    if user.is_authenticated:
        from innobridge.core.cache import remembered
        from innobridge.core.models import Notification

        def count() -> int:
            return Notification.objects.filter(user=user, read__isnull=True).count()

        # a new or read notification moves the data version (core.cache)
        unread = remembered("unread", (user.pk,), count, per_language=False)
    return {
        "unread_notifications": unread,
        "nav_items": nav,
        # what the header's entries depend on besides the language (base.html's fragment cache)
        "nav_key": f"{key[1:]}|{sorted(active)}",
        "user_roles": role_labels(user),
        "user_is_bureau_staff": is_staff_role(user),
    }
