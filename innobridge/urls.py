"""URL map: pages per app, Excel import/export, the API, admin, auth and language switch."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from innobridge.api.api import api
from innobridge.core import excel_views
from innobridge.core import views as core_views
from innobridge.core.forms import ThrottledAuthenticationForm

admin.site.site_header = _("科创桥 · 管理后台")
admin.site.site_title = _("科创桥")
admin.site.index_title = _("数据管理")

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("", include("innobridge.orgs.urls")),
    path("projects/", include("innobridge.projects.urls")),
    path("demands/", include("innobridge.demands.urls")),
    path("lists/", include("innobridge.demands.list_urls")),
    path("investors/", include("innobridge.capital.urls")),
    path("cultivation/", include("innobridge.cultivation.urls")),
    path("calls/", include("innobridge.projects.call_urls")),
    path("review/", include("innobridge.review.urls")),
    path("matchmaking/", include("innobridge.capital.meeting_urls")),
    path("targets/", include("innobridge.targets.urls")),
    path("excel/<slug:entity>/template/", excel_views.template_download, name="excel_template"),
    path("excel/<slug:entity>/export/", excel_views.export_download, name="excel_export"),
    path("excel/<slug:entity>/import/", excel_views.import_upload, name="import_upload"),
    path("excel/<slug:entity>/import/confirm/", excel_views.import_confirm, name="import_confirm"),
    path("account/tokens/", core_views.api_tokens, name="api_tokens"),
    path("account/notifications/", core_views.notifications, name="notifications"),
    path("account/tokens/<int:pk>/revoke/", core_views.api_token_revoke, name="api_token_revoke"),
    path(
        "account/login/",
        auth_views.LoginView.as_view(authentication_form=ThrottledAuthenticationForm),
        name="login",
    ),
    path("account/audit/", core_views.audit_log, name="audit_log"),
    path("account/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "account/password/",
        auth_views.PasswordChangeView.as_view(success_url="/account/password/done/"),
        name="password_change",
    ),
    path(
        "account/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
