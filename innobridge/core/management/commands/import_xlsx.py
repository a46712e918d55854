"""``innobridge import_xlsx ENTITY FILE --user NAME [--commit]``: check (and load) an Excel file.

Without ``--commit`` nothing is written; the row report is printed either way. Exit code 1
when any row is invalid (and then nothing is written, even with ``--commit``). Progress goes to
stderr; the rows are written in one transaction, so an import killed half-way keeps nothing
and can simply be run again.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from innobridge.core.errors import ApplicationError
from innobridge.core.excel import SPECS, check_upload, run_import, spec_for

PROGRESS_EVERY = 10


class Command(BaseCommand):
    help = "Import organizations, projects, demands or investors from an .xlsx file."

    def progress(self, rows: int) -> None:
        """Rows checked so far, on stderr (nothing is committed before the last one)."""
        if rows % PROGRESS_EVERY == 0:
            sys.stderr.write(f"\r已处理 {rows} 行")
            sys.stderr.flush()
            self.shown_progress = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("entity", choices=sorted(SPECS))
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="username whose rights apply")
        parser.add_argument("--commit", action="store_true", help="write when every row passes")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            user = get_user_model().objects.get(username=options["user"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"用户不存在：{options['user']}") from None
        try:
            with path.open("rb") as stream:
                check_upload(
                    path.name, path.stat().st_size, stream.read(8), settings.MAX_UPLOAD_BYTES
                )
                stream.seek(0)
                report = run_import(
                    spec_for(options["entity"]),
                    stream,
                    actor=user,
                    commit=options["commit"],
                    progress=self.progress,
                )
        except ApplicationError as error:
            raise CommandError(error.message) from None
        finally:
            if getattr(self, "shown_progress", False):
                sys.stderr.write("\n")
        for issue in report.issues:
            self.stdout.write(f"第{issue.row}行\t{issue.column or '-'}\t{issue.message}")
        if report.issues:
            raise CommandError(
                f"共 {report.total_rows} 行，{report.bad_rows} 行有错误，未写入任何数据。"
            )
        if report.committed:
            self.stdout.write(self.style.SUCCESS(f"已导入 {report.created} 行。"))
        else:
            self.stdout.write(
                f"共 {report.total_rows} 行，全部通过校验（未写入；加 --commit 写入）。"
            )
