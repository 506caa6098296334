import time

from django.core.management.base import BaseCommand, CommandError

from redgrid.assessment import dash_rollup


class Command(BaseCommand):
    help = "大屏日汇总（受理、结案）：--rebuild 由诉求表重算，--check 只核对不写入"

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true")
        parser.add_argument("--check", action="store_true")

    def handle(self, *args, **options):
        if options["rebuild"] == options["check"]:
            raise CommandError("请指定 --rebuild 或 --check 之一")
        started = time.perf_counter()
        if options["rebuild"]:
            stats = dash_rollup.rebuild()
            self.stdout.write(
                f"已重算：诉求 {stats['appeals']} 件，日汇总 {stats['rows']} 行（{time.perf_counter() - started:.1f} 秒）"
            )
            return
        _facts, expected = dash_rollup.expected()
        stored = dash_rollup.stored_rows()
        diff = {k for k in set(expected) | set(stored) if expected.get(k) != stored.get(k)}
        if diff:
            raise CommandError(f"日汇总与诉求表不一致：{len(diff)} 行（用 --rebuild 修复）")
        self.stdout.write(f"一致：{len(stored)} 行")
