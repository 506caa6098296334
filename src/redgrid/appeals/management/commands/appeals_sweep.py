from django.core.management.base import BaseCommand

from redgrid.appeals.sweep import sweep


class Command(BaseCommand):
    help = "标记并督办超时未报到、超期未办结的诉求（每条只督办一次）"

    def handle(self, *args, **options):
        counts = sweep()
        self.stdout.write(f"超时未报到督办 {counts['respond']} 件，超期未办结督办 {counts['resolve']} 件")
