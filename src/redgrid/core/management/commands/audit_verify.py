from django.core.management.base import BaseCommand, CommandError

from redgrid.core import audit


class Command(BaseCommand):
    help = "校验审计日志哈希链；发现篡改时指出第一个被破坏的记录或封存块，并以非零状态退出"

    def add_arguments(self, parser):
        parser.add_argument("--seal", action="store_true", help="校验前先封存所有未封存的记录（不等待延迟）")

    def handle(self, *args, seal, **options):
        if seal:
            while audit.seal(delay_seconds=0):
                pass
        result = audit.verify()
        if not result.ok:
            raise CommandError(result.message)
        self.stdout.write(self.style.SUCCESS(result.message))
