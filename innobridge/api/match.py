"""REST endpoints of the match engine: /api/match/… (results filtered like the pages)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from innobridge.api.common import ErrorOut
from innobridge.core.matching import (
    Recommendation,
    challenges_for_project,
    demands_for_project,
    experts_for_project,
    investors_for_project,
    projects_for_demand,
)
from innobridge.demands.selectors import demand_get_for
from innobridge.demands.services import demand_match_mark
from innobridge.projects.selectors import project_get_for

router = Router()


class ConstraintOut(Schema):
    kind: str
    met: bool
    wanted: str | int | None
    actual: str | int | None


class SynonymOut(Schema):
    """A concept the two texts name differently (acronym, synonym or everyday words)."""

    term: str
    query_words: str
    match_words: str


class LayTermOut(Schema):
    """A word of the demand that the technology's text does not hold, but an everyday wording
    of one of its concepts does."""

    word: str
    term: str


class MatchOut(Schema):
    id: int
    title: str
    owner_name: str
    rank: int
    score: float
    reason: str
    shared_terms: list[str]
    synonyms: list[SynonymOut]
    expanded_terms: list[str] = Field(
        description="技术方的相关技术词：需求本身未用、但与其最佳匹配共有的词（伪相关反馈）"
    )
    lay_terms: list[LayTermOut] = Field(
        description="通俗说法相符：需求用词不在技术文本中，但出现在该技术所含概念的通俗说法里"
    )
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
                "synonyms": [
                    {"term": term, "query_words": query_words, "match_words": match_words}
                    for term, query_words, match_words in rec.explanation.synonyms
                ],
                "expanded_terms": list(rec.explanation.expanded_terms),
                "lay_terms": [
                    {"word": word, "term": term} for word, term in rec.explanation.lay_terms
                ],
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


@router.get(
    "/projects/{project_id}/challenges",
    response={200: MatchList, 404: ErrorOut},
    summary="可揭榜的挑战：该技术可以揭榜的开放挑战（附推荐理由）",
)
def challenges_for(
    request: HttpRequest, project_id: int, params: Query[MatchParams]
) -> dict[str, Any]:
    project = project_get_for(user=request.user, pk=project_id)
    k = max(1, min(params.k, 50))
    return _out(challenges_for_project(user=request.user, project=project, k=k))


class FeedbackIn(Schema):
    decision: str
    reason: str = ""


class FeedbackOut(Schema):
    demand_id: int
    project_id: int
    decision: str
    reason: str
    decided_by: str


@router.post(
    "/demands/{demand_id}/projects/{project_id}/feedback",
    response={200: FeedbackOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="对接反馈：标记推荐技术为“已引荐”或“不合适”（需说明理由）",
)
def feedback(
    request: HttpRequest, demand_id: int, project_id: int, payload: FeedbackIn
) -> dict[str, Any]:
    demand = demand_get_for(user=request.user, pk=demand_id)
    project = project_get_for(user=request.user, pk=project_id)
    saved = demand_match_mark(
        actor=request.user,
        demand=demand,
        project=project,
        decision=payload.decision,
        reason=payload.reason,
    )
    return {
        "demand_id": demand.pk,
        "project_id": project.pk,
        "decision": saved.decision,
        "reason": saved.reason,
        "decided_by": request.user.get_username(),
    }


class InvestorMatchOut(Schema):
    id: int
    organization_name: str
    kind: str
    rank: int
    score: float
    reason: str
    field_match: bool
    stage_match: str | None
    parts: dict[str, float]


class InvestorMatchList(Schema):
    items: list[InvestorMatchOut]


@router.get(
    "/projects/{project_id}/investors",
    response={200: InvestorMatchList, 404: ErrorOut},
    summary="匹配投资方：偏好（领域、阶段、规模）相符的投资与金融机构（附理由）",
)
def investors_for(
    request: HttpRequest, project_id: int, params: Query[MatchParams]
) -> dict[str, Any]:
    project = project_get_for(user=request.user, pk=project_id)
    k = max(1, min(params.k, 50))
    return {
        "items": [
            {
                "id": rec.profile.pk,
                "organization_name": rec.profile.organization.name,
                "kind": rec.profile.kind,
                "rank": rank,
                "score": round(rec.score, 6),
                "reason": rec.reason,
                "field_match": rec.match.field_match,
                "stage_match": rec.match.stage_match,
                "parts": rec.match.parts,
            }
            for rank, rec in enumerate(
                investors_for_project(user=request.user, project=project, k=k), start=1
            )
        ]
    }


class ExpertMatchOut(Schema):
    person_id: int
    name: str
    title: str
    affinity: float
    shared_terms: list[str]
    same_field: bool


class ExpertMatchList(Schema):
    items: list[ExpertMatchOut]


@router.get(
    "/projects/{project_id}/experts",
    response={200: ExpertMatchList, 403: ErrorOut, 404: ErrorOut},
    summary="评审专家亲和度（科创局）：最适合评审该项目的专家及理由",
)
def experts_for(
    request: HttpRequest, project_id: int, params: Query[MatchParams]
) -> dict[str, Any]:
    project = project_get_for(user=request.user, pk=project_id)
    k = max(1, min(params.k, 50))
    return {"items": experts_for_project(user=request.user, project=project, k=k)}
