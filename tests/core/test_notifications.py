"""Notifications: inbox for everyone, e-mail at once or in one daily digest, per user's choice."""

from __future__ import annotations

import datetime
from typing import Any

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from innobridge.core.choices import Visibility
from innobridge.core.models import Notification, NotificationSettings
from innobridge.demands.lifecycle import demand_transition
from innobridge.demands.models import ScenarioDemand
from tests.conftest import World, client_for
from tests.demands.factories import ScenarioDemandFactory

S = ScenarioDemand.Status


def test_status_changes_reach_the_owner_by_their_chosen_delivery(world: World, django_capture_on_commit_callbacks: Any) -> None:  # fmt: skip
    member = world.users["member_a"]
    member.email = "a@example.cn"
    member.save()
    NotificationSettings.objects.create(user=member, delivery=NotificationSettings.Delivery.IMMEDIATE)  # fmt: skip
    demand = ScenarioDemandFactory(owner=world.org_a, status=S.SUBMITTED, visibility=Visibility.INTERNAL)  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        demand_transition(actor=world.users["staff"], demand=demand, action="return", reason="请补充预算依据")  # fmt: skip
    item = Notification.objects.get(user=member)
    assert "已退回" in item.title
    assert item.body == "请补充预算依据"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["a@example.cn"]
    assert not Notification.objects.filter(user=world.users["member_b"]).exists()


def test_daily_digest_sends_one_mail_with_everything(world: World, django_capture_on_commit_callbacks: Any) -> None:  # fmt: skip
    follower = world.users["member_b"]
    follower.email = "b@example.cn"
    follower.save()
    NotificationSettings.objects.create(user=follower, delivery=NotificationSettings.Delivery.DAILY, followed_fields=["laser"])  # fmt: skip
    for n in range(3):
        demand = ScenarioDemandFactory(owner=world.org_a, title=f"激光焊接需求{n}", field="laser", status=S.VETTED, visibility=Visibility.INTERNAL)  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            demand_transition(actor=world.users["staff"], demand=demand, action="publish")
    assert Notification.objects.filter(user=follower, kind="new_demand").count() == 3
    assert mail.outbox == []  # daily: nothing at once
    call_command("notify", "digest")
    assert len(mail.outbox) == 1
    assert all(f"激光焊接需求{n}" in mail.outbox[0].body for n in range(3))
    call_command("notify", "digest")
    assert len(mail.outbox) == 1  # nothing twice


def test_deadline_reminders_go_to_followers(world: World, django_capture_on_commit_callbacks: Any) -> None:  # fmt: skip
    NotificationSettings.objects.create(user=world.users["expert"], followed_fields=["icv"])
    ScenarioDemandFactory(owner=world.org_a, field="icv", status=S.CHALLENGE, deadline=timezone.localdate() + datetime.timedelta(days=2))  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        call_command("notify", "deadlines")
    assert Notification.objects.filter(user=world.users["expert"], kind="deadline").count() == 1


def test_inbox_shows_only_ones_own_and_marks_them_read(world: World) -> None:
    Notification.objects.create(user=world.users["member_a"], kind="status", title="给甲的消息")
    Notification.objects.create(user=world.users["member_b"], kind="status", title="给乙的消息")
    client = client_for(world, "member_a")
    assert "消息 <span" in client.get("/").content.decode()  # unread badge
    html = client.get("/account/notifications/").content.decode()
    assert "给甲的消息" in html
    assert "给乙的消息" not in html
    assert Notification.objects.get(title="给甲的消息").read is not None
    client.post("/account/notifications/", {"delivery": "immediate", "followed_fields": ["laser", "ai"]})  # fmt: skip
    settings = NotificationSettings.objects.get(user=world.users["member_a"])
    assert (settings.delivery, sorted(settings.followed_fields)) == ("immediate", ["ai", "laser"])


def test_the_unread_badge_goes_once_the_inbox_was_read(world: World) -> None:
    Notification.objects.create(user=world.users["member_a"], kind="status", title="给甲的消息")
    client = client_for(world, "member_a")
    assert "消息 <span" in client.get("/").content.decode()
    client.get("/account/notifications/")
    # gone at once, not when the cached count expires
    assert "消息 <span" not in client.get("/").content.decode()
