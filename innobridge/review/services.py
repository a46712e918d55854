"""Every write of the review flow: items entering a round, optimal assignment, reviews,
declared conflicts (with reassignment), decisions and published results.

Assignment is exact (``innobridge.optimize.assignment``): affinities come from the matching
engine's project → expert profiles (``innobridge.matching.experts``), rounded to 4 decimals, and
the solver maximizes their sum under k reviewers per item, the round's load limits, conflicts of
interest (``review.conflicts``), staff's locked and excluded pairs, and — when the round asks for
it — at most one reviewer per organization per item. Once a round is under review, re-solving
keeps every pair already handed out and only fills the gaps (a declared conflict, an exclusion).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from innobridge.core.errors import AccessDenied, ApplicationError
from innobridge.core.notify import members_of, notify
from innobridge.core.roles import is_staff_role
from innobridge.core.services import save_validated
from innobridge.orgs.models import Person
from innobridge.review import conflicts as conflict_rules
from innobridge.review.models import (
    DeclaredConflict,
    ReviewAssignment,
    ReviewItem,
    ReviewRound,
)
from innobridge.review.scoring import ScoreError, weighted_total

A = ReviewAssignment.Status
AFFINITY_PLACES = Decimal("0.0001")


def _staff(actor: Any) -> None:
    if not is_staff_role(actor):
        raise AccessDenied(_("只有科创局工作人员可以管理专家评审。"))


def _round_open(round: ReviewRound) -> None:
    if round.status == ReviewRound.Status.CLOSED:
        raise ApplicationError(_("该评审阶段已结束。"))


# --- items -----------------------------------------------------------------------------------


@transaction.atomic
def add_items(
    *, actor: Any, round: ReviewRound, submissions: Sequence[Any] = (),
    applications: Sequence[Any] = (),
) -> list[ReviewItem]:  # fmt: skip
    _staff(actor)
    _round_open(round)
    items = []
    for submission in submissions:
        item, _created = ReviewItem.objects.get_or_create(round=round, submission=submission)
        items.append(item)
    for application in applications:
        item, _created = ReviewItem.objects.get_or_create(round=round, application=application)
        items.append(item)
    return items


@transaction.atomic
def challenge_round(*, actor: Any, demand: Any, deadline: Any = None) -> ReviewRound:
    """揭榜评审: the challenge's applications reviewed by experts with the challenge form."""
    from innobridge.demands.models import ScenarioDemand
    from innobridge.review.models import CHALLENGE_CRITERIA

    _staff(actor)
    if demand.status != ScenarioDemand.Status.CHALLENGE:
        raise ApplicationError(_("只有揭榜中的需求可以发起专家评审。"))
    applications = list(demand.applications.all())
    if not applications:
        raise ApplicationError(_("还没有单位申请揭榜。"))
    round = ReviewRound.objects.filter(demand=demand).first()
    if round is None:
        round = ReviewRound(
            demand=demand, name=_("揭榜评审"), criteria=[dict(c) for c in CHALLENGE_CRITERIA],
            reviewers_per_item=3, max_load=10, deadline=deadline,
        )  # fmt: skip
        save_validated(round, actor=actor, reason=_("发起揭榜评审"))
    add_items(actor=actor, round=round, applications=applications)
    return round


@transaction.atomic
def round_update(*, actor: Any, round: ReviewRound, data: Mapping[str, Any]) -> ReviewRound:
    """The stage's settings and its review form (criteria with weights), before reviews start."""
    _staff(actor)
    _round_open(round)
    if "criteria" in data:
        criteria = clean_criteria(data["criteria"])
        if criteria != round.criteria and ReviewAssignment.objects.filter(item__round=round, status__in=ReviewAssignment.STARTED).exists():  # fmt: skip
            raise ApplicationError(_("已有专家开始评审，不能再修改评审指标。"))
        round.criteria = criteria
    for name in ("name", "reviewers_per_item", "min_load", "max_load", "one_per_organization", "deadline"):  # fmt: skip
        if name in data:
            setattr(round, name, data[name])
    if round.reviewers_per_item < 1 or round.max_load < 1:
        raise ApplicationError(_("每个项目至少1位专家，每位专家至少可评1个项目。"))
    return save_validated(round, actor=actor, reason=_("修改评审阶段"))


