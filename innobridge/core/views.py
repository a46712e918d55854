"""Shared pages (home, API tokens, errors) and helpers every list page uses."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from innobridge.core import selectors, services
from innobridge.core.cache import COUNT_TTL, remembered
from innobridge.core.choices import TechField
from innobridge.core.forms import TokenForm
from innobridge.core.listing import paginate, results_key
from innobridge.core.models import Notification, NotificationSettings


def is_htmx(request: HttpRequest) -> bool:
    """True for a request htmx sent to refresh part of the page (django-htmx sets it)."""
    return bool(getattr(request, "htmx", False))


def list_context(
    request: HttpRequest,
    page: Page[Any],
    *,
    filters: list[tuple[str, str, list[tuple[str, Any]]]],
    export_entity: str | None = None,
    can_create: bool = False,
) -> dict[str, Any]:
    """What the shared list layout needs: the page, filter selects and the query string."""
    query = request.GET.copy()
    query.pop("page", None)
    querystring = query.urlencode()
    key = results_key(page, querystring, bool(request.user.is_authenticated))
    return {
        "page": page,
        "q": request.GET.get("q", ""),
        # built only when the filter bar is rendered, not when it comes from the fragment cache
        "filters": lambda: [
            {
                "name": name,
                "label": label,
                "choices": [(str(value), str(text)) for value, text in choices],
                "current": request.GET.get(name, ""),
            }
            for name, label, choices in filters
        ],
        "querystring": querystring,
        # the rendered rows are kept per results_key (``{% cache %}`` in each _table.html)
        "results_key": key or "-",
        "results_ttl": COUNT_TTL if key else 0,
        "export_entity": export_entity,
        "can_create": can_create,
    }


def audit_trail(instance: Model, limit: int = 20) -> list[dict[str, Any]]:
    """The record's history (who, when, what changed, why), newest first."""
    records = list(instance.history.select_related("history_user").all()[: limit + 1])  # type: ignore[attr-defined]
    trail: list[dict[str, Any]] = []
    for newer, older in zip(records, [*records[1:], None], strict=False):
        if len(trail) == limit:
            break
        changes = []
        if older is not None:
            changes = [
                str(newer.instance._meta.get_field(c.field).verbose_name)
                for c in newer.diff_against(older).changes
            ]
        trail.append(
            {
                "when": newer.history_date,
                "who": newer.history_user,
                "kind": newer.get_history_type_display(),
                "reason": newer.history_change_reason or "",
                "changes": changes,
            }
        )
    return trail


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    signed_in = bool(user.is_authenticated)
    stats = remembered("home", (user.pk if signed_in else None,), lambda: selectors.platform_stats(user=user))  # fmt: skip
    return render(request, "core/home.html", {"stats": stats})


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        new_token = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        form = TokenForm()
    return render(
        request,
        "core/tokens.html",
        {
            "form": form,
            "tokens": selectors.api_tokens_of(user=request.user),
            "new_token": new_token,
        },
    )


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    services.api_token_revoke(user=request.user, pk=pk)
    messages.success(request, _("令牌已作废。"))
    return redirect("api_tokens")


class NotificationSettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    followed_fields = forms.MultipleChoiceField(
        label=gettext_lazy("关注的技术领域（有新发布需求、揭榜即将截止时提醒）"),
        choices=TechField.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = NotificationSettings
        fields = ["delivery", "followed_fields"]


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    """站内消息: the user's own inbox, newest first; reading the page marks them read."""
    user_id = int(request.user.pk or 0)
    items = Notification.objects.filter(user_id=user_id)
    settings_obj, _created = NotificationSettings.objects.get_or_create(user_id=user_id)
    form = NotificationSettingsForm(request.POST or None, instance=settings_obj)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("提醒设置已保存。"))
        return redirect("notifications")
    page = paginate(items, request.GET.get("page"), per_page=30)
    unread = [item.pk for item in page.object_list if item.read is None]
    response = render(request, "core/notifications.html", {"page": page, "form": form, "unread": set(unread)})  # fmt: skip
    if unread:
        from innobridge.core.cache import bump_data_version

        Notification.objects.filter(pk__in=unread).update(read=timezone.now())
        # the header's unread count is kept per data version (core.context_processors); an
        # update() sends no signal, and the badge stayed until the cache expired. Reading is
        # as rare as the notifications arriving, and each of those moved the version too.
        bump_data_version()
    return response


def run_action(request: HttpRequest, action: Any, success: str) -> Any:
    """Run a service for a POST button: its result, with a success message, or None with the
    service's readable error shown on the next page (nothing half-done: services are atomic)."""
    from django.contrib import messages

    from innobridge.core.errors import ApplicationError

    try:
        result = action()
    except ApplicationError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, error.message)
        return None
    messages.success(request, success)
    return result


def parse_date(text: str) -> Any:
    """A date typed in a form (2025-03-31), None when empty, or a readable error."""
    import datetime

    from django.utils.translation import gettext as _

    from innobridge.core.errors import ApplicationError

    text = (text or "").strip()
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ApplicationError(_("日期格式应为 2025-03-31。")) from None


def parse_amount(text: str) -> Any:
    """A decimal amount typed in a form (万元), None when empty, or a readable error."""
    from decimal import Decimal, InvalidOperation

    from django.utils.translation import gettext as _

    from innobridge.core.errors import ApplicationError

    text = (text or "").strip().replace(",", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ApplicationError(_("金额应为数字（万元）。")) from None
    if not value.is_finite():
        raise ApplicationError(_("金额应为数字（万元）。"))
    return value


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers (for the load balancer; no database touched)."""
    from django.http import JsonResponse

    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: the database answers, and Redis too when background work is sent there.
    503 with the failing part named, so a proxy stops sending traffic until it recovers."""
    from django.conf import settings
    from django.db import connection
    from django.http import JsonResponse

    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:  # any driver error means "not ready"
        checks["database"] = f"error: {type(error).__name__}"
    if settings.REDIS_URL:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping()
            checks["redis"] = "ok"
        except Exception as error:  # noqa: BLE001 - reported, not raised
            checks["redis"] = f"error: {type(error).__name__}"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )


def audit_log(request: HttpRequest) -> HttpResponse:
    """审计日志 (staff): logins, lockouts, exports, role changes and state transitions."""
    from django.contrib.auth.views import redirect_to_login
    from django.core.paginator import Paginator
    from django.utils.translation import gettext as _

    from innobridge.core.errors import AccessDenied
    from innobridge.core.models import AuditEvent
    from innobridge.core.roles import is_staff_role

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_staff_role(request.user):
        raise AccessDenied(_("只有科创局工作人员可以查看审计日志。"))
    events = AuditEvent.objects.select_related("actor")
    kind = request.GET.get("kind", "")
    if kind in AuditEvent.Kind.values:
        events = events.filter(kind=kind)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request, "core/audit.html", {"page": page, "kinds": AuditEvent.Kind.choices, "kind": kind}
    )
