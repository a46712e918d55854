from typing import Any

from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "innobridge.core"
    verbose_name = _("平台基础")

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started

        from innobridge.core import audit
        from innobridge.core.cache import request_finished as version_forgotten
        from innobridge.core.cache import request_started as version_once
        from innobridge.core.choices import install_choice_display
        from innobridge.core.matching import index_on_save

        install_choice_display()
        audit.connect()
        # cached counts (core.cache.cached_count) are read again after any record changes
        for name, signal in (("save", post_save), ("delete", post_delete), ("m2m", m2m_changed)):
            signal.connect(_data_changed, dispatch_uid=f"data-version-{name}")
        # a request reads the data version once (core.cache.data_version)
        request_started.connect(version_once, dispatch_uid="data-version-request-started")
        request_finished.connect(version_forgotten, dispatch_uid="data-version-request-finished")
        for model in ("projects.TechProject", "demands.ScenarioDemand"):
            post_save.connect(index_on_save, sender=model, dispatch_uid=f"index-{model}")


# what signing in writes and no cached read shows: the session (and its flash messages), the
# audit log's entry (its page reads it directly) and the user's last_login. Any of them moving
# the data version made every login throw away every cached count, search and figure.
_NOT_DATA = frozenset({"sessions.session", "core.auditevent"})
_LOGIN_FIELDS = frozenset({"last_login"})


def _data_changed(sender: Any, **kwargs: Any) -> None:
    from innobridge.core.cache import bump_data_version

    if sender._meta.label_lower in _NOT_DATA:
        return
    if sender._meta.label_lower == "auth.user" and kwargs.get("update_fields") == _LOGIN_FIELDS:
        return
    bump_data_version()
