"""Hostile input: oversized and deeply nested JSON, files that lie about what they are, and
injection attempts in every search box. Each gets a clear answer (never a 5xx) and changes nothing."""

from __future__ import annotations

import datetime
import io
import json
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from innobridge.core.limits import json_depth
from innobridge.demands.models import ApplicationAttachment, ChallengeApplication
from innobridge.projects.models import Submission, SubmissionAttachment
from tests.conftest import World, client_for

TODAY = timezone.localdate()


# --- JSON bodies: size and depth ---------------------------------------------------------------


def test_json_depth_counts_nesting_outside_strings() -> None:
    assert json_depth(b'{"a": 1}') == 1
    assert json_depth(b'{"a": [[{"b": []}]]}') == 5
    assert json_depth(b'{"a": "[[[[[[[[[[{{{{{{"}') == 1
    assert json_depth(b'{"a": "\\"[[[["}') == 1
    assert json_depth(b"[" * 40 + b"]" * 40) == 40


def _project_body(world: World, **extra: Any) -> dict[str, Any]:
    return {"title": "新建测试项目", "summary": "光纤激光器切割头的技术项目简介", "field": "laser", "trl": 5, "owner_id": world.org_a.pk, **extra}  # fmt: skip


def test_oversized_json_body_is_refused_with_413_and_nothing_is_written(world: World) -> None:
    from innobridge.projects.models import TechProject

    before = TechProject.objects.count()
    body = json.dumps(_project_body(world, summary="激" * 400_000))  # ≈ 1.2 MB of UTF-8
    response = client_for(world, "member_a").post("/api/projects/", body, content_type="application/json")  # fmt: skip
    assert response.status_code == 413
    assert "JSON 请求体不能超过 1024 KB" in response.json()["detail"]
    assert TechProject.objects.count() == before


@override_settings(MAX_JSON_BODY_BYTES=4096)
def test_the_json_size_limit_is_a_setting(world: World) -> None:
    member = client_for(world, "member_a")
    small = member.post("/api/projects/", json.dumps(_project_body(world)), content_type="application/json")  # fmt: skip
    assert small.status_code == 201
    large = json.dumps(_project_body(world, title="较大的项目", summary="激" * 3000))
    assert member.post("/api/projects/", large, content_type="application/json").status_code == 413


def test_deeply_nested_json_is_refused_with_400(world: World) -> None:
    from innobridge.projects.models import TechProject

    before = TechProject.objects.count()
    member = client_for(world, "member_a")
    nested: Any = "x"
    for _level in range(40):
        nested = [nested]
    body = json.dumps(_project_body(world, keywords=nested))
    response = member.post("/api/projects/", body, content_type="application/json")
    assert response.status_code == 400
    assert "嵌套过深" in response.json()["detail"]
    # 32 levels are still parsed (and the schema then says what is wrong)
    shallow: Any = "x"
    for _level in range(30):
        shallow = [shallow]
    body = json.dumps(_project_body(world, keywords=shallow))
    assert member.post("/api/projects/", body, content_type="application/json").status_code == 422
    assert TechProject.objects.count() == before


def test_a_deep_body_on_a_page_url_or_without_login_gets_the_same_answer(world: World) -> None:
    body = "[" * 100 + "]" * 100
    assert Client().post("/api/projects/", body, content_type="application/json").status_code == 400
    assert Client().post("/demands/", body, content_type="application/json").status_code == 400


# --- uploads: content, not the file name, decides; size is capped -------------------------------

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 500
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
PDF = b"%PDF-1.4\n" + b"0" * 200
XLSX_HEAD = b"PK\x03\x04"
MB = 1024 * 1024
BAD_FILES = {
    "exe": (EXE, "方案.pdf", "只接受 PDF、Word 或图片"),
    "html": (HTML, "方案.pdf", "只接受 PDF、Word 或图片"),
    "big": (PDF + b"0" * (MB + 10), "方案.pdf", "文件过大"),
}


def upload(content: bytes, name: str) -> io.BytesIO:
    stream = io.BytesIO(content)
    stream.name = name
    return stream


@pytest.fixture
def media(tmp_path: Any) -> Any:
    with override_settings(MEDIA_ROOT=tmp_path / "media", MAX_UPLOAD_BYTES=MB):
        yield tmp_path / "media"


def stored_files(media: Any) -> list[Any]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


