from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "innobridge.core"
    verbose_name = _("平台基础")

    def ready(self) -> None:
        from innobridge.core import audit
        from innobridge.core.matching import index_on_save

        audit.connect()
        for model in ("projects.TechProject", "demands.ScenarioDemand"):
            post_save.connect(index_on_save, sender=model, dispatch_uid=f"index-{model}")
