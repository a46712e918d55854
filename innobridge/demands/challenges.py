"""揭榜挂帅: teams apply to solve a demand opened as a challenge; staff score the applications and
select the solver (the lifecycle's "select_solver"), and every applicant learns the result."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from innobridge.core.errors import AccessDenied, ApplicationError, NotFound
from innobridge.core.notify import members_of, notify
from innobridge.core.roles import Role, is_staff_role, org_ids_of, roles_of
from innobridge.core.services import save_validated
from innobridge.core.uploads import sniff
from innobridge.demands import lifecycle
from innobridge.demands.models import (
    ApplicationAttachment,
    ChallengeApplication,
    DemandEvent,
    ScenarioDemand,
)
from innobridge.orgs.models import Organization

MAX_FILES = 5


def _judges(user: Any, demand: ScenarioDemand) -> bool:
    return is_staff_role(user) or (
        Role.MANAGER in roles_of(user) and demand.manager_id == getattr(user, "pk", None)
    )


def applications_for(user: Any, demand: ScenarioDemand) -> list[ChallengeApplication]:
    """Staff and the assigned manager see every application; a member sees their own."""
    applications = demand.applications.select_related("organization")
    if _judges(user, demand):
        return list(applications)
    return list(applications.filter(organization_id__in=org_ids_of(user)))


def can_apply(user: Any, demand: ScenarioDemand) -> list[Organization]:
    """The user's organizations that may still apply (challenge open, before the deadline)."""
    if demand.status != ScenarioDemand.Status.CHALLENGE or Role.MEMBER not in roles_of(user):
        return []
    if demand.deadline is not None and demand.deadline < timezone.localdate():
        return []
    applied = set(demand.applications.values_list("organization_id", flat=True))
    return list(Organization.objects.filter(pk__in=org_ids_of(user) - applied - {demand.owner_id}))


@transaction.atomic
def apply(
    *, actor: Any, demand: ScenarioDemand, organization: Organization, proposal: str,
    team: str = "", budget: Decimal | None = None, accepted_terms: bool = False,
    files: Sequence[Any] = (),
) -> ChallengeApplication:  # fmt: skip
    if organization not in can_apply(actor, demand):
        if demand.status != ScenarioDemand.Status.CHALLENGE:
            raise ApplicationError(_("该需求当前不在揭榜期。"))
        raise AccessDenied(_("您不能以该单位名义申请揭榜（或已申请、已截止）。"))
    if not accepted_terms:
        raise ApplicationError(_("请先阅读并接受揭榜条件与知识产权、保密约定。"))
    if not proposal.strip():
        raise ApplicationError(
            _("请填写技术方案。"), {"errors": {"proposal": [_("请填写技术方案。")]}}
        )
    if len(files) > MAX_FILES:
        raise ApplicationError(_("最多上传 %(n)d 个附件。") % {"n": MAX_FILES})
    kinds = [sniff(upload) for upload in files]  # every file is checked before anything is saved
    application = ChallengeApplication(
        demand=demand, organization=organization, applicant=actor, proposal=proposal.strip(),
        team=team.strip(), budget=budget, accepted_terms=True,
    )  # fmt: skip
    save_validated(application, actor=actor, reason=_("申请揭榜"))
    for upload, kind in zip(files, kinds, strict=True):
        ApplicationAttachment.objects.create(
            application=application, file=upload, name=str(upload.name)[:200], kind=kind,
            size=upload.size,
        )  # fmt: skip
    return application


def attachment_for(user: Any, demand: ScenarioDemand, pk: int) -> ApplicationAttachment:
    """An attachment the user may download: the judges, and the applicant's own members."""
    visible = {a.pk for a in applications_for(user, demand)}
    found = ApplicationAttachment.objects.filter(pk=pk, application_id__in=visible).first()
    if found is None:
        raise NotFound(_("未找到该附件。"))
    return found


@transaction.atomic
def score(*, actor: Any, application: ChallengeApplication, points: int) -> ChallengeApplication:
    if not _judges(actor, application.demand):
        raise AccessDenied(_("只有科创局工作人员或负责的技术经理人可以评审揭榜申请。"))
    if not 0 <= points <= 100:
        raise ApplicationError(_("评审得分应在0到100之间。"))
    application.score = points
    return save_validated(application, actor=actor, reason=_("评审打分"))


@transaction.atomic
def select_solver(
    *, actor: Any, application: ChallengeApplication, note: str = "", others_reason: str = ""
) -> DemandEvent:
    """揭榜成功: the chosen application wins; every applicant gets the decision with a reason."""
    demand = application.demand
    reason = _("揭榜方：%(name)s") % {"name": application.organization.name}
    if note.strip():
        reason += f"；{note.strip()}"
    event = lifecycle.demand_transition(actor=actor, demand=demand, action="select_solver", reason=reason)  # fmt: skip
    not_selected = others_reason.strip() or _("经综合评审，其他方案更符合本需求，未入选。")
    for other in demand.applications.select_for_update():
        if other.pk == application.pk:
            other.status = ChallengeApplication.Status.WON
            other.result_note = note.strip() or _("经综合评审，确定为揭榜方。")
        else:
            other.status = ChallengeApplication.Status.LOST
            other.result_note = not_selected
        save_validated(other, actor=actor, reason=_("揭榜结果"))
        notify(
            members_of(other.organization_id), "challenge",
            _("揭榜结果：%(title)s — %(result)s") % {"title": demand.title, "result": other.get_status_display()},  # fmt: skip
            other.result_note, f"/demands/{demand.pk}/",
        )  # fmt: skip
    return event
