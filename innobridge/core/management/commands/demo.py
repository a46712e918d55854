"""``innobridge demo``: load the deterministic Wuhan demo dataset and print the demo logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from innobridge.core.demo.loader import (
    DEFAULT_SEED,
    DEMO_USERS,
    demo_password,
    load_demo,
    reset_demo,
)
from innobridge.orgs.models import Organization


class Command(BaseCommand):
    help = "Load the Chinese demo dataset (organizations, projects, demands, investors, labs)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--reset", action="store_true", help="delete existing data first")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when data already exists"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if Organization.objects.exists():
            if options["if_empty"]:
                self.stdout.write("数据库已有数据，跳过演示数据加载。")
                self.print_logins()
                return
            if not options["reset"]:
                raise CommandError(
                    "数据库已有数据。如需重新加载演示数据，请加 --reset（会删除现有数据）。"
                )
            reset_demo()
        counts = load_demo(seed=options["seed"])
        self.stdout.write(self.style.SUCCESS("演示数据已加载："))
        for name, value in counts.items():
            self.stdout.write(f"  {name}: {value}")
        self.print_logins()

    def print_logins(self) -> None:
        self.stdout.write(f"演示账号（密码均为 {demo_password()}）：")
        for user in DEMO_USERS:
            self.stdout.write(f"  {user.username:<11} {user.note}（{user.organization}）")
