from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "innobridge.projects"
    verbose_name = _("技术项目")
