"""The indicator registry (考核指标): every KPI as data — key, Chinese name, module, unit, direction, the
node types it applies to, and its exact formula (`Indicator.doc`).

Periods are half-open [start, end) of whole days. A value is `None` when its denominator is 0.

Three kinds of value:

- ``rate``       = Σ numerator ÷ Σ denominator over the period's items (0–1, shown as %);
- ``average``    = Σ numerator ÷ (Σ denominator × scale) (e.g. the mean evaluation score);
- ``per_member`` = Σ numerator ÷ scale ÷ active party members of the node (the `members` snapshot of the
  period's year).

Where the numbers come from:

- the seven appeals indicators from `appeals.metrics.compute` (its own daily roll-ups, kept in step by
  every appeal action; formulas in appeals/metrics.py, restated below);
- every other indicator from `DailyFact`, folded from the items the adapters in assessment/sources.py
  derive from the other modules' rows (assessment/rollup.py).

Node types (`levels`): 街道 street, 社区 community, 网格 grid, 责任单位 unit, 党支部 org. Party items count
for the member's or branch's organisation and for the region its organisation is anchored to (the
deepest region node covering all the regions it is responsible for, else its parent organisation's).
"""

from dataclasses import dataclass, field
from decimal import Decimal

REGION_LEVELS = ("street", "community", "grid")
PARTY_LEVELS = ("street", "community", "grid", "org")
APPEAL_LEVELS = ("street", "community", "grid", "unit")


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str
    module: str  # appeals / party / learning / participation
    unit: str  # shown after the value
    direction: str  # "higher" or "lower" is better
    levels: tuple[str, ...]
    kind: str  # rate / average / per_member
    source: str  # "appeals" (appeals.metrics) or the name of a folding source (assessment/sources.py)
    doc: str  # the exact formula
    scale: int = 1
    # default target per period kind (None: rates are scored by their value, see `item_score`)
    targets: dict = field(default_factory=dict)
    records_label: str = ""  # what the records behind the number are
    failed_label: str = ""  # what a failing record is (rates only)
    appeal_counts: tuple[str, str] = ("", "")  # (numerator, denominator) fields of appeals.metrics.Metrics
    yearly: bool = False  # a yearly snapshot (read on 1 January of the period's year), not daily items

    @property
    def lower_is_better(self) -> bool:
        return self.direction == "lower"

    @property
    def direction_label(self) -> str:
        return "越低越好" if self.lower_is_better else "越高越好"

    @property
    def folded(self) -> bool:
        return self.source != "appeals"

    def value(self, num, den, members=None) -> float | None:
        """The indicator's value from its sums (`members` for per-member indicators)."""
        if self.kind == "per_member":
            return round(num / self.scale / members, 4) if members else None
        if not den:
            return None
        if self.kind == "average":
            return round(num / den / self.scale, 4)
        return round(num / den, 4)

    def display(self, value) -> str:
        if value is None:
            return "—"
        if self.kind == "rate":
            return f"{value * 100:.1f}%"
        return f"{value:.2f}{self.unit}"

    def target_for(self, period_kind: str, target=None) -> float | None:
        if target is not None:
            return float(target)
        value = self.targets.get(period_kind)
        return float(value) if value is not None else None

    def item_score(self, value, period_kind: str, target=None) -> float | None:
        """The share (0–1) of the item's weight a value earns.

        - higher is better: value ÷ target, capped at 1; a rate without a target earns its value;
        - lower is better (rates): 1 at or below the target, falling linearly to 0 at 100%; without a
          target, 1 − value.
        """
        if value is None:
            return None
        t = self.target_for(period_kind, target)
        if self.lower_is_better:
            if t is None:
                return max(0.0, 1.0 - value)
            if value <= t:
                return 1.0
            return max(0.0, (1.0 - value) / (1.0 - t)) if t < 1 else 0.0
        if t is None or t <= 0:
            return min(1.0, max(0.0, value)) if self.kind == "rate" else None
        return min(1.0, max(0.0, value / t))


def _appeal(key, name, doc, counts, direction="higher", failed="", records=""):
    return Indicator(
        key=key,
        name=name,
        module="appeals",
        unit="%",
        direction=direction,
        levels=("county",) + APPEAL_LEVELS,
        kind="rate",
        source="appeals",
        doc=doc,
        appeal_counts=counts,
        failed_label=failed,
        records_label=records,
    )


INDICATORS: dict[str, Indicator] = {}


def register(ind: Indicator) -> Indicator:
    INDICATORS[ind.key] = ind
    return ind


