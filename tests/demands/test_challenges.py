"""揭榜挂帅: members apply, staff score and select the solver, applicants learn the result."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from innobridge.core.errors import AccessDenied, ApplicationError
from innobridge.demands import challenges
from innobridge.demands.lifecycle import demand_transition
from innobridge.demands.models import ChallengeApplication, ScenarioDemand
from tests.conftest import World, client_for, make_user
from tests.demands.factories import ScenarioDemandFactory
from tests.orgs.factories import OrganizationFactory

S = ScenarioDemand.Status


@pytest.fixture
def data_dir_for_index(tmp_path: Any) -> Any:
    from django.test import override_settings

    with override_settings(DATA_DIR=tmp_path, MEDIA_ROOT=tmp_path / "media"):
        yield tmp_path


@pytest.fixture
def challenge(world: World) -> ScenarioDemand:
    owner = OrganizationFactory(name="武汉地铁集团有限公司", kind="enterprise")
    demand = ScenarioDemandFactory(owner=owner, title="盾构机刀盘磨损在线监测揭榜", status=S.PUBLISHED, deadline=datetime.date(2099, 1, 1), prize=Decimal("500"), eligibility="在汉注册的企业或高校院所", terms="成果知识产权归双方共有；方案内容保密。")  # fmt: skip
    demand_transition(actor=world.users["staff"], demand=demand, action="open_challenge")
    demand.refresh_from_db()
    return demand


def test_members_apply_staff_select_and_everyone_learns_the_result(world: World, challenge: ScenarioDemand) -> None:  # fmt: skip
    client_a, client_b = client_for(world, "member_a"), client_for(world, "member_b")
    client_a.post(f"/demands/{challenge.pk}/apply/", {"organization": world.org_a.pk, "proposal": "声发射与振动融合监测刀盘磨损，精度±0.5mm。", "budget": "300", "accept": "1"})  # fmt: skip
    client_b.post(f"/demands/{challenge.pk}/apply/", {"organization": world.org_b.pk, "proposal": "基于超声测厚的刀具磨损监测方案。", "accept": "1"})  # fmt: skip
    assert challenge.applications.count() == 2
    # each applicant sees only its own application
    page_a = client_a.get(f"/demands/{challenge.pk}/").content.decode()
    section = page_a[page_a.index("揭榜挂帅") : page_a.index("推荐技术")]
    assert world.org_a.name in section
    assert world.org_b.name not in section
    staff = client_for(world, "staff")
    won = challenge.applications.get(organization=world.org_a)
    staff.post(f"/demands/{challenge.pk}/applications/{won.pk}/", {"score": "88"})
    response = staff.post(f"/demands/{challenge.pk}/applications/{won.pk}/", {"select": "1", "note": "方案成熟度高"}, follow=True)  # fmt: skip
    assert "已确定揭榜方" in response.content.decode()
    challenge.refresh_from_db()
    assert challenge.status == S.SOLVER
    assert challenge.events.last().reason == f"揭榜方：{world.org_a.name}；方案成熟度高"
    statuses = dict(challenge.applications.values_list("organization_id", "status"))
    assert statuses == {world.org_a.pk: ChallengeApplication.Status.WON, world.org_b.pk: ChallengeApplication.Status.LOST}  # fmt: skip
    page_b = client_b.get(f"/demands/{challenge.pk}/").content.decode()
    assert "未入选" in page_b
    assert "其他方案更符合本需求" in page_b  # the reason reaches every applicant
    assert challenge.applications.get(pk=won.pk).score == 88


def test_who_may_apply_and_judge(world: World, challenge: ScenarioDemand) -> None:
    with pytest.raises(AccessDenied):
        challenges.apply(actor=world.users["member_a"], demand=challenge, organization=world.org_b, proposal="x")  # fmt: skip
    with pytest.raises(ApplicationError, match="接受揭榜条件"):
        challenges.apply(actor=world.users["member_a"], demand=challenge, organization=world.org_a, proposal="方案")  # fmt: skip
    with pytest.raises(ApplicationError, match="技术方案"):
        challenges.apply(actor=world.users["member_a"], demand=challenge, organization=world.org_a, proposal=" ", accepted_terms=True)  # fmt: skip
    application = challenges.apply(actor=world.users["member_a"], demand=challenge, organization=world.org_a, proposal="方案", accepted_terms=True)  # fmt: skip
    with pytest.raises(AccessDenied):
        challenges.apply(actor=world.users["member_a"], demand=challenge, organization=world.org_a, proposal="再来一次", accepted_terms=True)  # fmt: skip
    with pytest.raises(AccessDenied):
        challenges.score(actor=world.users["member_b"], application=application, points=99)
    investor = client_for(world, "investor")
    assert investor.post(f"/demands/{challenge.pk}/applications/{application.pk}/", {"select": "1"}).status_code == 302  # fmt: skip
    challenge.refresh_from_db()
    assert challenge.status == S.CHALLENGE  # refused with a message, nothing changed


def test_no_applications_after_the_deadline_or_outside_a_challenge(world: World, challenge: ScenarioDemand) -> None:  # fmt: skip
    challenge.deadline = datetime.date(2020, 1, 1)
    challenge.save()
    assert challenges.can_apply(world.users["member_a"], challenge) == []
    published = ScenarioDemandFactory(owner=world.org_b, status=S.PUBLISHED)
    with pytest.raises(ApplicationError, match="不在揭榜期"):
        challenges.apply(actor=make_user("m2", "org_member", world.org_a), demand=published, organization=world.org_a, proposal="方案", accepted_terms=True)  # fmt: skip


@pytest.mark.parametrize(
    "small_share", [1, 10**9]
)  # rank just the user's challenges, or walk the whole ranking
def test_technology_owners_see_open_challenges_that_fit(world: World, challenge: ScenarioDemand, data_dir_for_index: object, small_share: int, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    from tests.projects.factories import TechProjectFactory

    monkeypatch.setattr("innobridge.core.matching.SMALL_SHARE", small_share)

    project = TechProjectFactory(owner=world.org_a, title="盾构刀盘磨损声发射在线监测系统", summary="声发射与振动融合，实时监测盾构机刀盘刀具磨损量，精度±0.5mm。", visibility="public")  # fmt: skip
    ScenarioDemandFactory(owner=world.org_b, title="盾构刀盘磨损监测（已发布）", status=S.PUBLISHED)
    page = client_for(world, "member_a").get(f"/projects/{project.pk}/matches/").content.decode()
    section = page[page.index("可揭榜的挑战") : page.index("匹配需求")]
    assert challenge.title in section
    assert "已发布" not in section
    items = client_for(world, "member_a").get(f"/api/match/projects/{project.pk}/challenges").json()["items"]  # fmt: skip
    assert [item["title"] for item in items] == [challenge.title]


def test_attachments_are_checked_by_content_and_served_only_to_those_who_may_see(world: World, challenge: ScenarioDemand, data_dir_for_index: object) -> None:  # fmt: skip
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import override_settings

    client_a = client_for(world, "member_a")
    fake = SimpleUploadedFile("方案.pdf", b"MZ\x90\x00 this is an executable", content_type="application/pdf")  # fmt: skip
    form = {"organization": world.org_a.pk, "proposal": "方案", "accept": "1"}
    response = client_a.post(f"/demands/{challenge.pk}/apply/", {**form, "files": [fake]}, follow=True)  # fmt: skip
    assert "内容不是这些格式" in response.content.decode()
    assert not challenge.applications.exists()  # nothing half-written
    with override_settings(MAX_UPLOAD_BYTES=1024):
        big = SimpleUploadedFile("大文件.pdf", b"%PDF-1.7\n" + b"0" * 2048, content_type="application/pdf")  # fmt: skip
        response = client_a.post(f"/demands/{challenge.pk}/apply/", {**form, "files": [big]}, follow=True)  # fmt: skip
        assert "文件过大" in response.content.decode()
    pdf = SimpleUploadedFile("技术方案书.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", content_type="application/pdf")  # fmt: skip
    client_a.post(f"/demands/{challenge.pk}/apply/", {**form, "files": [pdf]})
    attachment = challenge.applications.get().attachments.get()
    assert attachment.kind == "pdf"
    url = f"/demands/{challenge.pk}/files/{attachment.pk}/"
    assert client_a.get(url).status_code == 200
    assert b"".join(client_for(world, "staff").get(url).streaming_content).startswith(b"%PDF")
    assert client_for(world, "member_b").get(url).status_code == 404
    assert client_for(world, "investor").get(url).status_code == 404


def test_project_page_shows_the_demands_and_challenges_the_api_gives_each_role(world: World, challenge: ScenarioDemand, data_dir_for_index: object) -> None:  # fmt: skip
    """The page reads both lists' records in one query: each role still sees exactly what the
    API (which ranks each list on its own) gives it, and no one else's draft."""
    from tests.projects.factories import TechProjectFactory

    project = TechProjectFactory(owner=world.org_b, title="盾构刀盘磨损声发射在线监测系统", summary="声发射与振动融合，实时监测盾构机刀盘刀具磨损量。", visibility="public")  # fmt: skip
    ScenarioDemandFactory(owner=world.org_b, title="盾构刀盘磨损监测（已发布）", status=S.PUBLISHED, visibility="public")  # fmt: skip
    draft = ScenarioDemandFactory(owner=world.org_b, title="盾构机刀盘磨损监测草稿", description="刀盘磨损在线监测。", visibility="draft", status=S.CHALLENGE)  # fmt: skip
    for role in ("staff", "manager", "member_a", "member_b", "investor"):  # those who may open it
        client = client_for(world, role)
        context = client.get(f"/projects/{project.pk}/matches/").context
        for name, path in (("recommendations", "demands"), ("challenges", "challenges")):
            shown = [rec.record.title for rec in context[name]]
            api = client.get(f"/api/match/projects/{project.pk}/{path}?k={10 if path == 'demands' else 5}").json()["items"]  # fmt: skip
            assert shown == [item["title"] for item in api], (role, name)
            assert all(rec.reason for rec in context[name])
            if role not in ("staff", "member_b"):
                assert draft.title not in shown, (role, name)
        assert challenge.title in [rec.record.title for rec in context["challenges"]], role
        assert "盾构刀盘磨损监测（已发布）" in [rec.record.title for rec in context["recommendations"]], role  # fmt: skip
    staff = client_for(world, "staff").get(f"/projects/{project.pk}/matches/").context["challenges"]
    assert draft.title in [rec.record.title for rec in staff]
