"""Per-user API tokens (接口令牌); only a hash of the secret is stored."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "ib_"  # noqa: S105 - a public marker, not a secret


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def new_raw_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiToken(models.Model):
    """接口令牌: lets a script call the REST API as this user (``Authorization: Bearer …``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("用途说明"), max_length=60)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(_("令牌尾号"), max_length=8, editable=False)
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} (…{self.hint})"


class NotificationSettings(models.Model):
    """How a user wants to be told: at once or in a daily digest, and which fields to follow."""

    class Delivery(models.TextChoices):
        IMMEDIATE = "immediate", _("即时邮件")
        DAILY = "daily", _("每日汇总")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, primary_key=True,
        related_name="notification_settings",
    )  # fmt: skip
    delivery = models.CharField(_("邮件提醒方式"), max_length=10, choices=Delivery.choices, default=Delivery.DAILY)  # fmt: skip
    followed_fields = models.JSONField(_("关注的技术领域"), default=list, blank=True)

    class Meta:
        verbose_name = _("提醒设置")
        verbose_name_plural = _("提醒设置")

    def __str__(self) -> str:
        return str(self.user)


class Notification(models.Model):
    """站内消息: one item in a user's inbox (also e-mailed at once or in the daily digest)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="notifications",  # fmt: skip
    )
    kind = models.CharField(_("类别"), max_length=20)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created = models.DateTimeField(_("时间"), auto_now_add=True)
    read = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["user", "read"]), models.Index(fields=["emailed"])]

    def __str__(self) -> str:
        return self.title


class AuditEvent(models.Model):
    """审计日志: logins (and failures, lockouts), exports, permission changes and every state
    transition, append-only — an event can be written once and never changed or deleted here."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOCKOUT = "lockout", _("账号临时锁定")
        EXPORT = "export", _("导出")
        PERMISSION = "permission", _("权限变更")
        TRANSITION = "transition", _("流程操作")
        RESTORE = "restore", _("恢复备份")

    kind = models.CharField(_("类型"), max_length=14, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    username = models.CharField(_("账号"), max_length=150, blank=True)
    target = models.CharField(_("对象"), max_length=200, blank=True)
    detail = models.CharField(_("说明"), max_length=500, blank=True)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.username}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("audit events are append-only")


class PendingTask(models.Model):
    """待发送的后台任务 (outbox): background work that could not reach the broker (Redis down)
    when it was queued. ``innobridge.core.tasks`` sends it again once Redis answers."""

    name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    created = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("待发送的后台任务")
        verbose_name_plural = _("待发送的后台任务")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name}{self.args}"