# --- 接诉即办 (appeals.metrics; 《北京市接诉即办工作条例》三率, GB/T 30428 指标) ---------------------------------
register(
    _appeal(
        "response_rate",
        "响应率",
        "响应率 = 期内派出的单位任务（派遣/吹哨/改派，主办与协办）中在报到时限内报到的 ÷ 期内派出的单位任务。",
        ("responded_on_time", "dispatched_tasks"),
        failed="未按时报到的派单",
        records="期内派出的单位任务",
    )
)
register(
    _appeal(
        "resolution_rate",
        "解决率",
        "解决率 = 期内被评价的诉求中，期末前最新一次评价为满意或基本满意的 ÷ 期内被评价的诉求。",
        ("resolved_appeals", "rated_appeals"),
        failed="最新评价为不满意的诉求",
        records="期内被评价的诉求",
    )
)
register(
    _appeal(
        "satisfaction_rate",
        "满意率",
        "满意率 = 期内评价中满意与基本满意的 ÷ 期内评价（每一轮评价都计）。",
        ("good_ratings", "ratings"),
        failed="不满意的评价",
        records="期内的评价",
    )
)
register(
    _appeal(
        "close_rate",
        "结案率",
        "结案率 = 应结案诉求（期内立案、未被合并）中期末前已结案的 ÷ 应结案诉求（GB/T 30428）。",
        ("closed", "should_close"),
        failed="未结案的诉求",
        records="期内立案的诉求",
    )
)
register(
    _appeal(
        "on_time_close_rate",
        "按期结案率",
        "按期结案率 = 应结案诉求中在办理时限（含批准的延期）内结案的 ÷ 应结案诉求（GB/T 30428）。",
        ("closed_on_time", "should_close"),
        failed="未按期结案的诉求",
        records="期内立案的诉求",
    )
)
register(
    _appeal(
        "rework_rate",
        "返工率",
        "返工率 = 应结案诉求中期末前被重办的 ÷ 应结案诉求中期末前曾核查通过的（GB/T 30428）。",
        ("reopened", "ever_closed"),
        direction="lower",
        failed="被重办的诉求",
        records="期内立案且曾结案的诉求",
    )
)
register(
    _appeal(
        "extension_rate",
        "延期率",
        "延期率 = 应结案诉求中期末前批准延期的 ÷ 应结案诉求中期末前已派遣的（GB/T 30428）。",
        ("extended", "dispatched_appeals"),
        direction="lower",
        failed="批准延期的诉求",
        records="期内立案且已派遣的诉求",
    )
)

# --- 智慧党建 (party) ------------------------------------------------------------------------------------------
register(
    Indicator(
        key="branch_life",
        name="组织生活合规率",
        module="party",
        unit="%",
        direction="higher",
        levels=PARTY_LEVELS,
        kind="rate",
        source="meetings",
        doc=(
            "组织生活合规率 = 按期召开的组织生活要求 ÷ 到期的组织生活要求。一项要求 = 一个党支部的一类会议"
            "（三会一课、主题党日、组织生活会、民主评议、谈心谈话，周期取规则表 party.meeting_period.*，支委会仅限设"
            "支部委员会的支部，党小组会仅限有党小组的支部）在一个周期内至少召开一次（已召开，党小组的会计入所在支部）。"
            "按期召开的要求计入首次召开的日期；未召开的要求在周期最后一天之后计入该日（分子 0、分母 1）；"
            "本周期尚未结束且未召开的不计。只计 assessment.calendar_start 以后的周期。"
            "依据《中国共产党支部工作条例（试行）》第十一条至第十七条。"
        ),
        records_label="到期的组织生活要求",
        failed_label="逾期未召开的组织生活",
    )
)
register(
    Indicator(
        key="dues_on_time",
        name="党费按时缴纳率",
        module="party",
        unit="%",
        direction="higher",
        levels=PARTY_LEVELS,
        kind="rate",
        source="dues",
        doc=(
            "党费按时缴纳率 = 按时缴纳的党员月份 ÷ 到期的党员月份。每名在册党员（正式、预备）从其应交月份"
            "（party.services.dues_start，且不早于 assessment.calendar_start）起每月一项；当月最后一天前（含）"
            "登记缴纳的为按时，计入缴纳日（不早于当月 1 日）；月末仍未缴或之后才补缴的在月末之后计入当月最后一天"
            "（分子 0）；本月尚未结束且未缴的不计。依据中组部《关于中国共产党党费收缴、使用和管理的规定》（按月交纳）。"
        ),
        records_label="到期的党员月份",
        failed_label="未按时缴纳党费的党员月份",
    )
)
register(
    Indicator(
        key="recruitment_kept",
        name="发展党员按期办理率",
        module="party",
        unit="%",
        direction="higher",
        levels=PARTY_LEVELS,
        kind="rate",
        source="recruitment",
        doc=(
            "发展党员按期办理率 = 按期办理的有时限步骤 ÷ 到期的有时限步骤。有时限的步骤为第 2、16、17、23、24 步"
            "（谈话一个月、上级党委审批三个月、预备期满讨论转正等，《中国共产党发展党员工作细则》第七、二十五条）："
            "已办理的步骤计入办理日，未附超期情况说明的为按期（分子 1）；仍在办理中而下一步期限已过的档案计入"
            "期限当日（分子 0）。"
        ),
        records_label="到期的发展党员步骤",
        failed_label="超期的发展党员步骤",
    )
)

