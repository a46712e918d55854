"""Backup and restore (备份与恢复): one ``.tar.gz`` holding every table, the uploaded files, the
match index files and a manifest; a restore checks it all before it replaces anything, at once.

Archive layout::

    db/<app_label>.<model_name>.jsonl   one JSON object per row, in primary-key order
                                        (Django's serializer; datetimes keep their microseconds)
    media/…                             settings.MEDIA_ROOT (uploaded attachments, reports)
    index/…                             DATA_DIR/index (the match engine's vector files)
    rules/…                             DATA_DIR/rules (officials' edited tier rules), if any
    manifest.json                       last member: format version, creation time, migration
                                        state per app, rows per table, SHA-256 and size per member

The rows are written through Django's serializers, not pg_dump, so a backup taken on SQLite
restores into PostgreSQL and back. The snapshot is one read transaction (REPEATABLE READ on
PostgreSQL, a WAL read snapshot on SQLite), and the files are read after it, so every file a
row refers to is in the archive. Sessions are left out on purpose: a restore signs everyone out
rather than bring back sessions that were ended since the backup.

Restore replaces every row in one transaction (raw ``DELETE`` per table, then inserts that skip
``Model.save`` and the signals; that is also how the append-only audit log gets its rows back —
its model refuses updates and deletes, the restore is the one documented exception) and records a
``restore`` audit event in the same transaction. The directories are extracted next to the live
ones and swapped in by renames just before the commit; the old ones are removed only after it.
Stop the web server and the workers while restoring (they would write into what is replaced).
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import shutil
import stat
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.models import Model
from django.utils import timezone

FORMAT = "innobridge-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
# Recreated by ``migrate`` in every database; they do not make a database "non-empty".
BOOKKEEPING = {"contenttypes.contenttype", "auth.permission", "sessions.session"}
EXCLUDED = {"sessions.session"}  # see the module docstring
SKIPPED_SUFFIXES = (".tmp", ".tmp.npz", ".lock", ".partial")  # in-flight index writes, lock files
CHUNK = 1 << 20


class BackupError(Exception):
    """A readable reason (Chinese, then English) why a backup or restore did not happen."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def directories() -> dict[str, Path]:
    """The file trees a backup carries, by their name in the archive."""
    data = Path(settings.DATA_DIR)
    return {"media": Path(settings.MEDIA_ROOT), "index": data / "index", "rules": data / "rules"}


def backed_up_models() -> list[type[Model]]:
    """Every table of every installed app (auto-created M2M tables and history tables too)."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped:
            continue
        if not router.allow_migrate_model(DEFAULT_DB_ALIAS, model):
            continue
        if meta.label_lower not in EXCLUDED:
            found.append(model)
    return sorted(found, key=lambda model: model._meta.label_lower)


def migration_state() -> dict[str, list[str]]:
    """The migrations applied to the database, per app (only those the code knows)."""
    loader = MigrationLoader(connections[DEFAULT_DB_ALIAS], ignore_no_migrations=True)
    state: dict[str, list[str]] = {}
    for app_label, name in sorted(set(loader.graph.nodes) & set(loader.applied_migrations)):
        state.setdefault(app_label, []).append(name)
    return state


def code_migration_state() -> dict[str, list[str]]:
    """Every migration of the current code, per app: what a fully migrated database has."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    state: dict[str, list[str]] = {}
    for app_label, name in sorted(loader.graph.nodes):
        state.setdefault(app_label, []).append(name)
    return state


class _PreciseEncoder(DjangoJSONEncoder):
    """Django's encoder cuts datetimes to milliseconds; a backup keeps every microsecond."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime | time):
            return o.isoformat()
        return super().default(o)


class _HashingReader:
    """Reads a file for ``tarfile`` and hashes exactly the bytes that went into the archive."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(size)
        self.sha256.update(chunk)
        return chunk


# --- backup -------------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    tables: int
    rows: int
    files: dict[str, int]
    size: int


