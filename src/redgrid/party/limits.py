"""The party app's rows in the rules table (规则表): every limit rules.md marks M or L, or that local rules vary.

The pure module `party.rules` holds the regulations with their documented defaults; this module
registers each configurable number with `core.rules.define` (default exactly as rules.md states, with its
source) so a deployment can override it in the admin without a code change. Code that enforces a limit
reads it through the small helpers below, never through a constant.
"""

from datetime import date
from decimal import Decimal

from redgrid.core.rules import define, rule_value
from redgrid.party import rules as R

BRANCH = R.BRANCH_RULE
RECRUIT = R.RECRUITMENT_RULE

# --- §1 Branch life: how often each meeting kind is due (period: month / quarter / year) ----------------
_PERIOD_SOURCES = {
    "general_assembly": (BRANCH + "第十一条：支部党员大会一般每季度召开1次", "H"),
    "branch_committee": (BRANCH + "第十二条：支部委员会会议一般每月召开1次", "H"),
    "group_meeting": (BRANCH + "第十三条：党小组会一般每月召开1次", "H"),
    "party_lecture": (BRANCH + "第十六条（每季度1次为各地常见做法）", "M"),
    "theme_day": (BRANCH + "第十六条：每月相对固定1天开展主题党日", "H"),
    "life_meeting": (BRANCH + "第十七条：组织生活会一般每年召开1次", "H"),
    "evaluation": ("民主评议党员一般每年开展1次（rules.md §1）", "H"),
    "talk": ("谈心谈话每年至少1次（rules.md §1，各地做法）", "M"),
}
MEETING_PERIOD_DEFAULTS = {**R.COMPLIANCE_DEFAULTS, "talk": "year"}

for _kind, (_source, _conf) in _PERIOD_SOURCES.items():
    define(
        f"party.meeting_period.{_kind}",
        MEETING_PERIOD_DEFAULTS[_kind],
        f"{R.MEETING_KIND_LABELS.get(_kind, '谈心谈话')}的召开周期（month/quarter/year）",
        _source,
        _conf,
    )

define(
    "party.meeting.sign_in_minutes", 240, "会议签到二维码的有效时间（分钟）", "本平台设置（各地做法）", "L"
)

# --- §1 Structure and terms ---------------------------------------------------------------------------
define("party.branch.min_full_members", 3, "单独成立党支部的正式党员人数下限", BRANCH + "第四条", "H")
define("party.branch.max_members", 50, "党支部党员人数一般上限", BRANCH + "第四条", "H")
define("party.branch.committee_threshold", 7, "设立支部委员会的正式党员人数", BRANCH + "第六章", "H")
define("party.term.branch_years", 3, "党支部委员会每届任期（年）", BRANCH + "第六章", "H")
define("party.term.community_years", 5, "村、社区党支部委员会每届任期（年）", BRANCH + "第六章", "H")
define("party.term.reminder_months", 3, "换届提前提醒（月）", "rules.md §1（各地做法）", "L")

# --- §2 Dues --------------------------------------------------------------------------------------------
define("party.dues.farmer_amount", "0.20", "农民党员每月党费（元，0.2–1.0）", R.DUES_RULE, "H")
define("party.dues.arrears_warning_months", 3, "连续未交党费提醒月数", "rules.md §2（各地做法）", "L")
define(
    "party.dues.arrears_lapse_months",
    6,
    "连续未交党费视为自行脱党的月数",
    R.PARTY_CONSTITUTION + "第九条",
    "H",
)
define(
    "party.dues.records_start",
    "2026-01",
    "平台开始登记党费的月份（YYYY-MM；此前的收缴记录在纸质台账中）",
    "本平台设置（部署时确定）",
    "L",
)

# --- §3 Recruitment ---------------------------------------------------------------------------------------
define("party.recruit.min_age", 18, "申请入党的最低年龄", RECRUIT + "第五条", "H")
define("party.recruit.talk_months", 1, "收到入党申请书后派人谈话的期限（月）", RECRUIT + "第七条", "H")
define(
    "party.recruit.activist_min_months", 12, "入党积极分子培养考察的最短时间（月）", RECRUIT + "第十三条", "H"
)
define("party.recruit.training_min_days", 3, "发展对象集中培训的最少天数", RECRUIT + "第十七条", "H")
define("party.recruit.training_min_hours", 24, "发展对象集中培训的最少学时", RECRUIT + "第十七条", "H")
define("party.recruit.review_valid_months", 12, "政治审查结论的有效期（月）", "rules.md §3（各地做法）", "L")
define("party.recruit.publicity_working_days", 5, "公示的最少工作日数", "rules.md §3（各地做法）", "M")
define("party.recruit.approval_months", 3, "上级党委审批期限（月）", RECRUIT + "第二十五条", "H")
define(
    "party.recruit.approval_extended_months",
    6,
    "上级党委审批延长后的最长期限（月）",
    RECRUIT + "第二十五条",
    "H",
)
define("party.recruit.probation_months", 12, "预备期（月）", R.PARTY_CONSTITUTION + "第七条", "H")
define(
    "party.recruit.extension_min_months",
    6,
    "延长预备期的最短时间（月）",
    R.PARTY_CONSTITUTION + "第七条",
    "H",
)
define(
    "party.recruit.extension_max_months",
    12,
    "延长预备期的最长时间（月）",
    R.PARTY_CONSTITUTION + "第七条",
    "H",
)

# --- §4 Transfers -----------------------------------------------------------------------------------------
define("party.transfer.letter_valid_months", 3, "组织关系介绍信的有效期（月）", "rules.md §4", "M")
define(
    "party.transfer.formal_after_months", 6, "外出满此月数且地点固定的应转接正式组织关系", "rules.md §4", "M"
)

# --- §5 双报到 (no national numbers: all local) -------------------------------------------------------------
define(
    "party.dual_report.interval_months", 6, "在职党员到社区报到的周期（月）", "rules.md §5（各地做法）", "L"
)
define(
    "party.dual_report.feedback_months",
    3,
    "社区向党员所在单位反馈服务情况的周期（月）",
    "rules.md §5（各地做法）",
    "L",
)
define(
    "party.dual_report.required_for_good_grade",
    True,
    "未到社区报到的在职党员民主评议不得评为合格及以上",
    "rules.md §5（各地做法）",
    "L",
)


# --- typed readers -----------------------------------------------------------------------------------------


def meeting_period(kind: str) -> str:
    return rule_value(f"party.meeting_period.{kind}")


def farmer_amount() -> Decimal:
    return Decimal(str(rule_value("party.dues.farmer_amount")))


def arrears_thresholds() -> dict:
    return {
        "warning_at": int(rule_value("party.dues.arrears_warning_months")),
        "lapsed_at": int(rule_value("party.dues.arrears_lapse_months")),
    }


def dues_records_start() -> tuple[int, int]:
    year, month = str(rule_value("party.dues.records_start")).split("-")
    return int(year), int(month)


def branch_limits() -> dict:
    return {
        "min_full_members": int(rule_value("party.branch.min_full_members")),
        "max_members": int(rule_value("party.branch.max_members")),
        "committee_threshold": int(rule_value("party.branch.committee_threshold")),
    }


def probation_kwargs() -> dict:
    return {
        "probation_months": int(rule_value("party.recruit.probation_months")),
        "min_extension": int(rule_value("party.recruit.extension_min_months")),
        "max_extension": int(rule_value("party.recruit.extension_max_months")),
    }


def probation_end_of(accepted: date, extension_months: int = 0) -> date:
    return R.probation_end(accepted, extension_months, **probation_kwargs())
