"""Write helpers every app's services use: validate, record who and why, save."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from innobridge.core.errors import ApplicationError

M = TypeVar("M", bound=models.Model)


def validation_messages(error: ValidationError) -> dict[str, list[str]]:
    """Field → messages, with ``__all__`` for errors not tied to a field."""
    if hasattr(error, "error_dict"):
        return {
            field: [str(message) for message in ValidationError(errors).messages]
            for field, errors in error.error_dict.items()
        }
    return {"__all__": [str(message) for message in error.messages]}


def first_message(errors: dict[str, list[str]], model: type[models.Model]) -> str:
    """One readable sentence: "项目名称：该字段不能为空。"."""
    for field, messages in errors.items():
        if field == "__all__":
            return messages[0]
        try:
            label = str(getattr(model._meta.get_field(field), "verbose_name", field))
        except Exception:
            label = field
        return f"{label}：{messages[0]}"
    return _("输入有误。")


def save_validated(instance: M, *, actor: Any, reason: str) -> M:
    """full_clean, then save with the audit record's user and reason; errors read as sentences."""
    try:
        instance.full_clean()
    except ValidationError as error:
        errors = validation_messages(error)
        raise ApplicationError(first_message(errors, type(instance)), {"errors": errors}) from None
    if actor is not None and getattr(actor, "is_authenticated", False):
        instance._history_user = actor  # type: ignore[attr-defined]
    instance._change_reason = reason  # type: ignore[attr-defined]
    instance.save()
    return instance


def apply_changes(instance: M, data: dict[str, Any], allowed: set[str]) -> list[str]:
    """Copy the allowed keys of ``data`` onto the instance; refuse unknown ones clearly."""
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ApplicationError(
            _("不能修改这些字段：%(fields)s") % {"fields": "、".join(unknown)},
            {"fields": unknown},
        )
    changed = []
    for key, value in data.items():
        if getattr(instance, key) != value:
            setattr(instance, key, value)
            changed.append(key)
    return changed


def api_token_create(*, user: Any, name: str) -> str:
    """Make a token and return its secret once; only its hash is kept."""
    from innobridge.core.models import ApiToken, hash_token, new_raw_token

    raw = new_raw_token()
    ApiToken.objects.create(user=user, name=name.strip(), key_hash=hash_token(raw), hint=raw[-6:])
    return raw


def api_token_revoke(*, user: Any, pk: int) -> None:
    from innobridge.core.models import ApiToken

    deleted, _count = ApiToken.objects.filter(user=user, pk=pk).delete()
    if not deleted:
        from innobridge.core.errors import NotFound

        raise NotFound(_("未找到该令牌。"))


def roles_ensure() -> None:
    """Create the role groups; bureau staff get every permission of the platform's apps so the
    admin works for them (object rules in core.access still decide what pages and API show)."""
    from django.contrib.auth.models import Group, Permission

    from innobridge.core.roles import Role

    for role in Role.values:
        Group.objects.get_or_create(name=role)
    staff = Group.objects.get(name=Role.STAFF)
    apps = ["orgs", "projects", "demands", "capital", "core", "auth"]
    staff.permissions.set(Permission.objects.filter(content_type__app_label__in=apps))