@contextmanager
def _snapshot() -> Iterator[None]:
    """One consistent read of the whole database."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.in_atomic_block:  # already inside a transaction (a test): read in it
        yield
        return
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    elif connection.vendor == "sqlite":
        # The settings begin transactions IMMEDIATE, which would hold every writer back for the
        # whole backup; a DEFERRED one reads a WAL snapshot and lets them go on.
        sqlite: Any = connection
        mode = sqlite.transaction_mode
        sqlite.transaction_mode = "DEFERRED"
        try:
            with transaction.atomic():
                sqlite.transaction_mode = mode
                yield
        finally:
            sqlite.transaction_mode = mode
    else:
        with transaction.atomic():
            yield


def _dump_table(model: type[Model], target: Path) -> int:
    """Write one table as JSON lines in primary-key order, streamed; returns the row count."""
    # local fields only: M2M rows are in their own (auto-created) tables
    names = [f.name for f in model._meta.local_fields if getattr(f, "serialize", False)]
    queryset = model._base_manager.using(DEFAULT_DB_ALIAS).order_by("pk")
    rows = 0

    def counted() -> Iterator[Model]:
        nonlocal rows
        for obj in queryset.iterator(chunk_size=2000):
            rows += 1
            yield obj

    with target.open("w", encoding="utf-8") as stream:
        serializers.serialize("jsonl", counted(), stream=stream, fields=names, cls=_PreciseEncoder)
    return rows


def _dump_database(folder: Path) -> list[dict[str, Any]]:
    tables = []
    with _snapshot():
        for model in backed_up_models():
            meta = model._meta
            rows = _dump_table(model, folder / f"{meta.label_lower}.jsonl")
            tables.append({"model": meta.label_lower, "table": meta.db_table, "rows": rows, "member": f"db/{meta.label_lower}.jsonl"})  # fmt: skip
    return tables


def _files(root: Path) -> Iterator[tuple[str, Path]]:
    """Regular files under ``root`` (relative POSIX name, path), sorted; symlinks are skipped."""
    if not root.is_dir():
        return
    for folder, subfolders, names in os.walk(root):
        subfolders.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file() or name.endswith(SKIPPED_SUFFIXES):
                continue
            yield path.relative_to(root).as_posix(), path


def default_name(now: datetime | None = None) -> str:
    moment = timezone.localtime(now or timezone.now())
    return f"innobridge-backup-{moment:%Y%m%d-%H%M%S}.tar.gz"


def create_backup(out: Path | None = None) -> BackupResult:
    """Write the archive to ``out`` (a file, or a directory for the default name)."""
    target = Path(out) if out is not None else Path.cwd()
    if target.is_dir():
        target = target / default_name()
    if target.exists():
        raise BackupError(f"文件已存在，未覆盖：{target} · The file already exists and was not overwritten: {target}.")  # fmt: skip
    if not target.parent.is_dir():
        raise BackupError(f"目录不存在：{target.parent} · No such directory: {target.parent}.")
    created = datetime.now(tz=UTC)
    partial = target.with_name(f".{target.name}.partial")
    members: dict[str, dict[str, Any]] = {}
    counts: dict[str, int] = {}

    def add(archive: tarfile.TarFile, name: str, path: Path) -> None:
        info = archive.gettarinfo(str(path), arcname=name)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        with path.open("rb") as stream:
            reader = _HashingReader(stream)
            archive.addfile(info, reader)
        members[name] = {"sha256": reader.sha256.hexdigest(), "size": info.size}

    try:
        with tempfile.TemporaryDirectory(prefix="innobridge-backup-") as scratch:
            tables = _dump_database(Path(scratch))
            state = migration_state()
            partial.touch(mode=0o600)  # it holds password hashes: readable by its owner only
            with tarfile.open(partial, "w:gz", format=tarfile.PAX_FORMAT) as archive:
                for table in tables:
                    add(archive, table["member"], Path(scratch) / table["member"].split("/")[1])
                for label, root in directories().items():
                    counts[label] = 0
                    for relative, path in _files(root):
                        add(archive, f"{label}/{relative}", path)
                        counts[label] += 1
                manifest = {
                    "format": FORMAT, "format_version": FORMAT_VERSION,
                    "created_at": created.isoformat(), "version": _version(),
                    "database": {"vendor": connections[DEFAULT_DB_ALIAS].vendor, "tables": tables},
                    "migrations": state, "files": counts, "members": members,
                }  # fmt: skip
                data = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(created.timestamp()), 0o644
                archive.addfile(info, _BytesReader(data))
        partial.replace(target)  # the final name never shows a half-written archive
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    rows = sum(table["rows"] for table in tables)
    return BackupResult(target, len(tables), rows, counts, target.stat().st_size)


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self.data, self.offset = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.offset + size
        chunk, self.offset = self.data[self.offset : end], min(end, len(self.data))
        return chunk


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("innobridge")
    except PackageNotFoundError:
        return ""


# --- restore ------------------------------------------------------------------------------


@dataclass
class _Swap:
    """One live directory and the restored copy that replaces it."""

    live: Path
    staged: Path
    old: Path | None = None
    moved_out: bool = False
    moved_in: bool = False

    def swap_in(self) -> None:
        if not self.live.exists() and not any(self.staged.iterdir()):
            return  # nothing there before, nothing in the backup: leave no empty folder
        # mkdtemp made the staged folder private (0700); it takes over the live folder's mode
        mode = stat.S_IMODE(self.live.stat().st_mode) if self.live.exists() else 0o755
        self.staged.chmod(mode)
        if self.live.exists():
            self.old = self.live.with_name(f".{self.live.name}.old-{os.getpid()}-{id(self):x}")
            self.live.rename(self.old)
            self.moved_out = True
        self.staged.rename(self.live)
        self.moved_in = True

    def swap_back(self) -> None:
        if self.moved_in:
            self.live.rename(self.staged)
            self.moved_in = False
        if self.moved_out and self.old is not None:
            self.old.rename(self.live)
            self.moved_out = False

    def finish(self) -> None:
        if self.old is not None and self.moved_out:
            shutil.rmtree(self.old, ignore_errors=True)

    def discard(self) -> None:
        if not self.moved_in:
            shutil.rmtree(self.staged, ignore_errors=True)


@dataclass
class RestoreResult:
    created_at: str
    tables: int
    rows: int
    files: dict[str, int] = field(default_factory=dict)


@dataclass
class _Staged:
    manifest: dict[str, Any]
    db: Path
    swaps: list[_Swap]


def _bad_archive(path: Path, why: str) -> BackupError:
    return BackupError(f"不是有效的科创桥备份文件（{path}）：{why} · Not a valid Innobridge backup ({path}): {why}.")  # fmt: skip


def _member_name(raw: str, roots: set[str]) -> str | None:
    """The member's safe relative name, or None when it must not be extracted."""
    name = PurePosixPath(raw)
    parts = name.parts
    if name.is_absolute() or not parts or any(part in ("", ".", "..") for part in parts):
        return None
    if parts == (MANIFEST,):
        return MANIFEST
    if parts[0] == "db" and len(parts) == 2 and parts[1].endswith(".jsonl"):
        return name.as_posix()
    if parts[0] in roots and len(parts) >= 2:
        return name.as_posix()
    return None


