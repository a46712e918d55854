"""培育与转化: what happens to a project after it is selected — milestones with evidence, funding
tranches, mentors, and transformation outcomes (licence, transfer, 中试 …, counterparty, amount).

Staff and the project's assigned manager keep these records; the owner's members close milestones
with their evidence. The figures feed the targets dashboard (funding, contract amounts).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from innobridge.core.errors import AccessDenied, ApplicationError, NotFound
from innobridge.core.roles import Role, is_staff_role, org_ids_of, roles_of
from innobridge.core.services import save_validated
from innobridge.core.uploads import sniff
from innobridge.orgs.models import Person
from innobridge.projects.models import (
    FundingTranche,
    Milestone,
    TechProject,
    TransformationOutcome,
)

S = TechProject.Stage
SUPPORTED = (S.SELECTED, S.CULTIVATING, S.TRANSFORMING, S.TRANSFORMED)


def keeps_records(user: Any, project: TechProject) -> bool:
    """Staff and the assigned manager keep the cultivation and transformation records."""
    return is_staff_role(user) or (
        Role.MANAGER in roles_of(user) and project.manager_id == getattr(user, "pk", None)
    )


def follows(user: Any, project: TechProject) -> bool:
    """Who sees the records: the keepers and the owner's members (funding is not public)."""
    return keeps_records(user, project) or (
        Role.MEMBER in roles_of(user) and project.owner_id in org_ids_of(user)
    )


def _keeper(actor: Any, project: TechProject) -> None:
    if not keeps_records(actor, project):
        raise AccessDenied(_("只有科创局工作人员或负责的技术经理人可以登记培育与转化信息。"))
    if project.stage not in SUPPORTED:
        raise ApplicationError(_("项目遴选入库后才能登记培育与转化信息。"))


@transaction.atomic
def milestone_add(*, actor: Any, project: TechProject, title: str, due: datetime.date | None) -> Milestone:  # fmt: skip
    _keeper(actor, project)
    if due is None:
        raise ApplicationError(_("请填写计划完成日期。"))
    milestone = Milestone(project=project, title=title.strip(), due=due)
    return save_validated(milestone, actor=actor, reason=_("新增培育节点"))


@transaction.atomic
def milestone_done(*, actor: Any, milestone: Milestone, evidence: str, file: Any = None) -> Milestone:  # fmt: skip
    if not follows(actor, milestone.project):
        raise AccessDenied(_("您无权更新该培育节点。"))
    if milestone.done:
        raise ApplicationError(_("该节点已完成。"))
    if not evidence.strip() and file is None:
        raise ApplicationError(_("请填写完成证据或上传证据文件。"))
    if file is not None:
        sniff(file)
        milestone.evidence_file = file
        milestone.evidence_name = str(file.name)[:200]
    milestone.evidence = evidence.strip()
    milestone.done = timezone.localdate()
    return save_validated(milestone, actor=actor, reason=_("完成培育节点"))


@transaction.atomic
def tranche_add(
    *, actor: Any, project: TechProject, amount: Decimal | None, source: str,
    date: datetime.date | None, note: str = "",
) -> FundingTranche:  # fmt: skip
    _keeper(actor, project)
    if amount is None or amount <= 0:
        raise ApplicationError(_("请填写拨付金额（万元，大于0）。"))
    tranche = FundingTranche(project=project, amount=amount, source=source, date=date or timezone.localdate(), note=note.strip())  # fmt: skip
    return save_validated(tranche, actor=actor, reason=_("登记资金拨付"))


@transaction.atomic
def mentor_add(*, actor: Any, project: TechProject, person: Person) -> None:
    _keeper(actor, project)
    project.mentors.add(person)


@transaction.atomic
def mentor_remove(*, actor: Any, project: TechProject, person: Person) -> None:
    _keeper(actor, project)
    project.mentors.remove(person)


@transaction.atomic
def outcome_add(
    *, actor: Any, project: TechProject, type: str, counterparty: str, amount: Decimal | None,
    date: datetime.date | None, note: str = "",
) -> TransformationOutcome:  # fmt: skip
    _keeper(actor, project)
    outcome = TransformationOutcome(
        project=project, type=type, counterparty=counterparty.strip(), amount=amount,
        date=date or timezone.localdate(), note=note.strip(),
    )  # fmt: skip
    return save_validated(outcome, actor=actor, reason=_("登记转化成果"))


def milestone_for(user: Any, project: TechProject, pk: int) -> Milestone:
    found = project.milestones.filter(pk=pk).first()
    if found is None or not follows(user, project):
        raise NotFound(_("未找到该培育节点。"))
    return found


def records_for(user: Any, project: TechProject) -> dict[str, Any]:
    """The cultivation and transformation section of the project page (empty for others)."""
    if not follows(user, project):
        return {}
    tranches = list(project.tranches.all())
    outcomes = list(project.outcomes.all())
    return {
        "milestones": list(project.milestones.all()),
        "tranches": tranches,
        "funding_total": sum((t.amount for t in tranches), Decimal(0)),
        "mentors": list(project.mentors.all()),
        "outcomes": outcomes,
        "contract_total": sum((o.amount or Decimal(0) for o in outcomes), Decimal(0)),
        "can_keep": keeps_records(user, project) and project.stage in SUPPORTED,
    }
