from django.core.management.base import BaseCommand

from redgrid.participation.services import wishes_expire_claims


class Command(BaseCommand):
    help = "把认领超期仍未实现的微心愿退回心愿墙（通常由后台任务每小时执行）"

    def handle(self, *args, **options):
        n = wishes_expire_claims()
        self.stdout.write(f"退回 {n} 个超期认领的心愿")
