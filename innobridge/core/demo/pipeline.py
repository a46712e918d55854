"""Demo calls and the pipeline behind them (``innobridge demo``).

- 2025 颠覆性技术创新大赛: finished and published — screened, reviewed in two stages by
  conflict-free experts (the real optimizer), decided with reasons, winners cultivated;
- 2026 颠覆性技术创新大赛（第二届）: under review — the demo expert has tasks waiting;
- 2026年第二批科技成果转化项目征集: open for submissions;

and for every project past discovery, a timeline, and for selected ones milestones, funding
tranches, mentors and transformation outcomes. Deterministic from the seed.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from innobridge.orgs.models import Organization, Person
from innobridge.projects.models import (
    Call,
    FundingTranche,
    Milestone,
    ProjectEvent,
    Submission,
    TechProject,
    TransformationOutcome,
)
from innobridge.review import services as review
from innobridge.review.conflicts import conflicts
from innobridge.review.models import ReviewAssignment, ReviewItem, ReviewRound
from innobridge.review.scoring import weighted_total

S = TechProject.Stage
A = ReviewAssignment.Status
PATH: list[str] = [S.DISCOVERED, S.SUBMITTED, S.SCREENING, S.IN_REVIEW, S.SELECTED, S.CULTIVATING, S.TRANSFORMING, S.TRANSFORMED]  # fmt: skip
ACTION: dict[str, str] = {S.SUBMITTED: "submit", S.SCREENING: "screen", S.IN_REVIEW: "review", S.SELECTED: "select",
          S.CULTIVATING: "cultivate", S.TRANSFORMING: "transform", S.TRANSFORMED: "complete"}  # fmt: skip
REJECT_REASONS = (
    "技术路线与现有方案差异不大，颠覆性论证不足。",
    "关键指标缺少第三方测试数据支撑，可行性有待验证。",
    "团队工程化经验不足，产业化路径尚不清晰。",
    "市场空间测算依据不足，建议完善应用场景后再次申报。",
)
SELECT_REASONS = (
    "技术指标国际领先，具备颠覆现有技术路线的潜力。",
    "核心器件实现自主可控，应用场景明确，团队产业化经验丰富。",
    "综合评分位居领域前列，专家一致推荐入库培育。",
)
MILESTONES = ("完成工程样机研制", "通过第三方性能测试", "建成中试线并完成小批量试产", "完成首个应用场景验证", "取得核心发明专利授权")  # fmt: skip
MENTOR_NOTE = "培育导师"


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _events(project: TechProject, start: datetime.date, staff: Any, rng: random.Random, reasons: dict[str, str], fixed: dict[str, datetime.date] | None = None) -> list[ProjectEvent]:  # fmt: skip
    """The chain of steps from discovery to the project's current stage, spread over time."""
    target = project.stage
    last: str = target
    if target in (S.REJECTED, S.STOPPED):
        last = S.IN_REVIEW if target == S.REJECTED else S.CULTIVATING
    path = PATH[: PATH.index(last) + 1]
    events: list[ProjectEvent] = []
    day = start
    for before, after in zip(path, path[1:], strict=False):
        day = (fixed or {}).get(ACTION[after]) or day + datetime.timedelta(days=rng.randint(8, 40))
        events.append(ProjectEvent(project=project, action=ACTION[after], from_stage=before, to_stage=after, actor=staff, at=_at(day), reason=reasons.get(ACTION[after], "")))  # fmt: skip
    if target in (S.REJECTED, S.STOPPED):
        day += datetime.timedelta(days=rng.randint(8, 40))
        action = "reject" if target == S.REJECTED else "stop"
        reason = reasons.get(action) or rng.choice(REJECT_REASONS if action == "reject" else ("企业战略调整，项目终止。", "关键技术路线未能突破，经评估终止培育。"))  # fmt: skip
        events.append(ProjectEvent(project=project, action=action, from_stage=path[-1], to_stage=target, actor=staff, at=_at(day), reason=reason))  # fmt: skip
    return events


def _score(rng: random.Random, quality: float, bias: float, criteria: list[dict[str, Any]]) -> dict[str, int]:  # fmt: skip
    return {c["name"]: max(30, min(98, round(quality + bias + rng.gauss(0, 5)))) for c in criteria}


