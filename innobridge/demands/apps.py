from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandsConfig(AppConfig):
    name = "innobridge.demands"
    verbose_name = _("场景需求")
