"""接诉即办: appeals (诉求/工单), their events, unit tasks (派遣/吹哨), ratings, photos and the rules tables.

First-receiver responsibility (首接负责): an appeal has exactly one owner at every moment. While no unit
holds it (received, registered, rejected, cancelled, returned) the owner is its street (`street`, the
triage scope); from dispatch on, the owner is `owner_unit`, the lead unit. `Appeal.owner` gives the one
owner; a check constraint makes the dispatched states impossible without an owner unit.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from redgrid.core.crypto import Sensitive
from redgrid.core.models import BaseEvent
from redgrid.core.uploads import sniff_image


class Channel(models.TextChoices):
    H5 = "h5", "居民H5"
    PATROL = "patrol", "网格员巡查"
    HOTLINE = "hotline", "热线"
    OPEN311 = "open311", "Open311"
    API = "api", "接口"


class Urgency(models.TextChoices):
    URGENT = "urgent", "紧急"
    UTILITY = "utility", "水电气热"
    GENERAL = "general", "一般"
    COMPLEX = "complex", "复杂"


class Status(models.TextChoices):
    RECEIVED = "received", "受理"
    REGISTERED = "registered", "立案"
    REJECTED = "rejected", "不予受理"
    DISPATCHED = "dispatched", "已派遣"
    IN_PROGRESS = "in_progress", "处置中"
    REPLIED = "replied", "已反馈"
    CLOSED = "closed", "已结案"
    CANCELLED = "cancelled", "已撤销"


# States in which an appeal is still work to do (queues, duplicates, the resolve sweep).
OPEN_STATES = (Status.RECEIVED, Status.REGISTERED, Status.DISPATCHED, Status.IN_PROGRESS, Status.REPLIED)
# States in which a unit holds the appeal (owner_unit must be set).
UNIT_STATES = (Status.DISPATCHED, Status.IN_PROGRESS, Status.REPLIED)


class Appeal(models.Model):
    """诉求 / 工单: one problem reported by a resident, a grid worker, a hotline caller or an API client."""

    channel = models.CharField("渠道", max_length=10, choices=Channel.choices, default=Channel.H5)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appeals",
        verbose_name="反映人账号",
    )
    # Who typed it in (the reporter, or the hotline operator / grid worker on the caller's behalf).
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="录入人",
    )
    caller_phone_enc = models.TextField(blank=True, default="")
    caller_phone_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    caller_phone_last4 = models.CharField(max_length=4, blank=True, default="")
    caller_phone = Sensitive("phone", masked_length=11)
    SENSITIVE_FIELDS = {"caller_phone": "来电号码"}  # revealed only through core.sensitive (audited)
    # Self-service intake is rate-limited per client system and per network address (services._check_rate);
    # the address is kept only as a keyed hash (no raw IP is stored with the appeal).
    api_key = models.ForeignKey(
        "accounts.ApiKey",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
        verbose_name="接入密钥",
    )
    client_ip_hash = models.CharField(max_length=64, blank=True, default="")

    title = models.CharField("标题", max_length=100, blank=True)
    content = models.TextField("内容")
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    media_url = models.URLField("媒体链接", max_length=500, blank=True, help_text="Open311 客户端提供的图片地址（不下载）")
    grid = models.ForeignKey(
        "regions.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
        verbose_name="网格",
        help_text="为空：在街道待分拣队列",
    )
    street = models.ForeignKey(
        "regions.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="street_appeals",
        verbose_name="街道",
    )
    category = models.ForeignKey(
        "units.Category",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
        verbose_name="事项分类",
    )
    suggested_category = models.ForeignKey(
        "units.Category",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="建议分类",
    )
    confidence = models.FloatField("分类置信度", null=True, blank=True)
    suggested_unit = models.ForeignKey(
        "units.Unit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="建议单位",
    )
    possible_duplicates = models.JSONField("疑似重复", default=list, blank=True)
    urgency = models.CharField("紧急程度", max_length=10, choices=Urgency.choices, default=Urgency.GENERAL)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.RECEIVED)
    owner_unit = models.ForeignKey(
        "units.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_appeals",
        verbose_name="主办单位",
        help_text="为空时由街道负责（首接负责）",
    )
    round = models.PositiveSmallIntegerField("办理轮次", default=1)
    respond_due_at = models.DateTimeField("报到时限", null=True, blank=True)
    resolve_due_at = models.DateTimeField("办结时限", null=True, blank=True, db_index=True)
    # Compare-and-swap markers of the sweep: each escalation is sent once per deadline.
    resolve_overdue_at = models.DateTimeField("超期督办时间", null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField("重办次数", default=0)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged", verbose_name="并入"
    )
    registered_at = models.DateTimeField("立案时间", null=True, blank=True)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)
    created_at = models.DateTimeField("受理时间", default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "诉求"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "street", "created_at"], name="appeal_street_queue"),
            models.Index(fields=["status", "grid", "created_at"], name="appeal_grid_queue"),
            models.Index(fields=["owner_unit", "status", "resolve_due_at"], name="appeal_unit_queue"),
            models.Index(fields=["reporter", "created_at"], name="appeal_reporter"),
            models.Index(fields=["submitted_by", "created_at"], name="appeal_submitter"),
            models.Index(fields=["category", "created_at"], name="appeal_category"),
            models.Index(fields=["lat", "lng"], name="appeal_point"),
            models.Index(fields=["api_key", "created_at"], name="appeal_api_key"),
            models.Index(fields=["client_ip_hash", "created_at"], name="appeal_client_ip"),
        ]
        constraints = [
            models.CheckConstraint(
                name="appeal_unit_states_have_owner_unit",
                condition=~Q(status__in=[s.value for s in UNIT_STATES]) | Q(owner_unit__isnull=False),
            ),
            models.CheckConstraint(
                name="appeal_point_complete",
                condition=Q(lat__isnull=True, lng__isnull=True) | Q(lat__isnull=False, lng__isnull=False),
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.title or self.content[:20]}"

    @property
    def owner(self):
        """首接负责: the lead unit while a unit holds the appeal, else the street."""
        return self.owner_unit if self.owner_unit_id else self.street

    @property
    def owner_label(self) -> str:
        owner = self.owner
        return str(owner) if owner is not None else "平台管理员（未定位）"

    @property
    def display_title(self) -> str:
        return self.title or self.content[:30]

    @property
    def status_label(self) -> str:
        if self.merged_into_id:
            return "已合并"
        return self.get_status_display()

    def is_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status in OPEN_STATES and self.resolve_due_at is not None and self.resolve_due_at < now

    @property
    def overdue(self) -> bool:
        return self.is_overdue()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES


class IntakeLock(models.Model):
    """限流锁: one row per rate-limited submitter (account, phone, API key or network address).

    Intake locks the row (`select_for_update`) before counting the submitter's appeals of the last hour and
    inserting the new one, so concurrent submissions are counted one after the other on PostgreSQL (SQLite
    serialises writers anyway). Rows carry no data and may be deleted at any time.
    """

    key = models.CharField(max_length=80, unique=True)

    class Meta:
        verbose_name = verbose_name_plural = "限流锁"

    def __str__(self):
        return self.key


class AppealEvent(BaseEvent):
    """诉求事件: one row per action on an appeal (timeline, metrics and audit source)."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events", verbose_name="诉求")
    unit = models.ForeignKey(
        "units.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="单位"
    )
    round = models.PositiveSmallIntegerField("办理轮次", default=1)

    class Meta(BaseEvent.Meta):
        verbose_name = verbose_name_plural = "诉求事件"
        indexes = [
            models.Index(fields=["appeal", "at"], name="appeal_event_timeline"),
            models.Index(fields=["action", "at"], name="appeal_event_action_at"),
        ]


