"""Notifications: an in-app inbox for every user, plus e-mail at once or in a daily digest.

``notify`` files an inbox item for each recipient after the transaction commits; users who chose
"即时邮件" also get it by mail then; everyone else gets one digest a day (``innobridge notify
digest``, e.g. from cron), so nobody is flooded. ``innobridge notify deadlines`` reminds the
followers of a field that a challenge in it closes within three days.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from innobridge.core.models import Notification, NotificationSettings


def delivery_of(user: Any) -> str:
    found = NotificationSettings.objects.filter(user=user).first()
    return found.delivery if found else NotificationSettings.Delivery.DAILY


def notify(users: Iterable[Any], kind: str, title: str, body: str = "", url: str = "") -> None:
    """Tell these users (once each), after the current transaction commits."""
    recipients = {user.pk: user for user in users if user is not None and user.is_active}

    def deliver() -> None:
        now = timezone.now()
        for user in recipients.values():
            item = Notification.objects.create(user=user, kind=kind, title=title, body=body, url=url)  # fmt: skip
            if user.email and delivery_of(user) == NotificationSettings.Delivery.IMMEDIATE:
                send_mail(title, f"{body}\n\n{url}".strip(), settings.DEFAULT_FROM_EMAIL, [user.email])  # fmt: skip
                item.emailed = now
                item.save(update_fields=["emailed"])

    if recipients:
        transaction.on_commit(deliver)


def send_digests() -> int:
    """One e-mail per daily-digest user with everything not yet mailed; returns the mails sent."""
    pending: dict[int, list[Notification]] = defaultdict(list)
    for item in Notification.objects.filter(emailed__isnull=True).select_related("user").order_by("created"):  # fmt: skip
        pending[item.user_id].append(item)
    sent = 0
    now = timezone.now()
    for items in pending.values():
        user = items[0].user
        if not user.email or delivery_of(user) != NotificationSettings.Delivery.DAILY:
            continue
        lines = [f"· {item.title}" + (f"（{item.url}）" if item.url else "") for item in items]
        send_mail(
            _("科创桥每日提醒：%(n)d 条新消息") % {"n": len(items)},
            "\n".join(lines), settings.DEFAULT_FROM_EMAIL, [user.email],
        )  # fmt: skip
        Notification.objects.filter(pk__in=[item.pk for item in items]).update(emailed=now)
        sent += 1
    return sent


def followers_of(field: str) -> list[Any]:
    ids = [
        s.user_id for s in NotificationSettings.objects.all() if field in (s.followed_fields or [])
    ]
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True))


def members_of(organization_id: int) -> list[Any]:
    """Active users who currently belong to the organization."""
    from django.db.models import Q

    from innobridge.orgs.models import Membership

    today = timezone.localdate()
    user_ids = (
        Membership.objects.filter(organization_id=organization_id, person__user__isnull=False)
        .filter(Q(end__isnull=True) | Q(end__gte=today))
        .values_list("person__user_id", flat=True)
    )
    return list(get_user_model().objects.filter(pk__in=list(user_ids), is_active=True))


def remind_deadlines(days: int = 3) -> int:
    """Followers of a field hear about challenges in it that close within ``days``."""
    from innobridge.demands.models import ScenarioDemand

    today = timezone.localdate()
    soon = ScenarioDemand.objects.filter(
        status=ScenarioDemand.Status.CHALLENGE,
        deadline__gte=today,
        deadline__lte=today + datetime.timedelta(days=days),
    )
    count = 0
    with transaction.atomic():
        for demand in soon:
            users = followers_of(demand.field)
            notify(
                users, "deadline", _("揭榜即将截止：%(title)s") % {"title": demand.title},
                _("截止日期：%(date)s") % {"date": demand.deadline}, f"/demands/{demand.pk}/",
            )  # fmt: skip
            count += len(users)
        count += _remind_reviewers(today, days)
    return count


def _remind_reviewers(today: datetime.date, days: int) -> int:
    """Experts with unfinished reviews in a round that closes within ``days`` hear about it."""
    from innobridge.review.models import ReviewAssignment, ReviewRound

    open_tasks = ReviewAssignment.objects.filter(
        status__in=(ReviewAssignment.Status.ASSIGNED, ReviewAssignment.Status.DRAFT),
        item__round__status=ReviewRound.Status.REVIEWING,
        item__round__deadline__gte=today,
        item__round__deadline__lte=today + datetime.timedelta(days=days),
        expert__user__isnull=False,
    ).select_related("expert__user", "item__round")
    pending: dict[int | None, list[Any]] = defaultdict(list)
    for task in open_tasks:
        pending[task.expert.user_id].append(task)  # every expert here has a login
    for tasks in pending.values():
        notify(
            [tasks[0].expert.user], "deadline",
            _("评审即将截止：还有%(n)d项未提交") % {"n": len(tasks)},
            _("截止日期：%(date)s") % {"date": min(t.item.round.deadline for t in tasks)}, "/review/",
        )  # fmt: skip
    return len(pending)
