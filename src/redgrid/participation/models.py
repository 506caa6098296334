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
    resident (`vote_unit`); eligibility is living in a grid inside `area`. A topic a resident proposes
    waits (`status` proposed) until the community accepts and schedules it; committee topics start
    accepted. Results are frozen into `results` when the organiser publishes them (deliberation.py).
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", "待受理"
        ACCEPTED = "accepted", "已受理"
        REJECTED = "rejected", "未受理"

    class Origin(models.TextChoices):
        RESIDENT = "resident", "居民提议"
        COMMITTEE = "committee", "组织发起"

    class VoteUnit(models.TextChoices):
        HOUSEHOLD = "household", "每户一票"
        RESIDENT = "resident", "每人一票"

    class Phase(models.TextChoices):
        COLLECTING = "collecting", "征集"
        DISCUSSING = "discussing", "讨论"
        VOTING = "voting", "表决"
        PUBLICITY = "publicity", "公示"
        CLOSED = "closed", "已结束"
        PROPOSED = "proposed", "待受理"
        REJECTED = "rejected", "未受理"

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
    status = models.CharField(
        "受理状态", max_length=10, choices=Status.choices, default=Status.ACCEPTED, db_index=True
    )
    origin = models.CharField("来源", max_length=10, choices=Origin.choices, default=Origin.COMMITTEE)
    reject_reason = models.CharField("不予受理原因", max_length=200, blank=True)
    results = models.JSONField("公布的表决结果", null=True, blank=True)
    result_note = models.TextField("结果公告", blank=True)
    results_published_at = models.DateTimeField("结果公布时间", null=True, blank=True)
    announced_phase = models.CharField("已通知的阶段", max_length=12, blank=True)

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
        if self.status != self.Status.ACCEPTED:
            # A proposal has no running schedule until it is accepted.
            return self.Phase.PROPOSED if self.status == self.Status.PROPOSED else self.Phase.REJECTED
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


# --- 志愿服务 (volunteers) -------------------------------------------------------------------------------


