"""Targets computed live from the records, drill-downs, manual figures, the API and reports."""

from __future__ import annotations

import datetime
import io
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from openpyxl import load_workbook

from innobridge.orgs.models import JointLab
from innobridge.projects.models import FundingTranche
from innobridge.targets import definitions, services
from innobridge.targets.models import Report
from tests.conftest import World, client_for
from tests.orgs.factories import OrganizationFactory


@pytest.fixture
def media(tmp_path: Any) -> Any:
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield tmp_path


@pytest.fixture
def records(world: World) -> None:
    lead = OrganizationFactory(name="武汉测试链主科技有限公司", district="jiangan", field="ai")
    JointLab.objects.create(name="智能网联测试联合实验室", lead=lead, field="icv", founded=datetime.date(2025, 3, 18))  # fmt: skip
    JointLab.objects.create(name="往年联合实验室", lead=lead, field="icv", founded=datetime.date(2024, 5, 1))  # fmt: skip
    for key, day in (
        ("a_public", datetime.date(2025, 4, 2)),
        ("b_public", datetime.date(2025, 9, 9)),
    ):
        FundingTranche.objects.create(project=world.projects[key], amount=Decimal(300), source="major", date=day)  # fmt: skip
    FundingTranche.objects.create(project=world.projects["a_public"], amount=Decimal(200), source="major", date=datetime.date(2025, 11, 1))  # fmt: skip


def value_of(year: int, key: str) -> services.TargetValue:
    return next(v for v in services.values(year) if v.target.key == key)


def test_every_2025_target_is_seeded_and_computed_from_the_records(world: World, records: None) -> None:  # fmt: skip
    names = [t.name for t in definitions.targets_for(2025)]
    for expected in ("规上高新技术企业", "颠覆性技术攻关项目", "科技重大专项", "重点研发计划项目", "新建产业创新联合实验室",
                     "研发型企业/研发中心", "典型应用场景", "未来之鹰企业", "市级产业创新中心", "省工程研究中心",
                     "省企业技术中心", "标志性成果", "全国重点实验室"):  # fmt: skip
        assert expected in names
    labs = value_of(2025, "joint_labs")
    assert labs.value == 1  # the 2024 lab does not count for 2025
    assert labs.progress == pytest.approx(33.3)
    major = value_of(2025, "major_projects")
    assert major.value == 2  # two projects, three tranches
    assert services.monthly(2025, major.target) == [0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2]
    assert value_of(2025, "national_key_labs").target.baseline


def test_expected_progress_follows_the_calendar() -> None:
    assert services.expected_share(2025, datetime.date(2026, 3, 1)) == 100.0
    assert services.expected_share(2027, datetime.date(2026, 3, 1)) == 0.0
    assert services.expected_share(2026, datetime.date(2026, 7, 2)) == pytest.approx(50.1, abs=0.2)


def test_numbers_drill_down_to_their_records(world: World, records: None) -> None:
    client = client_for(world, "staff")
    page = client.get("/targets/2025/major_projects/").content.decode()
    assert world.projects["a_public"].title in page
    assert world.projects["b_public"].title in page
    by_month = client.get("/targets/2025/major_projects/?month=6").content.decode()
    assert world.projects["a_public"].title in by_month
    assert world.projects["b_public"].title not in by_month  # first paid in September
    by_district = client.get("/targets/2025/joint_labs/?district=jiangan").content.decode()
    assert "智能网联测试联合实验室" in by_district
    assert "智能网联测试联合实验室" not in client.get("/targets/2025/joint_labs/?district=wuchang").content.decode()  # fmt: skip
    dashboard = client.get("/targets/?year=2025")
    chart = dashboard.context["chart"]
    assert {t["key"] for t in chart["targets"]} == {t.key for t in definitions.targets_for(2025)}
    funnel_url = chart["funnels"][1]["steps"][0]["url"]
    assert client.get(funnel_url).status_code == 200
    assert 'id="chart-data"' in dashboard.content.decode()


