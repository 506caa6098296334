"""Party-building rules as pure functions (党建规则).

Everything here is pure: no Django, no database, no clock. Callers pass in the dates, counts and amounts,
and the functions return dates, amounts, booleans or finding codes. That keeps the rules testable at their
boundaries and lets the rest of the platform (models, services, reminders, reports) share one definition.

Sources are listed in ``/work/shared/docs/rules.md`` §1–§5. Every function cites the document and
article it enforces, and every ``ValueError`` a user may see carries a Chinese message ending in
``（依据：……）`` so the citation survives all the way to the screen.

Numbers that rules.md marks M/L, or that local rules vary, are only *defaults* here: each function that
uses one takes a keyword-only override so a deployment's rules table can supply its own value without a
code change. The defaults for H rules are exactly as the documents state.

Date arithmetic follows 《中华人民共和国民法典》第二百零二条: a period counted in months or years ends on the
corresponding day of the final month, or on that month's last day when there is no corresponding day
(see :func:`add_months`). The one deliberate exception is :func:`can_apply` (see there).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Set
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType

# ---------------------------------------------------------------------------------------------------------
# Citations
# ---------------------------------------------------------------------------------------------------------

PARTY_CONSTITUTION = "《中国共产党章程》"
BRANCH_RULE = "《中国共产党支部工作条例（试行）》"
DUES_RULE = "中组部《关于中国共产党党费收缴、使用和管理的规定》"
RECRUITMENT_RULE = "《中国共产党发展党员工作细则》"
CIVIL_CODE = "《中华人民共和国民法典》"


def cite(rule: str, article: str = "") -> str:
    """Format a citation the way user-facing messages end: ``（依据：《……》第七条）``."""
    return f"（依据：{rule}{article}）"


# ---------------------------------------------------------------------------------------------------------
# Date helpers
# ---------------------------------------------------------------------------------------------------------


def add_months(d: date, months: int) -> date:
    """Return the date ``months`` calendar months after ``d`` (before it when negative).

    The day number is kept; when the target month is shorter it is clamped to that month's last day,
    so 31 January + 1 month is 28 (or 29) February and 31 March − 1 month is 28/29 February. This is the
    rule of 《中华人民共和国民法典》第二百零二条 (没有对应日的，月末日为期间的最后一日), which is also how
    party organisations count 预备期 and approval periods in practice.
    """
    index = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(index, 12)
    if not date.min.year <= year <= date.max.year:
        raise ValueError(f"日期超出可计算范围：{d.isoformat()} 加 {months} 个月")
    month = month0 + 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(d.day, last_day))


# ---------------------------------------------------------------------------------------------------------
# §2 Party dues — 中组部《关于中国共产党党费收缴、使用和管理的规定》(2008)
# ---------------------------------------------------------------------------------------------------------

CENT = Decimal("0.01")

#: Category code → Chinese label, in the order of the dues table.
DUES_CATEGORIES: Mapping[str, str] = MappingProxyType(
    {
        "employed": "在职党员",
        "annual_salary": "实行年薪制的党员",
        "self_employed": "个体/自由职业党员",
        "retired": "离退休党员",
        "farmer": "农民党员",
        "student": "学生党员",
        "unemployed": "下岗失业党员",
        "low_income": "依靠抚恤或低保生活的党员",
    }
)

#: Brackets for 在职 / 年薪制 / 个体: (inclusive upper bound or None for "above", rate).
SALARY_BRACKETS: tuple[tuple[Decimal | None, Decimal], ...] = (
    (Decimal("3000"), Decimal("0.005")),
    (Decimal("5000"), Decimal("0.01")),
    (Decimal("10000"), Decimal("0.015")),
    (None, Decimal("0.02")),
)

#: Brackets for 离退休 (pension as base).
PENSION_BRACKETS: tuple[tuple[Decimal | None, Decimal], ...] = (
    (Decimal("5000"), Decimal("0.005")),
    (None, Decimal("0.01")),
)

FARMER_MIN = Decimal("0.20")
FARMER_MAX = Decimal("1.00")
#: Fixed monthly amount for 学生、下岗失业、依靠抚恤或低保生活的党员.
MINIMUM_DUES = Decimal("0.20")

_BRACKETS_BY_CATEGORY = {
    "employed": SALARY_BRACKETS,
    "annual_salary": SALARY_BRACKETS,
    "self_employed": SALARY_BRACKETS,
    "retired": PENSION_BRACKETS,
}
_FIXED_MINIMUM_CATEGORIES = frozenset({"student", "unemployed", "low_income"})


def _as_decimal(value: Decimal | int, what: str) -> Decimal:
    # Floats are refused on purpose: 3000.01 as a float is not 3000.01, and a bracket boundary or a
    # half-cent could then round the wrong way. Callers must pass Decimal (or int, which is exact).
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{what}必须是 Decimal 或整数，收到 {type(value).__name__}")
    result = Decimal(value)
    if not result.is_finite():
        raise ValueError(f"{what}不是有效金额：{value}{cite(DUES_RULE)}")
    return result


def _bracket_rate(base: Decimal, brackets: tuple[tuple[Decimal | None, Decimal], ...]) -> Decimal:
    for upper, rate in brackets:
        # Upper bounds are inclusive: "3000元以下（含3000元）" pays 0.5%.
        if upper is None or base <= upper:
            return rate
    raise AssertionError("bracket table must end with an open upper bound")  # pragma: no cover


def monthly_dues(
    category: str,
    base: Decimal | None = None,
    *,
    farmer_amount: Decimal = Decimal("0.20"),
) -> Decimal:
    """Monthly party dues in 元, rounded half up to the 分 (0.01 元).

    Per 中组部《关于中国共产党党费收缴、使用和管理的规定》(2008):

    - ``employed`` (在职, base = regular after-tax monthly pay), ``annual_salary`` (年薪制, base = the
      month's actual pay) and ``self_employed`` (个体/自由职业, base = previous quarter's average monthly
      net income): ≤ 3000 → 0.5%; 3000 < x ≤ 5000 → 1%; 5000 < x ≤ 10000 → 1.5%; > 10000 → 2%.
    - ``retired`` (离退休, base = pension): ≤ 5000 → 0.5%; > 5000 → 1%.
    - ``farmer`` (农民): a fixed 0.20–1.00 元 set by the deployment (``farmer_amount``).
    - ``student``, ``unemployed``, ``low_income`` (学生、下岗失业、依靠抚恤或低保生活): 0.20 元.

    ``base`` is required for the percentage categories and ignored for the fixed-amount ones (a negative
    base is still refused there, since it can only be a data error). Raises ``ValueError`` with a
    Chinese message citing the rule for an unknown category, a missing or negative base, or a farmer
    amount outside 0.20–1.00 元; ``TypeError`` for a float base.
    """
    if category not in DUES_CATEGORIES:
        known = "、".join(DUES_CATEGORIES)
        raise ValueError(f"未知的党费缴纳类别“{category}”，应为：{known}{cite(DUES_RULE)}")

    if base is not None:
        base = _as_decimal(base, "党费计算基数")
        if base < 0:
            raise ValueError(f"党费计算基数不能为负数：{base}{cite(DUES_RULE)}")

    brackets = _BRACKETS_BY_CATEGORY.get(category)
    if brackets is not None:
        if base is None:
            label = DUES_CATEGORIES[category]
            raise ValueError(f"{label}按月收入比例缴纳党费，必须提供计算基数{cite(DUES_RULE)}")
        return (base * _bracket_rate(base, brackets)).quantize(CENT, rounding=ROUND_HALF_UP)

    if category == "farmer":
        amount = _as_decimal(farmer_amount, "农民党员党费金额")
        if not FARMER_MIN <= amount <= FARMER_MAX:
            raise ValueError(f"农民党员每月交纳党费0.2元至1元，当前设置为 {amount} 元{cite(DUES_RULE)}")
        return amount.quantize(CENT, rounding=ROUND_HALF_UP)

    if category in _FIXED_MINIMUM_CATEGORIES:
        return MINIMUM_DUES
    raise AssertionError(f"dues category {category!r} has no rule")  # pragma: no cover


# Arrears: 党章第九条 — 连续六个月不交纳党费 without good reason is treated as 自行脱党. The platform
# warns well before that; 3 months is the default suggested by rules.md §2 (configurable).
ARREARS_WARNING_MONTHS = 3
ARREARS_LAPSE_MONTHS = 6


def arrears_level(
    consecutive_unpaid_months: int,
    *,
    warning_at: int = ARREARS_WARNING_MONTHS,
    lapsed_at: int = ARREARS_LAPSE_MONTHS,
) -> str:
    """Classify dues arrears: ``ok`` below 3 months, ``warning`` from 3 to 5, ``lapsed`` at 6 or more.

    《中国共产党章程》第九条: a member who, without good reason, does not pay dues for six consecutive
    months is treated as having left the party of their own accord (自行脱党). ``lapsed`` means the branch
    must consider that case — the platform never removes anyone on its own. The warning threshold is
    local practice (rules.md §2) and can be overridden.
    """
    if consecutive_unpaid_months < 0:
        raise ValueError(f"连续未交党费月数不能为负数：{consecutive_unpaid_months}")
    if not 0 < warning_at <= lapsed_at:
        raise ValueError(f"欠费提醒阈值设置无效：提醒 {warning_at} 个月，脱党 {lapsed_at} 个月")
    if consecutive_unpaid_months >= lapsed_at:
        return "lapsed"
    if consecutive_unpaid_months >= warning_at:
        return "warning"
    return "ok"


def dues_months_in_arrears(paid_months: Set[tuple[int, int]], start: tuple[int, int], today: date) -> int:
    """Count consecutive unpaid months ending with the month before ``today``'s month.

    ``paid_months`` holds ``(year, month)`` pairs already paid; ``start`` is the first ``(year, month)``
    for which the member owes dues (e.g. the month the 支部大会 accepted them as a 预备党员 — 党费 is due
    from that day per 中组部《关于中国共产党党费收缴、使用和管理的规定》). The current month is not yet
    due (dues are paid monthly, so the member has until its end), hence counting starts from the previous
    month and walks back until a paid month or ``start`` is reached. Feed the result to
    :func:`arrears_level` (党章第九条).
    """
    start_year, start_month = start
    if not 1 <= start_month <= 12:
        raise ValueError(f"起缴月份无效：{start}")
    first_owed = start_year * 12 + (start_month - 1)
    month = today.year * 12 + (today.month - 1) - 1  # the last month that is already due
    count = 0
    while month >= first_owed:
        year, month0 = divmod(month, 12)
        if (year, month0 + 1) in paid_months:
            break
        count += 1
        month -= 1
    return count


# ---------------------------------------------------------------------------------------------------------
# §3 Recruitment — 《中国共产党发展党员工作细则》(2014): 5 stages, 25 steps
# ---------------------------------------------------------------------------------------------------------

#: (stage number, stage name), 《中国共产党发展党员工作细则》第二章至第六章.
STAGES: tuple[tuple[int, str], ...] = (
    (1, "申请入党"),
    (2, "入党积极分子的确定和培养教育"),
    (3, "发展对象的确定和考察"),
    (4, "预备党员的接收"),
    (5, "预备党员的教育考察和转正"),
)

_STAGE_NAMES = dict(STAGES)

_STEP_STAGES: tuple[tuple[int, tuple[str, ...]], ...] = (
    (1, ("递交入党申请书", "党组织派人谈话")),
    (2, ("推荐和确定入党积极分子", "上级党委备案", "指定培养联系人", "培养教育考察")),
    (3, ("确定发展对象", "报上级党委备案", "确定入党介绍人", "政治审查", "开展集中培训")),
    (
        4,
        (
            "支部委员会审查",
            "上级党委预审",
            "填写入党志愿书",
            "支部大会讨论",
            "上级党委派人谈话",
            "上级党委审批",
            "再上一级党委组织部门备案",
        ),
    ),
    (
        5,
        (
            "编入党支部和党小组",
            "入党宣誓",
            "继续教育考察",
            "提出转正申请",
            "支部大会讨论",
            "上级党委审批",
            "材料归档",
        ),
    ),
)

#: The 25 steps as (step number, stage number, stage name, step name), numbered 1–25 across stages.
RECRUITMENT_STEPS: tuple[tuple[int, int, str, str], ...] = tuple(
    (number, stage, _STAGE_NAMES[stage], step)
    for number, (stage, step) in enumerate(
        ((stage, step) for stage, steps in _STEP_STAGES for step in steps), start=1
    )
)

# Time limits (rules.md §3 asks for all of them to be overridable from a rules table).
MIN_APPLICATION_AGE = 18
TALK_DEADLINE_MONTHS = 1
ACTIVIST_MIN_MONTHS = 12
PROBATION_MONTHS = 12
PROBATION_EXTENSION_MIN_MONTHS = 6
PROBATION_EXTENSION_MAX_MONTHS = 12
APPROVAL_MONTHS = 3
APPROVAL_EXTENDED_MONTHS = 6


def can_apply(birth_date: date, on: date, *, min_age: int = MIN_APPLICATION_AGE) -> bool:
    """Whether someone born on ``birth_date`` may apply to join the party on ``on``.

    《中国共产党发展党员工作细则》第五条 (and 党章第一条): 年满十八岁. The 18th birthday itself counts
    (True on the birthday, False the day before).

    Someone born on 29 February turns 18 on **1 March** in a non-leap year: they have not completed
    18 full years on 28 February. This deliberately differs from :func:`add_months`, which would clamp
    to 28 February — for a minimum age the later date is the safe reading, for a deadline the earlier.
    """
    try:
        birthday = birth_date.replace(year=birth_date.year + min_age)
    except ValueError:
        # Only 29 February in a non-leap target year reaches here.
        birthday = date(birth_date.year + min_age, 3, 1)
    return on >= birthday


def talk_deadline(application_received: date, *, months: int = TALK_DEADLINE_MONTHS) -> date:
    """Last day for the party organisation to talk with an applicant.

    《中国共产党发展党员工作细则》第七条: 党组织收到入党申请书后，应当在一个月内派人同入党申请人谈话.
    """
    return add_months(application_received, months)


def earliest_development_date(activist_confirmed: date, *, months: int = ACTIVIST_MIN_MONTHS) -> date:
    """Earliest date an 入党积极分子 can be made a 发展对象.

    《中国共产党发展党员工作细则》第十三条: 经过一年以上培养教育和考察. One year after the day the
    activist was confirmed (the branch meeting's date).
    """
    return add_months(activist_confirmed, months)


def probation_end(
    accepted: date,
    extension_months: int = 0,
    *,
    probation_months: int = PROBATION_MONTHS,
    min_extension: int = PROBATION_EXTENSION_MIN_MONTHS,
    max_extension: int = PROBATION_EXTENSION_MAX_MONTHS,
) -> date:
    """Day the 预备期 ends (预备期满), i.e. when the member is due to become a full member.

    《中国共产党章程》第七条: 预备期为一年，从支部大会通过他为预备党员之日算起; it may be extended, but not by
    more than one year. 《中国共产党发展党员工作细则》 adds that an extension is at least half a year and
    may be granted only once — so the total extension is 0 or 6–12 months. The end is computed in one
    step from ``accepted`` so a 29 February or 31st does not get clamped twice.
    """
    if extension_months != 0 and not min_extension <= extension_months <= max_extension:
        raise ValueError(
            f"预备期延长时间为{min_extension}至{max_extension}个月（最短半年，最长一年），"
            f"当前为{extension_months}个月{cite(PARTY_CONSTITUTION + '第七条、' + RECRUITMENT_RULE)}"
        )
    return add_months(accepted, probation_months + extension_months)


def approval_deadline(
    submitted: date,
    *,
    extended: bool = False,
    months: int = APPROVAL_MONTHS,
    extended_months: int = APPROVAL_EXTENDED_MONTHS,
) -> date:
    """Last day for the higher party committee to approve a new member.

    《中国共产党发展党员工作细则》第二十五条: 审批应当在三个月内进行; 遇有特殊情况可以适当延长审批时间，但不得
    超过六个月. ``extended`` selects the 6-month outer limit.
    """
    return add_months(submitted, extended_months if extended else months)


def meeting_quorum_met(present: int, entitled: int) -> bool:
    """Whether more than half of those entitled to attend are present.

    Used for 支部委员会会议 (《中国共产党支部工作条例（试行）》第十二条: 须有半数以上委员到会) and for
    the attendance half of a 支部大会 vote (《中国共产党发展党员工作细则》第二十条). Exactly half is not
    enough. An empty body (``entitled == 0``) never has a quorum.
    """
    if present < 0 or entitled < 0:
        raise ValueError("到会人数和应到会人数不能为负数")
    if present > entitled:
        raise ValueError(f"到会人数 {present} 超过应到会人数 {entitled}")
    return present * 2 > entitled


def acceptance_vote_passes(present: int, entitled_full_members: int, yes_votes: int) -> bool:
    """Whether a 支部大会 vote to accept a 预备党员 (or to confirm one as full member) is valid and passes.

    《中国共产党发展党员工作细则》第二十条: 有表决权的到会人数必须超过应到会有表决权人数的半数; 第二十一条:
    赞成人数超过应到会有表决权的正式党员的半数 — a majority of *all* entitled 正式党员, not of those
    present. (第三十三条 applies the same to 转正.)

    ``yes_votes`` may exceed ``present``: 第二十一条 counts the written opinions of entitled members who
    could not attend and submitted them before the meeting. It may not exceed ``entitled_full_members``.
    """
    if min(present, entitled_full_members, yes_votes) < 0:
        raise ValueError("人数和票数不能为负数")
    if yes_votes > entitled_full_members:
        raise ValueError(f"赞成票 {yes_votes} 超过应到会有表决权的正式党员人数 {entitled_full_members}")
    return meeting_quorum_met(present, entitled_full_members) and yes_votes * 2 > entitled_full_members


# ---------------------------------------------------------------------------------------------------------
# §1 Branch structure — 《中国共产党支部工作条例（试行）》(2018)
# ---------------------------------------------------------------------------------------------------------

MIN_FULL_MEMBERS_FOR_BRANCH = 3
MAX_BRANCH_MEMBERS = 50
COMMITTEE_THRESHOLD = 7

FINDING_MESSAGES: dict[str, str] = {
    "needs_joint_branch": (
        "正式党员不足3人，不能单独成立党支部，应当按照地域相邻、行业相近、规模适当、便于管理的原则成立"
        "联合党支部，联合党支部覆盖单位一般不超过5个" + cite(BRANCH_RULE, "第四条、第五条")
    ),
    "over_50_members": (
        "党支部党员人数一般不超过50人，本支部已超过，应考虑分设党支部或成立党总支"
        + cite(BRANCH_RULE, "第四条")
    ),
    "needs_committee": (
        "有正式党员7人以上的党支部，应当设立党支部委员会，由3至5人组成，一般不超过7人"
        + cite(BRANCH_RULE, "第六章")
    ),
    "committee_not_allowed": (
        "正式党员不足7人的党支部不设支部委员会，设1名书记，必要时可以设1名副书记"
        + cite(BRANCH_RULE, "第六章")
    ),
}


def branch_findings(
    full_members: int,
    probationary_members: int,
    has_committee: bool,
    *,
    min_full_members: int = MIN_FULL_MEMBERS_FOR_BRANCH,
    max_members: int = MAX_BRANCH_MEMBERS,
    committee_threshold: int = COMMITTEE_THRESHOLD,
) -> set[str]:
    """Structural findings for a branch, as codes keyed into :data:`FINDING_MESSAGES`.

    From 《中国共产党支部工作条例（试行）》:

    - ``needs_joint_branch``: fewer than 3 正式党员 (第四条 — 3 人以上成立党支部; 第五条 — otherwise a
      联合党支部). Only full members count; 预备党员 do not.
    - ``over_50_members``: more than 50 members in all, full and probationary (第四条: 一般不超过50人).
    - ``needs_committee``: 7 or more 正式党员 and no committee (第六章: 应当设立党支部委员会).
    - ``committee_not_allowed``: a committee with fewer than 7 正式党员 (第六章: 设1名书记).

    An empty set means nothing to report.
    """
    if full_members < 0 or probationary_members < 0:
        raise ValueError("党员人数不能为负数")
    findings: set[str] = set()
    if full_members < min_full_members:
        findings.add("needs_joint_branch")
    if full_members + probationary_members > max_members:
        findings.add("over_50_members")
    if full_members >= committee_threshold and not has_committee:
        findings.add("needs_committee")
    if has_committee and full_members < committee_threshold:
        findings.add("committee_not_allowed")
    return findings


# Terms: 《中国共产党支部工作条例（试行）》第六章 — 村、社区党支部委员会每届任期5年，其他一般3年.
BRANCH_TERM_YEARS = 3
VILLAGE_COMMUNITY_TERM_YEARS = 5
# Filing the 换届 request 3 months ahead is local practice (rules.md §1, L): a default only.
REELECTION_REMINDER_MONTHS = 3


def term_end(elected: date, *, years: int) -> date:
    """Day a committee's (or a secretary's) term ends.

    《中国共产党支部工作条例（试行）》第六章: 党支部委员会每届任期一般3年, 村和社区5年 (see
    :data:`BRANCH_TERM_YEARS`, :data:`VILLAGE_COMMUNITY_TERM_YEARS`); 党章 requires an election when the
    term ends. ``years`` is keyword-only so the caller always states which term applies.
    """
    if years <= 0:
        raise ValueError(f"任期年数必须为正数：{years}{cite(BRANCH_RULE)}")
    return add_months(elected, years * 12)


def reelection_reminder_date(term_end: date, months_before: int = REELECTION_REMINDER_MONTHS) -> date:
    """Date to remind a branch to request its 换届 election.

    Rules.md §1 (L, local practice): the request goes to the higher organisation some months before the
    term ends — commonly 3. Any delay or early election needs that organisation's approval
    (《中国共产党支部工作条例（试行）》第六章), hence the early reminder.
    """
    if months_before < 0:
        raise ValueError(f"提前提醒月数不能为负数：{months_before}")
    return add_months(term_end, -months_before)


# ---------------------------------------------------------------------------------------------------------
# §1 Organisational life: how often each meeting is due
# ---------------------------------------------------------------------------------------------------------

PERIODS = ("month", "quarter", "year")

#: Default period of each recurring meeting; deployments may override per branch (rules table).
#: 支委会 第十二条, 党小组会 第十三条, 主题党日 第十六条, 支部党员大会 第十一条, 组织生活会 第十七条 (all H);
#: 党课 once a quarter is the common local default (M); 民主评议党员 once a year (H).
COMPLIANCE_DEFAULTS: Mapping[str, str] = MappingProxyType(
    {
        "branch_committee": "month",
        "group_meeting": "month",
        "theme_day": "month",
        "general_assembly": "quarter",
        "party_lecture": "quarter",
        "life_meeting": "year",
        "evaluation": "year",
    }
)

#: Chinese name of each meeting kind.
MEETING_KIND_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "branch_committee": "支部委员会会议",
        "group_meeting": "党小组会",
        "theme_day": "主题党日",
        "general_assembly": "支部党员大会",
        "party_lecture": "党课",
        "life_meeting": "组织生活会",
        "evaluation": "民主评议党员",
    }
)

#: Citation for each meeting kind's frequency, for reminders and compliance reports.
MEETING_RULES: Mapping[str, str] = MappingProxyType(
    {
        "branch_committee": BRANCH_RULE + "第十二条",
        "group_meeting": BRANCH_RULE + "第十三条",
        "theme_day": BRANCH_RULE + "第十六条",
        "general_assembly": BRANCH_RULE + "第十一条",
        "party_lecture": BRANCH_RULE + "第十六条",
        "life_meeting": BRANCH_RULE + "第十七条",
        "evaluation": BRANCH_RULE,
    }
)


def period_bounds(period: str, on: date) -> tuple[date, date]:
    """First and last day (both inclusive) of the ``month``, ``quarter`` or ``year`` containing ``on``.

    Compliance with the 三会一课 frequencies of 《中国共产党支部工作条例（试行）》第十一条至第十七条 is
    checked per calendar period (see :data:`COMPLIANCE_DEFAULTS`); quarters are calendar quarters
    (Jan–Mar, Apr–Jun, Jul–Sep, Oct–Dec).
    """
    if period == "month":
        first_month, last_month = on.month, on.month
    elif period == "quarter":
        first_month = (on.month - 1) // 3 * 3 + 1
        last_month = first_month + 2
    elif period == "year":
        first_month, last_month = 1, 12
    else:
        raise ValueError(f"未知的周期“{period}”，应为：{'、'.join(PERIODS)}")
    last_day = calendar.monthrange(on.year, last_month)[1]
    return date(on.year, first_month, 1), date(on.year, last_month, last_day)


__all__ = [
    "ACTIVIST_MIN_MONTHS",
    "APPROVAL_EXTENDED_MONTHS",
    "APPROVAL_MONTHS",
    "ARREARS_LAPSE_MONTHS",
    "ARREARS_WARNING_MONTHS",
    "BRANCH_RULE",
    "BRANCH_TERM_YEARS",
    "CIVIL_CODE",
    "COMMITTEE_THRESHOLD",
    "COMPLIANCE_DEFAULTS",
    "DUES_CATEGORIES",
    "DUES_RULE",
    "FARMER_MAX",
    "FARMER_MIN",
    "FINDING_MESSAGES",
    "MAX_BRANCH_MEMBERS",
    "MEETING_KIND_LABELS",
    "MEETING_RULES",
    "MINIMUM_DUES",
    "MIN_APPLICATION_AGE",
    "MIN_FULL_MEMBERS_FOR_BRANCH",
    "PARTY_CONSTITUTION",
    "PENSION_BRACKETS",
    "PERIODS",
    "PROBATION_EXTENSION_MAX_MONTHS",
    "PROBATION_EXTENSION_MIN_MONTHS",
    "PROBATION_MONTHS",
    "RECRUITMENT_RULE",
    "RECRUITMENT_STEPS",
    "REELECTION_REMINDER_MONTHS",
    "SALARY_BRACKETS",
    "STAGES",
    "TALK_DEADLINE_MONTHS",
    "VILLAGE_COMMUNITY_TERM_YEARS",
    "acceptance_vote_passes",
    "add_months",
    "approval_deadline",
    "arrears_level",
    "branch_findings",
    "can_apply",
    "cite",
    "dues_months_in_arrears",
    "earliest_development_date",
    "meeting_quorum_met",
    "monthly_dues",
    "period_bounds",
    "probation_end",
    "reelection_reminder_date",
    "talk_deadline",
    "term_end",
]
