"""Recommendations in the product: explained, and never showing what the user may not see."""

from __future__ import annotations

import threading
from typing import Any

from innobridge.core.choices import Visibility
from tests.conftest import World, client_for
from tests.demands.factories import ScenarioDemandFactory
from tests.projects.factories import TechProjectFactory


def infrared_pair(world: World) -> tuple[Any, Any]:
    """A public thermal-imaging technology of org_b and org_a's demand it solves."""
    answer = TechProjectFactory(
        owner=world.org_b, title="变电站红外热像智能巡检系统", field="infrared", trl=7,
        summary="红外热像仪自动巡检变电站设备，及时发现过热故障。", keywords="红外热像仪，巡检",
    )  # fmt: skip
    demand = ScenarioDemandFactory(
        owner=world.org_a, title="变电站设备过热巡检需求", field="infrared", required_trl=6,
        description="人工巡检发现设备过热不及时，希望用红外热像仪自动巡检。", keywords="红外热像仪",
    )  # fmt: skip
    return answer, demand


def test_demand_page_recommends_the_technology_that_solves_it(world: World) -> None:
    answer, demand = infrared_pair(world)
    staff = client_for(world, "staff")
    # the page shows at once and asks for its 推荐技术 panel when shown (htmx); without a script
    # the panel's link opens it as a page
    page = staff.get(f"/demands/{demand.pk}/").content.decode()
    assert f'hx-get="/demands/{demand.pk}/matches/"' in page
    assert f'href="/demands/{demand.pk}/matches/"' in page
    assert answer.title not in page
    response = staff.get(f"/demands/{demand.pk}/matches/", headers={"HX-Request": "true"})
    assert "<html" not in response.content.decode()  # the panel alone, swapped into the page
    assert staff.get(f"/demands/{demand.pk}/matches/").content.decode().count(demand.title) >= 2
    recommendations = response.context["recommendations"]
    assert recommendations[0].record == answer
    assert "共同关键词" in recommendations[0].reason
    assert "技术成熟度 7 ≥ 需求 6" in recommendations[0].reason
    assert "领域相同：红外与智能感知" in recommendations[0].reason
    assert all(rec.reason for rec in recommendations)
    html = response.content.decode()
    assert 'id="recommendations"' in html
    assert answer.title in html


def test_recommendations_only_show_what_the_user_may_see(world: World) -> None:
    hidden = TechProjectFactory(
        owner=world.org_b, title="变电站红外热像巡检草稿", visibility=Visibility.DRAFT,
        summary="红外热像仪自动巡检变电站设备。", keywords="红外热像仪", field="infrared",
    )  # fmt: skip
    demand = ScenarioDemandFactory(
        owner=world.org_a, title="变电站过热巡检", description="希望用红外热像仪巡检变电站。",
        field="infrared",
    )  # fmt: skip
    for role in ("member_a", "investor", "manager"):
        recs = client_for(world, role).get(f"/demands/{demand.pk}/matches/").context["recommendations"]  # fmt: skip
        assert hidden not in [rec.record for rec in recs], role
    staff = client_for(world, "staff").get(f"/demands/{demand.pk}/matches/").context["recommendations"]  # fmt: skip
    assert staff[0].record == hidden
    anonymous = client_for(world, "anonymous")
    assert "推荐技术" not in anonymous.get(f"/demands/{demand.pk}/").content.decode()
    assert anonymous.get(f"/demands/{demand.pk}/matches/").status_code == 302  # to sign in


def test_project_page_lists_matching_demands(world: World) -> None:
    project = TechProjectFactory(
        owner=world.org_a, title="动力电池极耳激光焊接系统", summary="极耳焊接熔深一致，焊接合格率99.5%。",
        keywords="激光焊接，极耳", field="laser",
    )  # fmt: skip
    wanted = ScenarioDemandFactory(
        owner=world.org_b, title="电池极耳激光焊接良率提升", description="极耳激光焊接虚焊多，需要稳定的焊接方案。",
        keywords="激光焊接", field="laser",
    )  # fmt: skip
    recs = client_for(world, "member_a").get(f"/projects/{project.pk}/matches/").context["recommendations"]  # fmt: skip
    assert recs[0].record == wanted
    assert "激光焊接" in recs[0].reason


def test_match_api_returns_explained_results_within_visibility(world: World) -> None:
    answer, demand = infrared_pair(world)
    body = client_for(world, "member_a").get(f"/api/match/demands/{demand.pk}/projects?k=5").json()
    first = body["items"][0]
    assert (first["id"], first["rank"]) == (answer.pk, 1)
    assert "红外热像仪" in first["shared_terms"]
    assert {"kind": "trl", "met": True, "wanted": 6, "actual": 7} in first["constraints"]
    assert all(item["reason"] for item in body["items"])
    assert all(isinstance(item["expanded_terms"], list) for item in body["items"])
    assert all(isinstance(item["lay_terms"], list) for item in body["items"])
    visible = {
        p.pk
        for key, p in world.projects.items()
        if key in {"a_draft", "a_internal", "a_public", "b_public"}
    }
    assert {item["id"] for item in body["items"]} <= visible | {answer.pk}
    hidden = world.demands["b_draft"]
    assert (
        client_for(world, "member_a").get(f"/api/match/demands/{hidden.pk}/projects").status_code
        == 404
    )
    back = client_for(world, "staff").get(f"/api/match/projects/{answer.pk}/demands").json()
    assert back["items"][0]["id"] == demand.pk