def test_the_dashboard_follows_a_new_record_and_a_typed_figure_at_once(world: World, records: None) -> None:  # fmt: skip
    client = client_for(world, "staff")

    def shown(key: str) -> float:  # the chart data the page carries (rendered once per state)
        page = client.get("/targets/?year=2025").content.decode()
        chart = json.loads(re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', page)[1])  # type: ignore[index]  # fmt: skip
        return next(t["value"] for t in chart["targets"] if t["key"] == key)

    assert shown("major_projects") == 2
    assert shown("major_projects") == 2  # served again without recounting
    FundingTranche.objects.create(project=world.projects["a_draft"], amount=Decimal(100), source="major", date=datetime.date(2025, 6, 1))  # fmt: skip
    assert shown("major_projects") == 3
    client.post("/targets/2025/innovation_centres/manual/", {"value": "5", "source": "市发改委认定", "as_of": "2025-12-20"})  # fmt: skip
    assert shown("innovation_centres") == 5


def test_staff_share_the_rendered_figures_but_each_form_carries_its_own_csrf_token(world: World, records: None) -> None:  # fmt: skip
    """The table and charts are rendered once for every staff member; the manual figures' forms
    below them are not, so a second member's save is not refused as a forgery."""
    from django.test import Client

    from innobridge.core.roles import Role
    from tests.conftest import make_user

    colleague = make_user("staff2", Role.STAFF, is_staff=True)
    first = client_for(world, "staff")
    second = Client(enforce_csrf_checks=True)
    second.force_login(colleague)
    first_page = first.get("/targets/?year=2025").content.decode()
    second_page = second.get("/targets/?year=2025").content.decode()
    figures = re.compile(r'<table class="list responsive" id="targets">.*?</table>', re.S)
    assert figures.search(first_page)[0] == figures.search(second_page)[0]  # type: ignore[index]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', second_page)[1]  # type: ignore[index]
    response = second.post(
        "/targets/2025/innovation_centres/manual/",
        {
            "csrfmiddlewaretoken": token,
            "value": "3",
            "source": "市发改委认定",
            "as_of": "2025-12-20",
        },
    )
    assert response.status_code == 302
    assert value_of(2025, "innovation_centres").value == 3


def test_manual_figures_are_staff_typed_with_source_and_history(world: World) -> None:
    client = client_for(world, "staff")
    client.post("/targets/2025/innovation_centres/manual/", {"value": "4", "source": "市发展改革委2025年第二批认定", "as_of": "2025-12-20"})  # fmt: skip
    figure = value_of(2025, "innovation_centres")
    assert (figure.value, figure.progress, figure.source) == (Decimal(4), 100.0, "市发展改革委2025年第二批认定")  # fmt: skip
    response = client.post("/targets/2025/major_projects/manual/", {"value": "9", "source": "x"})
    assert response.status_code == 302
    assert value_of(2025, "major_projects").value == 0  # computed targets cannot be typed over
    from innobridge.targets.models import ManualFigure

    assert ManualFigure.history.count() == 1


@pytest.mark.parametrize("role", ["anonymous", "manager", "member_a", "expert", "investor"])
def test_only_staff_see_targets(world: World, role: str) -> None:
    client = client_for(world, role)
    for url in ("/targets/", "/targets/2025/joint_labs/", "/targets/reports/", "/targets/2025/funnels/projects/selected/"):  # fmt: skip
        assert client.get(url).status_code in (302, 403)
    public = client.get("/api/targets/?year=2025").json()["targets"]
    assert {t["key"] for t in public} == {t.key for t in definitions.targets_for(2025) if t.public}
    assert "major_projects" not in {t["key"] for t in public}  # not marked public


def test_api_gives_the_big_screen_every_target(world: World, records: None) -> None:
    body = client_for(world, "staff").get("/api/targets/?year=2025").json()
    assert body["year"] == 2025
    labs = next(t for t in body["targets"] if t["key"] == "joint_labs")
    assert (labs["value"], labs["number"], labs["manual"]) == (1.0, 3.0, False)
    assert len(body["targets"]) == len(definitions.targets_for(2025))


def test_reports_are_generated_in_the_background_with_charts(world: World, records: None, media: Any, django_capture_on_commit_callbacks: Any) -> None:  # fmt: skip
    client = client_for(world, "staff")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/targets/reports/", {"kind": "monthly", "year": "2025", "month": "6"})
    report = Report.objects.get()
    assert (report.status, report.progress) == (Report.Status.DONE, 100)
    workbook = load_workbook(io.BytesIO(client.get(f"/targets/reports/{report.pk}/xlsx/").getvalue()))  # fmt: skip
    sheet = workbook.worksheets[0]
    assert sheet._charts  # the progress chart is in the file
    names = [row[0] for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert "新建产业创新联合实验室" in names
    from pypdf import PdfReader

    pdf = client.get(f"/targets/reports/{report.pk}/pdf/")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.getvalue())).pages)
    assert "新建产业创新联合实验室" in text
    assert "2025年6月" in text
    page = client.get("/targets/reports/").content.decode()
    assert "2025年6月科技创新工作月报" in page
    bad = client.post("/targets/reports/", {"kind": "monthly", "year": "2025", "month": ""})
    assert bad.status_code == 302
    assert Report.objects.count() == 1


def test_a_broken_targets_file_names_the_problem(tmp_path: Path, monkeypatch: Any) -> None:
    (tmp_path / "2031.yaml").write_text(
        "year: 2031\ntargets:\n  - {key: a, name: 甲, number: 1, formula: {metric: nonsense}}\n", encoding="utf-8"
    )  # fmt: skip
    monkeypatch.setattr(definitions, "DATA", tmp_path)
    definitions.targets_for.cache_clear()
    try:
        with pytest.raises(definitions.TargetFileError, match="unknown metric 'nonsense'"):
            definitions.targets_for(2031)
    finally:
        definitions.targets_for.cache_clear()
    assert json.dumps([t.key for t in definitions.targets_for(2025)])


