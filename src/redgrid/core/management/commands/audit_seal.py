from django.core.management.base import BaseCommand

from redgrid.core import audit


class Command(BaseCommand):
    help = "把新的审计记录封存为哈希链中的块（通常由后台任务每分钟执行）"

    def add_arguments(self, parser):
        parser.add_argument("--delay", type=int, default=None, help="只封存早于这么多秒的记录（默认取配置）")

    def handle(self, *args, delay, **options):
        total = 0
        while block := audit.seal(delay_seconds=delay):
            total += block.row_count
        self.stdout.write(f"封存 {total} 条审计记录")
