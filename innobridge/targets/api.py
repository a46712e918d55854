"""/api/targets/: the year's targets and their current values, for the city's big-screen
displays (a staff token: ``Authorization: Bearer <令牌>``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from innobridge.api.common import ErrorOut
from innobridge.targets import services
from innobridge.targets.definitions import years

router = Router()


class TargetOut(Schema):
    key: str
    name: str
    number: float
    unit: str
    value: float
    progress: float
    expected: float
    behind: bool
    manual: bool
    source: str
    as_of: str | None


class TargetsOut(Schema):
    year: int
    years: list[int]
    targets: list[TargetOut]


@router.get("/", response={200: TargetsOut, 403: ErrorOut}, summary="年度目标及当前完成值（大屏）")
def list_targets(request: HttpRequest, year: int | None = None) -> dict[str, Any]:
    services.check_staff(request.user)
    available = years()
    chosen = year if year in available else max(available) if available else 0
    return {
        "year": chosen,
        "years": available,
        "targets": [
            {"key": v.target.key, "name": v.name, "number": float(v.target.number), "unit": v.target.unit,
             "value": float(v.value), "progress": v.progress, "expected": v.expected, "behind": v.behind,
             "manual": v.target.manual, "source": v.source, "as_of": v.as_of.isoformat() if v.as_of else None}
            for v in services.values(chosen)
        ],
    }  # fmt: skip
