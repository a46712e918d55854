from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "innobridge.core"
    verbose_name = _("平台基础")
