"""The assessment app's rows in the rules table (规则表)."""

from datetime import date

from redgrid.core.rules import define, rule_value

define(
    "assessment.calendar_start",
    "2026-01",
    "考核开始计算期限类指标（组织生活、党费按月缴纳）的月份（YYYY-MM）；此前的期限不计入",
    "本平台设置（部署时确定，与 party.dues.records_start 一致）",
    "L",
)
define(
    "assessment.fold_overlap_seconds",
    600,
    "增量汇总每次回看的秒数（覆盖提交较晚的事务；重复汇总同一对象不会重复计数）",
    "本平台默认",
    "L",
)
define(
    "assessment.members_fold_seconds",
    3600,
    "党员与学时快照的最短汇总间隔（秒）；学习记录没有修改时间，只能整体比对",
    "本平台默认",
    "L",
)
define("assessment.digest.bottom_count", 3, "考核周报中列出的排名靠后对象个数", "本平台默认", "L")


def calendar_start() -> date:
    """First day of the month from which calendar requirements (meetings, monthly dues) count."""
    text = str(rule_value("assessment.calendar_start"))
    try:
        year, month = (int(x) for x in text.split("-")[:2])
        return date(year, month, 1)
    except ValueError:
        return date(2026, 1, 1)
