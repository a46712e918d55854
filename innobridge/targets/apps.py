from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "innobridge.targets"
    verbose_name = _("目标考核")