def test_manager_marks_suggestions_and_rejected_ones_drop_out(world: World) -> None:
    answer, demand = infrared_pair(world)
    other = TechProjectFactory(
        owner=world.org_b, title="红外测温模组", field="infrared", trl=6,
        summary="工业过程红外测温模组，用于设备巡检。", keywords="红外测温",
    )  # fmt: skip
    manager = client_for(world, "manager")
    url = f"/demands/{demand.pk}/match/{other.pk}/"
    response = manager.post(url, {"decision": "rejected", "reason": ""}, follow=True)
    assert "请填写不合适的理由" in response.content.decode()
    manager.post(url, {"decision": "rejected", "reason": "测温精度达不到变电站要求"})
    manager.post(f"/demands/{demand.pk}/match/{answer.pk}/", {"decision": "introduced"})
    page = manager.get(f"/demands/{demand.pk}/matches/")
    recs = page.context["recommendations"]
    assert other not in [rec.record for rec in recs]
    assert [rec.decision for rec in recs if rec.record == answer] == ["introduced"]
    html = page.content.decode()
    assert "已排除的推荐" in html
    assert "测温精度达不到变电站要求" in html
    feedback = demand.feedback.get(project=other)
    assert feedback.decided_by == world.users["manager"]
    assert feedback.history.first().history_user == world.users["manager"]
    # enterprises and the public cannot mark
    member = client_for(world, "member_a")
    member.post(f"/demands/{demand.pk}/match/{other.pk}/", {"decision": "introduced"})
    assert demand.feedback.get(project=other).decision == "rejected"
    assert "对接反馈" not in member.get(f"/demands/{demand.pk}/matches/").content.decode()
    api = client_for(world, "staff").post(
        f"/api/match/demands/{demand.pk}/projects/{other.pk}/feedback",
        {"decision": "introduced", "reason": "复核后可用"}, content_type="application/json",
    )  # fmt: skip
    assert api.status_code == 200
    assert api.json()["decision"] == "introduced"
    api = member.post(
        f"/api/match/demands/{demand.pk}/projects/{other.pk}/feedback",
        {"decision": "introduced"}, content_type="application/json",
    )  # fmt: skip
    assert api.status_code == 403


def test_project_page_and_api_suggest_fitting_investors(world: World) -> None:
    from tests.capital.factories import InvestorProfileFactory
    from tests.orgs.factories import OrganizationFactory

    fitting = InvestorProfileFactory(
        organization=OrganizationFactory(name="光谷激光天使基金", kind="investor", field=""),
        preferred_fields=["laser"], preferred_stages=["a"],
    )  # fmt: skip
    InvestorProfileFactory(
        organization=OrganizationFactory(name="生物医药成长基金", kind="investor", field=""),
        preferred_fields=["biomed"], preferred_stages=["growth"],
    )  # fmt: skip
    project = world.projects["a_public"]  # laser, TRL 6
    page = client_for(world, "investor").get(f"/projects/{project.pk}/matches/")
    investors = page.context["investors"]
    assert investors[0].profile == fitting
    assert "关注领域：激光" in investors[0].reason
    assert "投资阶段：A轮（技术成熟度 6）" in investors[0].reason
    items = (
        client_for(world, "member_a")
        .get(f"/api/match/projects/{project.pk}/investors")
        .json()["items"]
    )
    assert items[0]["organization_name"] == "光谷激光天使基金"
    assert items[0]["field_match"] is True


def test_project_page_follows_an_investor_who_changes_preferences(world: World) -> None:
    from tests.capital.factories import InvestorProfileFactory
    from tests.orgs.factories import OrganizationFactory

    investor = InvestorProfileFactory(
        organization=OrganizationFactory(name="江城医疗健康基金", kind="investor", field=""),
        preferred_fields=["biomed"], preferred_stages=["growth"],
    )  # fmt: skip
    project = world.projects["a_public"]  # laser, TRL 6
    viewer = client_for(world, "investor")
    first = viewer.get(f"/projects/{project.pk}/matches/").context["investors"]
    assert all(r.profile != investor or "关注领域" not in r.reason for r in first)
    investor.preferred_fields, investor.preferred_stages = ["laser"], ["a"]
    investor.save()
    again = viewer.get(f"/projects/{project.pk}/matches/").context["investors"]
    assert again[0].profile == investor
    assert "关注领域：激光" in again[0].reason


