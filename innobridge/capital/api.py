"""REST endpoints for investor profiles: /api/investors/."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from innobridge.api.common import ErrorOut, choice_label, page_of
from innobridge.capital import selectors, services
from innobridge.capital.models import InvestorProfile
from innobridge.capital.schemas import InvestorIn, InvestorOut, InvestorPage, InvestorPatch
from innobridge.orgs.selectors import organization_get_for

router = Router()
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class InvestorFilters(Schema):
    q: str | None = None
    kind: str | None = None
    field: str | None = None
    stage: str | None = None
    page: int = 1
    per_page: int = 20


def investor_out(profile: InvestorProfile) -> dict[str, Any]:
    return {
        "id": profile.pk,
        "organization_id": profile.organization_id,
        "organization_name": profile.organization.name,
        "kind": profile.kind,
        "kind_label": choice_label(profile, "kind"),
        "preferred_fields": list(profile.preferred_fields),
        "preferred_stages": list(profile.preferred_stages),
        "ticket_min": profile.ticket_min,
        "ticket_max": profile.ticket_max,
        "products": profile.products,
        "description": profile.description,
    }


def _plain(values: list[Any] | None) -> list[str] | None:
    return None if values is None else [str(getattr(v, "value", v)) for v in values]


@router.get("/", response=InvestorPage, summary="投资机构列表（筛选、搜索、分页）")
def list_investors(request: HttpRequest, filters: Query[InvestorFilters]) -> dict[str, Any]:
    params = filters.dict(exclude={"page", "per_page"})
    queryset = selectors.investor_list_for(user=request.user, params=params)
    page = page_of(queryset, filters.page, filters.per_page)
    page["items"] = [investor_out(item) for item in page["items"]]
    return page


@router.get("/{investor_id}", response={200: InvestorOut, 404: ErrorOut}, summary="投资机构详情")
def get_investor(request: HttpRequest, investor_id: int) -> dict[str, Any]:
    return investor_out(selectors.investor_get_for(user=request.user, pk=investor_id))


@router.post("/", response={201: InvestorOut, **ERRORS}, summary="新建投资机构画像（科创局）")
def create_investor(request: HttpRequest, payload: InvestorIn) -> Status[dict[str, Any]]:
    data = payload.dict(exclude={"organization_id"})
    data["preferred_fields"] = _plain(data["preferred_fields"])
    data["preferred_stages"] = _plain(data["preferred_stages"])
    organization = organization_get_for(user=request.user, pk=payload.organization_id)
    profile = services.investor_create(actor=request.user, organization=organization, **data)
    return Status(201, investor_out(profile))


@router.patch("/{investor_id}", response={200: InvestorOut, **ERRORS}, summary="修改投资机构画像")
def update_investor(
    request: HttpRequest, investor_id: int, payload: InvestorPatch
) -> dict[str, Any]:
    profile = selectors.investor_get_for(user=request.user, pk=investor_id)
    data = payload.dict(exclude_unset=True)
    for key in ("preferred_fields", "preferred_stages"):
        if key in data:
            data[key] = _plain(data[key]) or []
    profile = services.investor_update(actor=request.user, profile=profile, data=data)
    return investor_out(profile)
