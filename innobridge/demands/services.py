"""Every write to scenario demands: permission check, validation, audit record, one transaction."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from innobridge.core.choices import Visibility
from innobridge.core.errors import AccessDenied, ApplicationError
from innobridge.core.ownership import check_create, check_field_rights
from innobridge.core.roles import Role, roles_of
from innobridge.core.services import apply_changes, save_validated
from innobridge.demands.models import MatchFeedback, ScenarioDemand
from innobridge.demands.selectors import demand_can_edit
from innobridge.orgs.models import Organization
from innobridge.projects.services import normalize_keywords

EDITABLE = {
    "title", "description", "demand_type", "field", "required_trl", "budget", "deadline",
    "district", "keywords", "contact_name", "contact_phone", "visibility", "manager", "owner",
    "prize", "eligibility", "terms",
}  # fmt: skip


@transaction.atomic
def demand_create(
    *,
    actor: Any,
    owner: Organization,
    title: str,
    description: str,
    field: str,
    demand_type: str = ScenarioDemand.Type.TECHNOLOGY,
    required_trl: int | None = None,
    budget: Decimal | None = None,
    deadline: datetime.date | None = None,
    district: str = "",
    keywords: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    status: str = ScenarioDemand.Status.DRAFT,
    visibility: str = Visibility.DRAFT,
    manager: Any = None,
    reason: str = "",
) -> ScenarioDemand:
    check_create(actor=actor, owner_id=owner.pk if owner else None, noun=_("需求"))
    check_field_rights(
        actor=actor,
        data={"status": status, "visibility": visibility, "manager": manager},
        defaults={"status": ScenarioDemand.Status.DRAFT, "visibility": Visibility.DRAFT},
    )
    if manager is None and Role.MANAGER in roles_of(actor):
        manager = actor
    demand = ScenarioDemand(
        owner=owner,
        title=title.strip(),
        description=description.strip(),
        field=field,
        demand_type=demand_type,
        required_trl=required_trl,
        budget=budget,
        deadline=deadline,
        district=district or (owner.district if owner else ""),
        keywords=normalize_keywords(keywords),
        contact_name=contact_name.strip(),
        contact_phone=contact_phone.strip(),
        status=status,
        visibility=visibility,
        manager=manager,
    )
    return save_validated(demand, actor=actor, reason=reason or _("新建"))


@transaction.atomic
def demand_update(
    *, actor: Any, demand: ScenarioDemand, data: dict[str, Any], reason: str = ""
) -> ScenarioDemand:
    if not demand_can_edit(user=actor, demand=demand):
        raise AccessDenied(_("您无权修改该需求（已提交或发布的需求由科创局或技术经理人维护）。"))
    if "status" in data and data["status"] != demand.status:
        raise ApplicationError(
            _("状态只能通过流程操作变更（提交审核、审核通过、发布、签订合同……）。"),
            {"errors": {"status": [_("状态只能通过流程操作变更。")]}},
        )
    data = {k: v for k, v in data.items() if k != "status"}
    current = {name: getattr(demand, name) for name in ("status", "visibility", "manager", "owner")}
    check_field_rights(actor=actor, data=data, defaults=current)
    if "keywords" in data:
        data = {**data, "keywords": normalize_keywords(data["keywords"] or "")}
    changed = apply_changes(demand, data, EDITABLE)
    if not changed:
        return demand
    return save_validated(demand, actor=actor, reason=reason or _("修改：%s") % "、".join(changed))


@transaction.atomic
def demand_match_mark(
    *, actor: Any, demand: ScenarioDemand, project: Any, decision: str, reason: str = ""
) -> MatchFeedback:
    """Record that a suggested technology was introduced to the demand, or rejected (why)."""
    from innobridge.projects.selectors import project_get_for

    if not roles_of(actor) & {Role.STAFF, Role.MANAGER}:
        raise AccessDenied(_("只有科创局工作人员和技术经理人可以处理推荐结果。"))
    project_get_for(user=actor, pk=project.pk)  # must be visible to the actor
    if decision not in MatchFeedback.Decision.values:
        raise ApplicationError(_("处理结果无效。"))
    reason = reason.strip()
    if decision == MatchFeedback.Decision.REJECTED and not reason:
        raise ApplicationError(_("请填写不合适的理由。"), {"errors": {"reason": [_("必填。")]}})
    feedback = MatchFeedback.objects.filter(demand=demand, project=project).first()
    if feedback is None:
        feedback = MatchFeedback(demand=demand, project=project)
    feedback.decision, feedback.reason, feedback.decided_by = decision, reason, actor
    return save_validated(feedback, actor=actor, reason=feedback.get_decision_display())
