"""Every write to investor profiles: permission check, validation, audit record, one transaction."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from innobridge.capital.models import InvestmentStage, InvestorProfile
from innobridge.capital.selectors import investor_can_edit
from innobridge.core.choices import TechField
from innobridge.core.errors import AccessDenied, ApplicationError
from innobridge.core.roles import is_staff_role
from innobridge.core.services import apply_changes, save_validated
from innobridge.orgs.models import Organization

EDITABLE = {
    "kind", "preferred_fields", "preferred_stages", "ticket_min", "ticket_max",
    "products", "description",
}  # fmt: skip


def _check_lists(fields: list[str], stages: list[str]) -> None:
    bad_fields = [value for value in fields if value not in TechField.values]
    bad_stages = [value for value in stages if value not in InvestmentStage.values]
    if bad_fields:
        raise ApplicationError(_("未知的关注领域：%s") % "、".join(bad_fields))
    if bad_stages:
        raise ApplicationError(_("未知的投资阶段：%s") % "、".join(bad_stages))


@transaction.atomic
def investor_create(
    *,
    actor: Any,
    organization: Organization,
    kind: str,
    preferred_fields: list[str] | None = None,
    preferred_stages: list[str] | None = None,
    ticket_min: Decimal | None = None,
    ticket_max: Decimal | None = None,
    products: str = "",
    description: str = "",
    reason: str = "",
) -> InvestorProfile:
    if not is_staff_role(actor):
        raise AccessDenied(_("只有科创局工作人员可以新建投资机构。"))
    if InvestorProfile.objects.filter(organization=organization).exists():
        raise ApplicationError(_("%(name)s 已有投资机构画像。") % {"name": organization.name})
    fields, stages = list(preferred_fields or []), list(preferred_stages or [])
    _check_lists(fields, stages)
    profile = InvestorProfile(
        organization=organization,
        kind=kind,
        preferred_fields=fields,
        preferred_stages=stages,
        ticket_min=ticket_min,
        ticket_max=ticket_max,
        products=products.strip(),
        description=description.strip(),
    )
    return save_validated(profile, actor=actor, reason=reason or _("新建"))


@transaction.atomic
def investor_update(
    *, actor: Any, profile: InvestorProfile, data: dict[str, Any], reason: str = ""
) -> InvestorProfile:
    if not investor_can_edit(user=actor, profile=profile):
        raise AccessDenied(_("您无权修改该投资机构信息。"))
    _check_lists(
        list(data.get("preferred_fields", profile.preferred_fields)),
        list(data.get("preferred_stages", profile.preferred_stages)),
    )
    changed = apply_changes(profile, data, EDITABLE)
    if not changed:
        return profile
    return save_validated(profile, actor=actor, reason=reason or _("修改：%s") % "、".join(changed))
