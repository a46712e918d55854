from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "innobridge.orgs"
    verbose_name = _("单位与人员")