def clean_criteria(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Names unique and non-empty, weights positive numbers; at least one criterion."""
    criteria: list[dict[str, Any]] = []
    seen: set[str] = set()
    for row in rows:
        name = str(row.get("name") or "").strip()
        weight_text = str(row.get("weight") or "").strip()
        if not name and not weight_text:
            continue
        if not name:
            raise ApplicationError(_("评审指标需要名称。"))
        if name in seen:
            raise ApplicationError(_("评审指标“%(name)s”重复。") % {"name": name})
        try:
            weight = Decimal(weight_text)
        except ArithmeticError:
            weight = Decimal(0)
        if not weight.is_finite() or weight <= 0 or weight > 1000:
            raise ApplicationError(_("评审指标“%(name)s”的权重应为大于0的数字。") % {"name": name})  # fmt: skip
        seen.add(name)
        criteria.append({"name": name[:30], "weight": int(weight) if weight == weight.to_integral() else float(weight)})  # fmt: skip
    if not criteria:
        raise ApplicationError(_("请至少设置一项评审指标。"))
    return criteria


# --- assignment ------------------------------------------------------------------------------


def experts_pool() -> list[Person]:
    return list(
        Person.objects.filter(is_expert=True)
        .select_related("expert_profile")
        .prefetch_related("projects")
        .order_by("pk")
    )


def affinities(items: Sequence[ReviewItem], experts: Sequence[Person]) -> dict[tuple[int, int], Decimal]:  # fmt: skip
    """(item, expert) → affinity in [0, 1], 4 decimals, from the matching engine's profiles."""
    from innobridge.matching.experts import ExpertProfile, ProjectProfile, affinity

    if not items or not experts:
        return {}
    profiles = [ProjectProfile(str(item.pk), item.field, item_text(item)) for item in items]
    expert_profiles = []
    for expert in experts:
        profile = getattr(expert, "expert_profile", None)
        works = " ".join(p.title for p in expert.projects.all())
        if profile is not None:
            works = f"{works} {profile.works} {profile.bio}"
        expert_profiles.append(ExpertProfile(str(expert.pk), expert.field or None, expert.keywords, works))  # fmt: skip
    result = affinity(profiles, expert_profiles)
    scores: dict[tuple[int, int], Decimal] = {}
    for i, item in enumerate(items):
        row = result.matrix[i]
        for j, expert in enumerate(experts):
            scores[(item.pk, expert.pk)] = Decimal(str(float(row[j]))).quantize(AFFINITY_PLACES)
    return scores


def item_text(item: ReviewItem) -> str:
    if item.submission_id:
        project = item.submission.project  # type: ignore[union-attr]
        return f"{project.title} {project.title} {project.keywords} {project.summary}"
    application = item.application
    return f"{application.demand.title} {application.demand.keywords} {application.proposal}"  # type: ignore[union-attr]


def _items(round: ReviewRound) -> list[ReviewItem]:
    return list(
        round.items.filter(decision=ReviewItem.Decision.PENDING).select_related(
            "submission__project__owner", "application__organization", "application__demand"
        )
    )


@transaction.atomic
def propose(*, actor: Any, round: ReviewRound) -> dict[str, Any]:
    """Solve the round's assignment exactly and store it; returns the totals for the page."""
    _staff(actor)
    return _assign(round)


def _assign(round: ReviewRound) -> dict[str, Any]:
    from innobridge.optimize.assignment import Infeasible, Problem, solve

    _round_open(round)
    round = ReviewRound.objects.select_for_update().get(pk=round.pk)
    items = _items(round)
    if not items:
        raise ApplicationError(_("该评审阶段还没有待评审的项目。"))
    experts = experts_pool()
    if not experts:
        raise ApplicationError(_("专家库为空，请先导入专家。"))
    existing = {
        (a.item_id, a.expert_id): a for a in ReviewAssignment.objects.filter(item__in=items)
    }
    scores = affinities(items, experts)
    blocked = conflict_rules.conflicts(items, experts)
    forbidden = {pair for pair, a in existing.items() if a.status in (A.CONFLICT, A.EXCLUDED)}
    keep = (
        (A.ASSIGNED, A.DRAFT, A.SUBMITTED)
        if round.status == ReviewRound.Status.REVIEWING
        else ReviewAssignment.STARTED
    )
    forced = {pair for pair, a in existing.items() if a.locked or a.status in keep}
    forced -= forbidden
    for pair in forced & set(blocked):
        raise ApplicationError(
            _("锁定的评审任务与利益冲突规则矛盾：%(reason)s，请先解除锁定。")
            % {"reason": blocked[pair]}
        )
    _explain_shortage(round, items, experts, scores, set(blocked) | forbidden)
    organization = conflict_rules.current_organizations(experts) if round.one_per_organization else None  # fmt: skip
    key = {item.pk: str(item.pk) for item in items}
    problem = Problem(
        scores={(key[i], str(e)): s for (i, e), s in scores.items()},
        k=round.reviewers_per_item, max_load=round.max_load, min_load=round.min_load,
        conflicts={(key[i], str(e)) for i, e in blocked},
        forbidden={(key[i], str(e)) for i, e in forbidden},
        forced={(key[i], str(e)) for i, e in forced},
        organization={str(e): str(org) for e, org in organization.items()} if organization is not None else None,
        projects=[key[item.pk] for item in items],
    )  # fmt: skip
    try:
        solution = solve(problem)
    except Infeasible:
        raise ApplicationError(
            _(
                "在当前约束下无法完成分配（每个项目%(k)d位专家、每位专家最多%(max)d项、回避与锁定规则）。请提高专家评审上限、减少锁定或扩充专家库。"
            )
            % {"k": round.reviewers_per_item, "max": round.max_load}
        ) from None
    chosen = {(int(i), int(e)) for i, e in solution.pairs}
    reviewing = round.status == ReviewRound.Status.REVIEWING
    ReviewAssignment.objects.filter(item__in=items, status=A.PROPOSED, locked=False).exclude(
        pk__in=[a.pk for pair, a in existing.items() if pair in chosen]
    ).delete()
    added: list[ReviewAssignment] = []
    for pair in sorted(chosen):
        current = existing.get(pair)
        if current is None:
            added.append(ReviewAssignment.objects.create(
                item_id=pair[0], expert_id=pair[1], affinity=scores[pair],
                status=A.ASSIGNED if reviewing else A.PROPOSED,
            ))  # fmt: skip
        elif current.affinity != scores[pair]:
            current.affinity = scores[pair]
            current.save(update_fields=["affinity"])
    if reviewing:
        _tell_experts(round, added)
    return {"total": solution.total, "pairs": len(chosen), "added": len(added)}


def _explain_shortage(
    round: ReviewRound, items: Sequence[ReviewItem], experts: Sequence[Person],
    scores: Mapping[tuple[int, int], Decimal], blocked: set[tuple[int, int]],
) -> None:  # fmt: skip
    """Name the items that cannot get k reviewers, and why, before asking the solver."""
    eligible: dict[int, int] = defaultdict(int)
    for pair in scores:
        if pair not in blocked:
            eligible[pair[0]] += 1
    short = [
        _("“%(title)s”仅有%(n)d位可回避冲突的专家（%(blocked)d位因利益冲突或被排除）")
        % {"title": item.title, "n": eligible[item.pk], "blocked": len(experts) - eligible[item.pk]}
        for item in items
        if eligible[item.pk] < round.reviewers_per_item
    ]
    if short:
        raise ApplicationError(
            _("以下项目没有足够的可选专家（每个项目需要%(k)d位）：")
            % {"k": round.reviewers_per_item}
            + "；".join(short)
        )
    if round.reviewers_per_item * len(items) > round.max_load * len(experts):
        raise ApplicationError(
            _(
                "%(items)d个项目×%(k)d位专家超过了%(experts)d位专家×每人最多%(max)d项的评审能力，请提高上限或扩充专家库。"
            )
            % {
                "items": len(items),
                "k": round.reviewers_per_item,
                "experts": len(experts),
                "max": round.max_load,
            }  # fmt: skip
        )


@transaction.atomic
def set_locked(*, actor: Any, assignment: ReviewAssignment, locked: bool) -> ReviewAssignment:
    _staff(actor)
    _round_open(assignment.item.round)
    assignment.locked = locked
    return save_validated(assignment, actor=actor, reason=_("锁定") if locked else _("解除锁定"))


@transaction.atomic
def exclude(*, actor: Any, assignment: ReviewAssignment) -> ReviewAssignment:
    """Staff take a pair out (it is never proposed again in this round)."""
    _staff(actor)
    _round_open(assignment.item.round)
    if assignment.status == A.SUBMITTED:
        raise ApplicationError(_("该专家已提交评审意见，不能排除。"))
    assignment.status = A.EXCLUDED
    assignment.locked = False
    return save_validated(assignment, actor=actor, reason=_("排除该专家"))


@transaction.atomic
def add_pair(*, actor: Any, item: ReviewItem, expert: Person) -> ReviewAssignment:
    """Staff name an expert for an item themselves: the pair is locked (forced) from then on."""
    _staff(actor)
    round = item.round
    _round_open(round)
    if not expert.is_expert:
        raise ApplicationError(_("%(name)s 不在专家库中。") % {"name": expert.name})
    reason = conflict_rules.conflicts([item], [expert]).get((item.pk, expert.pk))
    if reason:
        raise ApplicationError(_("不能指定该专家：%(reason)s。") % {"reason": reason})
    reviewing = round.status == ReviewRound.Status.REVIEWING
    assignment, created = ReviewAssignment.objects.get_or_create(
        item=item, expert=expert,
        defaults={"locked": True, "status": A.ASSIGNED if reviewing else A.PROPOSED,
                  "affinity": affinities([item], [expert]).get((item.pk, expert.pk), Decimal(0))},
    )  # fmt: skip
    if not created:
        if assignment.status == A.CONFLICT:
            raise ApplicationError(_("该专家已声明与此项目存在利益冲突。"))
        assignment.locked = True
        if assignment.status == A.EXCLUDED:
            assignment.status = A.ASSIGNED if reviewing else A.PROPOSED
        save_validated(assignment, actor=actor, reason=_("指定专家"))
    if reviewing:
        _tell_experts(round, [assignment])
    return assignment


@transaction.atomic
def start_review(*, actor: Any, round: ReviewRound) -> int:
    """Hand the proposed assignment to the experts (they are told) and open the review form."""
    _staff(actor)
    _round_open(round)
    if round.status == ReviewRound.Status.REVIEWING:
        raise ApplicationError(_("该评审阶段已在评审中。"))
    proposed = list(ReviewAssignment.objects.filter(item__round=round, status=A.PROPOSED))
    k = round.reviewers_per_item
    short = [
        item.title for item in _items(round)
        if sum(1 for a in proposed if a.item_id == item.pk) < k
    ]  # fmt: skip
    if short:
        raise ApplicationError(_("请先完成分配，以下项目的专家不足：%(items)s") % {"items": "、".join(short[:10])})  # fmt: skip
    ReviewAssignment.objects.filter(pk__in=[a.pk for a in proposed]).update(status=A.ASSIGNED)
    round.status = ReviewRound.Status.REVIEWING
    save_validated(round, actor=actor, reason=_("开始评审"))
    if round.call_id:
        from innobridge.projects.models import Call

        Call.objects.filter(pk=round.call_id).exclude(status=Call.Status.FINISHED).update(status=Call.Status.REVIEWING)  # fmt: skip
    _tell_experts(round, proposed)
    return len(proposed)


def _tell_experts(round: ReviewRound, assignments: Iterable[ReviewAssignment]) -> None:
    """Each expert with a login hears once how many new tasks they have, and the deadline."""
    from django.contrib.auth import get_user_model

    counts: dict[int, int] = defaultdict(int)
    for assignment in assignments:
        counts[assignment.expert_id] += 1
    users = dict(Person.objects.filter(pk__in=list(counts), user__isnull=False).values_list("pk", "user_id"))  # fmt: skip
    deadline = round.deadline.isoformat() if round.deadline else _("见通知")
    for user in get_user_model().objects.filter(pk__in=list(users.values())):
        n = sum(counts[person] for person, user_id in users.items() if user_id == user.pk)
        notify(
            [user], "review",
            _("新的评审任务：%(round)s（%(n)d项）") % {"round": str(round), "n": n},
            _("评审截止：%(date)s") % {"date": deadline}, "/review/",
        )  # fmt: skip


@transaction.atomic
def close_round(*, actor: Any, round: ReviewRound) -> ReviewRound:
    _staff(actor)
    round.status = ReviewRound.Status.CLOSED
    return save_validated(round, actor=actor, reason=_("结束评审"))


# --- reviewing -------------------------------------------------------------------------------


def _own(actor: Any, assignment: ReviewAssignment) -> None:
    if assignment.expert.user_id != getattr(actor, "pk", None):
        raise AccessDenied(_("这不是您的评审任务。"))


@transaction.atomic
def save_review(
    *, actor: Any, assignment: ReviewAssignment, scores: Mapping[str, Any], comment: str,
    submit: bool,
) -> ReviewAssignment:  # fmt: skip
    """Save a draft (incomplete scores allowed) or submit (every criterion 0–100) by the deadline."""
    assignment = ReviewAssignment.objects.select_for_update(of=("self",)).select_related("item__round", "expert").get(pk=assignment.pk)  # fmt: skip
    _own(actor, assignment)
    round = assignment.item.round
    if round.status != ReviewRound.Status.REVIEWING:
        raise ApplicationError(_("该评审阶段不在评审期。"))
    if round.deadline and timezone.localdate() > round.deadline:
        raise ApplicationError(_("评审已于 %(date)s 截止。") % {"date": round.deadline})
    if assignment.status not in (A.ASSIGNED, A.DRAFT):
        raise ApplicationError(_("该评审任务当前状态为“%(status)s”，不能修改。") % {"status": assignment.get_status_display()})  # fmt: skip
    clean: dict[str, Any] = {}
    for criterion in round.criteria:
        name = criterion["name"]
        value = str(scores.get(name, "") or "").strip()
        if value:
            try:
                number = Decimal(value)
            except ArithmeticError:
                number = Decimal(-1)
            if not number.is_finite() or not 0 <= number <= 100:
                raise ApplicationError(_("“%(name)s”的得分应为0到100之间的数字。") % {"name": name})  # fmt: skip
            clean[name] = float(number) if number != number.to_integral() else int(number)
    assignment.scores = clean
    assignment.comment = comment.strip()
    if submit:
        try:
            assignment.total = weighted_total(clean, round.criteria)
        except ScoreError as error:
            raise ApplicationError(_("提交前请为“%(name)s”打分。") % {"name": str(error)}) from None
        if not assignment.comment:
            raise ApplicationError(_("提交前请填写评审意见。"))
        assignment.status = A.SUBMITTED
        assignment.submitted = timezone.now()
    else:
        assignment.status = A.DRAFT
    return save_validated(
        assignment, actor=actor, reason=_("提交评审") if submit else _("保存草稿")
    )


@transaction.atomic
def declare_conflict(*, actor: Any, assignment: ReviewAssignment, reason: str) -> ReviewAssignment | None:  # fmt: skip
    """The expert steps aside; the item gets the best available replacement at once."""
    _own(actor, assignment)
    if assignment.status == A.SUBMITTED:
        raise ApplicationError(_("您已提交评审意见，如有冲突请联系科创局。"))
    if assignment.status not in ReviewAssignment.ACTIVE:
        raise ApplicationError(_("该评审任务已不在您的名单中。"))
    if not reason.strip():
        raise ApplicationError(_("请说明利益冲突的原因（仅科创局可见）。"))
    item = assignment.item
    DeclaredConflict.objects.create(
        expert=assignment.expert, item=item, reason=reason.strip()[:300], declared_by=actor
    )
    assignment.status = A.CONFLICT
    assignment.locked = False
    assignment.scores = {}
    assignment.total = None
    save_validated(assignment, actor=actor, reason=_("声明利益冲突"))
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.filter(groups__name="bureau_staff", is_active=True)
    notify(staff, "review", _("专家申报回避：%(item)s") % {"item": item.title}, reason.strip(), f"/review/rounds/{item.round_id}/")  # fmt: skip
    try:
        _assign(item.round)  # every live pair is kept: only this gap is filled, optimally
    except ApplicationError as error:
        notify(staff, "review", _("自动补充专家失败：%(item)s") % {"item": item.title}, error.message, f"/review/rounds/{item.round_id}/")  # fmt: skip
        return None
    return ReviewAssignment.objects.filter(item=item, status__in=(A.ASSIGNED, A.PROPOSED)).exclude(expert=assignment.expert).order_by("-pk").first()  # fmt: skip


# --- decisions -------------------------------------------------------------------------------


@transaction.atomic
def decide(*, actor: Any, item: ReviewItem, decision: str, reason: str) -> ReviewItem:
    """Advance to the next stage, select (last stage) or reject — always with a reason."""
    from innobridge.projects import pipeline
    from innobridge.projects.models import Submission

    _staff(actor)
    item = ReviewItem.objects.select_for_update(of=("self",)).select_related("round", "submission__project", "application__demand").get(pk=item.pk)  # fmt: skip
    round = item.round
    if item.decision != ReviewItem.Decision.PENDING:
        raise ApplicationError(_("已对该项目作出决定：%(d)s。") % {"d": item.get_decision_display()})  # fmt: skip
    if decision not in (ReviewItem.Decision.ADVANCE, ReviewItem.Decision.SELECT, ReviewItem.Decision.REJECT):  # fmt: skip
        raise ApplicationError(_("未知的决定。"))
    reason = reason.strip()
    if not reason:
        raise ApplicationError(_("请填写决定理由（申报单位可见，不含专家信息）。"))
    last = round.is_last()
    if decision == ReviewItem.Decision.ADVANCE and last:
        raise ApplicationError(_("这是最后一个评审阶段，请选择“入选”或“未通过”。"))
    if decision == ReviewItem.Decision.SELECT and not last:
        raise ApplicationError(_("还有后续评审阶段，请选择“晋级”或“未通过”。"))
    item.decision = decision
    item.decision_reason = reason
    item.decided_by = actor
    item.decided = timezone.now()
    save_validated(item, actor=actor, reason=str(item.get_decision_display()))
    if item.application_id:
        _decide_application(actor, item, decision, reason)
        return item
    submission = item.submission
    assert submission is not None
    if decision == ReviewItem.Decision.ADVANCE:
        following = ReviewRound.objects.filter(call=round.call, order__gt=round.order).order_by("order").first()  # fmt: skip
        assert following is not None  # not the last round
        add_items(actor=actor, round=following, submissions=[submission])
        notify(members_of(submission.project.owner_id), "status",
               _("申报晋级：%(title)s 进入%(stage)s") % {"title": submission.project.title, "stage": following.name},
               reason, f"/calls/submissions/{submission.pk}/")  # fmt: skip
        return item
    action = "select" if decision == ReviewItem.Decision.SELECT else "reject"
    pipeline.project_transition(actor=actor, project=submission.project, action=action, reason=reason)  # fmt: skip
    submission.status = (
        Submission.Status.SELECTED if action == "select" else Submission.Status.REJECTED
    )
    submission.result_note = reason
    save_validated(submission, actor=actor, reason=str(item.get_decision_display()))
    return item


def _decide_application(actor: Any, item: ReviewItem, decision: str, reason: str) -> None:
    from innobridge.demands import challenges

    if decision == ReviewItem.Decision.SELECT:
        others = ReviewItem.objects.filter(round=item.round, decision=ReviewItem.Decision.PENDING).exclude(pk=item.pk)  # fmt: skip
        others.update(decision=ReviewItem.Decision.REJECT, decision_reason=_("经专家评审，其他方案更符合本需求。"), decided_by=actor, decided=timezone.now())  # fmt: skip
        challenges.select_solver(actor=actor, application=item.application, note=reason)  # type: ignore[arg-type]
        item.round.status = ReviewRound.Status.CLOSED
        item.round.save(update_fields=["status"])


@transaction.atomic
def publish_results(*, actor: Any, call: Any) -> Any:
    """公布结果: the selected projects are listed on the call's public results page."""
    _staff(actor)
    pending = ReviewItem.objects.filter(round__call=call, decision=ReviewItem.Decision.PENDING).count()  # fmt: skip
    if pending:
        raise ApplicationError(_("还有%(n)d个项目未作决定，不能公布结果。") % {"n": pending})
    call.results_published = True
    call.status = call.Status.FINISHED
    ReviewRound.objects.filter(call=call).update(status=ReviewRound.Status.CLOSED)
    return save_validated(call, actor=actor, reason=_("公布结果"))
