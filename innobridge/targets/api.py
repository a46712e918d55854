"""/api/targets/: the year's targets and their current values, for the city's big-screen
displays. Without a login it gives the targets the bureau marks ``public`` in the targets file;
staff (session or ``Authorization: Bearer <令牌>``) get every target."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from innobridge.api.auth import ANYONE
from innobridge.core.roles import is_staff_role
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


@router.get("/", response={200: TargetsOut}, auth=ANYONE, summary="年度目标及当前完成值（大屏；未登录时仅公开指标）")  # fmt: skip
def list_targets(request: HttpRequest, year: int | None = None) -> dict[str, Any]:
    staff = is_staff_role(request.user)
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
            if staff or v.target.public
        ],
    }  # fmt: skip
