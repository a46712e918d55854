"""Every role sees exactly what DESIGN.md allows — on pages, through the API and in exports."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.conftest import World, client_for

ALL = {"a_draft", "a_internal", "a_public", "b_draft", "b_internal", "b_public"}
PROJECTS_SEEN = {
    "staff": ALL,
    "manager": {"a_internal", "a_public", "b_internal", "b_public"},
    "member_a": {"a_draft", "a_internal", "a_public", "b_public"},
    "member_b": {"b_draft", "b_internal", "b_public", "a_public"},
    "expert": set(),
    "investor": {"a_public", "b_public"},
}
DEMANDS_SEEN = {
    **PROJECTS_SEEN,
    "expert": {"a_public", "b_public"},
    "anonymous": {"a_public", "b_public"},
}
CONTACT_SEEN = {
    "staff": ALL,
    "manager": {"b_internal"},
    "member_a": {"a_draft", "a_internal", "a_public"},
    "member_b": {"b_draft", "b_internal", "b_public"},
    "expert": set(),
    "investor": set(),
    "anonymous": set(),
}
ROLES = ["staff", "manager", "member_a", "member_b", "expert", "investor"]


def _titles_in(html: str, records: dict[str, Any]) -> set[str]:
    return {key for key, record in records.items() if record.title in html}


def _export_titles(content: bytes) -> list[str]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]


@pytest.mark.parametrize("role", ROLES)
def test_project_list_page_shows_only_visible_projects(world: World, role: str) -> None:
    response = client_for(world, role).get("/projects/")
    assert response.status_code == 200
    assert _titles_in(response.content.decode(), world.projects) == PROJECTS_SEEN[role]


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_demand_list_page_shows_only_visible_demands(world: World, role: str) -> None:
    response = client_for(world, role).get("/demands/")
    assert response.status_code == 200
    assert _titles_in(response.content.decode(), world.demands) == DEMANDS_SEEN[role]


@pytest.mark.parametrize("role", ROLES)
def test_project_detail_page_is_404_for_invisible_projects(world: World, role: str) -> None:
    client = client_for(world, role)
    for key, project in world.projects.items():
        status = client.get(f"/projects/{project.pk}/").status_code
        assert status == (200 if key in PROJECTS_SEEN[role] else 404), key


def test_anonymous_is_sent_to_login_for_projects_orgs_and_investors(world: World) -> None:
    client = client_for(world, "anonymous")
    for path in (
        "/projects/",
        f"/projects/{world.projects['a_public'].pk}/",
        "/orgs/",
        "/investors/",
    ):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/account/login/")


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_demand_detail_page_shows_contact_only_to_allowed_roles(world: World, role: str) -> None:
    client = client_for(world, role)
    for key, demand in world.demands.items():
        response = client.get(f"/demands/{demand.pk}/")
        if key not in DEMANDS_SEEN[role]:
            assert response.status_code == 404, key
            continue
        html = response.content.decode()
        assert demand.title in html
        assert (demand.contact_phone in html) == (key in CONTACT_SEEN[role]), key


@pytest.mark.parametrize("role", ROLES)
def test_api_lists_and_details_follow_the_same_rules(world: World, role: str) -> None:
    client = client_for(world, role)
    body = client.get("/api/projects/?per_page=100").json()
    assert {i["title"] for i in body["items"]} == {
        world.projects[k].title for k in PROJECTS_SEEN[role]
    }
    body = client.get("/api/demands/?per_page=100").json()
    by_title = {item["title"]: item for item in body["items"]}
    assert set(by_title) == {world.demands[k].title for k in DEMANDS_SEEN[role]}
    for key in DEMANDS_SEEN[role]:
        item = by_title[world.demands[key].title]
        assert (item["contact_phone"] is not None) == (key in CONTACT_SEEN[role]), key
    for key, project in world.projects.items():
        status = client.get(f"/api/projects/{project.pk}").status_code
        assert status == (200 if key in PROJECTS_SEEN[role] else 404), key


def test_api_without_login_reads_public_demands_only(world: World) -> None:
    client = client_for(world, "anonymous")
    assert client.get("/api/projects/").status_code == 401
    assert client.get("/api/orgs/").status_code == 401
    assert "请先登录" in client.get("/api/investors/").json()["detail"]
    items = client.get("/api/demands/?per_page=100").json()["items"]
    assert {i["title"] for i in items} == {
        world.demands[k].title for k in DEMANDS_SEEN["anonymous"]
    }
    assert all(item["contact_phone"] is None for item in items)
    assert client.get(f"/api/demands/{world.demands['a_draft'].pk}").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_exports_contain_only_what_the_role_may_see(world: World, role: str) -> None:
    client = client_for(world, role)
    response = client.get("/excel/projects/export/")
    assert response.status_code == 200
    titles = _export_titles(response.content)
    assert sorted(titles) == sorted(world.projects[k].title for k in PROJECTS_SEEN[role])

    content = client.get("/excel/demands/export/").content
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    phone_column = header.index("联系电话")
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert sorted(row[0] for row in rows) == sorted(
        world.demands[k].title for k in DEMANDS_SEEN[role]
    )
    for row in rows:
        key = next(k for k, d in world.demands.items() if d.title == row[0])
        assert bool(row[phone_column]) == (key in CONTACT_SEEN[role]), key


def test_export_follows_the_list_filters(world: World) -> None:
    client = client_for(world, "staff")
    content = client.get(
        f"/excel/projects/export/?visibility=public&owner={world.org_a.pk}"
    ).content
    assert _export_titles(content) == [world.projects["a_public"].title]


def test_anonymous_cannot_export(world: World) -> None:
    response = client_for(world, "anonymous").get("/excel/demands/export/")
    assert response.status_code == 302


def test_a_role_or_membership_change_applies_on_the_next_page(world: World) -> None:
    """Roles and organizations are remembered between pages; a change must not wait for it."""
    from datetime import timedelta

    from django.contrib.auth.models import Group
    from django.utils import timezone

    from innobridge.core.roles import Role
    from innobridge.orgs.models import Membership

    member = client_for(world, "member_a")
    draft = world.projects["a_draft"]
    assert member.get(f"/projects/{draft.pk}/").status_code == 200
    membership = Membership.objects.get(person__user=world.users["member_a"])
    membership.end = timezone.localdate() - timedelta(days=1)
    membership.save()
    assert member.get(f"/projects/{draft.pk}/").status_code == 404

    investor = client_for(world, "investor")
    internal = world.projects["a_internal"]
    assert investor.get(f"/projects/{internal.pk}/").status_code == 404
    world.users["investor"].groups.add(Group.objects.get(name=Role.MANAGER))
    assert investor.get(f"/projects/{internal.pk}/").status_code == 200

    staff = client_for(world, "staff")
    assert staff.get("/targets/").status_code == 200
    world.users["staff"].groups.clear()
    assert staff.get("/targets/").status_code == 403


EDITABLE = {
    "staff": ALL,
    "manager": {"b_internal"},
    "member_a": {"a_draft"},
    "member_b": {"b_draft"},
    "expert": set(),
    "investor": set(),
}


@pytest.mark.parametrize("role", ROLES)
def test_detail_pages_offer_edit_to_exactly_those_who_may_save(world: World, role: str) -> None:
    """The 修改 button is decided from the record the page read (no second query); it must
    agree with the database rule the save itself checks, for every role and record."""
    from innobridge.core.access import organization_editable_q, owned_record_editable_q
    from innobridge.demands.models import ScenarioDemand
    from innobridge.orgs.models import Organization
    from innobridge.projects.models import TechProject

    client, user = client_for(world, role), world.users[role]
    for kind, records, model, seen in (
        ("projects", world.projects, TechProject, PROJECTS_SEEN),
        ("demands", world.demands, ScenarioDemand, DEMANDS_SEEN),
    ):
        rule = set(model.objects.filter(owned_record_editable_q(user)).values_list("pk", flat=True))  # fmt: skip
        assert {key for key, record in records.items() if record.pk in rule} == EDITABLE[role]
        for key in seen[role]:
            page = client.get(f"/{kind}/{records[key].pk}/").content.decode()
            assert (f"/{kind}/{records[key].pk}/edit/" in page) == (key in EDITABLE[role]), (kind, key)  # fmt: skip
    rule = set(Organization.objects.filter(organization_editable_q(user)).values_list("pk", flat=True))  # fmt: skip
    for organization in (world.org_a, world.org_b, world.investor_org):
        page = client.get(f"/orgs/{organization.pk}/").content.decode()
        assert (f"/orgs/{organization.pk}/edit/" in page) == (organization.pk in rule), organization.name  # fmt: skip
