"""What a person does in the browser: the bureau's dashboard and its drill-down, publishing a
demand list that an anonymous visitor then reads, and switching the language."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from innobridge.demands.models import DemandList, DemandListItem
from innobridge.orgs.models import JointLab
from innobridge.projects.models import FundingTranche
from innobridge.targets.definitions import targets_for
from tests.browser.conftest import shot
from tests.conftest import PASSWORD, World
from tests.orgs.factories import OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/account/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_staff_see_every_target_charted_and_drill_down(live_server: Any, world: World, page: Any) -> None:  # fmt: skip
    lead = OrganizationFactory(name="武汉测试链主科技有限公司", district="jiangan")
    JointLab.objects.create(name="智能网联测试联合实验室", lead=lead, field="icv", founded=datetime.date(2025, 3, 18))  # fmt: skip
    FundingTranche.objects.create(project=world.projects["a_public"], amount=Decimal(300), source="major", date=datetime.date(2025, 4, 2))  # fmt: skip
    login(page, live_server.url, "staff")
    shot(page, "01-logged-in")
    page.goto(f"{live_server.url}/targets/?year=2025")
    page.wait_for_selector("html[data-charts-ready]")
    shot(page, "02-dashboard")
    table = page.inner_text("#targets")
    for target in targets_for(2025):
        assert target.name in table
    for chart in page.query_selector_all(".echart"):
        canvas = chart.query_selector("canvas")
        assert canvas is not None, chart.get_attribute("id")
        box = canvas.bounding_box()
        assert box["width"] > 100
        assert box["height"] > 100
    page.click("#targets a.figure >> nth=0")
    page.wait_for_load_state()
    shot(page, "03-drill-down")
    assert "/targets/2025/" in page.url
    assert page.query_selector("#records") is not None
    page.goto(f"{live_server.url}/targets/2025/joint_labs/")
    assert "智能网联测试联合实验室" in page.inner_text("#records")


def test_a_published_list_is_read_by_an_anonymous_visitor(live_server: Any, world: World, browser: Any, page: Any) -> None:  # fmt: skip
    demand_list = DemandList.objects.create(
        title="2025年第九批场景应用需求清单", year=2025, batch=9
    )
    DemandListItem.objects.create(
        demand_list=demand_list, demand=world.demands["a_public"], number=1
    )
    login(page, live_server.url, "staff")
    page.goto(f"{live_server.url}/lists/{demand_list.pk}/")
    shot(page, "04-list-before-publishing")
    page.click("button:has-text('发布清单')")
    page.wait_for_load_state()
    shot(page, "05-list-published")
    visitor = browser.new_context(locale="zh-CN").new_page()
    visitor.goto(f"{live_server.url}/lists/")
    assert "2025年第九批场景应用需求清单" in visitor.inner_text("main")
    visitor.click("text=2025年第九批场景应用需求清单")
    visitor.wait_for_load_state()
    assert world.demands["a_public"].title in visitor.inner_text("main")
    shot(visitor, "06-public-list-anonymous")
    visitor.context.close()


def test_switching_the_language_to_english_and_back(live_server: Any, world: World, page: Any) -> None:  # fmt: skip
    login(page, live_server.url, "staff")
    page.goto(f"{live_server.url}/projects/")
    assert "技术项目" in page.inner_text("h1")
    page.select_option("#language-select", "en")
    page.wait_for_load_state()
    shot(page, "07-english")
    assert "Technology projects" in page.inner_text("h1")
    page.select_option("#language-select", "zh-hans")
    page.wait_for_load_state()
    shot(page, "08-chinese-again")
    assert "技术项目" in page.inner_text("h1")


def test_a_manager_sees_the_suggestions_arrive_after_the_page_and_marks_one(live_server: Any, world: World, page: Any) -> None:  # fmt: skip
    """The demand page shows at once; its 推荐技术 panel arrives by itself (htmx), explained, and a
    suggestion marked 已引荐 stays marked. A panel that cannot be loaded says so in words."""
    from tests.demands.factories import ScenarioDemandFactory
    from tests.projects.factories import TechProjectFactory

    answer = TechProjectFactory(
        owner=world.org_b, title="变电站红外热像智能巡检系统", field="infrared", trl=7,
        summary="红外热像仪自动巡检变电站设备，及时发现过热故障。", keywords="红外热像仪，巡检",
    )  # fmt: skip
    demand = ScenarioDemandFactory(
        owner=world.org_a, title="变电站设备过热巡检需求", field="infrared", required_trl=6,
        description="人工巡检发现设备过热不及时，希望用红外热像仪自动巡检。", keywords="红外热像仪",
    )  # fmt: skip
    login(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/demands/{demand.pk}/")
    row = page.wait_for_selector(f"#recommendations tr:has-text('{answer.title}')")
    shot(page, "07-demand-suggestions")
    assert "技术成熟度 7 ≥ 需求 6" in row.inner_text()
    row.query_selector("button[value=introduced]").click()
    page.wait_for_load_state()
    marked = page.wait_for_selector(f"#recommendations tr:has-text('{answer.title}')")
    assert "已引荐" in marked.inner_text()
    assert marked.query_selector("button[value=introduced]") is None
    assert demand.feedback.get(project=answer).decision == "introduced"

    page.route("**/matches/", lambda route: route.fulfill(status=500, body="server error"))
    page.goto(f"{live_server.url}/projects/{answer.pk}/")
    alert = page.wait_for_selector("#matches [role=alert]")
    assert "匹配结果暂时无法加载" in alert.inner_text()
    assert answer.title in page.inner_text("h1")  # the page itself is all there
