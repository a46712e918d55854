from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CultivationConfig(AppConfig):
    name = "innobridge.cultivation"
    verbose_name = _("企业培育")
