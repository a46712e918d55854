from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CapitalConfig(AppConfig):
    name = "innobridge.capital"
    verbose_name = _("投融资")
