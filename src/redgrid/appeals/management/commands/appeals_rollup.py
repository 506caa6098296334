import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from redgrid.appeals import rollup


class Command(BaseCommand):
    help = "诉求指标日汇总：--rebuild 由原始记录重算（可用 --since 只重算某日起的部分），--check 只核对不写入"

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="由事件、派遣任务、评价记录重算日汇总")
        parser.add_argument("--since", default="", help="只重算此日期（YYYY-MM-DD）及以后的日汇总")
        parser.add_argument("--check", action="store_true", help="核对日汇总与原始记录是否一致（不写入）")

    def handle(self, *args, **options):
        if options["rebuild"] == options["check"]:
            raise CommandError("请指定 --rebuild 或 --check 之一")
        since = None
        if options["since"]:
            if options["check"]:
                raise CommandError("--since 只用于 --rebuild")
            try:
                since = date.fromisoformat(options["since"])
            except ValueError as exc:
                raise CommandError("--since 应为 YYYY-MM-DD 格式的日期") from exc
        started = time.perf_counter()
        if options["check"]:
            self._check()
        else:
            stats = rollup.rebuild(since=since)
            scope = f"{since.isoformat()} 起" if since else "全部"
            self.stdout.write(
                f"已重算{scope}日汇总：读取诉求 {stats['appeals']} 件，写入日汇总 {stats['rows']} 行、"
                f"跨日修正 {stats['lag_rows']} 行（{time.perf_counter() - started:.1f} 秒）"
            )

    def _check(self):
        stored, expected = rollup.stored_rows(), rollup.expected_rows()
        wrong = sum(
            len(set(s) ^ set(e)) + sum(1 for k in s.keys() & e.keys() if s[k] != e[k])
            for s, e in zip(stored, expected, strict=True)
        )
        if wrong:
            raise CommandError(f"日汇总与原始记录不一致：{wrong} 行不同，请运行 appeals_rollup --rebuild")
        self.stdout.write(
            f"日汇总与原始记录一致（{len(expected[0])} 行日汇总，{len(expected[1])} 行跨日修正）"
        )
