"""The technology pipeline 发现—遴选—培育—转化, declared in one place.

discovered → submitted → screening → in review → selected | rejected → cultivating → transforming
→ transformed | stopped. Every transition is one call of ``project_transition``: it checks the
stage and who may act, records a ``ProjectEvent`` (who, when, from, to, why) beside the audit
trail, and tells the owner's members — a rejection carries its reason, never a reviewer's name.
The stage is not edited directly. Calls and reviews move projects through the same function
(``projects.calls`` and ``review.services``), so the timeline is complete whichever page acted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from innobridge.core.errors import AccessDenied, ApplicationError
from innobridge.core.roles import Role, is_staff_role, org_ids_of, roles_of
from innobridge.core.services import save_validated
from innobridge.projects.models import ProjectEvent, TechProject

S = TechProject.Stage
LIVE = frozenset({S.SELECTED, S.CULTIVATING, S.TRANSFORMING})


@dataclass(frozen=True)
class Transition:
    action: str
    label: str | Promise
    sources: frozenset[str]
    target: str
    who: frozenset[str]  # staff | manager (the assigned one) | owner (a member of the owner)
    reason_required: bool = False
    manual: bool = True  # offered as a button on the project page (else: done by calls/reviews)


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("submit", gettext_lazy("申报"), frozenset({S.DISCOVERED}), S.SUBMITTED, frozenset({"owner", "manager", "staff"}), manual=False),
        Transition("screen", gettext_lazy("进入初筛"), frozenset({S.SUBMITTED}), S.SCREENING, frozenset({"staff"}), manual=False),
        Transition("review", gettext_lazy("进入专家评审"), frozenset({S.SCREENING}), S.IN_REVIEW, frozenset({"staff"}), manual=False),
        Transition("select", gettext_lazy("遴选入库"), frozenset({S.IN_REVIEW}), S.SELECTED, frozenset({"staff"}), reason_required=True, manual=False),
        Transition("reject", gettext_lazy("未予入选"), frozenset({S.SCREENING, S.IN_REVIEW}), S.REJECTED, frozenset({"staff"}), reason_required=True, manual=False),
        Transition("cultivate", gettext_lazy("开始培育"), frozenset({S.SELECTED}), S.CULTIVATING, frozenset({"staff"})),
        Transition("transform", gettext_lazy("进入转化"), frozenset({S.CULTIVATING}), S.TRANSFORMING, frozenset({"staff", "manager"})),
        Transition("complete", gettext_lazy("确认转化完成"), frozenset({S.TRANSFORMING}), S.TRANSFORMED, frozenset({"staff"})),
        Transition("stop", gettext_lazy("终止"), LIVE, S.STOPPED, frozenset({"staff"}), reason_required=True),
        Transition("rediscover", gettext_lazy("重新入库待申报"), frozenset({S.REJECTED}), S.DISCOVERED, frozenset({"staff", "manager", "owner"})),
    )
}  # fmt: skip


def _acts_as(user: Any, project: TechProject) -> set[str]:
    roles = roles_of(user)
    acting: set[str] = set()
    if is_staff_role(user):
        acting.add("staff")
    if Role.MANAGER in roles and project.manager_id == getattr(user, "pk", None):
        acting.add("manager")
    if Role.MEMBER in roles and project.owner_id in org_ids_of(user):
        acting.add("owner")
    return acting


def available(user: Any, project: TechProject) -> list[Transition]:
    """The buttons this user may press on this project now."""
    acting = _acts_as(user, project)
    return [
        t
        for t in TRANSITIONS.values()
        if t.manual and project.stage in t.sources and acting & t.who
    ]


@transaction.atomic
def project_transition(
    *, actor: Any, project: TechProject, action: str, reason: str = ""
) -> ProjectEvent:
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ApplicationError(_("未知的流程操作：%(action)s") % {"action": action})
    project = TechProject.objects.select_for_update().get(pk=project.pk)
    if not _acts_as(actor, project) & transition.who:
        raise AccessDenied(_("您无权对该项目执行“%(label)s”。") % {"label": transition.label})
    if project.stage not in transition.sources:
        raise ApplicationError(
            _("项目当前阶段为“%(stage)s”，不能执行“%(label)s”。")
            % {"stage": project.get_stage_display(), "label": transition.label}
        )
    reason = reason.strip()
    if transition.reason_required and not reason:
        raise ApplicationError(_("“%(label)s”需要填写原因或说明。") % {"label": transition.label})
    if action == "complete" and not project.outcomes.exists():
        raise ApplicationError(
            _("请先登记至少一项转化成果（方式、合作方、金额），再确认转化完成。")
        )
    before = project.stage
    project.stage = transition.target
    label = str(transition.label)
    save_validated(project, actor=actor, reason=f"{label}：{reason}" if reason else label)
    event = ProjectEvent.objects.create(
        project=project, action=action, from_stage=before, to_stage=transition.target,
        actor=actor if getattr(actor, "is_authenticated", False) else None, reason=reason,
    )  # fmt: skip
    _tell(project, reason, actor)
    return event


def _tell(project: TechProject, reason: str, actor: Any) -> None:
    from innobridge.core.notify import members_of, notify

    owners = [u for u in members_of(project.owner_id) if u.pk != getattr(actor, "pk", None)]
    notify(
        owners, "status",
        _("项目阶段更新：%(title)s → %(stage)s") % {"title": project.title, "stage": project.get_stage_display()},  # fmt: skip
        reason, f"/projects/{project.pk}/",
    )  # fmt: skip


def timeline_for(user: Any, project: TechProject) -> list[dict[str, Any]]:
    """The events, for staff, the assigned manager and the owner's members; only staff see names."""
    if not _acts_as(user, project):
        return []
    staff = is_staff_role(user)
    return [
        {"event": event, "label": action_label(event.action),
         "actor": (event.actor.get_full_name() or event.actor.username) if staff and event.actor else ""}
        for event in project.events.select_related("actor")
    ]  # fmt: skip


def action_label(action: str) -> str:
    found = TRANSITIONS.get(action)
    return str(found.label) if found else action