# --- 党员教育 (learning) ---------------------------------------------------------------------------------------
register(
    Indicator(
        key="study_hours",
        name="党员人均学时",
        module="learning",
        unit="学时",
        direction="higher",
        levels=PARTY_LEVELS,
        kind="average",
        source="members",
        scale=10,
        yearly=True,
        targets={"month": 32, "quarter": 32, "year": 32},
        doc=(
            "党员人均学时 = 在册党员本年度累计学时之和 ÷ 在册党员数（learning.selectors.branch_study_report，"
            "学时 = 有效学习秒数 ÷ learning.minutes_per_hour 分钟，保留 1 位小数）。学习记录只按年度累计，"
            "月度、季度考核取该期所在年度截至当前的累计值。默认目标为年度 32 学时（learning.hours_member）。"
        ),
        records_label="在册党员的年度学时",
    )
)
register(
    Indicator(
        key="study_target",
        name="学时达标率",
        module="learning",
        unit="%",
        direction="higher",
        levels=PARTY_LEVELS,
        kind="rate",
        source="members",
        yearly=True,
        doc=(
            "学时达标率 = 本年度累计学时达到年度目标（党员 learning.hours_member、书记和委员 "
            "learning.hours_committee）的在册党员 ÷ 在册党员。月度、季度考核取所在年度截至当前的累计值。"
        ),
        records_label="在册党员",
        failed_label="学时未达标的党员",
    )
)

# --- 社区参与 (participation) and 双报到 --------------------------------------------------------------------
register(
    Indicator(
        key="volunteer_hours",
        name="党员人均志愿服务时长",
        module="participation",
        unit="小时",
        direction="higher",
        levels=PARTY_LEVELS,
        kind="per_member",
        source="volunteer",
        scale=10,
        targets={"month": 1, "quarter": 3, "year": 12},
        doc=(
            "党员人均志愿服务时长 = 期内开始的班次中党员经组织者确认的志愿服务时长之和 ÷ 在册党员数"
            "（与 participation.volunteer_selectors.confirmed_in_year 口径一致：按班次开始日期计）。"
        ),
        records_label="党员的志愿服务记录",
    )
)
register(
    Indicator(
        key="dual_hours",
        name="党员人均双报到服务时长",
        module="party",
        unit="小时",
        direction="higher",
        levels=PARTY_LEVELS,
        kind="per_member",
        source="dual",
        scale=10,
        targets={"month": 0.5, "quarter": 1.5, "year": 6},
        doc=(
            "党员人均双报到服务时长 = 期内社区确认的双报到服务记录时长（party.dual_report，按服务日期）"
            "加期内计入双报到的志愿服务时长（participation，ShiftSignup.dual_report）之和 ÷ 在册党员数。"
        ),
        records_label="双报到服务记录",
    )
)
register(
    Indicator(
        key="wishes_fulfilled",
        name="微心愿实现率",
        module="participation",
        unit="%",
        direction="higher",
        levels=REGION_LEVELS,
        kind="rate",
        source="wishes",
        doc=(
            "微心愿实现率 = 期内审核上墙（首次审核通过）的微心愿中当前已实现或已确认的 ÷ 期内审核上墙的微心愿"
            "（按心愿所在网格计）。"
        ),
        records_label="期内上墙的微心愿",
        failed_label="尚未实现的微心愿",
    )
)
register(
    Indicator(
        key="eval_score",
        name="网上评议平均分",
        module="participation",
        unit="分",
        direction="higher",
        levels=PARTY_LEVELS + ("unit",),
        kind="average",
        source="evaluation",
        targets={"month": 5, "quarter": 5, "year": 5},
        doc=(
            "网上评议平均分 = 期内提交的网上评议（participation.evaluation，1–5 星）评分之和 ÷ 评议条数；"
            "评议党组织计入该组织，评议党员计入其所在组织，评议责任单位计入该单位。满分 5 分为默认目标。"
        ),
        records_label="期内的网上评议",
    )
)

#: the hidden denominator of per-member indicators: one per active member, on 1 January of each year
MEMBERS = "members"

LEVEL_LABELS = {
    "street": "街道",
    "community": "社区",
    "grid": "网格",
    "unit": "责任单位",
    "org": "党支部",
    "county": "区县",
}


def get(key: str) -> Indicator:
    return INDICATORS[key]


def for_level(level: str) -> list[Indicator]:
    return [i for i in INDICATORS.values() if level in i.levels]


def as_decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))
