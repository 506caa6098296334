from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from redgrid.assessment.allocation import refresh_profiles
from redgrid.assessment.hotspots import compute_all


class Command(BaseCommand):
    help = "每月一题：重算各街道、社区某月的高频问题（默认本月）；--profiles 同时刷新网格人口画像"

    def add_arguments(self, parser):
        parser.add_argument("--month", default="", help="月份 YYYY-MM，默认本月")
        parser.add_argument(
            "--profiles", action="store_true", help="同时刷新网格人口画像（资源配置、大屏用）"
        )

    def handle(self, *args, **options):
        month = timezone.localdate().replace(day=1)
        if options["month"]:
            try:
                year, m = (int(x) for x in options["month"].split("-"))
                month = date(year, m, 1)
            except ValueError as exc:
                raise CommandError("--month 应为 YYYY-MM") from exc
        if options["profiles"]:
            self.stdout.write(f"网格人口画像：{refresh_profiles()} 个网格")
        n = compute_all(month)
        self.stdout.write(f"{month:%Y-%m} 每月一题：共 {n} 个问题")