def _extract(path: Path, scratch: Path, swaps: dict[str, _Swap]) -> tuple[bytes, dict[str, tuple[str, int]]]:  # fmt: skip
    """Stream the archive into the staging folders; the manifest bytes and each member's hash."""
    seen: dict[str, tuple[str, int]] = {}
    manifest = None
    try:
        with tarfile.open(path, "r|gz") as archive:
            for member in archive:
                if member.isdir():
                    continue
                name = _member_name(member.name, set(swaps))
                if name is None or not member.isfile():
                    raise _bad_archive(path, f"不允许的成员 disallowed member {member.name!r}")
                if name in seen or (name == MANIFEST and manifest is not None):
                    raise _bad_archive(path, f"重复的成员 duplicate member {name!r}")
                source = archive.extractfile(member)
                assert source is not None  # noqa: S101 - a regular file always has content
                if name == MANIFEST:
                    manifest = source.read()
                    continue
                top, rest = name.split("/", 1)
                target = scratch / rest if top == "db" else swaps[top].staged / rest
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with target.open("wb") as stream:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        stream.write(chunk)
                os.utime(target, (member.mtime, member.mtime))
                seen[name] = (digest.hexdigest(), member.size)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise _bad_archive(path, f"无法读取或解压 cannot be read or extracted: {error}") from None
    if manifest is None:
        raise _bad_archive(path, f"缺少 missing {MANIFEST}")
    return manifest, seen