@pytest.mark.parametrize("kind", ["exe", "html", "big"])
@pytest.mark.parametrize("entity", ["projects", "enterprise_years"])
def test_excel_import_refuses_files_that_are_not_xlsx_or_too_large(world: World, media: Any, settings: Any, entity: str, kind: str) -> None:  # fmt: skip
    from innobridge.core.imports import pending_dir

    content, _name, _message = BAD_FILES[kind]
    if kind == "big":
        content = XLSX_HEAD + b"0" * (MB + 10)
    expected = {"exe": "文件内容不是 .xlsx 格式", "html": "文件内容不是 .xlsx 格式", "big": "文件过大"}[kind]  # fmt: skip
    response = client_for(world, "staff").post(f"/excel/{entity}/import/", {"file": upload(content, f"{entity}.xlsx")})  # fmt: skip
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert not list(pending_dir().glob("*.xlsx"))  # nothing staged
    assert 'name="token"' not in response.content.decode()  # nothing to confirm


@pytest.mark.parametrize("kind", ["exe", "html", "big"])
def test_call_submission_attachments_are_checked(world: World, media: Any, kind: str) -> None:
    from innobridge.projects import calls

    call = calls.call_create(
        actor=world.users["staff"], title="2025 测试征集", year=2025,
        opens=TODAY - datetime.timedelta(days=1), deadline=TODAY + datetime.timedelta(days=30),
        stages=("领域赛",),
    )  # fmt: skip
    project = world.projects["a_internal"]
    submission = calls.submission_create(actor=world.users["member_a"], call=call, project=project)
    content, name, message = BAD_FILES[kind]
    response = client_for(world, "member_a").post(
        f"/calls/submissions/{submission.pk}/",
        {"statement": "申报说明", "files": [upload(content, name)]},
        follow=True,
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SubmissionAttachment.objects.exists()
    assert Submission.objects.get(pk=submission.pk).statement == ""  # the save is all or nothing
    assert not stored_files(media)


@pytest.mark.parametrize("kind", ["exe", "html", "big"])
def test_challenge_application_attachments_are_checked(world: World, media: Any, kind: str) -> None:  # fmt: skip
    demand = world.demands["b_public"]
    demand.status = "challenge"
    demand.deadline = TODAY + datetime.timedelta(days=10)
    demand.save()
    content, name, message = BAD_FILES[kind]
    response = client_for(world, "member_a").post(
        f"/demands/{demand.pk}/apply/",
        {
            "organization": world.org_a.pk,
            "proposal": "技术方案",
            "accept": "1",
            "files": [upload(content, name)],
        },  # fmt: skip
        follow=True,
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ChallengeApplication.objects.exists()
    assert not ApplicationAttachment.objects.exists()
    assert not stored_files(media)


@pytest.mark.parametrize("kind", ["exe", "html", "big"])
def test_milestone_evidence_files_are_checked(world: World, media: Any, kind: str) -> None:
    from innobridge.demands.models import ValidationMilestone
    from innobridge.projects.models import Milestone

    content, name, message = BAD_FILES[kind]
    staff = client_for(world, "staff")
    project = world.projects["a_internal"]
    milestone = Milestone.objects.create(project=project, title="中试线建成", due=TODAY)
    response = staff.post(
        f"/projects/{project.pk}/growth/",
        {
            "what": "milestone_done",
            "milestone": milestone.pk,
            "evidence": "",
            "file": upload(content, name),
        },  # fmt: skip
        follow=True,
    )
    assert message in response.content.decode()
    milestone.refresh_from_db()
    assert (milestone.done, milestone.evidence_file.name) == (None, "")

    demand = world.demands["a_internal"]
    demand.status = "validating"  # signed, not yet landed: the time for validation evidence
    demand.save()
    step = ValidationMilestone.objects.create(demand=demand, title="场景试运行")
    response = staff.post(
        f"/demands/{demand.pk}/milestones/",
        {"milestone": step.pk, "evidence": "", "file": upload(content, name)},
        follow=True,
    )
    assert message in response.content.decode()
    step.refresh_from_db()
    assert (step.done, step.evidence_file.name) == (None, "")
    assert not stored_files(media)


# --- search boxes: injection attempts neither break nor widen a search ----------------------------

INJECTIONS = [
    "' OR 1=1 --",
    '" OR ""="',
    "'; DROP TABLE projects_techproject; --",
    "<script>alert(1)</script>",
    "%",
    "_",
    "%_%",
    "\\",
    "Ωé🚀\u200b\u202e",
    "\x00",
    "a\x00b",
    "%00",
    "x" * 5000,
    "{{ 7*7 }}",
]
NONSENSE = "qzxqzxqzx"
ECHOED = {"/orgs/", "/labs/", "/projects/", "/demands/", "/investors/"}

PAGES = [
    ("staff", "/orgs/"),
    ("anonymous", "/labs/"),
    ("member_a", "/projects/"),
    ("anonymous", "/demands/"),
    ("member_a", "/demands/"),
    ("investor", "/investors/"),
    ("staff", "/review/experts/"),
    ("staff", "/cultivation/tier/-/"),
    ("staff", "/cultivation/program/tsme/"),
    ("staff", "/cultivation/roster/yumiao/"),
    ("staff", "/excel/projects/export/"),
    ("member_a", "/excel/demands/export/"),
    ("staff", "/excel/orgs/export/"),
    ("anonymous", "/api/demands/"),
    ("member_a", "/api/projects/"),
    ("staff", "/api/orgs/"),
    ("staff", "/api/labs/"),
    ("staff", "/api/investors/"),
]


def names_in(world: World, text: str) -> set[str]:
    """The records of the world a response shows."""
    names = [r.title for r in (*world.projects.values(), *world.demands.values())]
    names += [world.org_a.name, world.org_b.name, world.investor_org.name]
    return {name for name in names if name in text}


def response_text(response: Any) -> str:
    if "spreadsheetml" in response.get("Content-Type", ""):
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        return "\n".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v)
    return response.content.decode()


@pytest.fixture
def lists_world(world: World) -> World:
    """A published list holding the public demands, and a lab (so those pages have rows too)."""
    from innobridge.demands.models import DemandList, DemandListItem
    from innobridge.orgs.models import JointLab

    published = DemandList.objects.create(title="2025年第一批需求清单", year=2025, batch=1, published=True, published_at=timezone.now())  # fmt: skip
    for number, key in enumerate(("a_public", "b_public"), start=1):
        DemandListItem.objects.create(demand_list=published, demand=world.demands[key], number=number)  # fmt: skip
    JointLab.objects.create(name="光电测试联合实验室", lead=world.org_a, field="laser")
    draft = DemandList.objects.create(title="2025年第二批需求清单", year=2025, batch=2)
    world.list_pks = {"list": published.pk, "draft": draft.pk}  # type: ignore[attr-defined]
    return world


@pytest.mark.parametrize(("role", "path"), [*PAGES, ("anonymous", "/lists/{list}/"), ("staff", "/lists/{draft}/add/"), ("anonymous", "/api/lists/{list}")])  # fmt: skip
def test_injection_in_search_is_harmless(lists_world: World, role: str, path: str) -> None:
    world = lists_world
    path = path.format(**world.list_pks)  # type: ignore[attr-defined]
    client = client_for(world, role)
    baseline = client.get(path, {"q": NONSENSE})
    assert baseline.status_code == 200, path
    allowed = names_in(world, response_text(baseline))
    for payload in INJECTIONS:
        response = client.get(path, {"q": payload})
        assert response.status_code == 200, (path, payload, response.status_code)
        text = response_text(response)
        if "<script>" in payload and "html" in response.get("Content-Type", ""):
            assert "<script>alert(1)</script>" not in text, (path, "unescaped")
            if path in ECHOED:  # the search box shows the query back, as text
                assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text, path
        assert names_in(world, text) <= allowed, (path, payload, "widened")


@pytest.mark.parametrize("role", ["staff", "member_a"])
def test_a_real_search_still_finds_records_after_all_that(world: World, role: str) -> None:
    """The guard is not a blanket refusal: a plain word still finds its record."""
    response = client_for(world, role).get("/projects/", {"q": "项目apublic"})
    assert world.projects["a_public"].title in response.content.decode()


@pytest.mark.parametrize("payload", ["' OR 1=1 --", "\x00", "<script>alert(1)</script>", "x" * 5000])  # fmt: skip
def test_injection_in_api_filters_and_ids_is_a_4xx(world: World, payload: str) -> None:
    client = client_for(world, "member_a")
    for path in ("/api/projects/", "/api/demands/", "/api/orgs/"):
        for name in ("field", "owner", "page", "per_page", "visibility", "kind"):
            response = client.get(path, {name: payload})
            assert response.status_code < 500, (path, name, payload)
    for path in ("/api/projects/%27%20OR%201=1/", "/projects/%27%20OR%201=1/", "/api/calls/99999999999999999999999"):  # fmt: skip
        assert client.get(path).status_code in (404, 422), path


def test_nul_characters_in_json_and_forms_are_replaced_not_stored(world: World) -> None:
    """PostgreSQL refuses NUL in text; it becomes U+FFFD before any view sees it."""
    from innobridge.projects.models import TechProject

    member = client_for(world, "member_a")
    body = json.dumps(_project_body(world, title="空\x00字符项目"))
    response = member.post("/api/projects/", body, content_type="application/json")
    assert response.status_code == 201
    assert TechProject.objects.get(pk=response.json()["id"]).title == "空\ufffd字符项目"
    escaped = '{"title": "a\\\\u0000b"}'  # an escaped backslash, then the text u0000: kept
    assert json.loads(escaped)["title"] == "a\\u0000b"
    response = client_for(world, "staff").post(
        f"/orgs/{world.org_a.pk}/edit/",
        {"name": "武汉甲光电\x00科技有限公司", "kind": "enterprise"},
    )
    assert response.status_code in (200, 302)
    world.org_a.refresh_from_db()
    assert "\x00" not in world.org_a.name
