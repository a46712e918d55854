"""Backup and restore: every table and every file comes back exactly; a bad archive, another
migration state or a failure half-way through changes nothing."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from collections.abc import Callable
from hashlib import sha256
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from innobridge.core import backup
from innobridge.core.models import AuditEvent
from innobridge.orgs.models import Organization
from tests.conftest import World
from tests.orgs.factories import OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def data_dir(tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("INNOBRIDGE_EMBEDDER", "none")
    data = tmp_path / "data"
    data.mkdir()
    settings.DATA_DIR = data
    settings.MEDIA_ROOT = data / "media"
    return data


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (auto-created M2M and history tables too), all columns."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.label_lower == "sessions.session":
            continue
        columns = [field.attname for field in meta.concrete_fields]
        tables[meta.label_lower] = list(model._base_manager.order_by("pk").values_list(*columns))
    return tables


def files(root: Path) -> dict[str, bytes]:
    if not root.exists():
        return {}
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def write_files(data: Path) -> None:
    (data / "media" / "attachments" / "2025").mkdir(parents=True)
    (data / "media" / "attachments" / "2025" / "项目计划书 v2.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)  # fmt: skip
    (data / "media" / "reports").mkdir()
    (data / "media" / "reports" / "月报.xlsx").write_bytes(b"PK\x03\x04" + b"\x00\xff" * 500)
    (data / "index").mkdir(exist_ok=True)  # the demo's own matching may have written tokens
    (data / "index" / "projects.npz").write_bytes(bytes(range(256)) * 64)
    (data / "index" / "demands.npz").write_bytes(b"\x93NUMPY" + b"\x01" * 999)
    (data / "rules").mkdir()
    (data / "rules" / "2025.yaml").write_text("# 本地修改的规则\nprograms: {}\n", encoding="utf-8")


def the_archive(folder: Path) -> Path:
    (archive,) = folder.glob("innobridge-backup-*.tar.gz")
    return archive


def leftovers(data: Path) -> list[str]:
    return sorted(p.name for p in data.iterdir() if p.name.startswith("."))


def add_rows_the_demo_leaves_empty() -> None:
    from django.contrib.admin.models import ADDITION, LogEntry
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from innobridge.core.models import ApiToken, Notification, NotificationSettings, hash_token

    user = get_user_model().objects.get(username="staff")
    user.user_permissions.add(Permission.objects.get(codename="view_organization"))
    ApiToken.objects.create(
        user=user, name="数据大屏脚本", key_hash=hash_token("ib_x"), hint="ib_x"
    )
    NotificationSettings.objects.create(user=user, delivery="immediate", followed_fields=["laser", "光电"])  # fmt: skip
    Notification.objects.create(user=user, kind="demand", title="新需求：激光焊接", body="正文", read=timezone.now())  # fmt: skip
    LogEntry.objects.create(
        user=user, content_type=ContentType.objects.get_for_model(Organization), object_id="1",
        object_repr="武汉", action_flag=ADDITION, change_message='[{"added": {}}]',
    )  # fmt: skip
    AuditEvent.objects.create(kind="login", username="staff", ip="2001:db8::1")
    session = SessionStore()
    session["who"] = "staff"
    session.create()

    from datetime import date
    from decimal import Decimal

    from innobridge.core.models import PendingTask
    from innobridge.orgs.models import Person
    from innobridge.projects.models import Submission, SubmissionAttachment, TechProject
    from innobridge.targets.models import ManualFigure, Report

    PendingTask.objects.create(name="innobridge.embed_records", args=["projects", [1, 2]])
    TechProject.objects.order_by("pk").first().team.add(Person.objects.order_by("pk").first())  # type: ignore[union-attr]  # fmt: skip
    submission = Submission.objects.order_by("pk").first()
    assert submission is not None
    submission.co_applicants.add(Organization.objects.order_by("-pk").first())
    SubmissionAttachment.objects.create(
        submission=submission, file="attachments/2025/项目计划书 v2.pdf", name="项目计划书 v2.pdf",
        kind="pdf", size=10249,
    )  # fmt: skip
    ManualFigure.objects.create(year=2025, key="rd_enterprises", value=Decimal("123.45"), source="统计局", as_of=date(2025, 6, 30), updated_by=user)  # fmt: skip
    Report.objects.create(
        kind="monthly", year=2025, month=6, status="done", xlsx="reports/月报.xlsx"
    )
    for model in apps.get_models():  # one change each, so every history table has rows
        history = getattr(model, "history", None)
        first = model._base_manager.order_by("pk").first()
        if history is not None and first is not None and not history.exists():
            first.save()


def test_round_trip_restores_every_table_and_file(data_dir: Path, tmp_path: Path) -> None:
    from innobridge.core.demo.loader import load_demo

    load_demo()
    add_rows_the_demo_leaves_empty()
    write_files(data_dir)
    before = snapshot()
    before_files = {name: files(root) for name, root in backup.directories().items()}
    empty = [label for label, rows in before.items() if not rows]
    assert len(before) > 80
    assert len(empty) <= 8, empty  # the data set reaches nearly every table

    out = tmp_path / "backups"
    out.mkdir()
    assert "备份已写入" in run("backup", "--out", str(out))
    archive = the_archive(out)
    assert archive.stat().st_mode & 0o077 == 0  # it holds password hashes
    with tarfile.open(archive) as opened:
        names = opened.getnames()
        manifest = json.load(opened.extractfile(backup.MANIFEST))  # type: ignore[arg-type]
    assert names[-1] == backup.MANIFEST
    assert "media/attachments/2025/项目计划书 v2.pdf" in names
    assert "index/projects.npz" in names
    assert manifest["format_version"] == backup.FORMAT_VERSION
    assert manifest["migrations"]["core"] == backup.code_migration_state()["core"]
    rows = {table["model"]: table["rows"] for table in manifest["database"]["tables"]}
    assert rows["orgs.organization"] == len(before["orgs.organization"])
    assert rows["auth.user_groups"] == len(before["auth.user_groups"]) > 0
    assert "sessions.session" not in rows

    call_command("flush", "--noinput")
    for root in backup.directories().values():
        shutil.rmtree(root)
    (data_dir / "media").mkdir()
    (data_dir / "media" / "after-the-backup.txt").write_text("不在备份里")

    media_mode = (data_dir / "media").stat().st_mode
    assert "已恢复" in run("restore", str(archive))
    assert (data_dir / "media").stat().st_mode == media_mode

    after = snapshot()
    restore_event = AuditEvent.objects.get(kind="restore")
    assert restore_event.target == archive.name
    after["core.auditevent"] = [row for row in after["core.auditevent"] if row[0] != restore_event.pk]  # fmt: skip
    assert after.keys() == before.keys()
    for label, rows_before in before.items():
        assert after[label] == rows_before, label
    for name, root in backup.directories().items():
        assert files(root) == before_files[name], name
    assert leftovers(data_dir) == []
    from django.contrib.sessions.models import Session

    assert not Session.objects.exists()  # a restore signs everyone out
    # sequences follow the restored rows: new records get fresh keys
    assert OrganizationFactory().pk > max(row[0] for row in before["orgs.organization"])
    AuditEvent.objects.create(kind="login", username="staff")


def rewrite(archive: Path, change: Callable[[dict[str, bytes]], None], *, fix_checksums: bool = True) -> Path:  # fmt: skip
    """A copy of the archive with members changed (and the manifest's checksums updated)."""
    with tarfile.open(archive) as opened:
        members = {m.name: opened.extractfile(m).read() for m in opened.getmembers() if m.isfile()}  # type: ignore[union-attr]  # fmt: skip
    change(members)
    manifest = json.loads(members.pop(backup.MANIFEST))
    if fix_checksums:
        manifest["members"] = {
            name: {"sha256": sha256(data).hexdigest(), "size": len(data)}
            for name, data in members.items()
        }
    members[backup.MANIFEST] = json.dumps(manifest, ensure_ascii=False).encode()
    target = archive.with_name("changed-" + archive.name)
    with tarfile.open(target, "w:gz", format=tarfile.PAX_FORMAT) as out:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return target


@pytest.fixture
def archive(world: World, data_dir: Path, tmp_path: Path) -> Path:
    write_files(data_dir)
    target = tmp_path / "world.tar.gz"
    run("backup", "--out", str(target))
    return target


def test_restore_refuses_a_database_with_data_unless_forced(archive: Path, data_dir: Path) -> None:  # fmt: skip
    with pytest.raises(CommandError, match="文件已存在"):
        run("backup", "--out", str(archive))
    OrganizationFactory(name="备份之后新增的单位")
    changed = snapshot()
    with pytest.raises(CommandError, match="--force"):
        run("restore", str(archive))
    assert snapshot() == changed
    run("restore", str(archive), "--force")
    assert not Organization.objects.filter(name="备份之后新增的单位").exists()


def test_restore_refuses_a_tampered_or_foreign_archive(archive: Path, data_dir: Path) -> None:
    def flip(members: dict[str, bytes]) -> None:
        members["db/orgs.organization.jsonl"] = members["db/orgs.organization.jsonl"].replace("甲".encode(), "丁".encode())  # fmt: skip

    call_command("flush", "--noinput")
    tampered = rewrite(archive, flip, fix_checksums=False)
    with pytest.raises(CommandError, match=r"SHA-256.*orgs\.organization|orgs\.organization.*SHA-256"):  # fmt: skip
        run("restore", str(tampered))
    missing = rewrite(archive, lambda m: m.pop("index/projects.npz"), fix_checksums=False)
    with pytest.raises(CommandError, match="缺少 index/projects.npz"):
        run("restore", str(missing))
    garbage = archive.with_name("garbage.tar.gz")
    garbage.write_bytes(b"not an archive at all")
    with pytest.raises(CommandError, match="不是有效的科创桥备份文件"):
        run("restore", str(garbage))
    with pytest.raises(CommandError, match="文件不存在"):
        run("restore", str(archive.with_name("nowhere.tar.gz")))
    assert not Organization.objects.exists()
    assert leftovers(data_dir) == []


def test_restore_refuses_another_migration_state(archive: Path, data_dir: Path) -> None:
    def older(members: dict[str, bytes]) -> None:
        manifest = json.loads(members[backup.MANIFEST])
        manifest["migrations"]["demands"] = manifest["migrations"]["demands"][:-1]
        manifest["migrations"]["core"].append("9999_from_the_future")
        members[backup.MANIFEST] = json.dumps(manifest).encode()

    call_command("flush", "--noinput")
    with pytest.raises(CommandError, match="迁移状态") as raised:
        run("restore", str(rewrite(archive, older)))
    message = str(raised.value)
    assert "9999_from_the_future" in message
    assert backup.code_migration_state()["demands"][-1] in message
    assert "innobridge migrate" in message
    assert not Organization.objects.exists()


def test_restore_refuses_another_format_version(archive: Path, data_dir: Path) -> None:
    def newer(members: dict[str, bytes]) -> None:
        manifest = json.loads(members[backup.MANIFEST])
        manifest["format_version"] = backup.FORMAT_VERSION + 1
        members[backup.MANIFEST] = json.dumps(manifest).encode()

    with pytest.raises(CommandError, match="格式版本"):
        run("restore", str(rewrite(archive, newer)), "--force")


def _dangling_owner(members: dict[str, bytes]) -> None:
    """A project owned by an organization that does not exist: caught only after every table
    has been deleted and reloaded, when the foreign keys are checked."""
    lines = members["db/projects.techproject.jsonl"].decode().splitlines()
    row = json.loads(lines[-1])
    row["fields"]["owner"] = 999_999
    lines[-1] = json.dumps(row, ensure_ascii=False)
    members["db/projects.techproject.jsonl"] = ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("failure", ["dangling_foreign_key", "duplicate_key", "rename_fails"])
def test_a_failure_half_way_changes_nothing(
    archive: Path, data_dir: Path, failure: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    OrganizationFactory(name="备份之后新增的单位")
    Organization.objects.filter(name__contains="甲").update(name="备份之后改名的单位")
    (data_dir / "media" / "after-the-backup.txt").write_text("备份之后上传")
    shutil.rmtree(data_dir / "rules")
    before = snapshot()
    before_files = {name: files(root) for name, root in backup.directories().items()}

    if failure == "dangling_foreign_key":
        broken = rewrite(archive, _dangling_owner)
    elif failure == "duplicate_key":

        def twice(members: dict[str, bytes]) -> None:
            rows = members["db/auth.user_groups.jsonl"]
            members["db/auth.user_groups.jsonl"] = rows + rows.splitlines(keepends=True)[0]

        broken = rewrite(archive, twice)
    else:
        broken = archive
        calls = []
        real = backup._Swap.swap_in

        def fail_on_the_second(self: backup._Swap) -> None:
            calls.append(self.live.name)
            if len(calls) == 2:
                raise OSError("disk full (simulated)")
            real(self)

        monkeypatch.setattr(backup._Swap, "swap_in", fail_on_the_second)

    with pytest.raises(CommandError, match="恢复失败") as raised:
        run("restore", str(broken), "--force")
    assert "changed nothing" in str(raised.value)
    assert snapshot() == before
    assert {name: files(root) for name, root in backup.directories().items()} == before_files
    assert not (data_dir / "rules").exists()
    assert leftovers(data_dir) == []
    assert not AuditEvent.objects.filter(kind="restore").exists()
