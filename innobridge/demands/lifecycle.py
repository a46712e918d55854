"""The demand lifecycle, declared in one place: 需求识别 → 技术攻关 → 场景验证.

draft → submitted → vetted | returned → published → matched / challenge open → solver selected
→ contract signed (amount) → in validation → landed | failed; closed from any open state.

Every transition is one call of ``demand_transition``: it checks the state and who may act,
records a ``DemandEvent`` (who, when, from, to, why, amount) beside the audit trail, and applies the
transition's side effects (publishing makes the demand public). The status is not edited directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from innobridge.core.choices import Visibility
from innobridge.core.errors import AccessDenied, ApplicationError
from innobridge.core.roles import Role, is_staff_role, org_ids_of, roles_of
from innobridge.core.services import save_validated
from innobridge.demands.models import DemandEvent, ScenarioDemand

S = ScenarioDemand.Status
OPEN = frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED, S.VETTED, S.PUBLISHED, S.MATCHED, S.CHALLENGE})


@dataclass(frozen=True)
class Transition:
    action: str
    label: str | Promise
    sources: frozenset[str]
    target: str
    who: frozenset[str]  # staff | manager (the assigned one) | owner (a member of the owner)
    reason_required: bool = False
    amount_required: bool = False
    visibility: str | None = None  # the demand's visibility after the transition


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("submit", gettext_lazy("提交审核"), frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED, frozenset({"owner", "manager", "staff"})),
        Transition("return", gettext_lazy("退回修改"), frozenset({S.SUBMITTED, S.VETTED}), S.RETURNED, frozenset({"staff"}), reason_required=True),
        Transition("vet", gettext_lazy("审核通过"), frozenset({S.SUBMITTED}), S.VETTED, frozenset({"staff"})),
        Transition("publish", gettext_lazy("发布"), frozenset({S.VETTED}), S.PUBLISHED, frozenset({"staff"}), visibility=Visibility.PUBLIC),
        Transition("match", gettext_lazy("已对接技术"), frozenset({S.PUBLISHED}), S.MATCHED, frozenset({"staff", "manager"})),
        Transition("open_challenge", gettext_lazy("开启揭榜挂帅"), frozenset({S.PUBLISHED, S.MATCHED}), S.CHALLENGE, frozenset({"staff"})),
        Transition("select_solver", gettext_lazy("确定揭榜方"), frozenset({S.CHALLENGE}), S.SOLVER, frozenset({"staff"}), reason_required=True),
        Transition("sign", gettext_lazy("签订合同"), frozenset({S.MATCHED, S.SOLVER}), S.SIGNED, frozenset({"staff", "manager"}), amount_required=True),
        Transition("validate", gettext_lazy("开始场景验证"), frozenset({S.SIGNED}), S.VALIDATING, frozenset({"staff", "manager"})),
        Transition("land", gettext_lazy("确认落地"), frozenset({S.VALIDATING}), S.LANDED, frozenset({"staff"})),
        Transition("fail", gettext_lazy("验证未通过"), frozenset({S.VALIDATING}), S.FAILED, frozenset({"staff"}), reason_required=True),
        Transition("close", gettext_lazy("关闭需求"), OPEN, S.CLOSED, frozenset({"staff"}), reason_required=True),
    )
}  # fmt: skip


def _acts_as(user: Any, demand: ScenarioDemand) -> set[str]:
    roles = roles_of(user)
    acting: set[str] = set()
    if is_staff_role(user):
        acting.add("staff")
    if Role.MANAGER in roles and demand.manager_id == getattr(user, "pk", None):
        acting.add("manager")
    if Role.MEMBER in roles and demand.owner_id in org_ids_of(user):
        acting.add("owner")
    return acting


def available(user: Any, demand: ScenarioDemand) -> list[Transition]:
    """The transitions this user may take on this demand now."""
    acting = _acts_as(user, demand)
    return [t for t in TRANSITIONS.values() if demand.status in t.sources and acting & t.who]


@transaction.atomic
def demand_transition(
    *,
    actor: Any,
    demand: ScenarioDemand,
    action: str,
    reason: str = "",
    amount: Decimal | None = None,  # fmt: skip
) -> DemandEvent:
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ApplicationError(_("未知的流程操作：%(action)s") % {"action": action})
    demand = ScenarioDemand.objects.select_for_update().get(pk=demand.pk)
    if not _acts_as(actor, demand) & transition.who:
        raise AccessDenied(_("您无权对该需求执行“%(label)s”。") % {"label": transition.label})
    if demand.status not in transition.sources:
        raise ApplicationError(
            _("需求当前状态为“%(status)s”，不能执行“%(label)s”。")
            % {"status": demand.get_status_display(), "label": transition.label}
        )
    reason = reason.strip()
    if transition.reason_required and not reason:
        raise ApplicationError(_("“%(label)s”需要填写原因或说明。") % {"label": transition.label})
    if transition.amount_required and (amount is None or amount <= 0):
        raise ApplicationError(_("请填写合同金额（万元，大于0）。"))
    if action == "open_challenge" and (demand.deadline is None or not demand.terms.strip()):
        raise ApplicationError(
            _("开启揭榜前请先填写揭榜截止日期和知识产权与保密约定（修改需求）。")
        )
    if action == "land":
        from innobridge.demands.validation import ready_to_land

        ready_to_land(demand)
    before = demand.status
    demand.status = transition.target
    if transition.visibility:
        demand.visibility = transition.visibility
    if transition.amount_required:
        demand.contract_amount = amount
    save_validated(demand, actor=actor, reason=f"{transition.label}：{reason}" if reason else str(transition.label))  # fmt: skip
    event = DemandEvent.objects.create(
        demand=demand, action=action, from_status=before, to_status=transition.target,
        actor=actor if getattr(actor, "is_authenticated", False) else None, reason=reason,
        amount=amount if transition.amount_required else None,
    )  # fmt: skip
    _tell(demand, transition, reason, actor)
    return event


def _tell(demand: ScenarioDemand, transition: Transition, reason: str, actor: Any) -> None:
    from innobridge.core.notify import followers_of, members_of, notify

    url = f"/demands/{demand.pk}/"
    owners = [u for u in members_of(demand.owner_id) if u.pk != getattr(actor, "pk", None)]
    notify(
        owners, "status",
        _("需求状态更新：%(title)s → %(status)s") % {"title": demand.title, "status": demand.get_status_display()},  # fmt: skip
        reason, url,
    )  # fmt: skip
    if transition.action == "publish":
        notify(followers_of(demand.field), "new_demand", _("新发布需求：%(title)s") % {"title": demand.title}, "", url)  # fmt: skip


def timeline_visible(user: Any, demand: ScenarioDemand) -> bool:
    """Staff, the assigned manager and the owner's members follow the lifecycle."""
    return bool(_acts_as(user, demand))


def action_label(action: str) -> str:
    found = TRANSITIONS.get(action)
    return str(found.label) if found else action
