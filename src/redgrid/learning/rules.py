"""Configurable learning rules (rules.md §8) and pure helpers (grading, periods) with no database access."""

from datetime import date, timedelta

from redgrid.core.rules import define

SOURCE_HOURS = "rules.md §8：党员教育培训规划（2019–2023）年度学时要求"
SOURCE_POINTS = "rules.md §8：积分规则参照“学习强国”（各时期上限有调整，可配置）"

define("learning.hours_member", 32, "党员每年集中学习培训学时下限", SOURCE_HOURS, "M")
define("learning.hours_committee", 56, "支部书记、支委委员每年学习培训学时下限", SOURCE_HOURS, "M")
define("learning.minutes_per_hour", 45, "1 学时折合的分钟数", "各地做法（多为 45 分钟）", "L")
define(
    "learning.heartbeat_max_gap",
    60,
    "两次学习心跳间最多计入的秒数（超过视为离开，不计时）",
    "本平台默认",
    "L",
)
define("learning.daily_question_count", 5, "每日答题题量", SOURCE_POINTS, "L")
define("learning.weekly_question_count", 10, "每周答题题量", SOURCE_POINTS, "L")
define("learning.submit_grace_seconds", 5, "限时考试提交的网络宽限秒数", "本平台默认", "L")

# Defaults of the points rules table (PointRule rows override them): activity → (points, daily cap, weekly cap).
# Quiz points are per correct answer, so "daily quiz 5" is 1 point × up to 5 per day.
POINT_DEFAULTS: dict[str, tuple[int, int | None, int | None]] = {
    "login": (1, 1, None),
    "article": (1, 12, None),
    "video": (1, 12, None),
    "document": (1, 12, None),
    "quiz_daily": (1, 5, None),
    "quiz_weekly": (1, None, 5),
    "quiz_special": (1, None, 10),
    "contest": (1, 10, None),
}


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_key(day: date) -> str:
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def capped(points: int, *, today: int, week: int, daily_cap: int | None, weekly_cap: int | None) -> int:
    """Points still allowed: the request's points cut down to what is left under each cap (never below 0)."""
    if daily_cap is not None:
        points = min(points, daily_cap - today)
    if weekly_cap is not None:
        points = min(points, weekly_cap - week)
    return max(points, 0)


TRUE_WORDS = {"T", "TRUE", "对", "正确", "√", "是"}
FALSE_WORDS = {"F", "FALSE", "错", "错误", "×", "否"}


def normalise_answer(kind: str, raw) -> str:
    """Canonical form of a member's answer: letters sorted for choices, T/F, trimmed text for fill-ins."""
    if raw is None:
        return ""
    if isinstance(raw, list):
        raw = "".join(str(x) for x in raw)
    text = str(raw).strip()
    if kind in ("single", "multiple"):
        return "".join(sorted({c for c in text.upper() if "A" <= c <= "Z"}))
    if kind == "true_false":
        up = text.upper()
        return "T" if up in TRUE_WORDS else "F" if up in FALSE_WORDS else ""
    return " ".join(text.split())


def is_correct(kind: str, answer: str, given) -> bool:
    given = normalise_answer(kind, given)
    if not given:
        return False
    if kind == "fill":
        # Several accepted answers may be separated by "|" (e.g. "季度|每季度").
        return given in {a.strip() for a in answer.split("|")}
    return given == normalise_answer(kind, answer)


def validate_question(kind: str, options: list, answer: str) -> str | None:
    """Chinese error for an inconsistent question, or None (used by the loaders and the Excel import)."""
    if kind not in ("single", "multiple", "true_false", "fill"):
        return f"题型「{kind}」无效，应为 单选/多选/判断/填空"
    if not str(answer or "").strip():
        return "答案不能为空"
    if kind in ("single", "multiple"):
        if len(options) < 2:
            return "选择题至少需要 2 个选项"
        letters = {chr(ord("A") + i) for i in range(len(options))}
        raw = str(answer).strip().upper()
        bad = [c for c in raw if c not in letters]
        if bad or not raw:
            return f"答案「{answer}」超出选项范围"
        if kind == "single" and len(raw) != 1:
            return f"单选题答案「{answer}」只能有一个选项"
        if kind == "multiple" and len(set(raw)) < 2:
            return f"多选题答案「{answer}」至少应有两个选项"
    if kind == "true_false" and normalise_answer(kind, answer) == "":
        return f"判断题答案「{answer}」应为 对/错（T/F）"
    return None