class VolunteerTeam(models.Model):
    """志愿服务队: a community's volunteer team, including 微光服务队 (professional teams of lawyers, doctors,
    teachers…) with the skills they offer.

    Every team has a party member as 团队指导员 (instructor) and may have a 队长 (leader account) who approves
    join requests beside the community staff.
    """

    class Kind(models.TextChoices):
        GENERAL = "general", "志愿服务队"
        PROFESSIONAL = "professional", "微光服务队"

    name = models.CharField("队名", max_length=60)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.GENERAL)
    community = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name="所属社区"
    )
    description = models.TextField("简介", max_length=1000, blank=True)
    skills = models.JSONField("服务技能", default=list, blank=True)
    instructor = models.ForeignKey(
        "party.PartyMember", on_delete=models.PROTECT, related_name="+", verbose_name="团队指导员"
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="队长",
    )
    is_active = models.BooleanField("在册", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("成立时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "志愿服务队"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="volunteer_team_unique_name")
        ]

    def __str__(self):
        return self.name


class TeamMembership(models.Model):
    """队员 / 入队申请: one row per request; the approved rows are the team's members."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已入队"
        REJECTED = "rejected", "未通过"
        LEFT = "left", "已退出"

    ACTIVE = (Status.PENDING, Status.APPROVED)

    team = models.ForeignKey(VolunteerTeam, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    skills = models.JSONField("特长", default=list, blank=True)
    note = models.CharField("申请说明", max_length=200, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PENDING)
    reject_reason = models.CharField("未通过原因", max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    created_at = models.DateTimeField("申请时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "队员"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "status"]), models.Index(fields=["team", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "user"],
                condition=models.Q(status__in=["pending", "approved"]),
                name="team_membership_one_active",
            )
        ]

    def __str__(self):
        return f"{self.team} · {self.user}"


class VolunteerActivity(models.Model):
    """志愿活动: a service activity of a community, with one or more shifts (班次).

    `dual_report` marks 双报到 service: confirmed hours of in-service party members count as 双报到 hours.
    Whether the activity is upcoming or over follows from its shifts (computed, not stored).
    """

    class Status(models.TextChoices):
        PUBLISHED = "published", "已发布"
        CANCELLED = "cancelled", "已取消"

    title = models.CharField("活动名称", max_length=80)
    description = models.TextField("活动内容", max_length=2000)
    community = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name="所属社区"
    )
    team = models.ForeignKey(
        VolunteerTeam,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        verbose_name="服务队",
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="组织者"
    )
    address = models.CharField("活动地点", max_length=200)
    lng = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    dual_report = models.BooleanField("双报到服务", default=False)
    team_only = models.BooleanField("仅限本队队员报名", default=False)
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.PUBLISHED, db_index=True
    )
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    created_at = models.DateTimeField("发布时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "志愿活动"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class VolunteerShift(models.Model):
    """班次: one time slot of an activity at a place, with a capacity (名额)."""

    activity = models.ForeignKey(VolunteerActivity, on_delete=models.CASCADE, related_name="shifts")
    starts_at = models.DateTimeField("开始时间", db_index=True)
    ends_at = models.DateTimeField("结束时间")
    place = models.CharField("地点", max_length=100)
    capacity = models.PositiveIntegerField("名额")
    is_cancelled = models.BooleanField("已取消", default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "班次"
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="volunteer_shift_ends_after_start", condition=models.Q(starts_at__lt=models.F("ends_at"))
            ),
            models.CheckConstraint(
                name="volunteer_shift_capacity_positive", condition=models.Q(capacity__gte=1)
            ),
        ]

    def __str__(self):
        return f"{self.activity} · {timezone.localtime(self.starts_at):%m-%d %H:%M}"


class ShiftSignup(models.Model):
    """报名与服务记录: one volunteer on one shift — sign-up, check-in/out, hours confirmed by the organiser.

    `hours` is computed at check-out (min(check-out − check-in, shift length), to 0.1 h); `confirmed_hours`
    is what the organiser confirms and the only figure yearly hours count. `dual_report` is fixed when the
    hours are confirmed (a 双报到 activity and an in-service member at that moment).
    """

    class Status(models.TextChoices):
        SIGNED_UP = "signed_up", "已报名"
        CANCELLED = "cancelled", "已取消"
        CHECKED_IN = "checked_in", "已签到"
        CHECKED_OUT = "checked_out", "已签退"
        CONFIRMED = "confirmed", "时长已确认"
        ABSENT = "absent", "缺席"

    shift = models.ForeignKey(VolunteerShift, on_delete=models.CASCADE, related_name="signups")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.SIGNED_UP)
    created_at = models.DateTimeField("报名时间", default=timezone.now)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    checked_out_at = models.DateTimeField("签退时间", null=True, blank=True)
    hours = models.DecimalField("签到时长（小时）", max_digits=5, decimal_places=1, null=True, blank=True)
    confirmed_hours = models.DecimalField(
        "确认时长（小时）", max_digits=5, decimal_places=1, null=True, blank=True
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    dual_report = models.BooleanField("计入双报到服务", default=False)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "志愿报名"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["user", "status"]), models.Index(fields=["shift", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "user"],
                condition=~models.Q(status="cancelled"),
                name="volunteer_signup_one_per_shift",
            )
        ]

    def __str__(self):
        return f"{self.shift} · {self.user}"


class VolunteerProject(models.Model):
    """自主申报项目: a service project a resident proposes; the community approves it — it then becomes an
    activity with one shift, organised by the proposer — or rejects it with a reason."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已通过"
        REJECTED = "rejected", "未通过"
        WITHDRAWN = "withdrawn", "已撤回"

    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申报人"
    )
    community = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name="所属社区"
    )
    title = models.CharField("项目名称", max_length=80)
    description = models.TextField("项目内容", max_length=2000)
    place = models.CharField("地点", max_length=100)
    starts_at = models.DateTimeField("计划开始")
    ends_at = models.DateTimeField("计划结束")
    capacity = models.PositiveIntegerField("招募人数")
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    reject_reason = models.CharField("未通过原因", max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    activity = models.OneToOneField(
        VolunteerActivity,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="project",
        verbose_name="立项活动",
    )
    created_at = models.DateTimeField("申报时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "自主申报项目"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class VolunteerEvent(BaseEvent):
    """志愿服务事件: the timeline of teams, join requests, activities, sign-ups and projects (one row per change)."""

    LABELS = {
        "team_create": "成立服务队",
        "join": "申请入队",
        "join_approve": "批准入队",
        "join_reject": "驳回入队申请",
        "leave": "退出服务队",
        "activity_create": "发布活动",
        "activity_cancel": "取消活动",
        "shift_add": "增加班次",
        "shift_cancel": "取消班次",
        "signup": "报名",
        "cancel": "取消报名",
        "check_in": "签到",
        "check_out": "签退",
        "confirm": "确认时长",
        "absent": "记为缺席",
        "void": "活动/班次取消",
        "propose": "申报项目",
        "approve": "项目通过",
        "reject": "项目未通过",
        "withdraw": "撤回申报",
    }

    team = models.ForeignKey(
        VolunteerTeam, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    membership = models.ForeignKey(
        TeamMembership, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    activity = models.ForeignKey(
        VolunteerActivity, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    signup = models.ForeignKey(
        ShiftSignup, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    project = models.ForeignKey(
        VolunteerProject, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )

    class Meta(BaseEvent.Meta):
        verbose_name = verbose_name_plural = "志愿服务事件"

    @property
    def label(self) -> str:
        return self.LABELS.get(self.action, self.action)


# --- 议事厅 deliberation: stakeholders, threaded comments, moderation, implementation (deliberation.py) ---


class TopicStakeholder(models.Model):
    """议事相关方: an account that represents 党组织, 居委会, 业委会 or 物业 on one topic."""

    class Kind(models.TextChoices):
        PARTY_ORG = "party_org", "党组织"
        RESIDENTS_COMMITTEE = "residents_committee", "居委会"
        OWNERS_COMMITTEE = "owners_committee", "业委会"
        PROPERTY = "property", "物业"

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="stakeholders")
    kind = models.CharField("相关方", max_length=20, choices=Kind.choices)
    name = models.CharField("单位名称", max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="代表账号"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "议事相关方"
        ordering = ["kind", "id"]
        constraints = [models.UniqueConstraint(fields=["topic", "user"], name="stakeholder_once_per_topic")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.name}"


class TopicComment(models.Model):
    """议事评论: threaded (`parent`, `thread` = the root of the thread); hidden automatically after the
    configured number of reports, pending a moderator's review (restore or remove)."""

    class Status(models.TextChoices):
        VISIBLE = "visible", "显示"
        HIDDEN = "hidden", "已隐藏（待审核）"
        REMOVED = "removed", "已删除"

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    thread = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    depth = models.PositiveSmallIntegerField(default=0)
    body = models.TextField("内容", max_length=1000)
    stakeholder_kind = models.CharField("发言身份", max_length=20, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.VISIBLE)
    report_count = models.PositiveIntegerField("被举报次数", default=0)
    cleared = models.BooleanField("审核后保留", default=False)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "议事评论"
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["topic", "depth", "created_at"]),
            models.Index(fields=["status", "topic"]),
            models.Index(fields=["author", "created_at"]),
        ]

    def __str__(self):
        return self.body[:40]


class CommentReport(models.Model):
    """评论举报: one per reporter and comment (a second report of the same person is refused)."""

    comment = models.ForeignKey(TopicComment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField("举报原因", max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "评论举报"
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="comment_report_once_per_person")
        ]

    def __str__(self):
        return f"{self.comment_id} · {self.reason}"


class TopicProgress(models.Model):
    """落实进展: an update on carrying out a topic that passed."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="progress")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    percent = models.PositiveSmallIntegerField("完成进度（%）")
    note = models.TextField("进展说明", max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "议题落实进展"
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(name="topic_progress_percent_range", condition=models.Q(percent__lte=100))
        ]

    def __str__(self):
        return f"{self.topic} · {self.percent}%"


class TopicEvent(BaseEvent):
    """议题事件: one row per change of a topic or of the moderation state of one of its comments."""

    LABELS = {
        "propose": "居民提议",
        "create": "发起议题",
        "accept": "受理",
        "reject": "不予受理",
        "invite": "邀请相关方",
        "open_discussion": "提前进入讨论",
        "open_voting": "提前开始表决",
        "phase": "进入新阶段",
        "hide": "评论自动隐藏",
        "restore": "评论恢复显示",
        "remove": "评论删除",
        "publish_results": "公布结果",
        "progress": "落实进展",
    }

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="events")
    comment = models.ForeignKey(
        TopicComment, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )

    class Meta(BaseEvent.Meta):
        verbose_name = verbose_name_plural = "议题事件"

    @property
    def label(self) -> str:
        return self.LABELS.get(self.action, self.action)


# --- 征求意见 opinion solicitation (solicitations.py) --------------------------------------------------


class Solicitation(models.Model):
    """征求意见: a draft (text and/or a document) open for opinions from `opens_at` to `closes_at`; the
    organiser answers each opinion and publishes a summary, after which opinions and answers are public."""

    class Phase(models.TextChoices):
        UPCOMING = "upcoming", "未开始"
        OPEN = "open", "征求中"
        CLOSED = "closed", "已截止"
        SUMMARIZED = "summarized", "已反馈"

    title = models.CharField("标题", max_length=100)
    body = models.TextField("征求意见稿", blank=True)
    document = models.FileField("附件", upload_to="solicitations/%Y/%m/", blank=True)
    document_name = models.CharField("附件名称", max_length=120, blank=True)
    document_type = models.CharField("附件类型", max_length=100, blank=True)
    area = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name="征求范围"
    )
    opens_at = models.DateTimeField("开始时间")
    closes_at = models.DateTimeField("截止时间", db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="组织者"
    )
    created_at = models.DateTimeField(default=timezone.now)
    summary = models.TextField("意见采纳情况说明", blank=True)
    summary_published_at = models.DateTimeField("反馈公布时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "征求意见"
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="solicitation_period_in_order", condition=models.Q(opens_at__lt=models.F("closes_at"))
            )
        ]

    def __str__(self):
        return self.title

    def phase_at(self, now=None) -> str:
        if self.summary_published_at:
            return self.Phase.SUMMARIZED
        now = now or timezone.now()
        if now < self.opens_at:
            return self.Phase.UPCOMING
        return self.Phase.OPEN if now < self.closes_at else self.Phase.CLOSED

    @property
    def phase(self) -> str:
        return self.phase_at()

    @property
    def phase_label(self) -> str:
        return self.Phase(self.phase).label


class SolicitationOpinion(models.Model):
    """意见建议: one opinion on a solicitation, with the organiser's answer (采纳情况)."""

    class Adoption(models.TextChoices):
        ADOPTED = "adopted", "采纳"
        PARTLY = "partly", "部分采纳"
        NOT_ADOPTED = "not_adopted", "未采纳"
        EXPLAINED = "explained", "已解释说明"

    solicitation = models.ForeignKey(Solicitation, on_delete=models.CASCADE, related_name="opinions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    clause = models.CharField("针对条款", max_length=50, blank=True)
    body = models.TextField("意见内容", max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    adoption = models.CharField("采纳情况", max_length=20, choices=Adoption.choices, blank=True)
    response = models.TextField("答复", max_length=1000, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "征求意见·意见"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["solicitation", "author"])]

    def __str__(self):
        return self.body[:40]


class SolicitationEvent(BaseEvent):
    """征求意见事件: publication, answers and the summary."""

    LABELS = {"create": "发布征求意见稿", "respond": "答复意见", "publish_summary": "公布采纳情况"}

    solicitation = models.ForeignKey(Solicitation, on_delete=models.CASCADE, related_name="events")

    class Meta(BaseEvent.Meta):
        verbose_name = verbose_name_plural = "征求意见事件"

    @property
    def label(self) -> str:
        return self.LABELS.get(self.action, self.action)


# --- 党务公开 / 公示 / 通知公告 (notices.py) -------------------------------------------------------------


class Notice(models.Model):
    """公开/公示: a notice targeted to region and party-org nodes (it reaches everyone below them).

    A 公示 (`publicity`) runs from `starts_at` to `ends_at`; objections are taken only in that period,
    and the organiser records the outcome after it. A 党务公开 item belongs to the catalogue of `org`
    under one of the content categories of 《中国共产党党务公开条例（试行）》.
    """

    class Kind(models.TextChoices):
        NOTICE = "notice", "通知公告"
        PUBLICITY = "publicity", "公示"
        PARTY_AFFAIRS = "party_affairs", "党务公开"

    class Status(models.TextChoices):
        PUBLISHED = "published", "已发布"
        CONCLUDED = "concluded", "公示结束"
        WITHDRAWN = "withdrawn", "已撤回"

    class Category(models.TextChoices):
        POLICY = "policy", "学习贯彻党的理论和路线方针政策、上级决策部署"
        ORGANISATION = "organisation", "组织建设与换届选举"
        ORG_LIFE = "org_life", "组织生活（三会一课、主题党日、组织生活会）"
        RECRUITMENT = "recruitment", "发展党员"
        DUES = "dues", "党费收缴、使用和管理"
        EVALUATION = "evaluation", "民主评议党员与表彰"
        SERVICE = "service", "联系服务党员和群众"
        INTEGRITY = "integrity", "党风廉政建设"
        OTHER = "other", "其他应当公开的事项"

    kind = models.CharField("类型", max_length=20, choices=Kind.choices, db_index=True)
    title = models.CharField("标题", max_length=100)
    body = models.TextField("正文")
    category = models.CharField("党务公开类别", max_length=20, choices=Category.choices, blank=True)
    org = models.ForeignKey(
        "party.PartyOrg",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="公开主体（党组织）",
    )
    regions = models.ManyToManyField("regions.Region", blank=True, related_name="+", verbose_name="面向区域")
    party_orgs = models.ManyToManyField("party.PartyOrg", blank=True, related_name="+", verbose_name="面向党组织")
    starts_at = models.DateTimeField("公示开始", null=True, blank=True)
    ends_at = models.DateTimeField("公示截止", null=True, blank=True, db_index=True)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.PUBLISHED, db_index=True
    )
    outcome = models.TextField("公示结果", blank=True)
    withdraw_reason = models.CharField("撤回原因", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="发布人"
    )
    published_at = models.DateTimeField("发布时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "公开公示"
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["org", "category", "published_at"])]
        constraints = [
            models.CheckConstraint(
                name="notice_period_in_order",
                condition=models.Q(starts_at__isnull=True)
                | models.Q(ends_at__isnull=True)
                | models.Q(starts_at__lt=models.F("ends_at")),
            )
        ]

    def __str__(self):
        return self.title

    def open_for_objections(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.kind == self.Kind.PUBLICITY
            and self.status == self.Status.PUBLISHED
            and self.starts_at is not None
            and self.starts_at <= now < self.ends_at
        )


class NoticeObjection(models.Model):
    """公示异议: a named objection raised during a 公示 period, answered by the organiser."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="objections")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField("异议内容", max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)
    reply = models.TextField("答复", max_length=1000, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "公示异议"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["notice", "author", "created_at"])]

    def __str__(self):
        return self.body[:40]


class NoticeEvent(BaseEvent):
    """公开公示事件."""

    LABELS = {
        "publish": "发布",
        "object": "提出异议",
        "reply": "答复异议",
        "conclude": "公示结束",
        "withdraw": "撤回",
        "push": "推送站内消息",
    }

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="events")

    class Meta(BaseEvent.Meta):
        verbose_name = verbose_name_plural = "公开公示事件"

    @property
    def label(self) -> str:
        return self.LABELS.get(self.action, self.action)


# --- 网上评议 online evaluation (evaluation.py) -----------------------------------------------------------


class Evaluation(models.Model):
    """网上评议: a resident's rating (1–5 and a comment) of a branch, a party member or a unit, at most once
    per target and period (the unique constraint is the guard)."""

    class TargetType(models.TextChoices):
        BRANCH = "branch", "党组织"
        MEMBER = "member", "党员"
        UNIT = "unit", "责任单位"

    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    target_type = models.CharField("评议对象类型", max_length=10, choices=TargetType.choices)
    target_id = models.PositiveBigIntegerField("评议对象")
    period = models.CharField("评议周期", max_length=10)
    score = models.PositiveSmallIntegerField("评分")
    comment = models.CharField("评语", max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "网上评议"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "period", "target_id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["rater", "target_type", "target_id", "period"], name="evaluation_once_per_period"
            ),
            models.CheckConstraint(
                name="evaluation_score_1_to_5", condition=models.Q(score__gte=1, score__lte=5)
            ),
        ]

    def __str__(self):
        return f"{self.get_target_type_display()} {self.target_id} · {self.period} · {self.score}"


# --- 信息发布 information release (articles.py) ----------------------------------------------------------


def default_article_roles() -> list[str]:
    return ["resident"]


class Article(models.Model):
    """信息发布: an article for a target audience (region and party-org nodes × roles). Publishing freezes
    the audience into receipts and pushes an inbox message to each; opening the article marks it read."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"
        WITHDRAWN = "withdrawn", "已撤回"

    class Category(models.TextChoices):
        NEWS = "news", "工作动态"
        POLICY = "policy", "政策解读"
        NOTICE = "notice", "通知"
        ACTIVITY = "activity", "活动预告"
        PARTY = "party", "党建学习"

    title = models.CharField("标题", max_length=100)
    summary = models.CharField("摘要", max_length=200, blank=True)
    body = models.TextField("正文")
    category = models.CharField("栏目", max_length=20, choices=Category.choices, default=Category.NEWS)
    regions = models.ManyToManyField("regions.Region", blank=True, related_name="+", verbose_name="面向区域")
    party_orgs = models.ManyToManyField("party.PartyOrg", blank=True, related_name="+", verbose_name="面向党组织")
    roles = models.JSONField("面向角色", default=default_article_roles)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="发布人"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField("发布时间", null=True, blank=True, db_index=True)
    audience_size = models.PositiveIntegerField("推送人数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "信息发布"
        ordering = ["-published_at", "-id"]

    def __str__(self):
        return self.title


class ArticleReceipt(models.Model):
    """推送与阅读回执: one per account of the audience; `node_path` is where the account is counted in the
    coverage table (home grid, granted region/org node, or the member's organisation)."""

    class NodeType(models.TextChoices):
        REGION = "region", "区域"
        ORG = "org", "党组织"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="receipts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    node_type = models.CharField(max_length=10, choices=NodeType.choices)
    node_path = models.CharField(max_length=255)
    notified_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "阅读回执"
        constraints = [models.UniqueConstraint(fields=["article", "user"], name="article_receipt_once")]
        indexes = [
            models.Index(fields=["article", "node_type", "node_path"]),
            models.Index(fields=["user", "article"]),
        ]

    def __str__(self):
        return f"{self.article_id} · {self.user_id}"


class ArticleEvent(BaseEvent):
    """信息发布事件."""

    LABELS = {"create": "创建", "update": "修改", "publish": "发布", "push": "推送", "withdraw": "撤回"}

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="events")

    class Meta(BaseEvent.Meta):
        verbose_name = verbose_name_plural = "信息发布事件"

    @property
    def label(self) -> str:
        return self.LABELS.get(self.action, self.action)
