from django.core.management.base import BaseCommand
from django.utils import timezone

from redgrid.learning.loader import import_questions_xlsx, load_content
from redgrid.learning.services import quiz_ensure_daily


class Command(BaseCommand):
    help = "载入学习内容（content/*.json，按 slug/编号幂等），可选导入 Excel 题库，并生成今日答题"

    def add_arguments(self, parser):
        parser.add_argument(
            "--xlsx", help="Excel 题库文件（表头：编号 题型 题干 选项A… 答案 解析 难度 分类）"
        )

    def handle(self, *args, xlsx=None, **options):
        counts = load_content()
        self.stdout.write(f"课程新增 {counts['courses_created']}，试题新增 {counts['questions_created']}")
        if xlsx:
            with open(xlsx, "rb") as f:
                result = import_questions_xlsx(f)
            for error in result.errors:
                self.stderr.write(error)
            if result.errors:
                self.stderr.write("Excel 有错误，未导入任何试题")
            else:
                self.stdout.write(f"Excel 导入：新增 {result.created}，更新 {result.updated}")
        today = timezone.localdate()
        quiz_ensure_daily(today)
        quiz_ensure_daily(today, weekly=True)
        self.stdout.write("今日答题、本周答题已就绪")
