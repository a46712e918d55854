"""The REST API: token auth, create and update with the page rules, readable JSON errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from innobridge.core.services import api_token_create
from innobridge.projects.models import TechProject
from tests.conftest import World, client_for


def bearer(world: World, role: str) -> tuple[Client, dict[str, str]]:
    token = api_token_create(user=world.users[role], name="脚本")
    return Client(), {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def post(client: Client, path: str, body: Any, **headers: str) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


def patch(client: Client, path: str, body: Any, **headers: str) -> Any:
    return client.patch(path, json.dumps(body), content_type="application/json", **headers)


def project_body(world: World, **extra: Any) -> dict[str, Any]:
    return {"title": "激光熔覆再制造装备研制", "summary": "面向矿山机械关键件修复的激光熔覆装备与工艺。",
            "field": "laser", "trl": 6, "owner_id": world.org_a.pk, **extra}  # fmt: skip


def test_openapi_document_lists_every_entity(world: World) -> None:
    paths = Client().get("/api/openapi.json").json()["paths"]
    for prefix in (
        "/api/orgs/",
        "/api/labs/",
        "/api/projects/",
        "/api/demands/",
        "/api/investors/",
    ):
        assert prefix in paths
        assert {"get", "post"} <= set(paths[prefix])
    assert Client().get("/api/docs").status_code == 200


def test_token_auth_works_and_a_wrong_token_is_refused(world: World) -> None:
    client, headers = bearer(world, "member_a")
    assert client.get("/api/projects/", **headers).status_code == 200
    response = client.get("/api/projects/", HTTP_AUTHORIZATION="Bearer ib_wrong")
    assert response.status_code == 401
    assert "令牌" in response.json()["detail"]


def test_member_creates_a_draft_for_own_organization_only(world: World) -> None:
    client, headers = bearer(world, "member_a")
    response = post(client, "/api/projects/", project_body(world), **headers)
    assert response.status_code == 201, response.content
    created = TechProject.objects.get(pk=response.json()["id"])
    assert (created.owner, created.visibility) == (world.org_a, "draft")
    assert created.history.first().history_user == world.users["member_a"]

    response = post(
        client,
        "/api/projects/",
        project_body(world, owner_id=world.org_b.pk, title="他人"),
        **headers,
    )
    assert response.status_code == 403
    assert "本单位" in response.json()["detail"]

    response = post(
        client,
        "/api/projects/",
        project_body(world, title="直接公开", visibility="public"),
        **headers,
    )
    assert response.status_code == 403
    assert "公开范围" in response.json()["detail"]


def test_member_edits_own_draft_but_not_published_records(world: World) -> None:
    client, headers = bearer(world, "member_a")
    draft = world.projects["a_draft"]
    response = patch(client, f"/api/projects/{draft.pk}", {"trl": 7}, **headers)
    assert response.status_code == 200
    assert response.json()["trl"] == 7
    public = world.projects["a_public"]
    response = patch(client, f"/api/projects/{public.pk}", {"trl": 8}, **headers)
    assert response.status_code == 403
    public.refresh_from_db()
    assert public.trl == 6
    # invisible records read as missing, not as forbidden
    response = patch(client, f"/api/projects/{world.projects['b_draft'].pk}", {"trl": 8}, **headers)
    assert response.status_code == 404


def test_manager_edits_assigned_records_and_staff_edit_all(world: World) -> None:
    client = client_for(world, "manager")
    assigned = world.projects["b_internal"]
    response = patch(client, f"/api/projects/{assigned.pk}", {"visibility": "public"})
    assert response.status_code == 200
    other = world.projects["a_internal"]
    assert patch(client, f"/api/projects/{other.pk}", {"trl": 9}).status_code == 403
    staff = client_for(world, "staff")
    changed = patch(staff, f"/api/projects/{other.pk}", {"trl": 9, "stage": "selected"}).json()
    assert changed["trl"] == 9
    assert changed["stage"] == other.stage  # the stage moves only through the pipeline


def test_validation_errors_read_as_sentences(world: World) -> None:
    client = client_for(world, "staff")
    response = post(client, "/api/projects/", {**project_body(world), "trl": 12, "field": "rocket"})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith("请求数据有误")
    assert {error["field"] for error in body["errors"]} >= {"payload.trl", "payload.field"}

    post(client, "/api/projects/", project_body(world))
    response = post(client, "/api/projects/", project_body(world))
    assert response.status_code == 400
    assert "同名" in response.json()["detail"]


def test_session_writes_need_the_csrf_token(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["staff"])
    response = post(client, "/api/projects/", project_body(world))
    assert response.status_code in (401, 403)
    assert not TechProject.objects.filter(title="激光熔覆再制造装备研制").exists()


def test_organization_api_checks_the_credit_code(world: World) -> None:
    client = client_for(world, "staff")
    response = post(
        client,
        "/api/orgs/",
        {"name": "武汉新测试科技有限公司", "kind": "enterprise", "uscc": "91350100M000100Y44"},
    )
    assert response.status_code == 400
    assert "校验位" in response.json()["detail"]
    response = post(
        client,
        "/api/orgs/",
        {"name": "武汉新测试科技有限公司", "kind": "enterprise", "uscc": "91350100m000100y43"},
    )
    assert response.status_code == 201
    assert response.json()["uscc"] == "91350100M000100Y43"
    member = client_for(world, "member_a")
    assert post(member, "/api/orgs/", {"name": "冒名单位", "kind": "enterprise"}).status_code == 403
    response = patch(member, f"/api/orgs/{world.org_a.pk}", {"description": "专注激光器件"})
    assert response.status_code == 200
    assert patch(member, f"/api/orgs/{world.org_a.pk}", {"name": "改名"}).status_code == 400
    assert patch(member, f"/api/orgs/{world.org_b.pk}", {"description": "x"}).status_code == 403


def test_demand_and_investor_and_lab_endpoints(world: World) -> None:
    staff = client_for(world, "staff")
    body = {"title": "港口无人集卡车路协同场景需求", "description": "开放港区道路用于车路协同与无人集卡验证。",
            "field": "icv", "owner_id": world.org_a.pk, "demand_type": "scenario", "budget": "500.5",
            "district": "wedz", "visibility": "public", "status": "published"}  # fmt: skip
    response = post(staff, "/api/demands/", body)
    assert response.status_code == 201, response.content
    demand_id = response.json()["id"]
    public = Client().get(f"/api/demands/{demand_id}").json()
    assert public["district_label"] == "武汉经开区"
    assert public["contact_phone"] is None

    response = post(staff, "/api/investors/", {"organization_id": world.investor_org.pk, "kind": "vc",
                                                "preferred_fields": ["laser"], "ticket_min": 100, "ticket_max": 50})  # fmt: skip
    assert response.status_code == 400
    assert "上限不能小于下限" in response.json()["detail"]
    response = post(
        staff,
        "/api/investors/",
        {"organization_id": world.investor_org.pk, "kind": "vc", "preferred_fields": ["laser"]},
    )
    assert response.status_code == 201
    investor = client_for(world, "investor")
    items = investor.get("/api/investors/?field=laser").json()["items"]
    assert [i["organization_name"] for i in items] == [world.investor_org.name]
    assert investor.get("/api/investors/?field=bogus").json()["count"] == 0

    response = post(staff, "/api/labs/", {"name": "测试联合实验室", "lead_id": world.org_a.pk, "field": "laser",
                                          "members": [{"organization_id": world.org_b.pk, "role": "core"}]})  # fmt: skip
    assert response.status_code == 201, response.content
    lab = Client().get(f"/api/labs/{response.json()['id']}").json()
    assert {(m["organization_name"], m["role"]) for m in lab["members"]} == {
        (world.org_a.name, "lead"), (world.org_b.name, "core")}  # fmt: skip
    assert (
        post(
            client_for(world, "member_a"),
            "/api/labs/",
            {"name": "x实验室", "lead_id": world.org_a.pk, "field": "laser"},
        ).status_code
        == 403
    )


@pytest.mark.parametrize(
    "path", ["/api/projects/?trl_min=abc", "/api/projects/?owner=-1", "/api/demands/?type=unknown"]
)
def test_bad_filters_match_nothing_instead_of_failing(world: World, path: str) -> None:
    response = client_for(world, "staff").get(path)
    assert response.status_code == 200
    assert response.json()["count"] == 0
