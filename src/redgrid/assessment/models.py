"""考核评价: daily roll-ups of the indicators (DailyFact, FactItem, FoldState), assessment schemes
(Scheme, SchemeItem, SchemeEvent) and the weekly digest marker (DigestMarker).

The indicator definitions live in code (assessment/indicators.py); the roll-ups are maintained by
assessment/rollup.py; schemes are edited through assessment/schemes.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from redgrid.core.models import BaseEvent


class Tree(models.TextChoices):
    REGION = "region", "区划"
    ORG = "org", "党组织"
    UNIT = "unit", "责任单位"


class Level(models.TextChoices):
    """The kinds of node a scheme assesses and a ranking ranks."""

    STREET = "street", "街道"
    COMMUNITY = "community", "社区"
    GRID = "grid", "网格"
    UNIT = "unit", "责任单位"
    ORG = "org", "党支部"


class PeriodKind(models.TextChoices):
    MONTH = "month", "月度"
    QUARTER = "quarter", "季度"
    YEAR = "year", "年度"


class DailyFact(models.Model):
    """考核日汇总: for one node of one tree, one day and one indicator, the summed numerator and denominator
    of the items counted there (rows are kept at the node an item belongs to — a grid, a branch, a unit —
    and a subtree is summed with one indexed prefix range on `path`)."""

    tree = models.CharField("树", max_length=6, choices=Tree.choices)
    node_id = models.BigIntegerField("节点")
    path = models.CharField("节点路径", max_length=255, blank=True)
    day = models.DateField("日期")
    indicator = models.CharField("指标", max_length=40)
    numerator = models.BigIntegerField("分子", default=0)
    denominator = models.BigIntegerField("分母", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "考核日汇总"
        constraints = [
            models.UniqueConstraint(
                fields=["tree", "node_id", "indicator", "day"], name="assessment_fact_key"
            )
        ]
        indexes = [models.Index(fields=["tree", "indicator", "path", "day"], name="assessment_fact_subtree")]

    def __str__(self):
        return f"{self.day} {self.tree}:{self.node_id} {self.indicator} {self.numerator}/{self.denominator}"


class FactItem(models.Model):
    """计分明细: one item an indicator counts (a member-month of dues, a meeting requirement, a wish…),
    as folded into DailyFact. Kept per source object (`source`, `key`) so that refolding an object applies
    exactly the difference, and so that the records behind a number can be listed."""

    source = models.CharField("来源", max_length=20)
    key = models.CharField("对象", max_length=80)
    indicator = models.CharField("指标", max_length=40)
    day = models.DateField("计入日期")
    numerator = models.BigIntegerField("分子")
    denominator = models.BigIntegerField("分母")
    region_id = models.BigIntegerField(null=True, blank=True)
    region_path = models.CharField(max_length=255, blank=True)
    org_id = models.BigIntegerField(null=True, blank=True)
    org_path = models.CharField(max_length=255, blank=True)
    unit_id = models.BigIntegerField(null=True, blank=True)
    label = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "计分明细"
        indexes = [
            models.Index(fields=["source", "key"], name="assessment_item_object"),
            models.Index(fields=["indicator", "region_path", "day"], name="assessment_item_region"),
            models.Index(fields=["indicator", "org_path", "day"], name="assessment_item_org"),
            models.Index(fields=["indicator", "unit_id", "day"], name="assessment_item_unit"),
        ]

    def __str__(self):
        return f"{self.source}:{self.key} {self.indicator} {self.day} {self.numerator}/{self.denominator}"

    @property
    def failed(self) -> bool:
        return self.numerator < self.denominator


class FoldState(models.Model):
    """汇总进度: per source, the event time folded up to (watermark) and the last calendar day whose
    deadlines have been counted. The row is locked by the fold, which serialises concurrent folds."""

    source = models.CharField("来源", max_length=20, unique=True)
    folded_until = models.DateTimeField("事件已汇总至", null=True, blank=True)
    calendar_until = models.DateField("期限已计至", null=True, blank=True)
    compared_at = models.DateTimeField("上次整体比对", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "汇总进度"

    def __str__(self):
        return f"{self.source} {self.folded_until} / {self.calendar_until}"


class Scheme(models.Model):
    """考核方案: the indicators, weights and targets a level (街道/社区/网格/责任单位/党支部) is assessed on
    for a kind of period (月度/季度/年度). One active scheme per level and period; weights sum to 100."""

    name = models.CharField("名称", max_length=100)
    level = models.CharField("考核对象", max_length=10, choices=Level.choices)
    period = models.CharField("考核周期", max_length=10, choices=PeriodKind.choices)
    is_active = models.BooleanField("启用", default=True)
    note = models.CharField("说明", max_length=300, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "考核方案"
        ordering = ["level", "period", "-is_active", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "period"], condition=Q(is_active=True), name="assessment_one_active_scheme"
            )
        ]

    def __str__(self):
        return self.name


class SchemeItem(models.Model):
    """考核项: one indicator of a scheme with its weight (points out of 100) and an optional target."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="items", verbose_name="方案")
    indicator = models.CharField("指标", max_length=40)
    weight = models.DecimalField("权重", max_digits=5, decimal_places=2)
    target = models.DecimalField("目标值", max_digits=10, decimal_places=3, null=True, blank=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "考核项"
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "indicator"], name="assessment_item_once_per_scheme")
        ]

    def __str__(self):
        return f"{self.indicator} × {self.weight}"