def _review(round: ReviewRound, quality: dict[int, float], rng: random.Random, *, leave_open: frozenset[int] | set[int] = frozenset()) -> None:  # fmt: skip
    """Experts' scores: each item's quality, each expert's harshness, some noise."""
    bias: dict[int, float] = {}
    for task in ReviewAssignment.objects.filter(item__round=round).select_related("item"):
        if task.expert_id in leave_open:
            continue
        b = bias.setdefault(task.expert_id, rng.uniform(-9, 9))
        scores = _score(rng, quality[task.item_id], b, round.criteria)
        task.scores = scores
        task.total = weighted_total(scores, round.criteria)
        task.comment = rng.choice(("技术路线清晰，指标先进，建议加强知识产权布局。", "应用场景明确，建议补充可靠性测试数据。",
                                   "团队实力较强，产业化路径需进一步细化。", "创新性突出，但成本控制方案需完善。"))  # fmt: skip
        task.status = A.SUBMITTED
        task.submitted = _at(round.deadline or datetime.date(2025, 7, 1), 9) - datetime.timedelta(days=rng.randint(1, 10))  # fmt: skip
        task.save()


def load_calls(staff: Any, demo_expert: Any, seed: float) -> None:
    rng = random.Random(seed)
    projects = list(TechProject.objects.select_related("owner").order_by("pk"))
    expert_person = Person.objects.get(user=demo_expert)
    expert_person.field = "laser"
    expert_person.keywords = "光纤激光器，超快激光，激光加工，精密制造，光电子器件"
    expert_person.save()
    done = [
        p for p in projects if p.stage in (S.SELECTED, S.CULTIVATING, S.TRANSFORMING, S.TRANSFORMED)
    ]
    rejected = [p for p in projects if p.stage == S.REJECTED]
    winners, finalists_out, stage_one_out, screened_out = done[:40], rejected[:10], rejected[10:28], rejected[28:36]  # fmt: skip

    # -- 2025: the whole way, published -----------------------------------------------------
    call = Call.objects.create(
        title="2025 颠覆性技术创新大赛", year=2025, opens=datetime.date(2025, 3, 1),
        deadline=datetime.date(2025, 5, 31), status=Call.Status.FINISHED, results_published=True,
        description="围绕光电子信息、人工智能、生物医药、新能源、商业航天、低空经济等领域，征集具有颠覆现有技术路线潜力的项目，遴选后给予专项资金、中试验证和场景应用支持。",
        eligibility="在汉注册的企业、高校、科研院所；项目技术成熟度一般不低于TRL 4，拥有自主知识产权。",
    )  # fmt: skip
    first = ReviewRound.objects.create(call=call, order=1, name="领域赛", deadline=datetime.date(2025, 7, 15), reviewers_per_item=3, max_load=4)  # fmt: skip
    final = ReviewRound.objects.create(call=call, order=2, name="总决赛", deadline=datetime.date(2025, 9, 10), reviewers_per_item=3, max_load=3)  # fmt: skip
    submissions: dict[int, Submission] = {}
    for project in winners + finalists_out + stage_one_out + screened_out:
        status = Submission.Status.SELECTED if project in winners else Submission.Status.SCREENED_OUT if project in screened_out else Submission.Status.REJECTED  # fmt: skip
        submissions[project.pk] = Submission.objects.create(
            call=call, project=project, status=status,
            statement=f"{project.title}：{project.summary[:60]}……",
            submitted=_at(datetime.date(2025, 5, rng.randint(10, 31))),
        )  # fmt: skip
    reasons: dict[int, dict[str, str]] = {}
    for project in screened_out:
        reason = "申报材料不完整，缺少第三方检测报告。"
        submissions[project.pk].result_note = reason
        submissions[project.pk].save()
        reasons[project.pk] = {"reject": reason}
    contenders = winners + finalists_out + stage_one_out
    items = {p.pk: ReviewItem.objects.create(round=first, submission=submissions[p.pk]) for p in contenders}  # fmt: skip
    review._assign(first)
    quality = {item.pk: (rng.uniform(76, 90) if p.pk in {w.pk for w in winners} else rng.uniform(70, 82) if p in finalists_out else rng.uniform(55, 72)) for p in contenders for item in [items[p.pk]]}  # fmt: skip
    _review(first, quality, rng)
    decided = _at(datetime.date(2025, 7, 25))
    for project in stage_one_out:
        reason = rng.choice(REJECT_REASONS)
        ReviewItem.objects.filter(pk=items[project.pk].pk).update(decision=ReviewItem.Decision.REJECT, decision_reason=reason, decided_by=staff, decided=decided)  # fmt: skip
        submissions[project.pk].result_note = reason
        submissions[project.pk].save()
        reasons[project.pk] = {"reject": reason}
    finals = {}
    for project in winners + finalists_out:
        ReviewItem.objects.filter(pk=items[project.pk].pk).update(decision=ReviewItem.Decision.ADVANCE, decision_reason="领域赛排名靠前，晋级总决赛。", decided_by=staff, decided=decided)  # fmt: skip
        finals[project.pk] = ReviewItem.objects.create(
            round=final, submission=submissions[project.pk]
        )
    review._assign(final)
    _review(final, {finals[p.pk].pk: quality[items[p.pk].pk] + rng.uniform(-2, 2) for p in winners + finalists_out}, rng)  # fmt: skip
    decided = _at(datetime.date(2025, 9, 20))
    for project in winners + finalists_out:
        selected = project in winners
        reason = rng.choice(SELECT_REASONS) if selected else rng.choice(REJECT_REASONS)
        ReviewItem.objects.filter(pk=finals[project.pk].pk).update(decision=ReviewItem.Decision.SELECT if selected else ReviewItem.Decision.REJECT, decision_reason=reason, decided_by=staff, decided=decided)  # fmt: skip
        submissions[project.pk].result_note = reason
        submissions[project.pk].save()
        reasons[project.pk] = {"select" if selected else "reject": reason, "submit": call.title, "review": "通过初筛"}  # fmt: skip
    ReviewRound.objects.filter(call=call).update(status=ReviewRound.Status.CLOSED)

    # -- 2026: under review, the demo expert has tasks ---------------------------------------
    call26 = Call.objects.create(
        title="2026 颠覆性技术创新大赛（第二届）", year=2026, opens=datetime.date(2026, 9, 1),
        deadline=datetime.date(2026, 11, 15), status=Call.Status.REVIEWING,
        fields=["optoelectronics", "laser", "ai", "ic", "low_altitude", "space", "quantum", "biomed"],
        description="第二届大赛聚焦光电子信息、激光、人工智能、集成电路、低空经济、商业航天、量子科技和生物医药，设领域赛和总决赛。",
        eligibility="在汉注册的企业、高校、科研院所，或拟在汉转化落地的团队；项目拥有自主知识产权。",
    )  # fmt: skip
    round26 = ReviewRound.objects.create(call=call26, order=1, name="领域赛", deadline=datetime.date(2026, 12, 20), reviewers_per_item=3, max_load=6)  # fmt: skip
    ReviewRound.objects.create(call=call26, order=2, name="总决赛", deadline=datetime.date(2027, 1, 20), reviewers_per_item=5, max_load=8)  # fmt: skip
    in_call = set(call26.fields)
    waiting = [p for p in projects if p.stage in (S.SUBMITTED, S.SCREENING) and p.field in in_call][
        :24
    ]
    reviewing = [p for p in projects if p.stage == S.IN_REVIEW and p.field in in_call][:30]
    for project in waiting:
        submission = Submission.objects.create(call=call26, project=project, status=Submission.Status.SUBMITTED, statement=project.summary[:80], submitted=_at(datetime.date(2026, 11, rng.randint(1, 15))))  # fmt: skip
        reasons[project.pk] = {"submit": call26.title}
        submissions[project.pk] = submission
    for project in reviewing:
        submission = Submission.objects.create(call=call26, project=project, status=Submission.Status.IN_REVIEW, statement=project.summary[:80], submitted=_at(datetime.date(2026, 11, rng.randint(1, 15))))  # fmt: skip
        ReviewItem.objects.create(round=round26, submission=submission)
        reasons[project.pk] = {"submit": call26.title, "review": "通过初筛"}
    review._assign(round26)
    mine = ReviewAssignment.objects.filter(item__round=round26, expert=expert_person)
    if mine.count() < 3:  # the demo expert should have something to do
        for item in ReviewItem.objects.filter(round=round26).exclude(assignments__expert=expert_person)[: 3 - mine.count()]:  # fmt: skip
            if item.pk not in {k for (k, _e) in conflicts([item], [expert_person])}:
                ReviewAssignment.objects.create(item=item, expert=expert_person, affinity=Decimal("0.5"), locked=True)  # fmt: skip
    ReviewAssignment.objects.filter(item__round=round26).update(status=A.ASSIGNED)
    round26.status = ReviewRound.Status.REVIEWING
    round26.save()
    others = {a.expert_id for a in ReviewAssignment.objects.filter(item__round=round26)} - {expert_person.pk}  # fmt: skip
    busy = set(rng.sample(sorted(others), len(others) // 3)) | {
        expert_person.pk
    }  # a third still working
    _review(round26, {i.pk: rng.uniform(55, 90) for i in ReviewItem.objects.filter(round=round26)}, rng, leave_open=busy)  # fmt: skip
    draft = mine.first()
    if draft is not None:
        draft.status = A.DRAFT
        draft.scores = {"颠覆性": 82, "可行性": 75}
        draft.save()

    # -- open for submissions --------------------------------------------------------------
    Call.objects.create(
        title="2026年第二批科技成果转化项目征集", year=2026, opens=datetime.date(2026, 11, 1),
        deadline=datetime.date(2027, 3, 31), status=Call.Status.OPEN,
        description="面向高校院所和企业征集可在汉转化的科技成果，入选项目纳入成果转化项目库，优先对接场景需求和投资机构。",
        eligibility="成果权属清晰、技术成熟度不低于TRL 4，拟在武汉实施转化。",
    )  # fmt: skip
    _growth(projects, rng, _timelines(projects, staff, rng, reasons))


def _timelines(projects: list[TechProject], staff: Any, rng: random.Random, reasons: dict[int, dict[str, str]]) -> dict[int, dict[str, datetime.date]]:  # fmt: skip
    """Events for every project past discovery; returns each project's step dates."""
    events: list[ProjectEvent] = []
    for project in projects:
        if project.stage == S.DISCOVERED:
            continue
        fixed = None
        start = datetime.date(2024, rng.randint(1, 6), rng.randint(1, 28))
        if project.stage in (S.SUBMITTED, S.SCREENING, S.IN_REVIEW):
            start = datetime.date(2026, 9, 10)
        elif "select" in reasons.get(project.pk, {}) or "reject" in reasons.get(
            project.pk, {}
        ):  # the 2025 contest
            d = datetime.date
            fixed = {"submit": d(2025, 5, rng.randint(10, 31)), "screen": d(2025, 6, 3), "review": d(2025, 6, 10),
                     "select": d(2025, 9, 20), "reject": d(2025, 9, 20), "cultivate": d(2025, 10, rng.randint(8, 20)),
                     "transform": d(2026, rng.randint(2, 4), rng.randint(1, 28)), "complete": d(2026, rng.randint(8, 10), rng.randint(1, 28))}  # fmt: skip
            start = fixed["submit"]
        events += _events(project, start, staff, rng, reasons.get(project.pk, {}), fixed)
    ProjectEvent.objects.bulk_create(events)
    dates: dict[int, dict[str, datetime.date]] = {}
    for event in events:
        dates.setdefault(event.project_id, {})[event.action] = event.at.date()
    return dates


def _growth(projects: list[TechProject], rng: random.Random, dates: dict[int, dict[str, datetime.date]]) -> None:  # fmt: skip
    """Milestones, tranches, mentors and outcomes for every project past selection."""
    mentors = list(Person.objects.filter(is_expert=True).order_by("pk"))
    counterparties = list(Organization.objects.filter(kind=Organization.Kind.ENTERPRISE).order_by("pk").values_list("name", flat=True)[:400])  # fmt: skip
    milestones, tranches, outcomes = [], [], []
    for project in projects:
        if project.stage not in (
            S.SELECTED,
            S.CULTIVATING,
            S.TRANSFORMING,
            S.TRANSFORMED,
            S.STOPPED,
        ):
            continue
        steps = dates.get(project.pk, {})
        begin = steps.get("cultivate") or steps.get("select") or datetime.date(2025, 10, 1)
        if project.stage != S.SELECTED:
            for index, title in enumerate(rng.sample(MILESTONES, rng.randint(2, 4))):
                due = begin + datetime.timedelta(days=90 * (index + 1))
                done = due - datetime.timedelta(days=rng.randint(0, 20)) if due < datetime.date(2026, 11, 1) and project.stage != S.STOPPED else None  # fmt: skip
                milestones.append(Milestone(project=project, title=title, due=due, done=done, evidence="验收报告与测试数据已归档。" if done else ""))  # fmt: skip
            for index in range(rng.randint(1, 3)):
                source = FundingTranche.Source.SPECIAL if index == 0 else rng.choice(list(FundingTranche.Source.values))  # fmt: skip
                tranches.append(FundingTranche(project=project, amount=Decimal(rng.choice((100, 200, 300, 500, 800))), source=source, date=begin + datetime.timedelta(days=120 * index + rng.randint(0, 30)), note="按节点拨付"))  # fmt: skip
            project.mentors.add(*rng.sample(mentors, 2))
        if project.stage in (S.TRANSFORMING, S.TRANSFORMED):
            for _index in range(1 if project.stage == S.TRANSFORMING else rng.randint(1, 2)):
                kind = rng.choice(list(TransformationOutcome.Type.values))
                outcomes.append(TransformationOutcome(project=project, type=kind, counterparty=rng.choice(counterparties), amount=Decimal(rng.choice((150, 300, 500, 800, 1200, 2000, 3500))), date=_between(rng, steps.get("transform", begin), steps.get("complete")), note=""))  # fmt: skip
    Milestone.objects.bulk_create(milestones)
    FundingTranche.objects.bulk_create(tranches)
    TransformationOutcome.objects.bulk_create(outcomes)


def _between(rng: random.Random, start: datetime.date, end: datetime.date | None) -> datetime.date:
    """A day after ``start`` and before ``end`` (or within four months, not after the demo's today)."""
    last = end or min(start + datetime.timedelta(days=120), datetime.date(2026, 11, 20))
    return start + datetime.timedelta(days=rng.randint(0, max(0, (last - start).days)))
