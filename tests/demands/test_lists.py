"""Numbered demand lists: staff build and publish them; anyone reads and downloads them."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from innobridge.core.choices import Visibility
from innobridge.demands import lists
from innobridge.demands.models import DemandList, ScenarioDemand
from tests.conftest import World, client_for
from tests.demands.factories import ScenarioDemandFactory


@pytest.fixture
def batch(world: World) -> Any:
    staff = world.users["staff"]
    demand_list = lists.list_create(actor=staff, title="2025年第一批场景应用需求清单", kind="batch", year=2025, batch=1)  # fmt: skip
    public = [
        ScenarioDemandFactory(owner=world.org_a, title="港口集装箱无人集卡调度场景", field="icv"),
        ScenarioDemandFactory(
            owner=world.org_b,
            title="长江航道北斗高精度定位场景",
            field="beidou",
            status=ScenarioDemand.Status.LANDED,
        ),  # fmt: skip
        ScenarioDemandFactory(
            owner=world.org_b,
            title="地铁隧道红外巡检场景",
            field="infrared",
            status=ScenarioDemand.Status.SIGNED,
        ),  # fmt: skip
    ]
    lists.list_add(actor=staff, demand_list=demand_list, demands=public)
    return demand_list


def test_items_are_numbered_in_order_and_not_twice(world: World, batch: DemandList) -> None:
    assert list(batch.items.values_list("number", "demand__title")) == [
        (1, "港口集装箱无人集卡调度场景"), (2, "长江航道北斗高精度定位场景"), (3, "地铁隧道红外巡检场景"),
    ]  # fmt: skip
    again = lists.list_add(actor=world.users["staff"], demand_list=batch, demands=[batch.items.first().demand])  # fmt: skip
    assert again == 0


def test_private_demands_cannot_join_or_be_published(world: World, batch: DemandList) -> None:
    with pytest.raises(lists.ApplicationError, match="只能加入已公开的需求"):
        lists.list_add(actor=world.users["staff"], demand_list=batch, demands=[world.demands["a_internal"]])  # fmt: skip
    item = batch.items.first()
    item.demand.visibility = Visibility.INTERNAL
    item.demand.save()
    with pytest.raises(lists.ApplicationError, match="尚未公开"):
        lists.list_publish(actor=world.users["staff"], demand_list=batch, published=True)


@pytest.mark.parametrize("role", ["manager", "member_a", "expert", "investor"])
def test_only_staff_build_lists(world: World, batch: DemandList, role: str) -> None:
    client = client_for(world, role)
    assert client.get("/lists/new/").status_code == 403
    assert client.post(f"/lists/{batch.pk}/add/", {"demand": [world.demands["a_public"].pk]}).status_code in (403, 404)  # fmt: skip
    assert batch.items.count() == 3


def test_unpublished_list_is_hidden_then_published_for_everyone(world: World, batch: DemandList) -> None:  # fmt: skip
    anonymous = client_for(world, "anonymous")
    assert anonymous.get(f"/lists/{batch.pk}/").status_code == 404
    assert batch.title not in anonymous.get("/lists/").content.decode()
    response = client_for(world, "staff").post(f"/lists/{batch.pk}/publish/", {"publish": "1"}, follow=True)  # fmt: skip
    assert "清单已发布" in response.content.decode()
    html = anonymous.get(f"/lists/{batch.pk}/").content.decode()
    assert "长江航道北斗高精度定位场景" in html
    assert "13800000000" not in html  # contacts stay private
    filtered = anonymous.get(f"/lists/{batch.pk}/?field=infrared").content.decode()
    assert "地铁隧道红外巡检场景" in filtered
    assert "港口集装箱无人集卡调度场景" not in filtered


def test_excel_download_has_the_numbered_rows(world: World, batch: DemandList) -> None:
    lists.list_publish(actor=world.users["staff"], demand_list=batch, published=True)
    content = client_for(world, "anonymous").get(f"/lists/{batch.pk}/?format=xlsx").content
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("序号", "需求名称")
    assert [(r[0], r[1]) for r in rows[1:]] == [(1, "港口集装箱无人集卡调度场景"), (2, "长江航道北斗高精度定位场景"), (3, "地铁隧道红外巡检场景")]  # fmt: skip


def test_staff_see_matched_signed_and_landed_per_list(world: World, batch: DemandList) -> None:
    progress = lists.list_progress(batch)
    assert (progress["total"], progress["matched"], progress["signed"], progress["landed"]) == (3, 2, 2, 1)  # fmt: skip
    html = client_for(world, "staff").get("/lists/").content.decode()
    assert batch.title in html
    assert "未发布" in html


def test_pdf_download_text_extracts_back_as_the_same_chinese(world: World, batch: DemandList) -> None:  # fmt: skip
    from pypdf import PdfReader

    lists.list_publish(actor=world.users["staff"], demand_list=batch, published=True)
    response = client_for(world, "anonymous").get(f"/lists/{batch.pk}/?format=pdf")
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    compact = "".join(text.split())
    assert "2025年第一批场景应用需求清单" in compact
    assert "长江航道北斗高精度定位场景" in compact
    assert world.org_b.name in compact


def test_public_api_lists_published_lists_without_contacts(world: World, batch: DemandList) -> None:
    anonymous = client_for(world, "anonymous")
    assert anonymous.get("/api/lists/").json() == []
    assert anonymous.get(f"/api/lists/{batch.pk}").status_code == 404
    lists.list_publish(actor=world.users["staff"], demand_list=batch, published=True)
    (listed,) = anonymous.get("/api/lists/").json()
    assert (listed["title"], listed["count"]) == ("2025年第一批场景应用需求清单", 3)
    detail = anonymous.get(f"/api/lists/{batch.pk}?field=beidou").json()
    assert [(i["number"], i["title"]) for i in detail["items"]] == [
        (2, "长江航道北斗高精度定位场景")
    ]
    assert "13800000000" not in str(anonymous.get(f"/api/lists/{batch.pk}").json())


def test_landing_is_tracked_month_by_month(world: World, batch: DemandList) -> None:
    from innobridge.demands.lifecycle import demand_transition
    from innobridge.demands.validation import milestone_add, milestone_complete

    staff = world.users["staff"]
    demand = batch.items.get(number=1).demand
    demand.status = ScenarioDemand.Status.MATCHED
    demand.save()
    demand_transition(actor=staff, demand=demand, action="sign", amount=Decimal("120"))
    demand_transition(actor=staff, demand=demand, action="validate")
    demand.refresh_from_db()
    milestone_complete(actor=staff, milestone=milestone_add(actor=staff, demand=demand, title="试运行"), evidence="运行报告")  # fmt: skip
    demand_transition(actor=staff, demand=demand, action="land")
    (row,) = lists.list_landing_by_month(batch)
    assert (row["signed"], row["landed"]) == (1, 1)
    assert row["rate"] == pytest.approx(1 / 3)
    assert "累计落地" in client_for(world, "staff").get(f"/lists/{batch.pk}/").content.decode()
