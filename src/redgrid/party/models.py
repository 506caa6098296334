"""Party organisations (党组织) and party member base records (党员)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from treebeard.mp_tree import MP_Node

from redgrid.core.models import BaseEvent
from redgrid.regions.models import Building, Region, Resident


class PartyOrg(MP_Node):
    """党组织: 基层党委 → 党总支 → 党支部 → 党小组, including 网格党支部 and 楼栋党小组.

    `regions` anchors the organisation to the region nodes (usually grids) it is responsible for;
    full coverage of grids is checked by `party.selectors.coverage_report`.
    """

    class Kind(models.TextChoices):
        COMMITTEE = "committee", "基层党委"
        WORKING_COMMITTEE = "working_committee", "街道党工委"
        GENERAL_BRANCH = "general_branch", "党总支"
        BRANCH = "branch", "党支部"
        GRID_BRANCH = "grid_branch", "网格党支部"
        GROUP = "group", "党小组"
        BUILDING_GROUP = "building_group", "楼栋党小组"

    BRANCH_KINDS = (Kind.BRANCH, Kind.GRID_BRANCH)
    GROUP_KINDS = (Kind.GROUP, Kind.BUILDING_GROUP)

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, db_index=True)
    regions = models.ManyToManyField(Region, blank=True, related_name="party_orgs", verbose_name="负责区域")
    building = models.ForeignKey(
        Building,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="party_groups",
        verbose_name="楼栋",
    )
    has_committee = models.BooleanField("设支部委员会", default=False)
    term_started = models.DateField("本届任期开始", null=True, blank=True)
    term_years = models.PositiveSmallIntegerField("任期（年）", default=3)

    node_order_by = []

    class Meta:
        verbose_name = verbose_name_plural = "党组织"

    def __str__(self):
        return self.name


class PartyMember(models.Model):
    """党员: the member base record (花名册字段); personal fields live on the linked Resident."""

    class Status(models.TextChoices):
        FULL = "full", "正式党员"
        PROBATIONARY = "probationary", "预备党员"
        SUSPENDED = "suspended", "停止党籍"
        REMOVED = "removed", "已出党"
        DECEASED = "deceased", "已去世"
        TRANSFERRED_OUT = "transferred_out", "已转出"

    #: Statuses of people who are members of this organisation today (count in rosters, dues, meetings).
    ACTIVE = (Status.FULL, Status.PROBATIONARY)

    class DuesCategory(models.TextChoices):
        EMPLOYED = "employed", "在职"
        ANNUAL_SALARY = "annual_salary", "年薪制"
        SELF_EMPLOYED = "self_employed", "个体/自由职业"
        RETIRED = "retired", "离退休"
        FARMER = "farmer", "农民"
        STUDENT = "student", "学生"
        UNEMPLOYED = "unemployed", "下岗失业"
        LOW_INCOME = "low_income", "依靠抚恤或低保生活"

    person = models.OneToOneField(
        Resident, on_delete=models.PROTECT, related_name="party_member", verbose_name="人员"
    )
    org = models.ForeignKey(
        PartyOrg, on_delete=models.PROTECT, related_name="members", verbose_name="所在党组织"
    )
    status = models.CharField("党员状态", max_length=20, choices=Status.choices, default=Status.FULL)
    applied_on = models.DateField("申请入党日期", null=True, blank=True)
    joined_on = models.DateField("入党日期", null=True, blank=True)
    full_member_on = models.DateField("转正日期", null=True, blank=True)
    dues_category = models.CharField(
        "党费类别", max_length=20, choices=DuesCategory.choices, default=DuesCategory.EMPLOYED
    )
    position = models.CharField("党内职务", max_length=30, blank=True)
    in_service = models.BooleanField("在职党员", default=False)
    work_unit = models.CharField("工作单位", max_length=100, blank=True)
    home_community = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reporting_members",
        verbose_name="报到社区（双报到）",
    )
    probation_extension_months = models.PositiveSmallIntegerField("延长预备期（月）", default=0)
    left_on = models.DateField("离开日期（停止党籍、出党、去世、转出）", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "党员"
        indexes = [models.Index(fields=["org", "status"])]

    def __str__(self):
        return self.person.name


class MemberEvent(BaseEvent):
    """党员档案记录: one row per status change (转正, 延长预备期, 停止党籍, 出党, 去世, 转出/转入)."""

    member = models.ForeignKey(
        PartyMember, on_delete=models.CASCADE, related_name="events", verbose_name="党员"
    )

    class Meta(BaseEvent.Meta):
        verbose_name = verbose_name_plural = "党员档案记录"


class OrgLifeMeeting(models.Model):
    """组织生活 (三会一课等): one meeting of a branch or party group, with its attendance."""

    class Kind(models.TextChoices):
        GENERAL_ASSEMBLY = "general_assembly", "支部党员大会"
        BRANCH_COMMITTEE = "branch_committee", "支委会"
        GROUP_MEETING = "group_meeting", "党小组会"
        PARTY_LECTURE = "party_lecture", "党课"
        THEME_DAY = "theme_day", "主题党日"
        LIFE_MEETING = "life_meeting", "组织生活会"
        EVALUATION = "evaluation", "民主评议"
        TALK = "talk", "谈心谈话"

    class Status(models.TextChoices):
        OPEN = "open", "签到中"
        CLOSED = "closed", "已召开"
        CANCELLED = "cancelled", "已取消"

    org = models.ForeignKey(
        PartyOrg, on_delete=models.PROTECT, related_name="meetings", verbose_name="党组织"
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    date = models.DateField("日期")
    place = models.CharField("地点", max_length=100)
    topic = models.CharField("主题", max_length=200)
    minutes = models.TextField("会议记录", blank=True)
    photos = models.JSONField("照片", default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "组织生活"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["org", "kind", "date"])]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.topic}"


class MeetingAttendance(models.Model):
    """参会情况: one row per member expected at a meeting (present, or absent with a reason)."""

    meeting = models.ForeignKey(OrgLifeMeeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(
        PartyMember, on_delete=models.PROTECT, related_name="attendance", verbose_name="党员"
    )
    present = models.BooleanField("出席", default=False)
    absence_reason = models.CharField("缺席原因", max_length=100, blank=True)
    signed_in_at = models.DateTimeField("签到时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "参会情况"
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="party_attendance_once")]

    def __str__(self):
        return f"{self.member_id}@{self.meeting_id}"


class MeetingEvent(BaseEvent):
    """组织生活记录事件: recording, sign-in, attendance changes, closing."""

    meeting = models.ForeignKey(OrgLifeMeeting, on_delete=models.CASCADE, related_name="events")

    class Meta(BaseEvent.Meta):
        verbose_name = verbose_name_plural = "组织生活事件"


class DuesBase(models.Model):
    """党费基数: the base for a year, effective from a month (set in January, changed when pay changes)."""

    member = models.ForeignKey(PartyMember, on_delete=models.CASCADE, related_name="dues_bases")
    year = models.PositiveSmallIntegerField("年度")
    from_month = models.PositiveSmallIntegerField("起始月份", default=1)
    base = models.DecimalField("计算基数（元）", max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "党费基数"
        constraints = [
            models.UniqueConstraint(fields=["member", "year", "from_month"], name="party_dues_base_once"),
            models.CheckConstraint(
                condition=models.Q(from_month__gte=1, from_month__lte=12), name="party_dues_base_month"
            ),
        ]

    def __str__(self):
        return f"{self.year}-{self.from_month:02d} {self.base}"


class DuesPayment(models.Model):
    """党费收缴记录: one member's dues for one month (the payment itself happens outside the platform)."""

    member = models.ForeignKey(PartyMember, on_delete=models.PROTECT, related_name="dues_payments")
    org = models.ForeignKey(
        PartyOrg, on_delete=models.PROTECT, related_name="dues_payments", verbose_name="收缴组织"
    )
    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField("月份")
    amount = models.DecimalField("金额（元）", max_digits=10, decimal_places=2)
    paid_on = models.DateField("缴纳日期")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "党费收缴记录"
        constraints = [
            models.UniqueConstraint(fields=["member", "year", "month"], name="party_dues_once_a_month"),
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="party_dues_month"),
        ]
        indexes = [models.Index(fields=["org", "year", "month"])]

    def __str__(self):
        return f"{self.year}-{self.month:02d} {self.amount}"


