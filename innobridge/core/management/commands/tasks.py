"""``innobridge tasks pending|resend``: the outbox of background tasks kept while Redis was down.

``pending`` lists what waits; ``resend`` sends it to the workers now (exit code 1 when Redis
still does not answer and something is left). Workers also send it at start-up and every minute.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from innobridge.core.models import PendingTask
from innobridge.core.tasks import resend_pending


class Command(BaseCommand):
    help = "Show or send the background tasks kept in the outbox while Redis was unreachable."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("pending", help="list the tasks waiting in the outbox")
        sub.add_parser("resend", help="send the waiting tasks to the workers now")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "pending":
            for task in PendingTask.objects.order_by("pk"):
                self.stdout.write(
                    f"{task.pk}\t{task.created:%Y-%m-%d %H:%M:%S}\t{task.name}\t{task.args}\t"
                    f"{task.attempts}\t{task.last_error}"
                )
            self.stdout.write(f"待发送任务：{PendingTask.objects.count()} 个")
            return
        if not settings.REDIS_URL:
            raise CommandError("REDIS_URL is not set: there is no broker to send tasks to.")
        sent = resend_pending()
        left = PendingTask.objects.count()
        self.stdout.write(f"已发送 {sent} 个任务，剩余 {left} 个")
        if left:
            raise CommandError("Redis 仍不可用，剩余任务稍后由后台进程（innobridge worker）发送。")
