"""Cultivation pages, API, Excel and cohorts: what each role sees and what staff can change."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import override_settings
from openpyxl import load_workbook

from innobridge.cultivation import services
from innobridge.cultivation.models import (
    CohortMember,
    EnterpriseProfile,
    EnterpriseYearRecord,
    TierEvaluation,
)
from innobridge.cultivation.rules_files import rules_file_for
from tests.conftest import World, client_for
from tests.core.test_excel import upload, workbook_bytes

STAFF_PAGES = [
    "/cultivation/",
    "/cultivation/watchlist/",
    "/cultivation/rules/",
    "/cultivation/program/hnte/",
    "/cultivation/roster/yumiao/",
    "/cultivation/tier/%E7%9E%AA%E7%BE%9A/",
]
OTHERS = ["manager", "member_a", "expert", "investor"]


def figures(revenue: float, **extra: Any) -> dict[str, Any]:
    values = {
        "revenue": revenue, "main_revenue": revenue * 0.9, "hitech_revenue": revenue * 0.8,
        "rd_expense": revenue * 0.08, "rd_expense_in_china": revenue * 0.08,
        "total_cost": revenue * 0.8, "profit": revenue * 0.1, "employees": 80, "st_staff": 30,
        "rd_staff": 20, "assets": revenue * 1.2, "liabilities": revenue * 0.4, "ip_class1": 1,
        "ip_class2": 4, "conversions": 2, "equity_financing": 0, "valuation_musd": 40,
    }  # fmt: skip
    values.update(extra)
    return {k: Decimal(str(round(v, 2))) if k not in ("employees", "st_staff", "rd_staff", "ip_class1", "ip_class2", "conversions") else v for k, v in values.items()}  # fmt: skip


@pytest.fixture
def data_dir(tmp_path: Any) -> Any:
    with override_settings(DATA_DIR=tmp_path):
        yield tmp_path


@pytest.fixture
def firms(world: World, data_dir: Any) -> World:
    """org_a grows 20% a year from 1,000万 (a gazelle); org_b grows 19.9% (just short)."""
    for org, last in ((world.org_a, 1440), (world.org_b, 1437.6)):
        org.founded = datetime.date(2017, 5, 1)
        org.field = "laser"
        org.save()
        EnterpriseProfile.objects.create(
            organization=org, registered_in_wuhan=True, listed=False, major_incident=False,
            dishonest=False, abnormal=False, innovation_expert_score=62,
        )  # fmt: skip
        for year, revenue in ((2022, 1000), (2023, 1200), (2024, last)):
            EnterpriseYearRecord.objects.create(organization=org, year=year, **figures(revenue))
    services.evaluations_refresh(force=True)
    return world


def test_staff_see_the_ladder_and_every_list(firms: World) -> None:
    client = client_for(firms, "staff")
    for url in STAFF_PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
    html = client.get("/cultivation/").content.decode()
    assert "育苗 → 跃升 → 瞪羚 → 引领" in html
    assert TierEvaluation.objects.get(organization=firms.org_a, year=2025).tier == "瞪羚"
    assert TierEvaluation.objects.get(organization=firms.org_b, year=2025).tier == "跃升"
    gazelles = client.get("/cultivation/tier/%E7%9E%AA%E7%BE%9A/?year=2025").content.decode()
    assert firms.org_a.name in gazelles
    assert firms.org_b.name not in gazelles


@pytest.mark.parametrize("role", OTHERS)
def test_other_roles_cannot_open_the_lists(firms: World, role: str) -> None:
    client = client_for(firms, role)
    for url in STAFF_PAGES:
        assert client.get(url).status_code == 403, url
    assert client.get("/api/cultivation/ladder").status_code == 403


def test_anonymous_is_sent_to_login(firms: World) -> None:
    response = client_for(firms, "anonymous").get("/cultivation/")
    assert response.status_code == 302
    assert "/account/login/" in response["Location"]


def test_watchlist_names_what_the_near_miss_lacks(firms: World) -> None:
    client = client_for(firms, "staff")
    html = client.get("/cultivation/watchlist/?year=2025&target=tier:瞪羚").content.decode()
    assert firms.org_b.name in html
    assert "近三年营业收入复合增长率 19.9% &lt; 20%" in html
    assert firms.org_a.name not in html  # already a gazelle
    sheet = load_workbook(__import__("io").BytesIO(client.get("/cultivation/watchlist/?year=2025&format=xlsx").content)).active  # fmt: skip
    assert any(row[0] == firms.org_b.name for row in sheet.iter_rows(values_only=True))


def test_enterprise_page_shows_every_condition_with_its_reason(firms: World) -> None:
    html = (
        client_for(firms, "staff")
        .get(f"/cultivation/enterprise/{firms.org_a.pk}/")
        .content.decode()
    )
    assert "培育画像" in html
    assert "近三年营业收入复合增长率 20% ≥ 20%" in html
    assert "近三年研发费用占营业收入比例 8% ≥ 5%（上年收入 ≤ 5000万元）" in html
    assert "瞪羚" in html
    assert "2022" in html


@pytest.mark.parametrize(
    ("role", "own", "other"),
    [("staff", 200, 200), ("member_a", 200, 404), ("member_b", 404, 200),
     ("manager", 404, 404), ("expert", 404, 404), ("investor", 404, 404)],
)  # fmt: skip
def test_who_sees_an_enterprise_portrait(firms: World, role: str, own: int, other: int) -> None:
    client = client_for(firms, role)
    assert client.get(f"/cultivation/enterprise/{firms.org_a.pk}/").status_code == own
    assert client.get(f"/cultivation/enterprise/{firms.org_b.pk}/").status_code == other
    assert client.get(f"/api/cultivation/enterprises/{firms.org_a.pk}/evaluation").status_code == own  # fmt: skip
    assert client.get(f"/api/cultivation/enterprises/{firms.org_a.pk}/years").status_code == own


def test_api_evaluation_is_the_command_format(firms: World) -> None:
    data = client_for(firms, "member_a").get(f"/api/cultivation/enterprises/{firms.org_a.pk}/evaluation?year=2025").json()  # fmt: skip
    assert data["tier"] == "瞪羚"
    assert data["programs"]["gazelle"]["qualifies"] is True
    ladder = client_for(firms, "staff").get("/api/cultivation/ladder?year=2025").json()
    assert ladder["tiers"]["瞪羚"] == 1
    assert ladder["programs"]["gazelle"] == 1


def test_figures_export_is_filtered_by_role(firms: World) -> None:
    def names(role: str) -> set[str]:
        content = client_for(firms, role).get("/excel/enterprise_years/export/").content
        rows = list(load_workbook(__import__("io").BytesIO(content)).active.iter_rows(values_only=True))[1:]  # fmt: skip
        return {row[0] for row in rows}

    assert names("staff") == {firms.org_a.name, firms.org_b.name}
    assert names("member_a") == {firms.org_a.name}
    assert names("investor") == set()


def test_staff_edit_of_a_year_re_evaluates(firms: World, django_capture_on_commit_callbacks: Any) -> None:  # fmt: skip
    client = client_for(firms, "staff")
    url = f"/cultivation/enterprise/{firms.org_b.pk}/year/2024/"
    form = client.get(url).context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data["revenue"] = "1440"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302
    assert TierEvaluation.objects.get(organization=firms.org_b, year=2025).tier == "瞪羚"


def test_inconsistent_figures_are_refused_with_a_reason(firms: World) -> None:
    client = client_for(firms, "staff")
    url = f"/cultivation/enterprise/{firms.org_b.pk}/year/2024/"
    form = client.get(url).context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data["st_staff"] = "500"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "科技人员数不能超过职工总数" in response.content.decode()
    assert EnterpriseYearRecord.objects.get(organization=firms.org_b, year=2024).st_staff == 30
    assert client_for(firms, "member_b").get(url).status_code == 403


def test_excel_import_of_figures_reports_rows_then_writes_and_evaluates(firms: World, django_capture_on_commit_callbacks: Any) -> None:  # fmt: skip
    client = client_for(firms, "staff")
    header = ["企业名称*", "年度*", "营业收入（万元）", "职工总数", "科技人员数"]
    bad = [header, [firms.org_b.name, 2021, 900, 70, 25], [firms.org_b.name, "去年", 1, 1, 1],
           ["不存在的企业", 2021, 1, 1, 1], [firms.org_b.name, 2020, 100, 10, 20]]  # fmt: skip
    response = upload(client, "enterprise_years", workbook_bytes(bad))
    issues = {(i.row, i.column): i.message for i in response.context["report"].issues}
    assert "整数" in issues[(3, "年度")]
    assert "不存在的企业" in issues[(4, "企业名称")]
    assert "科技人员数不能超过职工总数" in issues[(5, "科技人员数")]
    assert not EnterpriseYearRecord.objects.filter(year__in=(2020, 2021)).exists()
    good = [header, [firms.org_b.name, 2021, 900, 70, 25], [firms.org_a.name, 2024, 1300, 85, 30]]
    response = upload(client, "enterprise_years", workbook_bytes(good))
    assert response.context["report"].ok
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/excel/enterprise_years/import/confirm/", {"token": response.context["token"]})  # fmt: skip
    updated = EnterpriseYearRecord.objects.get(organization=firms.org_a, year=2024)
    assert updated.revenue == Decimal("1300.00")
    assert updated.rd_expense == Decimal("115.20")
    assert EnterpriseYearRecord.objects.filter(organization=firms.org_b, year=2021).exists()
    # 1,000 → 1,300 over two years is 14% a year: no longer a gazelle once committed
    assert TierEvaluation.objects.get(organization=firms.org_a, year=2025).tier == "跃升"


def test_cohort_selection_checks_eligibility_and_reasons(firms: World) -> None:
    client = client_for(firms, "staff")
    url = "/cultivation/roster/yumiao/?year=2025"
    response = client.post(url, {"organization": [firms.org_a.pk]}, follow=True)
    assert "不符合条件" in response.content.decode()  # founded 2017: not a 育苗 start-up
    assert not CohortMember.objects.exists()
    firms.org_a.founded = datetime.date(2021, 3, 1)
    firms.org_a.save()
    services.evaluations_refresh(force=True)
    response = client.post(url, {"organization": [firms.org_a.pk]}, follow=True)
    assert "已入选 1 家企业" in response.content.decode()
    member = CohortMember.objects.get()
    response = client.post(url, {"remove": member.pk, "reason": ""}, follow=True)
    assert "请填写移出原因" in response.content.decode()
    client.post(url, {"remove": member.pk, "reason": "企业迁出武汉"})
    assert not CohortMember.objects.exists()


def test_edited_rules_file_re_evaluates_on_the_next_visit(firms: World, data_dir: Any) -> None:
    override = data_dir / "rules"
    override.mkdir()
    text = rules_file_for(2025).read_text(encoding="utf-8")
    text = text.replace("metric: revenue_cagr_3y, op: \">=\", value: 0.20}", "metric: revenue_cagr_3y, op: \">=\", value: 0.19}", 1)  # fmt: skip
    (override / "2025.yaml").write_text(text, encoding="utf-8")
    client_for(firms, "staff").get("/cultivation/?year=2025")
    assert TierEvaluation.objects.get(organization=firms.org_b, year=2025).tier == "瞪羚"


def test_english_cultivation_pages_have_no_chinese_left(firms: World) -> None:
    import re

    from tests.core.test_i18n import CJK

    client = client_for(firms, "staff")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    for url in [*STAFF_PAGES, f"/cultivation/enterprise/{firms.org_a.pk}/", f"/cultivation/enterprise/{firms.org_b.pk}/year/2024/"]:  # fmt: skip
        html = client.get(url).content.decode()
        html = re.sub(r'<select id="language-select".*?</select>', "", html, flags=re.S)
        html = re.sub(r'(value|href|action)="[^"]*"', "", html)  # codes and links, not text
        for name in (firms.org_a.name, firms.org_b.name):
            html = html.replace(name, "")
        leftovers = sorted(set(CJK.findall(html)))
        assert not leftovers, (url, leftovers)


def test_profile_sheet_import_sets_certificates_and_flags(firms: World, django_capture_on_commit_callbacks: Any) -> None:  # fmt: skip
    client = client_for(firms, "staff")
    rows = [["企业名称*", "资质", "列入严重失信名单", "在汉注册"],
            [firms.org_b.name, "高新技术企业证书、科技型中小企业入库", "否", "是"],
            [firms.org_a.name, "不存在的证书", "也许", ""]]  # fmt: skip
    response = upload(client, "enterprise_profiles", workbook_bytes(rows))
    issues = {(i.row, i.column): i.message for i in response.context["report"].issues}
    assert "“不存在的证书”不是有效选项" in issues[(3, "资质")]
    assert "应填写“是”或“否”" in issues[(3, "列入严重失信名单")]
    response = upload(client, "enterprise_profiles", workbook_bytes(rows[:2]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/excel/enterprise_profiles/import/confirm/", {"token": response.context["token"]})  # fmt: skip
    profile = EnterpriseProfile.objects.get(organization=firms.org_b)
    assert profile.certificates == ["high_tech", "tsme"]
    assert profile.innovation_expert_score == 62  # an empty column keeps what was there
