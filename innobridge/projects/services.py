"""Every write to technology projects: permission check, validation, audit record, one transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from innobridge.core.choices import Visibility
from innobridge.core.errors import AccessDenied
from innobridge.core.ownership import check_create, check_field_rights
from innobridge.core.roles import Role, roles_of
from innobridge.core.services import apply_changes, save_validated
from innobridge.orgs.models import Organization
from innobridge.projects.models import TechProject, split_keywords
from innobridge.projects.selectors import project_can_edit

# The stage is not here: after creation it moves only through projects.pipeline (with the why).
EDITABLE = {
    "title", "summary", "kind", "field", "trl", "keywords", "leader",
    "visibility", "manager", "owner",
}  # fmt: skip


def normalize_keywords(text: str) -> str:
    return "，".join(dict.fromkeys(split_keywords(text)))


@transaction.atomic
def project_create(
    *,
    actor: Any,
    owner: Organization,
    title: str,
    summary: str,
    field: str,
    trl: int,
    kind: str = TechProject.Kind.PROJECT,
    keywords: str = "",
    leader: str = "",
    stage: str = TechProject.Stage.DISCOVERED,
    visibility: str = Visibility.DRAFT,
    manager: Any = None,
    reason: str = "",
) -> TechProject:
    check_create(actor=actor, owner_id=owner.pk if owner else None, noun=_("技术项目"))
    check_field_rights(
        actor=actor,
        data={"stage": stage, "visibility": visibility, "manager": manager},
        defaults={"stage": TechProject.Stage.DISCOVERED, "visibility": Visibility.DRAFT},
    )
    if manager is None and Role.MANAGER in roles_of(actor):
        manager = actor
    project = TechProject(
        owner=owner,
        title=title.strip(),
        summary=summary.strip(),
        field=field,
        trl=trl,
        kind=kind,
        keywords=normalize_keywords(keywords),
        leader=leader.strip(),
        stage=stage,
        visibility=visibility,
        manager=manager,
    )
    return save_validated(project, actor=actor, reason=reason or _("新建"))


@transaction.atomic
def project_update(
    *, actor: Any, project: TechProject, data: dict[str, Any], reason: str = ""
) -> TechProject:
    if not project_can_edit(user=actor, project=project):
        raise AccessDenied(
            _("您无权修改该技术项目（已提交或公开的项目由科创局或技术经理人维护）。")
        )
    current = {name: getattr(project, name) for name in ("stage", "visibility", "manager", "owner")}
    check_field_rights(actor=actor, data=data, defaults=current)
    if "keywords" in data:
        data = {**data, "keywords": normalize_keywords(data["keywords"] or "")}
    changed = apply_changes(project, data, EDITABLE)
    if not changed:
        return project
    return save_validated(project, actor=actor, reason=reason or _("修改：%s") % "、".join(changed))
