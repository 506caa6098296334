"""Configurable limits of 议事厅, 征求意见, 公开/公示, 网上评议 and 信息发布 (rules table, core.rules).

Imported by the modules that read them and by AppConfig.ready, so every rule is listed in 规则表.
"""

from redgrid.core.rules import define

_LOCAL = "各地议事协商通行做法（可配置）"

define("topic.comment_hide_reports", 3, "评论被不同居民举报多少次后自动隐藏、等待审核", "issue 5", "M")
define("topic.comments_per_hour", 20, "每人每小时在议事厅发表评论的上限", "平台约定（防刷屏）", "L")
define("topic.proposals_per_30_days", 3, "每名居民 30 天内可提出的议题数", _LOCAL, "L")
define("topic.collect_days", 7, "受理居民提议后默认的征集期（天）", _LOCAL, "L")
define("topic.discuss_days", 7, "默认的讨论期（天）", _LOCAL, "L")
define("topic.vote_days", 7, "默认的表决期（天）", _LOCAL, "L")
define("topic.publicity_days", 7, "默认的结果公示期（天）", _LOCAL, "L")
define("topic.comment_max_depth", 4, "评论回复的最大嵌套层数", "平台约定", "M")

define("solicitation.document_max_mb", 20, "征求意见稿附件大小上限（MB）", "平台约定", "M")
define(
    "solicitation.min_days",
    7,
    "征求意见期最短天数",
    "平台约定（重大行政决策征求意见一般不少于 30 日，《重大行政决策程序暂行条例》第十四条）",
    "L",
)
define("solicitation.opinions_per_person", 10, "每人对同一征求意见稿可提交的意见条数", "平台约定", "L")

define(
    "notice.publicity_min_workdays",
    5,
    "公示期最少工作日数（周一至周五计）",
    "rules.md §3（发展党员公示不少于 5 个工作日，各地通行做法）",
    "M",
)
define("notice.objections_per_day", 3, "每人每天对同一公示可提出的异议条数", "平台约定（防刷）", "L")

define(
    "evaluation.period",
    "quarter",
    "网上评议周期：month / quarter / half / year（每个对象每周期评议一次）",
    "各地网上评议通行做法",
    "L",
)
