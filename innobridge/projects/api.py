"""REST endpoints for technology projects: /api/projects/."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from innobridge.api.common import ErrorOut, choice_label, page_of
from innobridge.orgs.selectors import organization_get_for
from innobridge.projects import pipeline, selectors, services
from innobridge.projects.models import TechProject
from innobridge.projects.schemas import ProjectIn, ProjectOut, ProjectPage, ProjectPatch

router = Router()


class ProjectFilters(Schema):
    q: str | None = None
    field: str | None = None
    stage: str | None = None
    kind: str | None = None
    visibility: str | None = None
    trl_min: str | None = None
    owner: str | None = None
    page: int = 1
    per_page: int = 20


def project_out(project: TechProject) -> dict[str, Any]:
    return {
        "id": project.pk,
        "title": project.title,
        "summary": project.summary,
        "kind": project.kind,
        "kind_label": choice_label(project, "kind"),
        "field": project.field,
        "field_label": choice_label(project, "field"),
        "trl": project.trl,
        "owner_id": project.owner_id,
        "owner_name": project.owner.name,
        "leader": project.leader,
        "keywords": project.keyword_list,
        "stage": project.stage,
        "stage_label": choice_label(project, "stage"),
        "visibility": project.visibility,
        "created": project.created,
        "updated": project.updated,
    }


@router.get("/", response=ProjectPage, summary="技术项目列表（筛选、搜索、分页）")
def list_projects(request: HttpRequest, filters: Query[ProjectFilters]) -> dict[str, Any]:
    params = filters.dict(exclude={"page", "per_page"})
    queryset = selectors.project_list_for(user=request.user, params=params)
    page = page_of(queryset, filters.page, filters.per_page)
    page["items"] = [project_out(project) for project in page["items"]]
    return page


@router.get("/{project_id}", response={200: ProjectOut, 404: ErrorOut}, summary="技术项目详情")
def get_project(request: HttpRequest, project_id: int) -> dict[str, Any]:
    return project_out(selectors.project_get_for(user=request.user, pk=project_id))


@router.post(
    "/", response={201: ProjectOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="新建技术项目",
)  # fmt: skip
def create_project(request: HttpRequest, payload: ProjectIn) -> Status[dict[str, Any]]:
    data = payload.dict()
    owner = organization_get_for(user=request.user, pk=data.pop("owner_id"))
    project = services.project_create(actor=request.user, owner=owner, **data)
    return Status(201, project_out(project))


@router.patch(
    "/{project_id}", response={200: ProjectOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="修改技术项目",
)  # fmt: skip
def update_project(request: HttpRequest, project_id: int, payload: ProjectPatch) -> dict[str, Any]:
    project = selectors.project_get_for(user=request.user, pk=project_id)
    data = payload.dict(exclude_unset=True)
    project = services.project_update(actor=request.user, project=project, data=data)
    return project_out(project)


class EventOut(Schema):
    action: str
    label: str
    from_stage: str
    to_stage: str
    at: str
    actor: str
    reason: str


@router.get("/{project_id}/timeline", response={200: list[EventOut], 404: ErrorOut}, summary="项目流程时间线（科创局、技术经理人、本单位）")  # fmt: skip
def project_timeline(request: HttpRequest, project_id: int) -> list[dict[str, Any]]:
    project = selectors.project_get_for(user=request.user, pk=project_id)
    return [
        {"action": row["event"].action, "label": row["label"], "from_stage": row["event"].from_stage,
         "to_stage": row["event"].to_stage, "at": row["event"].at.isoformat(), "actor": row["actor"],
         "reason": row["event"].reason}
        for row in pipeline.timeline_for(request.user, project)
    ]  # fmt: skip


class TransitionIn(Schema):
    action: str
    reason: str = ""


@router.post("/{project_id}/transitions", response={200: ProjectOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut}, summary="推进项目阶段（开始培育、进入转化、确认转化完成、终止）")  # fmt: skip
def project_transition(request: HttpRequest, project_id: int, payload: TransitionIn) -> dict[str, Any]:  # fmt: skip
    project = selectors.project_get_for(user=request.user, pk=project_id)
    pipeline.project_transition(actor=request.user, project=project, action=payload.action, reason=payload.reason)  # fmt: skip
    return project_out(selectors.project_get_for(user=request.user, pk=project_id))