def test_joint_lab_page_lists_member_projects_the_viewer_may_see(world: World) -> None:
    from innobridge.orgs.models import JointLabMember

    lab = JointLab.objects.create(name="高功率激光测试联合实验室", lead=world.org_a, field="laser", founded=datetime.date(2025, 2, 1))  # fmt: skip
    JointLabMember.objects.create(lab=lab, organization=world.org_a, role="lead")
    JointLabMember.objects.create(lab=lab, organization=world.org_b, role="core")
    staff = client_for(world, "staff").get(f"/labs/{lab.pk}/").content.decode()
    assert world.projects["b_draft"].title in staff
    member = client_for(world, "member_a").get(f"/labs/{lab.pk}/").content.decode()
    assert world.projects["a_draft"].title in member  # own organization's draft
    assert world.projects["b_draft"].title not in member  # another organization's draft
    assert world.projects["b_public"].title in member
    anonymous = client_for(world, "anonymous").get(f"/labs/{lab.pk}/").content.decode()
    assert world.projects["b_public"].title not in anonymous  # projects need a login
    assert "高功率激光测试联合实验室" in anonymous


def test_each_formula_counts_hand_made_fixtures(world: World) -> None:
    from innobridge.cultivation.models import CohortMember, EnterpriseProfile, TierEvaluation
    from innobridge.demands.models import DemandList, DemandListItem, ScenarioDemand
    from innobridge.projects.models import Call, Submission, TransformationOutcome
    from innobridge.review.models import ReviewItem, ReviewRound

    # 规上高新技术企业: enterprises holding the certificate (not the ones with another one)
    EnterpriseProfile.objects.create(organization=world.org_a, certificates=["high_tech", "srdi"])
    EnterpriseProfile.objects.create(organization=world.org_b, certificates=["tsme"])
    # 颠覆性技术攻关: selected in a 2025 disruptive-technology call (not in another call)
    for title in ("2025 颠覆性技术创新大赛", "2025 成果转化征集"):
        call = Call.objects.create(title=title, year=2025, opens=datetime.date(2025, 3, 1), deadline=datetime.date(2025, 5, 1))  # fmt: skip
        stage = ReviewRound.objects.create(call=call, name="总决赛")
        submission = Submission.objects.create(call=call, project=world.projects["a_public"], status="selected")  # fmt: skip
        ReviewItem.objects.create(round=stage, submission=submission, decision="select", decided=datetime.datetime(2025, 9, 20, tzinfo=datetime.UTC))  # fmt: skip
    # 研发型企业 (roster) and 未来之鹰 (cohort of the year)
    TierEvaluation.objects.create(organization=world.org_a, year=2025, rosters=["rd_enterprise", "future_eagle"], programs=[], rules_year=2025, rules_digest="test")  # fmt: skip
    TierEvaluation.objects.create(organization=world.org_b, year=2024, rosters=["rd_enterprise"], programs=[], rules_year=2024, rules_digest="test")  # fmt: skip
    CohortMember.objects.create(roster="future_eagle", cohort_year=2025, organization=world.org_b)
    CohortMember.objects.create(roster="future_eagle", cohort_year=2024, organization=world.org_a)
    # 典型应用场景: scenario demands in a published 2025 list (a technology demand does not count)
    published = DemandList.objects.create(title="2025年第一批清单", year=2025, published=True)
    draft_list = DemandList.objects.create(title="2025年第二批清单", year=2025, published=False)
    ScenarioDemand.objects.filter(pk=world.demands["a_public"].pk).update(demand_type="scenario")
    ScenarioDemand.objects.filter(pk=world.demands["b_public"].pk).update(demand_type="technology")
    DemandListItem.objects.create(demand_list=published, demand=world.demands["a_public"], number=1)
    DemandListItem.objects.create(demand_list=published, demand=world.demands["b_public"], number=2)
    DemandListItem.objects.create(
        demand_list=draft_list, demand=world.demands["a_internal"], number=1
    )
    # 标志性成果: outcomes of at least 1,000 (万元) in the year
    for amount, day in ((Decimal(1500), datetime.date(2025, 6, 1)), (Decimal(300), datetime.date(2025, 6, 1)), (Decimal(5000), datetime.date(2024, 6, 1))):  # fmt: skip
        TransformationOutcome.objects.create(project=world.projects["a_public"], type="licence", counterparty="武汉测试公司", amount=amount, date=day)  # fmt: skip
    counts = {v.target.key: v.value for v in services.values(2025)}
    assert counts["hightech_enterprises"] == 1
    assert counts["disruptive_projects"] == 1
    assert counts["rd_enterprises"] == 1
    assert counts["future_eagles"] == 1
    assert counts["scenarios"] == 1
    assert counts["landmark_results"] == 1
