"""``innobridge restore PATH [--force]``: replace the database, the uploaded files and the match
index with a backup — checked first (checksums, format, migration state), then all at once.

Without ``--force`` an existing database with data is left alone. Any failure changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from innobridge.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a backup made by `innobridge backup` (恢复); --force replaces existing data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--force", action="store_true", help="replace a database that already holds data"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = restore_backup(options["path"], force=options["force"])
        except BackupError as error:
            raise CommandError(error.message) from None
        files = "，".join(f"{label} {count}" for label, count in result.files.items())
        self.stdout.write(self.style.SUCCESS(f"已恢复 · restored: {options['path']}"))
        self.stdout.write(
            f"  备份时间 backup of {result.created_at}；{result.tables} 张表 tables，"
            f"{result.rows} 行 rows；文件 files：{files}"
        )
