"""REST endpoints for calls, the review flow and the project pipeline: /api/calls/, /api/review/.

The same services and selectors as the pages, so the API can never show more than the page:
experts get their own tasks (never other reviewers), staff run rounds and decide, applicants
read their submissions' status and the reasons given.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from innobridge.api.common import ErrorOut
from innobridge.core.errors import AccessDenied, NotFound
from innobridge.core.roles import is_staff_role
from innobridge.projects import calls
from innobridge.projects.models import Call, Submission
from innobridge.review import selectors, services
from innobridge.review.models import ReviewAssignment, ReviewItem

calls_router = Router()
router = Router()


class StageOut(Schema):
    id: int
    order: int
    name: str
    status: str
    criteria: list[dict[str, Any]]
    reviewers_per_item: int
    max_load: int
    deadline: str | None


class CallOut(Schema):
    id: int
    title: str
    year: int
    fields: list[str]
    opens: str
    deadline: str
    status: str
    status_label: str
    eligibility: str
    results_published: bool
    stages: list[StageOut] | None = None


class SubmissionOut(Schema):
    id: int
    call_id: int
    project_id: int
    project_title: str
    owner_name: str
    status: str
    status_label: str
    result_note: str
    submitted: str | None


def _call_out(call: Call, user: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": call.pk, "title": call.title, "year": call.year, "fields": call.fields,
        "opens": call.opens.isoformat(), "deadline": call.deadline.isoformat(),
        "status": call.status, "status_label": call.get_status_display(),
        "eligibility": call.eligibility, "results_published": call.results_published,
    }  # fmt: skip
    if is_staff_role(user):
        out["stages"] = [
            {"id": r.pk, "order": r.order, "name": r.name, "status": r.status, "criteria": r.criteria,
             "reviewers_per_item": r.reviewers_per_item, "max_load": r.max_load,
             "deadline": r.deadline.isoformat() if r.deadline else None}
            for r in call.rounds.all()
        ]  # fmt: skip
    return out


def _submission_out(s: Submission) -> dict[str, Any]:
    return {
        "id": s.pk, "call_id": s.call_id, "project_id": s.project_id,
        "project_title": s.project.title, "owner_name": s.project.owner.name, "status": s.status,
        "status_label": s.get_status_display(), "result_note": s.result_note,
        "submitted": s.submitted.isoformat() if s.submitted else None,
    }  # fmt: skip


@calls_router.get("/", response=list[CallOut], summary="项目征集列表")
def list_calls(request: HttpRequest) -> list[dict[str, Any]]:
    return [_call_out(call, request.user) for call in calls.calls_for(request.user)]


@calls_router.get("/{call_id}", response={200: CallOut, 404: ErrorOut}, summary="项目征集详情")
def get_call(request: HttpRequest, call_id: int) -> dict[str, Any]:
    return _call_out(calls.call_get_for(request.user, call_id), request.user)


@calls_router.get("/{call_id}/submissions", response={200: list[SubmissionOut], 404: ErrorOut}, summary="申报列表（科创局：全部；单位用户：本单位）")  # fmt: skip
def list_submissions(request: HttpRequest, call_id: int) -> list[dict[str, Any]]:
    call = calls.call_get_for(request.user, call_id)
    return [_submission_out(s) for s in calls.submissions_for(request.user, call)]


class ApplyIn(Schema):
    project_id: int


@calls_router.post("/{call_id}/submissions", response={201: SubmissionOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut}, summary="创建申报草稿")  # fmt: skip
def create_submission(request: HttpRequest, call_id: int, payload: ApplyIn) -> Status[dict[str, Any]]:  # fmt: skip
    from innobridge.projects.selectors import project_get_for

    call = calls.call_get_for(request.user, call_id)
    project = project_get_for(user=request.user, pk=payload.project_id)
    submission = calls.submission_create(actor=request.user, call=call, project=project)
    return Status(201, _submission_out(submission))


@calls_router.post("/submissions/{submission_id}/submit", response={200: SubmissionOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut}, summary="提交申报")  # fmt: skip
def submit_submission(request: HttpRequest, submission_id: int) -> dict[str, Any]:
    submission = calls.submission_get_for(request.user, submission_id)
    return _submission_out(calls.submission_submit(actor=request.user, submission=submission))


# --- review ----------------------------------------------------------------------------------


class TaskOut(Schema):
    id: int
    item_title: str
    stage: str
    status: str
    deadline: str | None
    criteria: list[dict[str, Any]]
    scores: dict[str, Any]
    total: float | None
    comment: str
    project_id: int | None


def _task_out(t: ReviewAssignment) -> dict[str, Any]:
    item = t.item
    return {
        "id": t.pk, "item_title": item.title, "stage": str(item.round), "status": t.status,
        "deadline": item.round.deadline.isoformat() if item.round.deadline else None,
        "criteria": item.round.criteria, "scores": t.scores,
        "total": float(t.total) if t.total is not None else None, "comment": t.comment,
        "project_id": item.submission.project_id if item.submission_id else None,  # type: ignore[union-attr]
    }  # fmt: skip


@router.get("/tasks", response=list[TaskOut], summary="我的评审任务（评审专家）")
def my_tasks(request: HttpRequest) -> list[dict[str, Any]]:
    return [_task_out(t) for t in selectors.my_assignments(request.user)]


class ReviewIn(Schema):
    scores: dict[str, float | int | str]
    comment: str = ""
    submit: bool = False


@router.put("/tasks/{task_id}", response={200: TaskOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut}, summary="保存或提交评审")  # fmt: skip
def save_task(request: HttpRequest, task_id: int, payload: ReviewIn) -> dict[str, Any]:
    task = selectors.my_assignment(request.user, task_id)
    saved = services.save_review(actor=request.user, assignment=task, scores=payload.scores, comment=payload.comment, submit=payload.submit)  # fmt: skip
    return _task_out(saved)


class ConflictIn(Schema):
    reason: str


@router.post("/tasks/{task_id}/conflict", response={200: dict[str, bool], 400: ErrorOut, 404: ErrorOut}, summary="申报利益冲突（回避）")  # fmt: skip
def conflict(request: HttpRequest, task_id: int, payload: ConflictIn) -> dict[str, bool]:
    task = selectors.my_assignment(request.user, task_id)
    replacement = services.declare_conflict(actor=request.user, assignment=task, reason=payload.reason)  # fmt: skip
    return {"reassigned": replacement is not None}


class AssignOut(Schema):
    total: str
    pairs: int
    added: int


@router.post("/rounds/{round_id}/assign", response={200: AssignOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut}, summary="计算最优专家分配（科创局）")  # fmt: skip
def assign(request: HttpRequest, round_id: int) -> dict[str, Any]:
    round = selectors.round_get_for(request.user, round_id)
    result = services.propose(actor=request.user, round=round)
    return {**result, "total": str(result["total"])}


class RankOut(Schema):
    item_id: int
    title: str
    owner: str
    field: str
    rank: int
    field_rank: int
    mean: float | None
    normalized: float | None
    spread: float
    disagreement: bool
    reviews: list[dict[str, Any]]
    decision: str
    decision_reason: str


@router.get("/rounds/{round_id}/ranking", response={200: list[RankOut], 403: ErrorOut, 404: ErrorOut}, summary="评审排名（科创局）")  # fmt: skip
def ranking(request: HttpRequest, round_id: int, field: str = "") -> list[dict[str, Any]]:
    round = selectors.round_get_for(request.user, round_id)
    rows = []
    for row in selectors.ranking(round, field):
        result = row.result
        assert result is not None
        rows.append({
            "item_id": row.item.pk, "title": row.item.title, "owner": row.item.owner_name,
            "field": row.item.field, "rank": result.rank, "field_rank": row.field_rank,
            "mean": float(result.mean) if result.mean is not None else None,
            "normalized": result.z, "spread": float(result.spread),
            "disagreement": result.disagreement,
            "reviews": [{"expert": r["assignment"].expert.name, "total": float(r["total"]), "normalized": r["z"]} for r in row.reviews],
            "decision": row.item.decision, "decision_reason": row.item.decision_reason,
        })  # fmt: skip
    return rows


class DecisionIn(Schema):
    decision: ReviewItem.Decision
    reason: str


@router.post("/items/{item_id}/decision", response={200: dict[str, str], 400: ErrorOut, 403: ErrorOut, 404: ErrorOut}, summary="记录评审决定（科创局）")  # fmt: skip
def decide(request: HttpRequest, item_id: int, payload: DecisionIn) -> dict[str, str]:
    if not is_staff_role(request.user):
        raise AccessDenied(_("只有科创局工作人员可以作出评审决定。"))
    item = ReviewItem.objects.filter(pk=item_id).first()
    if item is None:
        raise NotFound(_("未找到该评审对象。"))
    item = services.decide(actor=request.user, item=item, decision=payload.decision, reason=payload.reason)  # fmt: skip
    return {"decision": item.decision}
