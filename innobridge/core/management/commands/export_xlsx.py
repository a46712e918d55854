"""``innobridge export_xlsx ENTITY FILE --user NAME``: what that user may see, as .xlsx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from innobridge.core.excel import SPECS, export_workbook, spec_for, template_workbook


class Command(BaseCommand):
    help = "Export organizations, projects, demands or investors to an .xlsx file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("entity", choices=sorted(SPECS))
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", help="username whose visibility applies")
        parser.add_argument("--template", action="store_true", help="write the empty template")

    def handle(self, *args: Any, **options: Any) -> None:
        spec = spec_for(options["entity"])
        if options["template"]:
            content = template_workbook(spec)
        else:
            if not options["user"]:
                raise CommandError("导出需要 --user（按该用户的可见范围导出）。")
            try:
                user = get_user_model().objects.get(username=options["user"])
            except get_user_model().DoesNotExist:
                raise CommandError(f"用户不存在：{options['user']}") from None
            content = export_workbook(spec, user=user, params={})
        options["file"].write_bytes(content)
        self.stdout.write(f"已写入 {options['file']}")
