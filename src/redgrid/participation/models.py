"""Community participation: 微心愿 (wishes) and 议事厅 (deliberation topics and votes)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from redgrid.core.models import BaseEvent


class Wish(models.Model):
    """微心愿: a small wish a resident posts; reviewed, claimed by a party member, fulfilled, confirmed.

    The grid is taken from the poster's household when the wish is posted (a later move does not carry
    the wish along). `claim_due_at` is the indexed deadline the expiry sweep reads.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        OPEN = "open", "待认领"
        CLAIMED = "claimed", "已认领"
        FULFILLED = "fulfilled", "已实现"
        CONFIRMED = "confirmed", "已确认"
        REJECTED = "rejected", "未通过"

    class Category(models.TextChoices):
        DAILY = "daily", "生活用品"
        STUDY = "study", "学习用品"
        ELDERLY = "elderly", "助老助残"
        HEALTH = "health", "医疗健康"
        REPAIR = "repair", "维修服务"
        CARE = "care", "陪伴关爱"
        OTHER = "other", "其他"

    PUBLIC_STATUSES = (Status.OPEN, Status.CLAIMED, Status.FULFILLED, Status.CONFIRMED)
    DONE_STATUSES = (Status.FULFILLED, Status.CONFIRMED)

    poster = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="wishes", verbose_name="发布人"
    )
    household = models.ForeignKey(
        "regions.Household",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="户",
    )
    grid = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name="网格"
    )
    title = models.CharField("心愿", max_length=60)
    content = models.TextField("心愿说明", max_length=1000)
    value_estimate = models.PositiveIntegerField("估值（元）", null=True, blank=True)
    category = models.CharField("类别", max_length=20, choices=Category.choices, default=Category.OTHER)
    photo = models.FileField("照片", upload_to="wishes/%Y/%m/", blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    reject_reason = models.CharField("未通过原因", max_length=200, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="claimed_wishes",
        verbose_name="认领党员",
    )
    claimed_at = models.DateTimeField("认领时间", null=True, blank=True)
    claim_due_at = models.DateTimeField("认领期限", null=True, blank=True, db_index=True)
    fulfilment = models.TextField("实现情况", blank=True)
    fulfilled_at = models.DateTimeField("实现时间", null=True, blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    thanks = models.CharField("感谢留言", max_length=300, blank=True)
    created_at = models.DateTimeField("发布时间", default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "微心愿"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "grid"]), models.Index(fields=["claimed_by", "status"])]

    def __str__(self):
        return self.title


class WishPhoto(models.Model):
    """心愿实现照片: evidence photos attached when a member fulfils a wish."""

    wish = models.ForeignKey(Wish, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField("照片", upload_to="wishes/fulfil/%Y/%m/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "心愿实现照片"
        ordering = ["id"]

    def __str__(self):
        return self.image.name


class WishEvent(BaseEvent):
    """心愿事件: one row per state change of a wish (its timeline)."""

    LABELS = {
        "post": "发布",
        "approve": "审核通过",
        "reject": "驳回",
        "claim": "认领",
        "release": "放弃认领",
        "expire": "超期退回",
        "fulfil": "实现",
        "confirm": "确认",
    }

    wish = models.ForeignKey(Wish, on_delete=models.CASCADE, related_name="events")

    class Meta(BaseEvent.Meta):
        verbose_name = verbose_name_plural = "心愿事件"

    @property
    def label(self) -> str:
        return self.LABELS.get(self.action, self.action)

    @property
    def to_label(self) -> str:
        return Wish.Status(self.to_state).label if self.to_state in Wish.Status.values else self.to_state


def default_vote_options() -> list[str]:
    return ["赞成", "反对", "弃权"]


class Topic(models.Model):
    """议事议题: a matter put to the residents of an area, through 征集 → 讨论 → 表决 → 公示.

    The phase follows from the dates (computed, not stored). A vote is counted per household or per
    resident (`vote_unit`); eligibility is living in a grid inside `area`.
    """

    class VoteUnit(models.TextChoices):
        HOUSEHOLD = "household", "每户一票"
        RESIDENT = "resident", "每人一票"

    class Phase(models.TextChoices):
        COLLECTING = "collecting", "征集"
        DISCUSSING = "discussing", "讨论"
        VOTING = "voting", "表决"
        PUBLICITY = "publicity", "公示"
        CLOSED = "closed", "已结束"

    title = models.CharField("议题", max_length=100)
    body = models.TextField("议题说明")
    area = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name="表决范围"
    )
    vote_unit = models.CharField(
        "计票方式", max_length=10, choices=VoteUnit.choices, default=VoteUnit.HOUSEHOLD
    )
    options = models.JSONField("选项", default=default_vote_options)
    collect_from = models.DateTimeField("征集开始")
    discuss_from = models.DateTimeField("讨论开始")
    vote_from = models.DateTimeField("表决开始")
    vote_until = models.DateTimeField("表决截止", db_index=True)
    publicity_until = models.DateTimeField("公示截止")
    quorum_percent = models.PositiveSmallIntegerField("参与率下限（%）", default=50)
    pass_percent = models.PositiveSmallIntegerField("通过门槛（%）", default=50)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="发起人",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "议事议题"
        ordering = ["-vote_from", "-id"]
        constraints = [
            models.CheckConstraint(
                name="topic_phases_in_order",
                condition=(
                    models.Q(
                        collect_from__lte=models.F("discuss_from"),
                        discuss_from__lte=models.F("vote_from"),
                        vote_from__lt=models.F("vote_until"),
                        vote_until__lte=models.F("publicity_until"),
                    )
                ),
            ),
            models.CheckConstraint(
                name="topic_percents_in_range",
                condition=models.Q(quorum_percent__lte=100, pass_percent__lte=100),
            ),
        ]

    def __str__(self):
        return self.title

    def phase_at(self, now=None) -> str:
        now = now or timezone.now()
        if now < self.discuss_from:
            return self.Phase.COLLECTING
        if now < self.vote_from:
            return self.Phase.DISCUSSING
        if now < self.vote_until:
            return self.Phase.VOTING
        if now < self.publicity_until:
            return self.Phase.PUBLICITY
        return self.Phase.CLOSED

    @property
    def phase(self) -> str:
        return self.phase_at()

    @property
    def phase_label(self) -> str:
        return self.Phase(self.phase).label


class Vote(models.Model):
    """表决票: one per household (household set) or one per resident, enforced by unique constraints."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        "regions.Household",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="仅“每户一票”的议题填写",
    )
    choice = models.CharField("选择", max_length=50)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "表决票"
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "household"],
                condition=models.Q(household__isnull=False),
                name="vote_one_per_household",
            ),
            models.UniqueConstraint(fields=["topic", "voter"], name="vote_one_per_voter"),
        ]

    def __str__(self):
        return f"{self.topic} · {self.choice}"