def _verify(path: Path, raw: bytes, seen: dict[str, tuple[str, int]]) -> dict[str, Any]:
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _bad_archive(path, f"{MANIFEST} 无法解析 cannot be parsed") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _bad_archive(path, f"{MANIFEST} 不是科创桥备份清单 is not an Innobridge manifest")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise BackupError(
            f"备份格式版本 {version} 与本程序支持的版本 {FORMAT_VERSION} 不同，请使用生成该备份的科创桥版本恢复"
            f" · The backup format version {version} differs from the supported {FORMAT_VERSION}:"
            " restore it with the Innobridge version that made it."
        )  # fmt: skip
    listed: dict[str, Any] = manifest.get("members") or {}
    for name in sorted(set(listed) | set(seen)):
        if name not in seen:
            raise BackupError(f"备份文件不完整：缺少 {name} · The backup is incomplete: {name} is missing.")  # fmt: skip
        if name not in listed:
            raise BackupError(f"备份文件含清单外的成员 {name}（文件被修改过） · The backup holds {name}, which its manifest does not list (the file was modified).")  # fmt: skip
        if (listed[name].get("sha256"), listed[name].get("size")) != seen[name]:
            raise BackupError(f"备份文件校验失败：{name} 的 SHA-256 校验值不符（文件已损坏或被修改），未做任何更改 · Backup check failed: the SHA-256 checksum of {name} does not match (the file is damaged or was modified); nothing was changed.")  # fmt: skip
    return manifest


def _check_migrations(manifest: dict[str, Any]) -> None:
    code = code_migration_state()
    current = migration_state()
    if current != code:
        missing = sorted(f"{app}.{name}" for app, names in code.items() for name in names if name not in current.get(app, []))  # fmt: skip
        raise BackupError(
            f"当前数据库尚未迁移到最新（缺少 {', '.join(missing[:5])}），请先运行 innobridge migrate，再恢复"
            f" · The database is not fully migrated (missing {', '.join(missing[:5])}):"
            " run `innobridge migrate` first, then restore."
        )  # fmt: skip
    backup = {app: list(names) for app, names in (manifest.get("migrations") or {}).items()}
    if backup == code:
        return
    differences = []
    for app in sorted(set(backup) | set(code)):
        extra = sorted(set(backup.get(app, [])) - set(code.get(app, [])))
        lacking = sorted(set(code.get(app, [])) - set(backup.get(app, [])))
        if extra or lacking:
            differences.append(
                f"{app}: " + "; ".join(
                    [*(["备份多出 only in the backup " + ", ".join(extra)] if extra else []),
                     *(["备份缺少 missing from the backup " + ", ".join(lacking)] if lacking else [])]
                )
            )  # fmt: skip
    raise BackupError(
        "备份时的数据库迁移状态与当前代码不一致，未做任何更改。请使用生成该备份的科创桥版本恢复，"
        "然后升级并运行 innobridge migrate · The backup's migration state differs from this code's;"
        " nothing was changed. Restore it with the Innobridge version that made it, then upgrade"
        " and run `innobridge migrate`.\n  " + "\n  ".join(differences)
    )  # fmt: skip


def _check_tables(manifest: dict[str, Any], path: Path) -> list[tuple[type[Model], dict[str, Any]]]:
    tables = (manifest.get("database") or {}).get("tables") or []
    models = {model._meta.label_lower: model for model in backed_up_models()}
    pairs = []
    for table in tables:
        model = models.pop(str(table.get("model")), None)
        if model is None:
            raise _bad_archive(path, f"未知或重复的数据表 unknown or repeated table {table.get('model')!r}")  # fmt: skip
        if table.get("member") != f"db/{model._meta.label_lower}.jsonl":
            raise _bad_archive(path, f"数据表 {table.get('model')} 的成员名不符 wrong member name")
        pairs.append((model, table))
    if models:
        raise _bad_archive(path, f"缺少数据表 missing tables {', '.join(sorted(models))}")
    return pairs


def database_is_empty() -> bool:
    """No rows but what ``migrate`` creates by itself (content types, permissions)."""
    for model in backed_up_models():
        if model._meta.label_lower in BOOKKEEPING:
            continue
        if model._base_manager.using(DEFAULT_DB_ALIAS).exists():
            return False
    return True


def _load_table(model: type[Model], source: Path) -> int:
    connection = connections[DEFAULT_DB_ALIAS]
    fields = list(model._meta.local_concrete_fields)
    manager = model._base_manager.using(DEFAULT_DB_ALIAS)
    rows = 0
    batch: list[Model] = []

    def flush() -> None:
        size = max(1, connection.ops.bulk_batch_size(fields, batch))
        for start in range(0, len(batch), size):
            # raw: values exactly as stored (no auto_now, no upload_to); no save(), no signals
            manager._insert(batch[start : start + size], fields=fields, using=DEFAULT_DB_ALIAS, raw=True)  # type: ignore[attr-defined]  # fmt: skip
        batch.clear()

    with source.open(encoding="utf-8") as stream:
        for item in serializers.deserialize("jsonl", stream, using=DEFAULT_DB_ALIAS):
            if type(item.object) is not model:
                raise DeserializationError(f"{type(item.object).__name__} row in {model._meta.label_lower}")  # fmt: skip
            batch.append(item.object)
            rows += 1
            if len(batch) >= 1000:
                flush()
    if batch:
        flush()
    return rows


