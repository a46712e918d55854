"""REST endpoints for the numbered demand lists: /api/lists/ (published lists need no login and
expose only published fields — never contacts)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from innobridge.api.auth import ANYONE
from innobridge.api.common import ErrorOut
from innobridge.demands import lists
from innobridge.demands.models import DemandList

router = Router()


class ListOut(Schema):
    id: int
    title: str
    kind: str
    year: int
    batch: int | None
    theme: str
    published: bool
    published_at: datetime.datetime | None
    count: int


class ItemOut(Schema):
    number: int
    demand_id: int
    title: str
    owner_name: str
    field: str
    field_label: str
    demand_type: str
    district: str
    budget: Decimal | None
    deadline: datetime.date | None
    description: str


class ListDetailOut(ListOut):
    items: list[ItemOut]


class ItemFilters(Schema):
    q: str = ""
    field: str = ""
    district: str = ""
    type: str = ""


def _list_out(demand_list: DemandList) -> dict[str, Any]:
    return {
        "id": demand_list.pk, "title": demand_list.title, "kind": demand_list.kind,
        "year": demand_list.year, "batch": demand_list.batch, "theme": demand_list.theme,
        "published": demand_list.published, "published_at": demand_list.published_at,
        "count": demand_list.items.count(),
    }  # fmt: skip


@router.get("/", response=list[ListOut], auth=ANYONE, summary="需求清单（未登录可见已发布清单）")
def list_lists(request: HttpRequest) -> list[dict[str, Any]]:
    return [_list_out(item) for item in lists.lists_for(request.user)]


@router.get(
    "/{list_id}",
    response={200: ListDetailOut, 404: ErrorOut},
    auth=ANYONE,
    summary="清单及其编号需求",
)
def get_list(request: HttpRequest, list_id: int, filters: Query[ItemFilters]) -> dict[str, Any]:
    demand_list = lists.list_get_for(user=request.user, pk=list_id)
    items = [
        {
            "number": item.number,
            "demand_id": item.demand_id,
            "title": item.demand.title,
            "owner_name": item.demand.owner.name,
            "field": item.demand.field,
            "field_label": item.demand.get_field_display(),
            "demand_type": item.demand.demand_type,
            "district": item.demand.district,
            "budget": item.demand.budget,
            "deadline": item.demand.deadline,
            "description": item.demand.description,
        }  # fmt: skip
        for item in lists.list_items(demand_list, filters.dict())
    ]
    return {**_list_out(demand_list), "items": items}