class TaskRole(models.TextChoices):
    LEAD = "lead", "主办"
    ASSIST = "assist", "协办"


class AppealUnitTask(models.Model):
    """派遣 / 吹哨任务: one unit summoned to an appeal; it must report in (报到) before `due_at`."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="tasks", verbose_name="诉求")
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="appeal_tasks", verbose_name="单位"
    )
    role = models.CharField("角色", max_length=10, choices=TaskRole.choices, default=TaskRole.LEAD)
    is_whistle = models.BooleanField("吹哨", default=False)
    round = models.PositiveSmallIntegerField("办理轮次", default=1)
    dispatched_at = models.DateTimeField("派遣时间", default=timezone.now, db_index=True)
    due_at = models.DateTimeField("报到时限", db_index=True)
    reported_at = models.DateTimeField("报到时间", null=True, blank=True)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True, help_text="退单、改派或结案后不再有效")
    overdue_notified_at = models.DateTimeField("超时督办时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "派遣任务"
        ordering = ["dispatched_at", "id"]
        indexes = [
            models.Index(fields=["unit", "ended_at", "reported_at"], name="appeal_task_unit_queue"),
            models.Index(fields=["ended_at", "reported_at", "due_at"], name="appeal_task_sweep"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["appeal", "unit"],
                condition=Q(ended_at__isnull=True),
                name="appeal_task_one_active_per_unit",
            ),
        ]

    def __str__(self):
        return f"{self.appeal_id} → {self.unit} ({self.get_role_display()})"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None

    @property
    def reported_on_time(self) -> bool:
        return self.reported_at is not None and self.reported_at <= self.due_at


class Rating(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASICALLY_SATISFIED = "basically_satisfied", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class AppealRating(models.Model):
    """评价 / 回访: the reporter's rating of one round of handling."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="ratings", verbose_name="诉求")
    round = models.PositiveSmallIntegerField("办理轮次")
    rating = models.CharField("评价", max_length=20, choices=Rating.choices)
    comment = models.TextField("意见", blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "诉求评价"
        constraints = [
            models.UniqueConstraint(fields=["appeal", "round"], name="appeal_rating_one_per_round")
        ]

    def __str__(self):
        return f"{self.appeal_id}/{self.round} {self.get_rating_display()}"


class AppealFollower(models.Model):
    """关注人: reporters who follow an appeal (its own reporter, and those of appeals merged into it)."""

    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, related_name="followers", verbose_name="诉求"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_appeals"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "诉求关注人"
        constraints = [models.UniqueConstraint(fields=["appeal", "user"], name="appeal_follower_unique")]

    def __str__(self):
        return f"{self.user_id} → {self.appeal_id}"


class ExtensionDecision(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    DENIED = "denied", "未批准"


class AppealExtension(models.Model):
    """延期申请: the owner unit asks the street for more days; at most one pending per appeal."""

    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, related_name="extensions", verbose_name="诉求"
    )
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="申请单位"
    )
    days = models.PositiveSmallIntegerField("延期天数")
    reason = models.TextField("理由")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(
        max_length=10, choices=ExtensionDecision.choices, default=ExtensionDecision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "延期申请"
        constraints = [
            models.UniqueConstraint(
                fields=["appeal"], condition=Q(decision="pending"), name="appeal_extension_one_pending"
            ),
        ]

    def __str__(self):
        return f"{self.appeal_id} +{self.days}天 {self.get_decision_display()}"


class PhotoKind(models.TextChoices):
    INTAKE = "intake", "反映照片"
    EVIDENCE = "evidence", "处置照片"



MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTOS_PER_KIND = 9
def validate_photo(data: bytes) -> tuple[str, str]:
    """Check an uploaded photo by its content (never by its name or declared type)."""
    if len(data) == 0:
        raise ValidationError("照片为空文件")
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationError(f"照片不能超过 {MAX_PHOTO_BYTES // (1024 * 1024)} MB")
    kind = sniff_image(data[:16])
    if kind is None:
        raise ValidationError("只接受 JPEG、PNG 或 WebP 格式的照片")
    return kind


def _photo_path(instance, filename):
    now = timezone.now()
    return f"appeals/{now:%Y/%m}/{filename}"


class AppealPhoto(models.Model):
    """诉求照片: up to 9 intake photos from the reporter and up to 9 evidence photos with the reply."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="photos", verbose_name="诉求")
    kind = models.CharField("类型", max_length=10, choices=PhotoKind.choices, default=PhotoKind.INTAKE)
    file = models.FileField("文件", upload_to=_photo_path)
    content_type = models.CharField(max_length=20)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "诉求照片"
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.file.name


class SlaRule(models.Model):
    """办理时限规则: report-in (响应) and resolve (办结) limits by urgency, optionally for one category subtree.

    A rule with a category applies to that category and its descendants (the deepest matching rule
    wins) and fixes the urgency; rules without a category give the limits of an urgency. With no rows
    the defaults of rules.md §6 apply (core.rules keys `appeals.sla.<urgency>.*`).
    """

    urgency = models.CharField("紧急程度", max_length=10, choices=Urgency.choices)
    category = models.ForeignKey(
        "units.Category",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="事项分类",
    )
    respond_minutes = models.PositiveIntegerField("报到时限（分钟）")
    resolve_minutes = models.PositiveIntegerField("办结时限（分钟）")

    class Meta:
        verbose_name = verbose_name_plural = "办理时限规则"
        constraints = [
            models.UniqueConstraint(
                fields=["urgency"], condition=Q(category__isnull=True), name="sla_one_per_urgency"
            ),
            models.UniqueConstraint(
                fields=["category"], condition=Q(category__isnull=False), name="sla_one_per_category"
            ),
        ]

    def __str__(self):
        return f"{self.get_urgency_display()} {self.category or ''}"


class RoutingRule(models.Model):
    """派单规则: matters of a category (and its subtree) in an area (and its subtree) go to a unit."""

    category = models.ForeignKey(
        "units.Category", on_delete=models.CASCADE, related_name="+", verbose_name="事项分类"
    )
    area = models.ForeignKey(
        "regions.Region", on_delete=models.CASCADE, related_name="+", verbose_name="区域"
    )
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="routing_rules", verbose_name="单位"
    )

    class Meta:
        verbose_name = verbose_name_plural = "派单规则"
        constraints = [models.UniqueConstraint(fields=["category", "area"], name="routing_rule_unique")]

    def __str__(self):
        return f"{self.category} @ {self.area} → {self.unit}"


# --- daily roll-ups of the indicators (appeals.rollup keeps them, appeals.metrics reads them) ---------

# The counters of appeals.metrics.Metrics, in its field order (a test keeps the two in step).
ROLLUP_COUNTERS = (
    "dispatched_tasks",
    "responded_on_time",
    "ratings",
    "good_ratings",
    "rated_appeals",
    "resolved_appeals",
    "should_close",
    "closed",
    "closed_on_time",
    "ever_closed",
    "reopened",
    "dispatched_appeals",
    "extended",
)


class RollupScope(models.TextChoices):
    REGION = "region", "区划"
    UNIT = "unit", "单位"


class RollupCounters(models.Model):
    """The counters of one node: a region (street, community or grid) or a unit (node_id is its id)."""

    scope = models.CharField("对象类型", max_length=6, choices=RollupScope.choices)
    node_id = models.PositiveBigIntegerField("对象编号")
    day = models.DateField("归属日")
    dispatched_tasks = models.IntegerField(default=0)
    responded_on_time = models.IntegerField(default=0)
    ratings = models.IntegerField(default=0)
    good_ratings = models.IntegerField(default=0)
    rated_appeals = models.IntegerField(default=0)
    resolved_appeals = models.IntegerField(default=0)
    should_close = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    closed_on_time = models.IntegerField(default=0)
    ever_closed = models.IntegerField(default=0)
    reopened = models.IntegerField(default=0)
    dispatched_appeals = models.IntegerField(default=0)
    extended = models.IntegerField(default=0)

    class Meta:
        abstract = True


class AppealDaily(RollupCounters):
    """指标日汇总: per node and day, the sum of every counted item attributed to that day (the dispatch
    day of a task, the day of a rating, the registering day of an appeal), counted as of now.

    Kept in step inside each workflow action's transaction (appeals.rollup.record); rebuilt from the raw
    rows by `redgrid appeals_rollup --rebuild`."""

    class Meta:
        verbose_name = verbose_name_plural = "诉求指标日汇总"
        constraints = [models.UniqueConstraint(fields=["scope", "node_id", "day"], name="appeal_daily_key")]

    def __str__(self):
        return f"{self.scope}:{self.node_id} {self.day}"


class AppealDailyLag(RollupCounters):
    """指标跨日修正: the items of AppealDaily whose condition "… before the end of the period" rests on a
    later event (closed, dispatched, reopened, extended; the next rating), by the day of that event
    (`upto`). A period [S, E) subtracts the items attributed to a day in it whose event is on or after E."""

    upto = models.DateField("后续事件日")

    class Meta:
        verbose_name = verbose_name_plural = "诉求指标跨日修正"
        constraints = [
            models.UniqueConstraint(fields=["scope", "node_id", "day", "upto"], name="appeal_daily_lag_key")
        ]
        indexes = [models.Index(fields=["scope", "node_id", "upto"], name="appeal_daily_lag_upto")]

    def __str__(self):
        return f"{self.scope}:{self.node_id} {self.day}→{self.upto}"
