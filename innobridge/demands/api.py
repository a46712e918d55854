"""REST endpoints for scenario demands: /api/demands/ (public demands readable without login)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from innobridge.api.auth import ANYONE
from innobridge.api.common import ErrorOut, choice_label, page_of
from innobridge.core.access import demand_contact_visible
from innobridge.demands import lifecycle, selectors, services
from innobridge.demands.models import ScenarioDemand
from innobridge.demands.schemas import DemandIn, DemandOut, DemandPage, DemandPatch
from innobridge.orgs.selectors import organization_get_for
from innobridge.projects.models import split_keywords

router = Router()


class DemandFilters(Schema):
    q: str | None = None
    field: str | None = None
    type: str | None = None
    status: str | None = None
    district: str | None = None
    visibility: str | None = None
    owner: str | None = None
    page: int = 1
    per_page: int = 20


def demand_out(demand: ScenarioDemand, user: Any) -> dict[str, Any]:
    show_contact = demand_contact_visible(user, demand)
    return {
        "id": demand.pk,
        "title": demand.title,
        "description": demand.description,
        "demand_type": demand.demand_type,
        "demand_type_label": choice_label(demand, "demand_type"),
        "field": demand.field,
        "field_label": choice_label(demand, "field"),
        "required_trl": demand.required_trl,
        "budget": demand.budget,
        "deadline": demand.deadline,
        "district": demand.district,
        "district_label": choice_label(demand, "district"),
        "owner_id": demand.owner_id,
        "owner_name": demand.owner.name,
        "keywords": split_keywords(demand.keywords),
        "status": demand.status,
        "status_label": choice_label(demand, "status"),
        "visibility": demand.visibility,
        "contact_name": demand.contact_name if show_contact else None,
        "contact_phone": demand.contact_phone if show_contact else None,
        "created": demand.created,
    }


@router.get("/", response=DemandPage, auth=ANYONE, summary="场景需求列表（未登录仅见公开需求）")
def list_demands(request: HttpRequest, filters: Query[DemandFilters]) -> dict[str, Any]:
    params = filters.dict(exclude={"page", "per_page"})
    queryset = selectors.demand_list_for(user=request.user, params=params)
    page = page_of(queryset, filters.page, filters.per_page)
    page["items"] = [demand_out(demand, request.user) for demand in page["items"]]
    return page


@router.get(
    "/{demand_id}", response={200: DemandOut, 404: ErrorOut}, auth=ANYONE, summary="场景需求详情"
)
def get_demand(request: HttpRequest, demand_id: int) -> dict[str, Any]:
    return demand_out(selectors.demand_get_for(user=request.user, pk=demand_id), request.user)


@router.post(
    "/", response={201: DemandOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="新建场景需求",
)  # fmt: skip
def create_demand(request: HttpRequest, payload: DemandIn) -> Status[dict[str, Any]]:
    data = payload.dict()
    owner = organization_get_for(user=request.user, pk=data.pop("owner_id"))
    data["district"] = data.get("district") or ""
    demand = services.demand_create(actor=request.user, owner=owner, **data)
    return Status(201, demand_out(demand, request.user))


@router.patch(
    "/{demand_id}", response={200: DemandOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="修改场景需求",
)  # fmt: skip
def update_demand(request: HttpRequest, demand_id: int, payload: DemandPatch) -> dict[str, Any]:
    demand = selectors.demand_get_for(user=request.user, pk=demand_id)
    data = payload.dict(exclude_unset=True)
    if "district" in data and data["district"] is None:
        data["district"] = ""
    demand = services.demand_update(actor=request.user, demand=demand, data=data)
    return demand_out(demand, request.user)


class TransitionIn(Schema):
    action: str
    reason: str = ""
    amount: Decimal | None = None


class EventOut(Schema):
    action: str
    from_status: str
    to_status: str
    at: str
    reason: str
    amount: Decimal | None


@router.post(
    "/{demand_id}/transitions",
    response={200: EventOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="需求流程操作（提交审核、审核通过、发布、签订合同……）",
)  # fmt: skip
def transition_demand(request: HttpRequest, demand_id: int, payload: TransitionIn) -> dict[str, Any]:  # fmt: skip
    demand = selectors.demand_get_for(user=request.user, pk=demand_id)
    event = lifecycle.demand_transition(
        actor=request.user, demand=demand, action=payload.action, reason=payload.reason,
        amount=payload.amount,
    )  # fmt: skip
    return {
        "action": event.action, "from_status": event.from_status, "to_status": event.to_status,
        "at": event.at.isoformat(), "reason": event.reason, "amount": event.amount,
    }  # fmt: skip
