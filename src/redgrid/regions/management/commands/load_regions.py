from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from redgrid.regions.divisions import BUNDLED, load_subtree


class Command(BaseCommand):
    help = "加载一个区划子树（省 2 位、市 4 位、区县 6 位或街道 9 位代码）及其下至社区的全部节点"

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("--source", type=Path, default=BUNDLED,
                            help="区划数据目录（china-division 格式），默认使用项目自带的奎文区子集")

    def handle(self, *args, code, source, **options):
        try:
            result = load_subtree(code, source)
        except (ValueError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{result.root.name}：新增 {result.created} 个节点，更新 {result.updated} 个")
