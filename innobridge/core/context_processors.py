"""What every page needs: the navigation entries and the user's roles."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from innobridge.core.roles import Role, is_staff_role, role_labels, roles_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    items = [(_("首页"), reverse("home"))]
    if user.is_authenticated:
        items += [
            (_("单位"), reverse("orgs:list")),
            (_("技术项目"), reverse("projects:list")),
            (_("征集评审"), reverse("calls:list")),
        ]
    items.append((_("场景需求"), reverse("demands:list")))
    items.append((_("需求清单"), reverse("demand_lists:index")))
    if user.is_authenticated:
        items.append((_("投资机构"), reverse("capital:list")))
        items.append((_("周三会"), reverse("matchmaking:list")))
    items.append((_("联合实验室"), reverse("orgs:lab_list")))
    if is_staff_role(user):
        items.append((_("企业培育"), reverse("cultivation:overview")))
        items.append((_("目标考核"), reverse("targets:dashboard")))
    if roles_of(user) & {Role.STAFF, Role.EXPERT}:
        items.append((_("专家评审"), reverse("review:mine")))
    current = request.path
    nav = [
        {"label": label, "url": url, "active": url != "/" and current.startswith(url)}
        for label, url in items
    ]
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
        "user_roles": role_labels(user),
        "user_is_bureau_staff": is_staff_role(user),
    }
