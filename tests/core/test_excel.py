"""Excel import: template → upload → preview with a row report → confirm; bad files refused."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from openpyxl import Workbook, load_workbook

from innobridge.demands.models import ScenarioDemand
from innobridge.orgs.models import Organization
from innobridge.projects.models import TechProject
from tests.conftest import World, client_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_bytes(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client: Any, entity: str, content: bytes, name: str = "数据.xlsx") -> Any:
    return client.post(
        f"/excel/{entity}/import/", {"file": SimpleUploadedFile(name, content, content_type=XLSX)}
    )


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Any) -> Any:
    with override_settings(DATA_DIR=tmp_path):
        yield tmp_path


PROJECT_HEADER = [
    "项目名称*",
    "所属单位*",
    "类别",
    "技术领域*",
    "技术成熟度*",
    "项目负责人",
    "关键词",
    "项目简介*",
]


def test_template_has_the_headers_and_drop_downs(world: World) -> None:
    response = client_for(world, "staff").get("/excel/projects/template/")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:5] == PROJECT_HEADER[:5]
    assert "激光" in [c.value for c in workbook["选项"]["D"]]
    assert sheet.data_validations.dataValidation


def test_valid_file_previews_then_writes_on_confirm(world: World, data_dir: Any) -> None:
    client = client_for(world, "staff")
    rows = [PROJECT_HEADER,
            ["高功率半导体激光芯片封装技术", world.org_a.name, "科技成果", "激光", 6, "王工",
             "半导体激光器、封装", "面向工业泵浦源的高功率芯片封装工艺，热阻降低30%。"],
            ["红外焦平面探测器读出电路", world.org_b.uscc, "技术项目", "红外与智能感知", "5", "",
             "", "自主设计读出电路，噪声等效温差优于40mK。"]]  # fmt: skip
    before = TechProject.objects.count()
    response = upload(client, "projects", workbook_bytes(rows))
    html = response.content.decode()
    assert "全部通过校验" in html
    assert TechProject.objects.count() == before  # the preview writes nothing
    token = response.context["token"]
    response = client.post("/excel/projects/import/confirm/", {"token": token, "action": "confirm"})
    assert response.status_code == 302
    assert TechProject.objects.count() == before + 2
    chip = TechProject.objects.get(title="高功率半导体激光芯片封装技术")
    assert (chip.owner, chip.field, chip.trl, chip.kind) == (world.org_a, "laser", 6, "result")
    assert chip.keywords == "半导体激光器，封装"
    assert chip.history.first().history_user == world.users["staff"]
    assert not list(data_dir.joinpath("imports").iterdir())  # the staged file is gone
    # the same token cannot be replayed
    response = client.post("/excel/projects/import/confirm/", {"token": token, "action": "confirm"})
    assert TechProject.objects.count() == before + 2


def test_bad_rows_get_a_row_level_report_and_nothing_is_written(world: World) -> None:
    client = client_for(world, "staff")
    rows = [PROJECT_HEADER,
            ["好的一行：激光清洗装备", world.org_a.name, "", "激光", 7, "", "", "可移动式激光清洗装备，效率提升3倍。"],
            ["", world.org_a.name, "", "激光", 7, "", "", "缺少名称的行"],
            ["成熟度越界的项目", world.org_a.name, "", "激光", 12, "", "", "技术成熟度填写错误的示例行。"],
            ["不存在单位的项目", "武汉不存在的公司", "", "激光", 5, "", "", "单位名称写错的示例行。"],
            ["领域写错的项目", world.org_a.name, "", "火箭", 5, "", "", "领域不在十五个领域中的示例行。"],
            ["好的一行：激光清洗装备", world.org_a.name, "", "激光", 7, "", "", "与第2行重复。"]]  # fmt: skip
    before = TechProject.objects.count()
    response = upload(client, "projects", workbook_bytes(rows))
    report = response.context["report"]
    issues = {(i.row, i.column): i.message for i in report.issues}
    assert "必填" in issues[(3, "项目名称")]
    assert "1到9" in issues[(4, "技术成熟度")]
    assert "武汉不存在的公司" in issues[(5, "所属单位")]
    assert "“火箭”不是有效选项" in issues[(6, "技术领域")]
    assert any(row == 7 and "同名" in message for (row, _c), message in issues.items())
    assert 2 not in {i.row for i in report.issues}
    assert response.context["token"] is None
    html = response.content.decode()
    assert "error-report" in html
    assert "没有写入任何数据" in html
    assert TechProject.objects.count() == before


def test_a_member_cannot_import_for_another_organization(world: World) -> None:
    client = client_for(world, "member_a")
    rows = [PROJECT_HEADER,
            ["本单位项目：激光打标", world.org_a.name, "", "激光", 7, "", "", "本单位的项目，应当通过校验。"],
            ["他人单位项目：激光焊接", world.org_b.name, "", "激光", 7, "", "", "冒用其他单位名义。"]]  # fmt: skip
    report = upload(client, "projects", workbook_bytes(rows)).context["report"]
    assert [(i.row, "本单位" in i.message) for i in report.issues] == [(3, True)]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "a.xlsx", "空文件"),
        (b"name,title\n1,2\n", "a.csv", "只支持 Excel .xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old xls", "a.xlsx", "不是 .xlsx 格式"),
        (b"PK\x03\x04broken zip", "a.xlsx", "已损坏"),
    ],
)
def test_unreadable_files_get_a_clear_message(
    world: World, content: bytes, name: str, message: str
) -> None:
    response = upload(client_for(world, "staff"), "projects", content, name)
    assert message in " ".join(response.context["form"].errors["file"])
    assert message in response.content.decode()
    assert response.context["report"] is None


def test_oversized_file_is_refused(world: World) -> None:
    with override_settings(MAX_UPLOAD_BYTES=1000):
        big = workbook_bytes([PROJECT_HEADER] + [["x" * 50] * 8 for _ in range(200)])
        response = upload(client_for(world, "staff"), "projects", big)
    assert "文件过大" in response.content.decode()


def test_empty_sheet_and_missing_columns_are_reported(world: World) -> None:
    client = client_for(world, "staff")
    assert (
        "没有数据行"
        in upload(client, "projects", workbook_bytes([PROJECT_HEADER])).content.decode()
    )
    html = upload(
        client, "projects", workbook_bytes([["项目名称", "备注"], ["a", "b"]])
    ).content.decode()
    assert "缺少必填列" in html
    assert "所属单位" in html


def test_english_headers_and_codes_are_accepted(world: World) -> None:
    rows = [["Name", "Type", "Unified social credit code"],
            ["Wuhan Photon Test Co., Ltd.", "enterprise", ""]]  # fmt: skip
    client = client_for(world, "staff")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = upload(client, "orgs", workbook_bytes(rows))
    assert response.context["report"].ok, response.context["report"].issues


def test_demand_import_and_export_round_trip(world: World) -> None:
    client = client_for(world, "staff")
    exported = client.get("/excel/demands/export/").content
    sheet = load_workbook(io.BytesIO(exported)).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    rows = [rows[0]] + [[f"{row[0]}（二期）", *row[1:]] for row in rows[1:]]
    before = ScenarioDemand.objects.count()
    response = upload(client, "demands", workbook_bytes(rows))
    assert response.context["report"].ok, response.context["report"].issues
    client.post(
        "/excel/demands/import/confirm/", {"token": response.context["token"], "action": "confirm"}
    )
    assert ScenarioDemand.objects.count() == before * 2


def test_investor_import_registers_unknown_institutions(world: World) -> None:
    rows = [["机构名称*", "机构类型*", "统一社会信用代码", "关注领域", "投资阶段", "单笔规模下限（万元）", "单笔规模上限（万元）"],
            ["武汉光谷测试天使基金", "创业投资（VC）", "", "激光、人工智能", "天使轮、A轮", 200, 2000],
            ["汉口测试银行", "银行", "", "集成电路与存储", "", "50", "100"],
            ["上下限颠倒的基金", "创业投资（VC）", "", "", "", 900, 100]]  # fmt: skip
    client = client_for(world, "staff")
    report = upload(client, "investors", workbook_bytes(rows)).context["report"]
    assert [(i.row, "上限不能小于下限" in i.message) for i in report.issues] == [(4, True)]
    assert not Organization.objects.filter(name="武汉光谷测试天使基金").exists()
    response = upload(client, "investors", workbook_bytes(rows[:3]))
    client.post("/excel/investors/import/confirm/", {"token": response.context["token"]})
    bank = Organization.objects.get(name="汉口测试银行")
    assert bank.kind == "financial"
    assert bank.investor_profile.preferred_fields == ["ic"]
    fund = Organization.objects.get(name="武汉光谷测试天使基金").investor_profile
    assert (fund.preferred_fields, fund.preferred_stages) == (["laser", "ai"], ["angel", "a"])


def test_roles_without_import_rights_are_refused(world: World) -> None:
    for role in ("expert", "investor"):
        assert client_for(world, role).get("/excel/projects/import/").status_code == 403
    assert client_for(world, "member_a").get("/excel/orgs/import/").status_code == 403
