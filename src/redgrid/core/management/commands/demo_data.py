import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "生成演示数据：广文街道（默认）或整个奎文区（--scale district，用于基准测试）；可重复运行，不会重复生成"

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["street", "district", "tiny"], default="street")

    def handle(self, *args, scale, **options):
        if not settings.DEMO_MODE:
            raise CommandError("演示数据只能在演示/测试模式下生成（设置 REDGRID_ENV=demo）")
        from redgrid import demo

        started = time.monotonic()
        kwargs = {"scale": "street" if scale == "tiny" else scale, "log": self.stdout.write}
        if scale == "tiny":
            # A small street for tests: same shape, fewer rows.
            kwargs.update(grids_per_community=2, households=(12, 16), members_per_grid=9, tiny=True)
        demo.run(**kwargs)
        self.stdout.write(self.style.SUCCESS(f"演示数据就绪（{time.monotonic() - started:.1f} 秒）"))
        from redgrid.demo.accounts import ACCOUNTS

        self.stdout.write(f"演示账号（密码 {settings.DEMO_PASSWORD}）：")
        for username, display, _, what in ACCOUNTS:
            self.stdout.write(f"  {username:<11} {display}  —  {what}")
