"""REST endpoints for enterprise cultivation: /api/cultivation/.

An enterprise's evaluation (the same JSON as ``innobridge tiers evaluate``) and its yearly
figures are visible to staff and to the enterprise's own members; the ladder is staff-only.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from innobridge.api.common import ErrorOut
from innobridge.cultivation import selectors, services
from innobridge.cultivation.tiers.jsonl import to_json
from innobridge.cultivation.tiers.metrics import YEAR_FIELDS

router = Router()


class ConditionOut(Schema):
    name: str
    value: Any = None
    threshold: Any = None
    passed: bool | None


class ProgramOut(Schema):
    qualifies: bool | None
    score: float | None
    conditions: list[ConditionOut]
    missing: list[str]


class EvaluationOut(Schema):
    id: int
    year: int
    tier: str | None
    programs: dict[str, ProgramOut]


class YearRecordOut(Schema):
    year: int
    figures: dict[str, float | None]


class LadderOut(Schema):
    year: int
    tiers: dict[str, int]
    programs: dict[str, int]
    rosters: dict[str, int]


@router.get(
    "/enterprises/{organization_id}/evaluation",
    response={200: EvaluationOut, 404: ErrorOut},
    summary="企业培育评价（梯度、各培育计划及逐条条件）",
)
def enterprise_evaluation(request: HttpRequest, organization_id: int, year: int | None = None) -> dict[str, Any]:  # fmt: skip
    organization = selectors.enterprise_get_for(user=request.user, pk=organization_id)
    return to_json(services.evaluate(organization, selectors.pick_year(year)))


@router.get(
    "/enterprises/{organization_id}/years",
    response={200: list[YearRecordOut], 404: ErrorOut},
    summary="企业年度数据（万元）",
)
def enterprise_years(request: HttpRequest, organization_id: int) -> list[dict[str, Any]]:
    organization = selectors.enterprise_get_for(user=request.user, pk=organization_id)
    return [
        {
            "year": record.year,
            "figures": {
                name: None if (value := getattr(record, name)) is None else float(value)
                for name in YEAR_FIELDS
            },
        }
        for record in selectors.year_records(organization)
    ]


@router.get(
    "/ladder", response={200: LadderOut, 403: ErrorOut}, summary="梯度与培育计划统计（科创局）"
)
def ladder(request: HttpRequest, year: int | None = None) -> dict[str, Any]:
    selectors.require_staff(request.user)
    chosen = selectors.pick_year(year)
    selectors.ensure_current(chosen)
    counts = selectors.ladder([chosen])
    qualifying, _unknown, rosters = selectors.program_counts(chosen)
    return {
        "year": chosen,
        "tiers": {tier or "-": by_year.get(chosen, 0) for tier, by_year in counts.items()},
        "programs": dict(qualifying),
        "rosters": dict(rosters),
    }
