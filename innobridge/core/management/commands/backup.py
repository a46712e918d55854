"""``innobridge backup [--out PATH]``: the whole database, the uploaded files and the match index
in one ``.tar.gz`` (``innobridge-backup-YYYYmmdd-HHMMSS.tar.gz`` in the current folder, or in
``--out`` when it is a folder). Layout and guarantees: ``innobridge/core/backup.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from innobridge.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Back up the database, uploaded files and match index into one archive (备份)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--out", type=Path, default=None, help="archive file, or a folder for the default name"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = create_backup(options["out"])
        except BackupError as error:
            raise CommandError(error.message) from None
        files = "，".join(f"{label} {count}" for label, count in result.files.items())
        self.stdout.write(self.style.SUCCESS(f"备份已写入 · backup written: {result.path}"))
        self.stdout.write(
            f"  {result.tables} 张表 tables，{result.rows} 行 rows；文件 files：{files}；"
            f"{result.size / 1_048_576:.1f} MB"
        )