class Transfer(models.Model):
    """组织关系转接: a 介绍信 out of (or into) a branch, valid for a limited time, closed by a 回执."""

    class Direction(models.TextChoices):
        OUT = "out", "转出"
        IN = "in", "转入"

    class Status(models.TextChoices):
        ISSUED = "issued", "已开具介绍信"
        RECEIVED = "received", "已回执"
        CANCELLED = "cancelled", "已撤销"

    member = models.ForeignKey(PartyMember, on_delete=models.PROTECT, related_name="transfers")
    direction = models.CharField("方向", max_length=3, choices=Direction.choices)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ISSUED)
    from_org = models.ForeignKey(
        PartyOrg, null=True, blank=True, on_delete=models.PROTECT, related_name="transfers_out"
    )
    to_org = models.ForeignKey(
        PartyOrg, null=True, blank=True, on_delete=models.PROTECT, related_name="transfers_in"
    )
    from_name = models.CharField("转出组织", max_length=200, blank=True)
    to_name = models.CharField("接收组织", max_length=200)
    letter_no = models.CharField("介绍信编号", max_length=40, unique=True)
    issued_on = models.DateField("开具日期")
    valid_until = models.DateField("有效期至")
    dues_paid_until = models.CharField("党费交至", max_length=7, blank=True)
    receipt_on = models.DateField("回执日期", null=True, blank=True)
    receipt_note = models.CharField("回执说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "组织关系转接"
        ordering = ["-issued_on", "-id"]

    def __str__(self):
        return f"{self.letter_no} {self.member}"

    def is_expired(self, today) -> bool:
        """An issued letter past its validity (derived, not stored)."""
        return self.status == self.Status.ISSUED and today > self.valid_until
