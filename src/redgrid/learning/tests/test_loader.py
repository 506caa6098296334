"""Content loading: the team's JSON (idempotent) and the Excel question import with row errors."""

import io

import pytest
from openpyxl import Workbook

from redgrid.learning.loader import HEADERS, import_questions_xlsx, load_content
from redgrid.learning.models import Course, Question

pytestmark = pytest.mark.django_db


def test_the_team_content_loads_every_article_and_question_once():
    first = load_content()
    assert first["courses_created"] == 28 and first["questions_created"] == 243
    assert first["questions_skipped"] == 0
    again = load_content()
    assert again["courses_created"] == 0 and again["questions_created"] == 0
    assert Course.objects.count() == 28 and Question.objects.count() == 243
    assert Question.objects.filter(course__isnull=False).count() == 243


def xlsx(*rows):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def row(code, kind, answer, options=("甲", "乙", "丙", "丁"), difficulty=2):
    return [
        code,
        kind,
        f"{code} 题干",
        *options,
        *([""] * (6 - len(options))),
        answer,
        "解析",
        difficulty,
        "组织生活",
    ]


def test_an_excel_sheet_with_good_rows_is_imported():
    result = import_questions_xlsx(
        xlsx(
            row("X1", "单选", "b"),
            row("X2", "多选", "CA"),
            row("X3", "判断", "对", ()),
            row("X4", "填空", "季度", ()),
        )
    )
    assert result.errors == [] and result.created == 4
    assert Question.objects.get(code="X2").answer == "AC"
    assert Question.objects.get(code="X3").answer == "T"


def test_an_answer_outside_the_options_is_reported_with_its_row_and_nothing_is_saved():
    result = import_questions_xlsx(xlsx(row("X1", "单选", "B"), row("X2", "单选", "E")))
    assert result.errors == ["第 3 行：答案「E」超出选项范围"]
    assert not Question.objects.exists()


def test_every_bad_row_is_reported():
    result = import_questions_xlsx(
        xlsx(
            row("X1", "问答", "B"),
            row("X2", "单选", "AB"),
            row("X3", "多选", "A"),
            row("X4", "单选", "A", difficulty=9),
            row("", "单选", "A"),
        )
    )
    assert result.errors == [
        "第 2 行：题型「问答」无效，应为 单选/多选/判断/填空",
        "第 3 行：单选题答案「AB」只能有一个选项",
        "第 4 行：多选题答案「A」至少应有两个选项",
        "第 5 行：难度「9」应为 1–5 的整数",
        "第 6 行：编号不能为空",
    ]


def test_a_file_that_is_not_excel_is_refused():
    assert import_questions_xlsx(io.BytesIO(b"not a workbook")).errors == [
        "无法读取文件，请上传 .xlsx 格式的 Excel 文件"
    ]


def test_a_code_repeated_in_the_sheet_is_reported():
    result = import_questions_xlsx(xlsx(row("X1", "单选", "B"), row("X1", "单选", "C")))
    assert result.errors == ["第 3 行：编号「X1」与第 2 行重复"]
