"""The command line: import/export by the Excel engine, and the demo loader's guard rails."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from innobridge.orgs.models import Organization
from innobridge.projects.models import TechProject
from tests.conftest import World
from tests.core.test_excel import PROJECT_HEADER, workbook_bytes


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_import_checks_without_commit_and_writes_with_it(world: World, tmp_path: Path) -> None:
    path = tmp_path / "项目.xlsx"
    path.write_bytes(workbook_bytes([PROJECT_HEADER,
        ["命令行导入的激光雷达光源项目", world.org_a.name, "", "激光", 6, "", "", "面向车载激光雷达的1550nm光源。"]]))  # fmt: skip
    before = TechProject.objects.count()
    assert "全部通过校验" in run("import_xlsx", "projects", str(path), "--user", "staff")
    assert TechProject.objects.count() == before
    assert "已导入 1 行" in run("import_xlsx", "projects", str(path), "--user", "staff", "--commit")
    assert TechProject.objects.count() == before + 1


def test_import_prints_the_row_report_and_fails(world: World, tmp_path: Path) -> None:
    path = tmp_path / "坏.xlsx"
    path.write_bytes(
        workbook_bytes([PROJECT_HEADER, ["", world.org_a.name, "", "激光", 0, "", "", "x"]])
    )
    out = io.StringIO()
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command(
            "import_xlsx", "projects", str(path), "--user", "staff", "--commit", stdout=out
        )
    assert "第2行\t项目名称\t必填" in out.getvalue()
    assert "第2行\t技术成熟度\t应在1到9之间" in out.getvalue()
    (tmp_path / "a.csv").write_text("a,b")
    with pytest.raises(CommandError, match="只支持 Excel"):
        call_command("import_xlsx", "projects", str(tmp_path / "a.csv"), "--user", "staff")
    with pytest.raises(CommandError, match="用户不存在"):
        call_command("import_xlsx", "projects", str(path), "--user", "nobody")


def test_export_respects_the_user(world: World, tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    run("export_xlsx", "projects", str(path), "--user", "investor")
    rows = list(load_workbook(path).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert sorted(r[0] for r in rows) == sorted(
        world.projects[k].title for k in ("a_public", "b_public")
    )
    run("export_xlsx", "orgs", str(path), "--template")
    assert load_workbook(path).worksheets[0]["A1"].value == "单位名称*"


@pytest.mark.django_db
def test_demo_command_loads_once_and_resets_on_request() -> None:
    assert "演示账号" in run("demo")
    count = Organization.objects.count()
    assert "跳过" in run("demo", "--if-empty")
    with pytest.raises(CommandError, match="--reset"):
        call_command("demo", stdout=io.StringIO())
    run("demo", "--reset", "--seed", "2025")
    assert Organization.objects.count() == count


def test_index_rebuild_writes_vectors_that_matching_then_uses(
    world: World, tmp_path: Path, settings
) -> None:  # type: ignore[no-untyped-def]
    from innobridge.core.matching import index_for, vectors_path

    settings.DATA_DIR = tmp_path
    assert "条记录已编码" in run("index", "rebuild", "projects")
    assert vectors_path("projects").exists()
    assert index_for("projects").vectors is not None  # dense retrieval is now on
    assert "跳过" in run("index", "rebuild", "projects", "--if-missing")


def test_index_rebuild_without_names_does_all_and_refuses_unknown(
    world: World, tmp_path: Path, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path
    out = run("index", "rebuild", "--if-missing")
    assert "projects:" in out
    assert "demands:" in out
    with pytest.raises(CommandError, match="unknown index"):
        call_command("index", "rebuild", "labs", stdout=io.StringIO())