def _replace_rows(pairs: list[tuple[type[Model], dict[str, Any]]], db: Path) -> int:
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    from django.contrib.sessions.models import Session

    # Foreign keys are DEFERRABLE INITIALLY DEFERRED (SQLite and PostgreSQL), so the order of
    # deletes and inserts does not matter inside the transaction; they are checked at the end.
    with connection.cursor() as cursor:
        tables: list[type[Model]] = [*(model for model, _table in pairs), Session]
        for model in tables:
            # raw SQL: bypasses AuditEvent.delete (append-only) — the one sanctioned exception
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")  # noqa: S608 - a model's own table name, quoted
    rows = 0
    for model, table in pairs:
        count = _load_table(model, db / f"{model._meta.label_lower}.jsonl")
        if count != table.get("rows"):
            raise DeserializationError(f"{model._meta.label_lower}: {count} rows, manifest says {table.get('rows')}")  # fmt: skip
        rows += count
    statements = connection.ops.sequence_reset_sql(no_style(), [model for model, _table in pairs])
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    connection.check_constraints()
    return rows


def _stage(path: Path, scratch: Path) -> _Staged:
    swaps: dict[str, _Swap] = {}
    try:
        for label, live in directories().items():
            live = live.resolve()
            live.parent.mkdir(parents=True, exist_ok=True)
            staged = Path(tempfile.mkdtemp(prefix=f".{live.name}.restore-", dir=live.parent))
            swaps[label] = _Swap(live, staged)
        raw, seen = _extract(path, scratch, swaps)
        manifest = _verify(path, raw, seen)
    except BaseException:
        for swap in swaps.values():
            swap.discard()
        raise
    return _Staged(manifest, scratch, list(swaps.values()))


def restore_backup(path: Path, *, force: bool = False) -> RestoreResult:
    """Check the archive, then replace every row and the file trees, all or nothing."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"文件不存在：{path} · No such file: {path}.")
    with tempfile.TemporaryDirectory(prefix="innobridge-restore-") as scratch:
        staged = _stage(path, Path(scratch))
        try:
            _check_migrations(staged.manifest)
            pairs = _check_tables(staged.manifest, path)
            if not force and not database_is_empty():
                raise BackupError(
                    "数据库中已有数据，未做任何更改。如确定要用备份替换全部现有数据，请加 --force"
                    " · The database already holds data; nothing was changed. Add --force to"
                    " replace all of it with the backup."
                )  # fmt: skip
            rows = _commit(staged, pairs, path)
        finally:
            for swap in staged.swaps:
                swap.discard()
    _forget_caches()
    files = {k: int(v) for k, v in (staged.manifest.get("files") or {}).items()}
    return RestoreResult(str(staged.manifest.get("created_at", "")), len(pairs), rows, files)


def _commit(staged: _Staged, pairs: list[tuple[type[Model], dict[str, Any]]], path: Path) -> int:
    from innobridge.core import audit

    try:
        with transaction.atomic():
            rows = _replace_rows(pairs, staged.db)
            audit.record(
                "restore", username=_os_user(), target=path.name,
                detail=f"备份时间 backup of {staged.manifest.get('created_at', '')}; {rows} rows",
            )  # fmt: skip
            for swap in staged.swaps:  # last, so a failure above never touches the files
                swap.swap_in()
    except BaseException as error:
        for swap in reversed(staged.swaps):
            with suppress(OSError):
                swap.swap_back()
        if isinstance(error, DeserializationError | DatabaseError | OSError | ValueError | LookupError):  # fmt: skip
            raise BackupError(
                f"恢复失败，数据库和文件均未改变：{error}"
                f" · The restore failed and changed nothing (database and files as before): {error}."
            ) from error
        raise
    for swap in staged.swaps:
        swap.finish()
    return rows


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return ""


def _forget_caches() -> None:
    from django.contrib.contenttypes.models import ContentType

    from innobridge.core import matching

    ContentType.objects.clear_cache()
    with matching._lock:
        matching._cache.clear()
