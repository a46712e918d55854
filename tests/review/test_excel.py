"""The expert pool comes from Excel (row-by-row report, idempotent), rankings go to Excel."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import override_settings
from openpyxl import load_workbook

from innobridge.orgs.models import Person
from innobridge.review import services
from innobridge.review.models import ReviewAssignment
from tests.conftest import World, client_for
from tests.core.test_excel import upload, workbook_bytes
from tests.review.conftest import Contest
from tests.review.test_review_rules import entered

HEADER = [
    "姓名*",
    "任职单位*",
    "职称/职务",
    "专业领域",
    "其他熟悉领域",
    "研究方向关键词",
    "电子邮箱",
]


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Any) -> Any:
    with override_settings(DATA_DIR=tmp_path):
        yield tmp_path


def test_expert_pool_imports_with_a_row_report_and_updates_on_reimport(world: World) -> None:
    rows = [HEADER,
            ["周立新", world.org_a.name, "教授", "激光", "高端装备与数控、新材料", "超快激光，精密加工", "zhou@example.cn"],
            ["吴海燕", "不存在的大学", "研究员", "人工智能", "", "大模型", ""],
            ["", world.org_b.name, "高工", "激光", "", "激光清洗", ""]]  # fmt: skip
    client = client_for(world, "staff")
    report = upload(client, "experts", workbook_bytes(rows)).context["report"]
    assert sorted(issue.row for issue in report.issues) == [3, 4]
    assert not Person.objects.filter(name="周立新").exists()  # nothing saved until all rows pass
    response = upload(client, "experts", workbook_bytes(rows[:2]))
    client.post("/excel/experts/import/confirm/", {"token": response.context["token"], "action": "confirm"})  # fmt: skip
    expert = Person.objects.get(name="周立新")
    assert expert.is_expert
    assert expert.expert_profile.other_fields == ["equipment", "materials"]
    assert list(expert.memberships.values_list("organization_id", flat=True)) == [world.org_a.pk]
    again = upload(client, "experts", workbook_bytes([HEADER, ["周立新", world.org_a.name, "二级教授", "激光", "", "超快激光", ""]]))  # fmt: skip
    client.post("/excel/experts/import/confirm/", {"token": again.context["token"], "action": "confirm"})  # fmt: skip
    assert Person.objects.filter(name="周立新").count() == 1
    assert Person.objects.get(name="周立新").title == "二级教授"
    for role in ("member_a", "expert", "investor"):
        assert client_for(world, role).get("/excel/experts/import/").status_code == 403
        exported = client_for(world, role).get("/excel/experts/export/")
        if exported.status_code == 200:
            sheet = load_workbook(io.BytesIO(exported.content)).active
            assert sheet.max_row == 1  # headers only: the pool is staff's


def test_ranking_exports_with_scores_for_staff(world: World, contest: Contest) -> None:
    first, item_a, _item_b = entered(world, contest)
    services.propose(actor=world.users["staff"], round=first)
    services.start_review(actor=world.users["staff"], round=first)
    full = {"颠覆性": 90, "可行性": 80, "影响力": 70, "团队": 60, "市场": 50}
    task = ReviewAssignment.objects.filter(item=item_a).first()
    assert task is not None
    services.save_review(actor=task.expert.user, assignment=task, scores=full, comment="方案扎实", submit=True)  # fmt: skip
    response = client_for(world, "staff").get(f"/review/rounds/{first.pk}/ranking/?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:3] == ["排名", "领域内排名", "项目"]
    scored = [row for row in rows if row[5] == task.expert.name]
    assert len(scored) == 1
    assert 73.5 in scored[0]
    assert "方案扎实" in scored[0]
