"""Every write to organizations: permission check, validation, audit record, one transaction."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from innobridge.core.errors import AccessDenied, ApplicationError
from innobridge.core.roles import is_staff_role
from innobridge.core.services import apply_changes, save_validated
from innobridge.core.uscc import normalize
from innobridge.orgs.models import JointLab, JointLabMember, Organization
from innobridge.orgs.selectors import organization_can_edit

# What an organization's own members may keep up to date; identity fields stay with staff.
SELF_EDITABLE = {"short_name", "district", "field", "founded", "size", "description"}
STAFF_EDITABLE = SELF_EDITABLE | {"name", "kind", "uscc"}


@transaction.atomic
def organization_create(
    *,
    actor: Any,
    name: str,
    kind: str,
    uscc: str = "",
    short_name: str = "",
    district: str = "",
    field: str = "",
    founded: datetime.date | None = None,
    size: str = "",
    description: str = "",
    reason: str = "",
) -> Organization:
    if not is_staff_role(actor):
        raise AccessDenied(_("只有科创局工作人员可以新建单位。"))
    code = normalize(uscc)
    if code and Organization.objects.filter(uscc=code).exists():
        raise ApplicationError(_("统一社会信用代码 %(code)s 已登记。") % {"code": code})
    organization = Organization(
        name=name.strip(),
        kind=kind,
        uscc=code,
        short_name=short_name.strip(),
        district=district,
        field=field,
        founded=founded,
        size=size,
        description=description.strip(),
    )
    return save_validated(organization, actor=actor, reason=reason or _("新建"))


@transaction.atomic
def organization_update(
    *, actor: Any, organization: Organization, data: dict[str, Any], reason: str = ""
) -> Organization:
    if not organization_can_edit(user=actor, organization=organization):
        raise AccessDenied(_("您无权修改该单位信息。"))
    allowed = STAFF_EDITABLE if is_staff_role(actor) else SELF_EDITABLE
    if "uscc" in data:
        data = {**data, "uscc": normalize(data["uscc"] or "")}
    changed = apply_changes(organization, data, allowed)
    if not changed:
        return organization
    return save_validated(
        organization, actor=actor, reason=reason or _("修改：%s") % "、".join(changed)
    )


def _lab_members(lab: JointLab, members: list[tuple[Organization, str]] | None, actor: Any) -> None:
    if members is None:
        return
    lab.memberships.all().delete()
    seen: set[int] = set()
    for organization, role in members:
        if organization.pk in seen:
            raise ApplicationError(
                _("%(name)s 重复出现在成员单位中。") % {"name": organization.name}
            )
        seen.add(organization.pk)
        member = JointLabMember(lab=lab, organization=organization, role=role)
        save_validated(member, actor=actor, reason=_("成员单位"))
    if lab.lead_id not in seen:
        save_validated(
            JointLabMember(lab=lab, organization=lab.lead, role=JointLabMember.Role.LEAD),
            actor=actor,
            reason=_("牵头单位"),
        )


@transaction.atomic
def joint_lab_create(
    *,
    actor: Any,
    name: str,
    lead: Organization,
    field: str,
    founded: datetime.date | None = None,
    batch: str = "",
    description: str = "",
    achievements: str = "",
    funding: Decimal | None = None,
    members: list[tuple[Organization, str]] | None = None,
) -> JointLab:
    if not is_staff_role(actor):
        raise AccessDenied(_("只有科创局工作人员可以维护联合实验室。"))
    lab = JointLab(
        name=name.strip(),
        lead=lead,
        field=field,
        founded=founded,
        batch=batch.strip(),
        description=description.strip(),
        achievements=achievements.strip(),
        funding=funding,
    )
    save_validated(lab, actor=actor, reason=_("新建"))
    _lab_members(lab, members or [], actor)
    return lab


@transaction.atomic
def joint_lab_update(
    *,
    actor: Any,
    lab: JointLab,
    data: dict[str, Any],
    members: list[tuple[Organization, str]] | None = None,
) -> JointLab:
    if not is_staff_role(actor):
        raise AccessDenied(_("只有科创局工作人员可以维护联合实验室。"))
    allowed = {
        "name",
        "lead",
        "field",
        "founded",
        "batch",
        "description",
        "achievements",
        "funding",
    }
    changed = apply_changes(lab, data, allowed)
    if changed:
        save_validated(lab, actor=actor, reason=_("修改：%s") % "、".join(changed))
    _lab_members(lab, members, actor)
    return lab