class SchemeEvent(BaseEvent):
    """考核方案记录: creation, edits of items and weights, activation."""

    LABELS = {"create": "新建", "update": "修改指标和权重", "activate": "启用", "deactivate": "停用"}

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="events")

    class Meta(BaseEvent.Meta):
        verbose_name = verbose_name_plural = "考核方案记录"

    @property
    def label(self) -> str:
        return self.LABELS.get(self.action, self.action)


class DigestMarker(models.Model):
    """考核周报标记: the week (its Monday) of the last digest sent to a leader; advanced with a
    compare-and-swap update so that concurrent or repeated runs send each week's digest once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="账号"
    )
    week = models.DateField("已发送周", null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "考核周报标记"

    def __str__(self):
        return f"{self.user_id} {self.week}"


# --- dashboards, hot issues, early warning (assess_dash: dashboards.py, hotspots.py, allocation.py) ------


class DashDaily(models.Model):
    """大屏日汇总: appeals received (by the day of `created_at`) and closed (by the day of `closed_at`, while
    closed) per region node (street, community and grid of the appeal) and first-level category (0 when
    the appeal has none). Kept in step on every save of an appeal (assessment/dash_rollup.py)."""

    node_id = models.BigIntegerField("区划节点")
    category_id = models.BigIntegerField("一级分类", default=0)
    day = models.DateField("日期")
    intake = models.IntegerField("受理数", default=0)
    closed = models.IntegerField("结案数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "大屏日汇总"
        constraints = [
            models.UniqueConstraint(fields=["node_id", "day", "category_id"], name="dash_daily_key")
        ]

    def __str__(self):
        return f"{self.day} {self.node_id}/{self.category_id} +{self.intake} ✓{self.closed}"


class DashFact(models.Model):
    """What DashDaily currently counts for one appeal (so a change subtracts exactly its old items)."""

    appeal_id = models.BigIntegerField(primary_key=True)
    nodes = models.JSONField("区划节点", default=list)
    category_id = models.BigIntegerField(default=0)
    created_day = models.DateField()
    closed_day = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "大屏汇总来源"

    def __str__(self):
        return f"{self.appeal_id}: {self.created_day} {self.closed_day or ''}"


class HotTopic(models.Model):
    """每月一题: one recurring problem (a cluster of similar appeals) of a street or community in a month."""

    area = models.ForeignKey(
        "regions.Region", on_delete=models.CASCADE, related_name="+", verbose_name="区域"
    )
    month = models.DateField("月份")
    rank = models.PositiveSmallIntegerField("名次")
    label = models.CharField("问题", max_length=100)
    keywords = models.JSONField("关键词", default=list)
    size = models.PositiveIntegerField("诉求数")
    appeal_ids = models.JSONField("诉求编号", default=list)
    example_ids = models.JSONField("代表诉求", default=list)
    category = models.CharField("主要分类", max_length=60, blank=True)
    computed_at = models.DateTimeField("计算时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "每月一题"
        ordering = ["area", "-month", "rank"]
        constraints = [models.UniqueConstraint(fields=["area", "month", "rank"], name="hot_topic_key")]

    def __str__(self):
        return f"{self.area} {self.month:%Y-%m} #{self.rank} {self.label}"


class ProactiveTask(models.Model):
    """未诉先办任务: raised by the early warning when a topic's appeals in a community grow faster than its
    own baseline; the community checks and acts before more residents call. At most one per community,
    week and topic key (unique constraint), whatever how often the warning runs."""

    class Status(models.TextChoices):
        OPEN = "open", "待处置"
        DONE = "done", "已办结"

    class Outcome(models.TextChoices):
        HANDLED = "handled", "已主动处置"
        NO_ISSUE = "no_issue", "核实无异常（误报）"

    community = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name="社区"
    )
    week = models.DateField("预警周（周一）")
    key = models.CharField("主题关键词", max_length=40)
    title = models.CharField("标题", max_length=200)
    terms = models.JSONField("关键词组", default=list)
    appeal_ids = models.JSONField("本周相关诉求", default=list)
    evidence = models.JSONField("预警依据", default=dict)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField("处置结果", max_length=10, choices=Outcome.choices, blank=True)
    note = models.TextField("处置说明", blank=True)
    created_at = models.DateTimeField("生成时间", default=timezone.now, db_index=True)
    done_at = models.DateTimeField("办结时间", null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "未诉先办任务"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "week", "key"], name="proactive_task_once_a_week")
        ]
        indexes = [models.Index(fields=["status", "community"], name="proactive_task_queue")]

    def __str__(self):
        return self.title


class ProactiveTaskEvent(BaseEvent):
    """未诉先办任务事件: raised, completed."""

    task = models.ForeignKey(
        ProactiveTask, on_delete=models.CASCADE, related_name="events", verbose_name="任务"
    )

    class Meta(BaseEvent.Meta):
        verbose_name = verbose_name_plural = "未诉先办任务事件"


class AreaProfile(models.Model):
    """网格人口画像: residents, households, age bands and education bands of one grid, and the area of its
    boundary, as of `computed_at` (assessment/allocation.py `refresh_profiles`; the resident register is
    too large at district scale to count on every dashboard request)."""

    grid = models.OneToOneField(
        "regions.Region", on_delete=models.CASCADE, related_name="+", verbose_name="网格"
    )
    residents = models.PositiveIntegerField("居民数", default=0)
    households = models.PositiveIntegerField("户数", default=0)
    age_0_14 = models.PositiveIntegerField("0–14 岁", default=0)
    age_15_59 = models.PositiveIntegerField("15–59 岁", default=0)
    age_60_79 = models.PositiveIntegerField("60–79 岁", default=0)
    age_80_plus = models.PositiveIntegerField("80 岁及以上", default=0)
    age_unknown = models.PositiveIntegerField("年龄不详", default=0)
    edu_low = models.PositiveIntegerField("初中及以下", default=0)
    edu_mid = models.PositiveIntegerField("高中/中专", default=0)
    edu_high = models.PositiveIntegerField("大专及以上", default=0)
    edu_unknown = models.PositiveIntegerField("学历不详", default=0)
    area_km2 = models.FloatField("面积（平方公里）", null=True, blank=True)
    computed_at = models.DateTimeField("统计时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "网格人口画像"

    def __str__(self):
        return f"{self.grid_id}: {self.residents} 人"