def test_expert_affinity_api_is_for_staff_and_ranks_the_specialist(world: World) -> None:
    from tests.orgs.factories import PersonFactory

    specialist = PersonFactory(
        name="激光专家", is_expert=True, field="laser", keywords="光纤激光器，厚板切割"
    )
    PersonFactory(name="药学专家", is_expert=True, field="biomed", keywords="单克隆抗体")
    project = world.projects["a_public"]  # laser: 光纤激光器，厚板切割
    items = (
        client_for(world, "staff").get(f"/api/match/projects/{project.pk}/experts").json()["items"]
    )
    assert items[0]["person_id"] == specialist.pk
    assert items[0]["same_field"] is True
    assert "光纤激光器" in items[0]["shared_terms"]
    assert (
        client_for(world, "member_a").get(f"/api/match/projects/{project.pk}/experts").status_code
        == 403
    )


def test_search_box_ranks_by_relevance_and_finds_related_words(world: World) -> None:
    best = TechProjectFactory(
        owner=world.org_a, title="厚板激光切割挂渣控制技术", summary="中厚板激光切割断面挂渣控制，厚板切割速度提升。",
        keywords="厚板切割，激光切割", visibility=Visibility.DRAFT,
    )  # fmt: skip
    weaker = TechProjectFactory(
        owner=world.org_a, title="激光切割头国产化", summary="激光切割头与准直器国产化，兼顾厚板加工。",
        keywords="切割头",
    )  # fmt: skip
    client = client_for(world, "staff")
    titles = [p.title for p in client.get("/projects/?q=厚板 挂渣").context["page"].object_list]
    assert titles[0] == best.title
    assert weaker.title not in titles  # every word must appear when some records have them all
    related = [
        p.title
        for p in client.get("/projects/?q=准直器 切割头 进口替代").context["page"].object_list
    ]
    assert related[0] == weaker.title  # no record has all the words: related ones, best first
    api = client_for(world, "member_b").get("/api/projects/?q=厚板 挂渣&per_page=100").json()
    assert best.title not in [item["title"] for item in api["items"]]  # org_a's draft stays hidden
    assert api["count"] == len(api["items"]) > 0


def test_reason_names_the_related_words_that_feedback_brought_in() -> None:
    """A plain-language demand shares few words with the technology; the reason then names the
    words it shares with the demand's best matches, apart from the demand's own words."""
    from innobridge.core.matching import explain
    from innobridge.matching.engine import Constraint, Explanation

    reason = explain(
        Explanation(
            shared_terms=("钢板",),
            constraints=(Constraint("trl", True, 6, 7),),
            expanded_terms=("挂渣", "穿孔"),
        )
    )
    assert reason == "共同关键词：钢板；相关技术词：挂渣、穿孔；技术成熟度 7 ≥ 需求 6"
    assert "相关技术词" not in explain(Explanation(shared_terms=("钢板",), constraints=()))


def test_reason_says_which_concept_a_demands_everyday_word_stood_for() -> None:
    from innobridge.core.matching import explain
    from innobridge.matching.engine import Explanation

    reason = explain(Explanation(shared_terms=(), constraints=(), lay_terms=(("切不动", "厚板切割"),)))  # fmt: skip
    assert reason == "通俗说法相符：切不动（指厚板切割）"


def test_while_the_first_index_is_built_a_request_gets_a_readable_503_not_a_killed_worker(world: World) -> None:  # fmt: skip
    """In production a worker's warm-up thread builds its first index; a request needing it waits
    at most INDEX_WAIT seconds (a build that segments 120,000 texts takes minutes, and a request
    blocked past gunicorn's timeout had the worker killed, build and all), then is told to retry."""
    from django.test import override_settings

    from innobridge.core import matching

    answer, demand = infrared_pair(world)
    manager = client_for(world, "member_a")
    matching._cache.clear()  # a new worker
    with override_settings(INDEX_REFRESH="background", INDEX_WAIT=0):
        holding, finished = threading.Event(), threading.Event()

        def warm_up() -> (
            None
        ):  # building (for at most 5 s: without the bound, requests wait it out)
            with matching._lock:
                holding.set()
                finished.wait(5)

        builder = threading.Thread(target=warm_up)
        builder.start()
        holding.wait()
        try:
            api = manager.get(f"/api/match/demands/{demand.pk}/projects")
            alone = manager.get(f"/demands/{demand.pk}/matches/")
            page = manager.get(f"/demands/{demand.pk}/")
            panel = manager.get(f"/demands/{demand.pk}/matches/", headers={"HX-Request": "true"})
            project_panel = manager.get(f"/projects/{answer.pk}/matches/", headers={"HX-Request": "true"})  # fmt: skip
        finally:
            finished.set()
            builder.join()
        assert api.status_code == 503
        assert "匹配索引正在准备" in api.json()["detail"]
        assert alone.status_code == 503
        assert "匹配索引正在准备" in alone.content.decode()
        # the demand page itself does not need the index; its panel says to retry, in place
        assert page.status_code == 200
        assert demand.title in page.content.decode()
        for response in (panel, project_panel):
            assert response.status_code == 200
            assert "匹配索引正在准备" in response.content.decode()
            assert "重试" in response.content.decode()
    # built: the same request is answered
    assert manager.get(f"/api/match/demands/{demand.pk}/projects").json()["items"][0]["id"] == answer.pk  # fmt: skip
