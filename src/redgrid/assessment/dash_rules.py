"""Rules-table rows of the dashboards, hot issues (每月一题), early warning (未诉先办) and resource allocation."""

from redgrid.core.rules import define, rule_value

_SRC = "本平台默认（issue 7；见 README 考核评价·大屏与预警）"

# Early warning: see hotspots.py (module docstring) for the test these parameters feed.
define("assessment.warning.baseline_weeks", 8, "预警基线：当前 7 天之前的连续周数", _SRC, "L")
define("assessment.warning.k", 3.0, "预警阈值：本周数 ≥ 基线均值 + k × 基线标准差 中的 k", _SRC, "L")
define(
    "assessment.warning.alpha",
    0.001,
    "预警显著性：泊松上尾概率 P(X ≥ 本周数) 的上限（按本周受检关键词数平分）",
    _SRC,
    "L",
)
define("assessment.warning.min_count", 4, "预警最少诉求数：本周含该关键词的诉求少于此数不预警", _SRC, "L")
define("assessment.warning.lambda_min", 0.5, "泊松检验的基线下限（件/周），避免从零基线起报", _SRC, "L")
define(
    "assessment.warning.merge_overlap",
    0.5,
    "同一社区同周两个关键词的诉求重合比例达到此值即合并为一个主题",
    _SRC,
    "L",
)

# Hot issues (每月一题).
define("assessment.hot.distance", 0.92, "每月一题聚类：平均链接余弦距离阈值（越小越严格）", _SRC, "L")
define("assessment.hot.min_size", 3, "每月一题：一个问题至少包含的诉求数", _SRC, "L")
define("assessment.hot.top", 5, "每月一题：每个街道/社区每月列出的问题数", _SRC, "L")
define("assessment.hot.max_texts", 3000, "每月一题：每个区域每月参与聚类的最多诉求数（取最新）", _SRC, "L")

# Public statistics: small numbers are not shown (a cell of 1–2 appeals can point at a household).
define(
    "assessment.public.min_count",
    5,
    "公开统计页：小于此数的分项只显示“少于 N”",
    "PIPL 最小必要；本平台默认",
    "M",
)

# Resource allocation: each resource's score is Σ weight × (indicator ÷ the largest value among the
# communities compared); the proposal splits the budget in proportion to the scores.
ALLOCATION_DEFAULT_WEIGHTS = {
    "training_seats": {
        "low_education_share": 0.35,
        "working_age_share": 0.15,
        "labour_appeals_per_1k": 0.3,
        "study_wishes_per_1k": 0.2,
    },
    "volunteer_teams": {
        "elderly_share": 0.35,
        "care_wishes_per_1k": 0.25,
        "appeals_per_1k": 0.2,
        "residents": 0.2,
    },
    "service_terminals": {
        "density": 0.4,
        "appeals_per_1k": 0.3,
        "elderly_share": 0.1,
        "residents": 0.2,
    },
}
define(
    "assessment.allocation.weights",
    ALLOCATION_DEFAULT_WEIGHTS,
    "资源配置建议：各类资源的指标权重（指标名 → 权重）",
    _SRC,
    "L",
)
define(
    "assessment.allocation.budget",
    {"training_seats": 200, "volunteer_teams": 10, "service_terminals": 12},
    "资源配置建议：默认待分配的资源总量（培训名额、志愿服务队、自助服务终端）",
    _SRC,
    "L",
)


def value(key: str):
    return rule_value(key)
