"""The configurable limits of 接诉即办 (rules.md §6), registered in the platform rules table."""

from redgrid.core.rules import define, rule_value

_SRC = "rules.md §6《北京市接诉即办工作条例》及各地做法"

# Resolve limits are the rules.md §6 defaults; report-in (响应) limits are local practice (L).
SLA_DEFAULTS = {
    # urgency: (respond minutes, resolve minutes)
    "urgent": (30, 2 * 60),
    "utility": (2 * 60, 24 * 60),
    "general": (24 * 60, 7 * 24 * 60),
    "complex": (24 * 60, 15 * 24 * 60),
}
_LABEL = {"urgent": "紧急（危及生命财产）", "utility": "水电气热", "general": "一般", "complex": "复杂"}

for _urgency, (_respond, _resolve) in SLA_DEFAULTS.items():
    define(
        f"appeals.sla.{_urgency}.resolve_minutes",
        _resolve,
        f"{_LABEL[_urgency]}诉求办结时限（分钟）",
        _SRC,
        "L",
    )
    define(
        f"appeals.sla.{_urgency}.respond_minutes",
        _respond,
        f"{_LABEL[_urgency]}诉求派遣后报到时限（分钟）",
        _SRC,
        "L",
    )

define(
    "appeals.whistle.respond_minutes",
    30,
    "吹哨后各部门报到时限（分钟）",
    "rules.md §6 街乡吹哨、部门报到（平谷 2017）",
    "H",
)
define("appeals.reopen.max", 1, "不满意后可重办的次数", "issue 3（默认一次）", "L")
define(
    "appeals.intake.per_account_per_hour",
    10,
    "每个账号每小时最多提交诉求数（防恶意重复反映）",
    "《北京市接诉即办工作条例》禁止恶意重复反映",
    "L",
)
define("appeals.intake.per_phone_per_hour", 10, "每个来电号码每小时最多登记诉求数", "同上", "L")
define(
    "appeals.intake.per_key_per_hour",
    100,
    "每个 API 密钥（Open311 等接入系统）每小时最多提交诉求数；密钥自设上限时以密钥为准",
    "《北京市接诉即办工作条例》禁止恶意重复反映",
    "L",
)
define(
    "appeals.intake.per_ip_per_hour",
    30,
    "同一网络地址（IPv6 按 /64）每小时最多提交诉求数（居民H5、REST 接口、Open311）",
    "《北京市接诉即办工作条例》禁止恶意重复反映",
    "L",
)
define("appeals.duplicates.radius_m", 100, "疑似重复诉求的距离范围（米）", "issue 3", "L")
define("appeals.duplicates.days", 7, "疑似重复诉求的时间范围（天）", "issue 3", "L")
define(
    "appeals.duplicates.text_similarity",
    0.5,
    "疑似重复诉求的文本相似度阈值（字二元组 Jaccard）",
    "issue 3",
    "L",
)
define(
    "appeals.rank.weights",
    [30, 35, 35],
    "三率考核权重（响应率、解决率、满意率）",
    "rules.md §6（某县 30/35/35，各地自定）",
    "M",
)
define("appeals.extension.max_days", 30, "单次延期最多天数", "各地做法", "L")


def sla_default(urgency: str) -> tuple[int, int]:
    return (
        int(rule_value(f"appeals.sla.{urgency}.respond_minutes")),
        int(rule_value(f"appeals.sla.{urgency}.resolve_minutes")),
    )
define(
    "appeals.sla.working_days",
    False,
    "一般、复杂诉求的办结时限和延期天数按工作日计算（工作日历在管理后台维护节假日与调休）",
    "rules.md §6（可选工作日历）",
    "L",
)
