"""REST endpoints of the match engine: /api/match/… (results filtered like the pages)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from innobridge.api.common import ErrorOut
from innobridge.core.matching import Recommendation, demands_for_project, projects_for_demand
from innobridge.demands.selectors import demand_get_for
from innobridge.projects.selectors import project_get_for

router = Router()


class ConstraintOut(Schema):
    kind: str
    met: bool
    wanted: str | int | None
    actual: str | int | None


class MatchOut(Schema):
    id: int
    title: str
    owner_name: str
    rank: int
    score: float
    reason: str
    shared_terms: list[str]
    constraints: list[ConstraintOut]
    parts: dict[str, float]


class MatchList(Schema):
    items: list[MatchOut]


class MatchParams(Schema):
    k: int = 10


def _out(recommendations: list[Recommendation]) -> dict[str, Any]:
    return {
        "items": [
            {
                "id": rec.record.pk,
                "title": rec.record.title,
                "owner_name": rec.record.owner.name,
                "rank": rank,
                "score": round(rec.score, 6),
                "reason": rec.reason,
                "shared_terms": list(rec.explanation.shared_terms),
                "constraints": [vars(check) for check in rec.explanation.constraints],
                "parts": {name: round(value, 6) for name, value in rec.explanation.parts.items()},
            }
            for rank, rec in enumerate(recommendations, start=1)
        ]
    }


@router.get(
    "/demands/{demand_id}/projects",
    response={200: MatchList, 404: ErrorOut},
    summary="推荐技术：最能解决该需求的技术项目（附推荐理由）",
)
def projects_for(
    request: HttpRequest, demand_id: int, params: Query[MatchParams]
) -> dict[str, Any]:
    demand = demand_get_for(user=request.user, pk=demand_id)
    k = max(1, min(params.k, 50))
    return _out(projects_for_demand(user=request.user, demand=demand, k=k))


@router.get(
    "/projects/{project_id}/demands",
    response={200: MatchList, 404: ErrorOut},
    summary="匹配需求：该技术可解决的需求（附推荐理由）",
)
def demands_for(
    request: HttpRequest, project_id: int, params: Query[MatchParams]
) -> dict[str, Any]:
    project = project_get_for(user=request.user, pk=project_id)
    k = max(1, min(params.k, 50))
    return _out(demands_for_project(user=request.user, project=project, k=k))
