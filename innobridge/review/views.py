"""Pages of the review flow: an expert's tasks and form; staff's round (assignment, progress),
ranking with decisions, and the expert pool. Rules live in review.services/selectors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from innobridge.core.choices import TechField
from innobridge.core.errors import AccessDenied, ApplicationError, NotFound
from innobridge.core.excel import table_workbook
from innobridge.core.excel_views import _download
from innobridge.core.roles import Role, is_staff_role, roles_of
from innobridge.core.views import parse_date, run_action
from innobridge.orgs.models import Person
from innobridge.review import selectors, services
from innobridge.review.models import ReviewAssignment, ReviewItem, ReviewRound


@login_required
def my_reviews(request: HttpRequest) -> HttpResponse:
    """评审任务: an expert's own tasks; staff get the rounds they run."""
    if is_staff_role(request.user):
        rounds = ReviewRound.objects.select_related("call", "demand").order_by("status", "-pk")
        return render(request, "review/rounds.html", {"rounds": rounds})
    if Role.EXPERT not in roles_of(request.user):
        raise AccessDenied(_("只有评审专家可以查看评审任务。"))
    tasks = selectors.my_assignments(request.user)
    return render(
        request,
        "review/my_reviews.html",
        {"open": [t for t in tasks if t.status != ReviewAssignment.Status.SUBMITTED],
         "done": [t for t in tasks if t.status == ReviewAssignment.Status.SUBMITTED]},
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def review_task(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.my_assignment(request.user, pk)
    round = task.item.round
    if request.method == "POST":
        scores = {
            c["name"]: request.POST.get(f"score-{i}", "") for i, c in enumerate(round.criteria)
        }
        submit = bool(request.POST.get("submit"))
        saved = run_action(
            request,
            lambda: services.save_review(
                actor=request.user,
                assignment=task,
                scores=scores,
                comment=request.POST.get("comment", ""),
                submit=submit,
            ),  # fmt: skip
            _("评审意见已提交，谢谢！") if submit else _("草稿已保存。"),
        )
        if saved is not None and submit:
            return redirect("review:mine")
        return redirect("review:task", pk=pk)
    item = task.item
    criteria = [
        {"index": i, "name": c["name"], "weight": c["weight"], "value": task.scores.get(c["name"], "")}
        for i, c in enumerate(round.criteria)
    ]  # fmt: skip
    return render(
        request,
        "review/task.html",
        {
            "task": task,
            "item": item,
            "round": round,
            "criteria": criteria,
            "editable": task.status
            in (ReviewAssignment.Status.ASSIGNED, ReviewAssignment.Status.DRAFT)
            and round.status == ReviewRound.Status.REVIEWING,
            "project": item.submission.project if item.submission_id else None,  # type: ignore[union-attr]
            "attachments": list(item.submission.attachments.all()) if item.submission_id else [],  # type: ignore[union-attr]
        },
    )


@login_required
@require_POST
def declare_conflict(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.my_assignment(request.user, pk)
    done = run_action(
        request,
        lambda: services.declare_conflict(
            actor=request.user, assignment=task, reason=request.POST.get("reason", "")
        ),  # fmt: skip
        _("已登记回避，该项目将另行分配专家。"),
    )
    if done is None and not ReviewAssignment.objects.filter(pk=pk, status=ReviewAssignment.Status.CONFLICT).exists():  # fmt: skip
        return redirect("review:task", pk=pk)
    return redirect("review:mine")


# --- staff -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round = selectors.round_get_for(request.user, pk)
    if request.method == "POST":
        _update_round(request, round)
        return redirect("review:round", pk=pk)
    rows = selectors.assignment_table(round)
    return render(
        request,
        "review/round.html",
        {
            "round": round,
            "rows": rows,
            "progress": selectors.expert_progress(round),
            "experts": Person.objects.filter(is_expert=True)
            .order_by("name")
            .only("pk", "name", "title"),  # fmt: skip
            "total_affinity": sum((row.affinity for row in rows), 0),
            "criteria_rows": list(round.criteria) + [{"name": "", "weight": ""}] * 2,
        },
    )


def _update_round(request: HttpRequest, round: ReviewRound) -> None:
    action = request.POST.get("action")
    if action == "propose":
        result = run_action(request, lambda: services.propose(actor=request.user, round=round), _("已计算最优分配。"))  # fmt: skip
        if result:
            messages.info(request, _("共 %(pairs)d 个评审任务，总匹配度 %(total)s（精确最优）。") % {"pairs": result["pairs"], "total": result["total"]})  # fmt: skip
    elif action == "start":
        run_action(request, lambda: services.start_review(actor=request.user, round=round), _("已通知专家，评审开始。"))  # fmt: skip
    elif action == "close":
        run_action(request, lambda: services.close_round(actor=request.user, round=round), _("评审已结束。"))  # fmt: skip
    elif action == "settings":
        names = request.POST.getlist("criterion")
        weights = request.POST.getlist("weight")
        data: dict[str, Any] = {"criteria": [{"name": n, "weight": w} for n, w in zip(names, weights, strict=False)]}  # fmt: skip
        try:
            data["deadline"] = parse_date(request.POST.get("deadline", ""))
            for name in ("reviewers_per_item", "min_load", "max_load"):
                data[name] = int(request.POST.get(name, ""))
        except ValueError:
            messages.error(request, _("专家数和评审数应为整数。"))
            return
        except ApplicationError as error:
            messages.error(request, error.message)
            return
        data["one_per_organization"] = bool(request.POST.get("one_per_organization"))
        run_action(request, lambda: services.round_update(actor=request.user, round=round, data=data), _("评审设置已保存。"))  # fmt: skip


@login_required
@require_POST
def assignment_action(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_staff_role(request.user):
        raise AccessDenied(_("只有科创局工作人员可以调整评审分配。"))
    task = ReviewAssignment.objects.select_related("item__round").filter(pk=pk).first()
    if task is None:
        raise NotFound(_("未找到该评审任务。"))
    action = request.POST.get("action")
    if action in ("lock", "unlock"):
        run_action(request, lambda: services.set_locked(actor=request.user, assignment=task, locked=action == "lock"), _("已更新锁定。"))  # fmt: skip
    elif action == "exclude":
        run_action(request, lambda: services.exclude(actor=request.user, assignment=task), _("已排除该专家；重新计算分配可补足。"))  # fmt: skip
    return redirect("review:round", pk=task.item.round_id)


@login_required
@require_POST
def item_action(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_staff_role(request.user):
        raise AccessDenied(_("只有科创局工作人员可以管理评审对象。"))
    item = ReviewItem.objects.select_related("round").filter(pk=pk).first()
    if item is None:
        raise NotFound(_("未找到该评审对象。"))
    action = request.POST.get("action")
    if action == "add":
        expert = Person.objects.filter(pk=_int(request.POST.get("expert")), is_expert=True).first()
        if expert is None:
            messages.error(request, _("请选择专家库中的专家。"))
        else:
            run_action(request, lambda: services.add_pair(actor=request.user, item=item, expert=expert), _("已指定专家（锁定）。"))  # fmt: skip
        return redirect("review:round", pk=item.round_id)
    decision = request.POST.get("decision", "")
    run_action(request, lambda: services.decide(actor=request.user, item=item, decision=decision, reason=request.POST.get("reason", "")), _("已记录决定。"))  # fmt: skip
    return redirect(f"{_ranking_url(item.round_id)}#item-{item.pk}")


def _ranking_url(pk: int) -> str:
    from django.urls import reverse

    return reverse("review:ranking", kwargs={"pk": pk})


def _int(text: Any) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        return 0


@login_required
def ranking(request: HttpRequest, pk: int) -> HttpResponse:
    round = selectors.round_get_for(request.user, pk)
    field = request.GET.get("field", "")
    rows = selectors.ranking(round, field if field in TechField.values else "")
    if request.GET.get("format") == "xlsx":
        from innobridge.core.audit import record

        record("export", actor=request.user, target=str(round), detail="ranking", request=request)
        return _download(_ranking_workbook(round, rows), _("%(round)s评审结果.xlsx") % {"round": str(round)})  # fmt: skip
    fields = sorted({row.item.field for row in selectors.assignment_table(round)})
    labels = dict(TechField.choices)
    return render(
        request,
        "review/ranking.html",
        {
            "round": round, "rows": rows, "field": field, "last": round.is_last(),
            "fields": [(f, labels.get(f, f)) for f in fields],
        },
    )  # fmt: skip


def _ranking_workbook(round: ReviewRound, rows: list[selectors.ItemRow]) -> bytes:
    """Ranking sheet: one line per item (raw mean, normalized mean, spread, decision), then one
    line per review with the expert's name (staff only: this export is not for applicants)."""
    criteria = [c["name"] for c in round.criteria]
    headers = [
        _("排名"), _("领域内排名"), _("项目"), _("申报单位"), _("技术领域"), _("评审专家"),
        *criteria, _("加权得分"), _("标准化得分"), _("平均分"), _("标准化平均分"), _("分差"),
        _("意见分歧"), _("决定"), _("决定理由"), _("评审意见"),
    ]  # fmt: skip
    lines: list[list[Any]] = []
    for row in rows:
        result = row.result
        base = [
            result.rank if result else "", row.field_rank, row.item.title, row.item.owner_name,
            str(dict(TechField.choices).get(row.item.field, row.item.field)),
        ]  # fmt: skip
        summary = [
            result.mean if result else None, result.z if result else None,
            result.spread if result else None, _("是") if result and result.disagreement else "",
            row.item.get_decision_display(), row.item.decision_reason,
        ]  # fmt: skip
        if not row.reviews:
            lines.append([*base, "", *[""] * len(criteria), "", "", *summary, ""])
        for review in row.reviews:
            a = review["assignment"]
            lines.append([*base, a.expert.name, *[a.scores.get(c, "") for c in criteria], float(a.total), review["z"], *summary, a.comment])  # fmt: skip
    return table_workbook(str(round), headers, lines)


@login_required
@require_POST
def challenge_review(request: HttpRequest, demand_pk: int) -> HttpResponse:
    """揭榜评审: staff send a challenge's applications to the expert review flow."""
    from innobridge.demands.selectors import demand_get_for

    demand = demand_get_for(user=request.user, pk=demand_pk)
    round = run_action(request, lambda: services.challenge_round(actor=request.user, demand=demand), _("已创建揭榜评审，请计算专家分配。"))  # fmt: skip
    if round is None:
        return redirect("demands:detail", pk=demand_pk)
    return redirect("review:round", pk=round.pk)


@login_required
def expert_pool(request: HttpRequest) -> HttpResponse:
    if not is_staff_role(request.user):
        raise AccessDenied(_("只有科创局工作人员可以管理专家库。"))
    from django.core.paginator import Paginator

    experts = Person.objects.filter(is_expert=True).select_related("expert_profile").prefetch_related("memberships__organization").order_by("name", "pk")  # fmt: skip
    text = request.GET.get("q", "").strip()
    if text:
        experts = experts.filter(name__icontains=text) | experts.filter(keywords__icontains=text)
    page = Paginator(experts, 50).get_page(request.GET.get("page"))
    return render(request, "review/experts.html", {"page": page, "q": text})
