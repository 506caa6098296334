from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from redgrid.assessment.hotspots import run_warnings


class Command(BaseCommand):
    help = "未诉先办预警：检测各社区近 7 天增长异常的诉求主题并生成主动治理任务（每社区每周每主题最多一条）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--at", default="", help="以此时刻为“现在”检测（ISO 格式，如 2026-07-01T09:00），默认当前时间"
        )

    def handle(self, *args, **options):
        now = timezone.now()
        if options["at"]:
            try:
                now = datetime.fromisoformat(options["at"])
            except ValueError as exc:
                raise CommandError("--at 应为 ISO 格式的时间") from exc
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        stats = run_warnings(now)
        self.stdout.write(
            f"检测社区 {stats['communities']} 个（有 8 周以上历史的），发现增长异常主题 {stats['bursts']} 个，"
            f"新生成任务 {stats['raised']} 条"
        )
