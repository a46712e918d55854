"""Form helpers: run a service and show its ApplicationError on the form, field by field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from innobridge.core.errors import ApplicationError

T = TypeVar("T")


def call_service(form: forms.BaseForm, service: Callable[[], T]) -> T | None:
    """Return the service's result, or None after putting its error messages on the form."""
    try:
        return service()
    except ApplicationError as error:
        field_errors = error.extra.get("errors") or {}
        placed = False
        for name, messages in field_errors.items():
            target = name if name in form.fields else None
            for message in messages:
                form.add_error(target, message)
                placed = True
        if not placed:
            form.add_error(None, error.message)
        return None


def changed_data(form: forms.ModelForm[Any]) -> dict[str, Any]:
    return {
        name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data
    }


class TokenForm(forms.Form):
    name = forms.CharField(label="", max_length=60)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from django.utils.translation import gettext_lazy as _

        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("用途说明")
        self.fields["name"].widget.attrs["placeholder"] = _("例如：数据同步脚本")


class ThrottledAuthenticationForm(AuthenticationForm):
    """The login form, refusing attempts while the account or address is locked (core.audit)."""

    def clean(self) -> dict[str, Any]:
        from django.utils.translation import gettext as _

        from innobridge.core import audit

        username = self.cleaned_data.get("username") or ""
        if audit.locked(username, audit.client_ip(self.request)):
            raise forms.ValidationError(
                _("登录失败次数过多，已临时锁定%(minutes)d分钟。请稍后再试，或联系管理员重置密码。")
                % {"minutes": audit.LOCK_MINUTES},
                code="locked",
            )
        return super().clean()
