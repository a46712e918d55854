"""Field-level rules shared by the two owned records (projects and demands).

Members file drafts for their own organization; publishing (visibility) and pipeline status
are decided by staff and the assigned tech-transfer manager.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from innobridge.core.access import can_create_owned_record, may_own
from innobridge.core.errors import AccessDenied
from innobridge.core.roles import Role, roles_of


def check_create(*, actor: Any, owner_id: int | None, noun: str) -> None:
    if not can_create_owned_record(actor):
        raise AccessDenied(_("您的角色不能新建%(noun)s。") % {"noun": noun})
    if not may_own(actor, owner_id):
        raise AccessDenied(_("您只能以本单位名义新建%(noun)s。") % {"noun": noun})


def restricted_fields(actor: Any) -> set[str]:
    """Fields this actor may not set to anything but their default."""
    roles = roles_of(actor)
    if roles & {Role.STAFF, Role.MANAGER}:
        return set()
    return {"visibility", "stage", "status", "manager", "owner"}


def check_field_rights(*, actor: Any, data: dict[str, Any], defaults: dict[str, Any]) -> None:
    for name in sorted(restricted_fields(actor) & set(data)):
        if data[name] != defaults.get(name):
            raise AccessDenied(
                _("您的角色不能设置“%(field)s”，请联系科创局工作人员或技术经理人。")
                % {"field": FIELD_LABELS.get(name, name)}
            )


FIELD_LABELS = {
    "visibility": gettext_lazy("公开范围"),
    "stage": gettext_lazy("所处阶段"),
    "status": gettext_lazy("状态"),
    "manager": gettext_lazy("技术经理人"),
    "owner": gettext_lazy("所属单位"),
}
