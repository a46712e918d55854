"""Upload → preview → confirm for Excel imports: the file waits in the data dir between steps."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from innobridge.core.errors import ApplicationError
from innobridge.core.excel import ImportReport, check_upload, run_import, spec_for


def pending_dir() -> Path:
    path = Path(settings.DATA_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stage_upload(*, entity: str, upload: UploadedFile[Any], user: Any) -> tuple[str, ImportReport]:
    """Check the file, keep it under a random token, and return the dry-run report."""
    spec = spec_for(entity)
    head = upload.read(8)
    upload.seek(0)
    check_upload(upload.name or "", upload.size or 0, head, settings.MAX_UPLOAD_BYTES)
    token = secrets.token_hex(16)
    path = pending_dir() / f"{token}.xlsx"
    with path.open("wb") as target:
        for chunk in upload.chunks():
            target.write(chunk)
    meta = {"entity": entity, "user_id": user.pk, "name": upload.name}
    (pending_dir() / f"{token}.json").write_text(json.dumps(meta), encoding="utf-8")
    try:
        with path.open("rb") as stream:
            report = run_import(spec, stream, actor=user, commit=False)
    except ApplicationError:
        discard(token)
        raise
    if not report.ok:
        discard(token)
    return token, report


def confirm_upload(*, token: str, entity: str, user: Any) -> ImportReport:
    """Run the staged import for real; every row is kept, or none."""
    if not token.isalnum() or len(token) != 32:
        raise ApplicationError(_("导入批次无效，请重新上传文件。"))
    meta_path = pending_dir() / f"{token}.json"
    path = pending_dir() / f"{token}.xlsx"
    if not meta_path.exists() or not path.exists():
        raise ApplicationError(_("导入批次已失效（可能已确认或已取消），请重新上传文件。"))
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta["user_id"] != user.pk or meta["entity"] != entity:
        raise ApplicationError(_("导入批次无效，请重新上传文件。"))
    try:
        with path.open("rb") as stream:
            return run_import(spec_for(entity), stream, actor=user, commit=True)
    finally:
        discard(token)


def discard(token: str) -> None:
    if not token.isalnum():
        return
    for suffix in (".xlsx", ".json"):
        (pending_dir() / f"{token}{suffix}").unlink(missing_ok=True)
