"""场景验证: milestones of a signed demand's validation, each closed with evidence; a demand lands
only when it has milestones and every one of them is done (checked by the lifecycle's "land")."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from innobridge.core.errors import AccessDenied, ApplicationError, NotFound
from innobridge.core.services import save_validated
from innobridge.core.uploads import sniff
from innobridge.demands import lifecycle
from innobridge.demands.models import ScenarioDemand, ValidationMilestone

OPEN = {ScenarioDemand.Status.SIGNED, ScenarioDemand.Status.VALIDATING}


def _check(actor: Any, demand: ScenarioDemand) -> None:
    if not lifecycle.timeline_visible(actor, demand):
        raise AccessDenied(_("只有科创局、负责的技术经理人和需求单位可以维护验证节点。"))
    if demand.status not in OPEN:
        raise ApplicationError(_("需求签约后、落地前才能维护场景验证节点。"))


@transaction.atomic
def milestone_add(
    *, actor: Any, demand: ScenarioDemand, title: str, due: datetime.date | None = None
) -> ValidationMilestone:
    _check(actor, demand)
    if not title.strip():
        raise ApplicationError(_("请填写验证节点名称。"))
    return save_validated(
        ValidationMilestone(demand=demand, title=title.strip(), due=due),
        actor=actor,
        reason=_("新增验证节点"),  # fmt: skip
    )


@transaction.atomic
def milestone_complete(
    *, actor: Any, milestone: ValidationMilestone, evidence: str, upload: Any = None
) -> ValidationMilestone:
    _check(actor, milestone.demand)
    if not evidence.strip() and upload is None:
        raise ApplicationError(_("请填写验证证据或上传证据文件。"))
    if upload is not None:
        sniff(upload)
        milestone.evidence_file = upload
        milestone.evidence_name = str(upload.name)[:200]
    milestone.evidence = evidence.strip()
    milestone.done = timezone.localdate()
    return save_validated(milestone, actor=actor, reason=_("验证节点完成"))


def ready_to_land(demand: ScenarioDemand) -> None:
    milestones = list(demand.milestones.all())
    if not milestones:
        raise ApplicationError(_("确认落地前请至少设置一个场景验证节点。"))
    open_ones = [m.title for m in milestones if m.done is None]
    if open_ones:
        raise ApplicationError(
            _("以下验证节点尚未完成：%(titles)s") % {"titles": "、".join(open_ones)}
        )


def milestone_get(user: Any, demand: ScenarioDemand, pk: int) -> ValidationMilestone:
    found = demand.milestones.filter(pk=pk).first()
    if found is None or not lifecycle.timeline_visible(user, demand):
        raise NotFound(_("未找到该验证节点。"))
    return found
