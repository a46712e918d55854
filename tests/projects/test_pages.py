"""Create and edit through the pages: the form shows what the role may set, errors stay on it."""

from __future__ import annotations

from innobridge.projects.models import TechProject
from tests.conftest import World, client_for


def form_data(world: World, **extra: str) -> dict[str, str]:
    return {"title": "超快激光玻璃精密切割工艺", "owner": str(world.org_a.pk), "kind": "project",
            "field": "laser", "trl": "5", "leader": "李工", "keywords": "超快激光、玻璃切割",
            "summary": "面向消费电子玻璃盖板的超快激光切割工艺，崩边小于10微米。", **extra}  # fmt: skip


def test_member_form_has_no_publishing_fields_and_creates_a_draft(world: World) -> None:
    client = client_for(world, "member_a")
    html = client.get("/projects/new/").content.decode()
    assert 'name="visibility"' not in html
    assert 'name="stage"' not in html
    assert world.org_b.name not in html  # only own organization offered as owner
    response = client.post("/projects/new/", form_data(world))
    project = TechProject.objects.get(title="超快激光玻璃精密切割工艺")
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{project.pk}/"
    assert (project.visibility, project.keywords) == ("draft", "超快激光，玻璃切割")


def test_form_errors_are_shown_and_nothing_is_saved(world: World) -> None:
    client = client_for(world, "staff")
    response = client.post("/projects/new/", form_data(world, trl="10", title=""))
    assert response.status_code == 200
    html = response.content.decode()
    assert "errorlist" in html
    assert not TechProject.objects.filter(summary__startswith="面向消费电子玻璃盖板").exists()


def test_edit_page_is_forbidden_without_rights_and_records_history(world: World) -> None:
    public = world.projects["a_public"]
    member = client_for(world, "member_a")
    response = member.get(f"/projects/{public.pk}/edit/")
    assert response.status_code == 403
    assert "无权修改" in response.content.decode()

    staff = client_for(world, "staff")
    stage = public.stage
    data = form_data(world, title=public.title, stage="selected", trl="8", visibility="public")
    response = staff.post(f"/projects/{public.pk}/edit/", {**data, "summary": public.summary})
    assert response.status_code == 302
    public.refresh_from_db()
    assert public.trl == 8
    assert public.stage == stage  # the stage moves only through the pipeline's transitions
    detail = staff.get(f"/projects/{public.pk}/").content.decode()
    assert "修改记录" in detail
    assert "技术成熟度" in detail


def test_search_and_filters_narrow_the_list(world: World) -> None:
    client = client_for(world, "staff")
    html = client.get("/projects/?q=项目apublic").content.decode()
    assert world.projects["a_public"].title in html
    assert world.projects["b_public"].title not in html
    html = client.get("/projects/?visibility=draft").content.decode()
    assert world.projects["a_draft"].title in html
    assert world.projects["a_public"].title not in html
    partial = client.get("/projects/?q=项目b", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial
    assert world.projects["b_draft"].title in partial
