"""Loading content: the team's JSON files (idempotent by slug/code) and Excel question imports with row errors."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from redgrid.learning.models import Course, Question
from redgrid.learning.rules import validate_question

CONTENT_DIR = Path(__file__).parent / "content"


def load_content(directory: Path = CONTENT_DIR) -> dict:
    """Create or update courses (by slug) and questions (by code) from articles.json and questions.json."""
    articles = json.loads((directory / "articles.json").read_text(encoding="utf-8"))
    questions = json.loads((directory / "questions.json").read_text(encoding="utf-8"))
    counts = {"courses_created": 0, "questions_created": 0, "questions_skipped": 0}
    with transaction.atomic():
        courses = {}
        for a in articles:
            course, created = Course.objects.update_or_create(
                slug=a["slug"],
                defaults={
                    "title": a["title"],
                    "kind": a.get("kind", Course.Kind.ARTICLE),
                    "category": a["category"],
                    "summary": a.get("summary", ""),
                    "body": a.get("body", ""),
                    "minutes": a.get("minutes", 5),
                    "audience": a.get("audience", ["all"]),
                    "required_for": a.get("required_for", []),
                },
            )
            courses[course.slug] = course
            counts["courses_created"] += created
        for q in questions:
            if validate_question(q["kind"], q.get("options", []), q["answer"]):
                counts["questions_skipped"] += 1
                continue
            _, created = Question.objects.update_or_create(
                code=q["code"],
                defaults={
                    "kind": q["kind"],
                    "stem": q["stem"],
                    "options": q.get("options", []),
                    "answer": q["answer"],
                    "explanation": q.get("explanation", ""),
                    "difficulty": q.get("difficulty", 1),
                    "category": q.get("category", ""),
                    "course": courses.get(q.get("article_slug") or ""),
                },
            )
            counts["questions_created"] += created
    return counts


# --- Excel import ---------------------------------------------------------------------------------

KIND_WORDS = {
    "单选": "single",
    "单选题": "single",
    "single": "single",
    "多选": "multiple",
    "多选题": "multiple",
    "multiple": "multiple",
    "判断": "true_false",
    "判断题": "true_false",
    "true_false": "true_false",
    "填空": "fill",
    "填空题": "fill",
    "fill": "fill",
}
HEADERS = [
    "编号",
    "题型",
    "题干",
    "选项A",
    "选项B",
    "选项C",
    "选项D",
    "选项E",
    "选项F",
    "答案",
    "解析",
    "难度",
    "分类",
]


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def import_questions_xlsx(fileobj) -> ImportResult:
    """Import questions from an Excel sheet with the header row HEADERS (columns found by name).

    1. Read every row and validate it (题型, 题干, 选项, 答案 within the options, 难度 1–5).
    2. If any row is wrong, save nothing and return every error as "第 N 行：…" (N as Excel shows it).
    3. Otherwise create or update the questions by 编号 in one transaction.
    """
    from openpyxl import load_workbook

    result = ImportResult()
    try:
        sheet = load_workbook(fileobj, read_only=True, data_only=True).worksheets[0]
    except Exception:  # openpyxl raises several unrelated types for a file that is not a workbook
        result.errors.append("无法读取文件，请上传 .xlsx 格式的 Excel 文件")
        return result
    rows = sheet.iter_rows(values_only=True)
    header = [_cell(c) for c in next(rows, [])]
    missing = [h for h in ("编号", "题型", "题干", "答案") if h not in header]
    if missing:
        result.errors.append(f"第 1 行：缺少列「{'」「'.join(missing)}」")
        return result
    col = {h: i for i, h in enumerate(header)}
    parsed, seen = [], {}
    for n, raw in enumerate(rows, start=2):
        cells = [_cell(c) for c in raw]
        if not any(cells):
            continue

        def get(name, cells=cells):
            i = col.get(name)
            return cells[i] if i is not None and i < len(cells) else ""

        code, kind_word, stem, answer = get("编号"), get("题型"), get("题干"), get("答案")
        kind = KIND_WORDS.get(kind_word)
        options = [get(f"选项{letter}") for letter in "ABCDEF"]
        while options and not options[-1]:
            options.pop()
        error = None
        if not code:
            error = "编号不能为空"
        elif code in seen:
            error = f"编号「{code}」与第 {seen[code]} 行重复"
        elif kind is None:
            error = f"题型「{kind_word}」无效，应为 单选/多选/判断/填空"
        elif not stem:
            error = "题干不能为空"
        elif kind in ("single", "multiple") and "" in options:
            error = "选项中间不能有空项"
        else:
            if kind in ("true_false", "fill"):
                options = []
            error = validate_question(kind, options, answer)
        difficulty = get("难度") or "1"
        if error is None and (not difficulty.isdigit() or not 1 <= int(difficulty) <= 5):
            error = f"难度「{difficulty}」应为 1–5 的整数"
        if error:
            result.errors.append(f"第 {n} 行：{error}")
            continue
        seen[code] = n
        if kind in ("single", "multiple"):
            answer = "".join(sorted(set(answer.upper())))
        elif kind == "true_false":
            answer = "T" if answer.upper() in {"T", "TRUE", "对", "正确", "√", "是"} else "F"
        parsed.append(
            {
                "code": code,
                "kind": kind,
                "stem": stem,
                "options": options,
                "answer": answer,
                "explanation": get("解析"),
                "difficulty": int(difficulty),
                "category": get("分类") or "其他",
            }
        )
    if result.errors:
        return result
    with transaction.atomic():
        for q in parsed:
            _, created = Question.objects.update_or_create(code=q.pop("code"), defaults=q)
            result.created += created
            result.updated += not created
    return result
