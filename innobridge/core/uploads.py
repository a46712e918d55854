"""Attachments people upload (PDF, Word, images): checked by their content, not their name.

An upload is accepted only when its first bytes are those of a PDF, a Word document (.docx — a zip
holding ``word/document.xml`` — or the older .doc), a PNG or a JPEG, and it is not larger than
``MAX_UPLOAD_BYTES`` (20 MB). The stored name keeps the user's file name for display only.
"""

from __future__ import annotations

import zipfile
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from innobridge.core.errors import ApplicationError

KINDS = {"pdf": "PDF", "docx": "Word", "doc": "Word", "png": "PNG", "jpeg": "JPEG"}


def sniff(upload: Any) -> str:
    """The kind of an uploaded file from its content, or raise a readable error."""
    size = upload.size or 0
    if size == 0:
        raise ApplicationError(_("上传的文件是空的。"))
    if size > settings.MAX_UPLOAD_BYTES:
        raise ApplicationError(
            _("文件过大（%(size).1f MB），上限为 %(max)d MB。")
            % {"size": size / 1024 / 1024, "max": settings.MAX_UPLOAD_BYTES // 1024 // 1024}
        )
    head = upload.read(8)
    upload.seek(0)
    kind = None
    if head.startswith(b"%PDF-"):
        kind = "pdf"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "png"
    elif head.startswith(b"\xff\xd8\xff"):
        kind = "jpeg"
    elif head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        kind = "doc"
    elif head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                kind = "docx" if "word/document.xml" in archive.namelist() else None
        except zipfile.BadZipFile:
            kind = None
        upload.seek(0)
    if kind is None:
        raise ApplicationError(
            _("只接受 PDF、Word 或图片（PNG、JPEG）文件；“%(name)s”的内容不是这些格式。")
            % {"name": getattr(upload, "name", "")}
        )
    return kind
