import time

from django.core.management.base import BaseCommand, CommandError

from redgrid.assessment import rollup


class Command(BaseCommand):
    help = "考核指标日汇总：默认增量汇总各模块的新变化；--rebuild 由原始记录全部重算；--check 只核对不写入"

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="清空并由原始记录重算全部日汇总")
        parser.add_argument("--check", action="store_true", help="核对日汇总与原始记录是否一致（不写入）")

    def handle(self, *args, **options):
        if options["rebuild"] and options["check"]:
            raise CommandError("--rebuild 与 --check 不能同时使用")
        started = time.perf_counter()
        if options["check"]:
            return self._check()
        stats = rollup.rebuild() if options["rebuild"] else rollup.fold()
        what = "重算" if options["rebuild"] else "增量汇总"
        parts = "，".join(f"{name} {s['objects']} 个对象/{s['changed']} 个变化" for name, s in stats.items())
        self.stdout.write(f"已{what}考核日汇总：{parts}（{time.perf_counter() - started:.1f} 秒）")

    def _check(self):
        stored_facts, stored_items = rollup.stored()
        facts, items = rollup.expected()
        wrong = len(set(stored_facts) ^ set(facts)) + sum(
            1 for k in stored_facts.keys() & facts.keys() if stored_facts[k] != facts[k]
        )
        wrong_items = len(set(stored_items) ^ set(items)) + sum(
            1 for k in stored_items.keys() & items.keys() if stored_items[k] != items[k]
        )
        if wrong or wrong_items:
            raise CommandError(
                f"日汇总与原始记录不一致：{wrong} 行日汇总、{wrong_items} 个对象不同，请运行 assessment_rollup --rebuild"
            )
        self.stdout.write(f"考核日汇总与原始记录一致（{len(facts)} 行日汇总，{len(items)} 个计分对象）")
