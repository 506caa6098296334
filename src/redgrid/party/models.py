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


# ---------------------------------------------------------------------------------------------------------
# 发展党员 (recruitment) — 《中国共产党发展党员工作细则》: 5 stages, 25 steps (rules and services in
# party/rules.py and party/recruitment.py)
# ---------------------------------------------------------------------------------------------------------


class Applicant(models.Model):
    """入党申请人档案: one person's way through the 25 steps, from 递交入党申请书 to 材料归档.

    `step` is the last completed step (1–25); the next one is `step + 1`. `due_on` is the deadline of the
    next step when the rules give one (talk, approvals, 转正); the reminder sweep claims `reminded_at` and
    `overdue_notified_at` with a compare-and-swap update, and both are cleared whenever `due_on` moves.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "发展中"
        COMPLETED = "completed", "已转正归档"
        TERMINATED = "terminated", "已终止"

    person = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="party_applications", verbose_name="申请人"
    )
    branch = models.ForeignKey(
        PartyOrg, on_delete=models.PROTECT, related_name="applicants", verbose_name="所在党支部"
    )
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.ACTIVE)
    step = models.PositiveSmallIntegerField("已完成步骤", default=0)
    applied_on = models.DateField("递交入党申请书日期")
    due_on = models.DateField("下一步期限", null=True, blank=True)
    due_rule = models.CharField("期限依据", max_length=200, blank=True)
    reminded_at = models.DateTimeField("期限提醒发送时间", null=True, blank=True)
    overdue_notified_at = models.DateTimeField("超期提醒发送时间", null=True, blank=True)
    member = models.ForeignKey(
        PartyMember,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applications",
        verbose_name="党员档案",
    )
    note = models.TextField("备注", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "入党申请人"
        ordering = ["-applied_on", "-id"]
        indexes = [
            models.Index(fields=["branch", "status", "step"]),
            models.Index(fields=["status", "due_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(status="active"), name="party_one_active_application"
            ),
            models.CheckConstraint(condition=models.Q(step__lte=25), name="party_applicant_step_range"),
        ]

    def __str__(self):
        return f"{self.person.name}（第{self.step}步）"


class ApplicantStep(models.Model):
    """发展党员步骤记录: the date a step was completed, with its note and its figures (votes, hours…)."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField("步骤")
    done_on = models.DateField("日期")
    note = models.TextField("说明", blank=True)
    data = models.JSONField(default=dict, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "发展党员步骤记录"
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["applicant", "number"], name="party_applicant_step_once")
        ]

    def __str__(self):
        return f"{self.applicant_id}#{self.number} {self.done_on}"


class ApplicantSponsor(models.Model):
    """培养联系人 / 入党介绍人: full members responsible for an applicant (细则第十一条、第十五条)."""

    class Role(models.TextChoices):
        CONTACT = "contact", "培养联系人"
        INTRODUCER = "introducer", "入党介绍人"

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="sponsors")
    member = models.ForeignKey(PartyMember, on_delete=models.PROTECT, related_name="+", verbose_name="党员")
    role = models.CharField("职责", max_length=12, choices=Role.choices)
    assigned_on = models.DateField("确定日期")

    class Meta:
        verbose_name = verbose_name_plural = "培养联系人和入党介绍人"
        constraints = [
            models.UniqueConstraint(fields=["applicant", "member", "role"], name="party_sponsor_once")
        ]

    def __str__(self):
        return f"{self.get_role_display()} {self.member_id}"


def _applicant_document_path(instance, filename):
    # The stored name is random: the user's file name is kept in `name` only (never trusted as a path).
    import secrets

    return f"party/recruitment/{timezone.now():%Y/%m}/{secrets.token_hex(12)}.{filename.rsplit('.', 1)[-1]}"


class ApplicantDocument(models.Model):
    """发展党员材料: an uploaded PDF or image attached to one step (入党申请书, 思想汇报, 政审材料…)."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="documents")
    step = models.PositiveSmallIntegerField("所属步骤")
    name = models.CharField("材料名称", max_length=100)
    file = models.FileField("文件", upload_to=_applicant_document_path)
    content_type = models.CharField(max_length=30)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "发展党员材料"
        ordering = ["step", "id"]

    def __str__(self):
        return self.name


class ApplicantEvent(BaseEvent):
    """发展党员记录: one row per step, upload, 公示, objection, extension or termination."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="events")

    class Meta(BaseEvent.Meta):
        verbose_name = verbose_name_plural = "发展党员记录"


class RecruitmentPublicity(models.Model):
    """公示: public notice before a step (发展对象、接收预备党员、转正); the step waits for its end."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="publicities")
    before_step = models.PositiveSmallIntegerField("公示后的步骤")
    starts_on = models.DateField("公示开始")
    ends_on = models.DateField("公示结束", db_index=True)
    content = models.TextField("公示内容")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "发展党员公示"
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["applicant", "before_step"], name="party_publicity_once")
        ]

    def __str__(self):
        return f"{self.applicant_id} 公示 {self.starts_on}–{self.ends_on}"


class RecruitmentObjection(models.Model):
    """公示异议: an objection raised by a member of the branch or a resident; it blocks the next step
    until the branch resolves it (不属实 → continue; 属实 → the applicant cannot go on)."""

    class Status(models.TextChoices):
        OPEN = "open", "待核实"
        DISMISSED = "dismissed", "经核实不影响发展"
        UPHELD = "upheld", "经核实属实"

    publicity = models.ForeignKey(RecruitmentPublicity, on_delete=models.CASCADE, related_name="objections")
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content = models.TextField("异议内容")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField("核实情况", blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "公示异议"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["publicity", "status"])]

    def __str__(self):
        return f"{self.publicity_id} {self.get_status_display()}"


# ---------------------------------------------------------------------------------------------------------
# 定期填报, 换届, 双报到 and 民主评议 (see party/reporting.py, terms.py, dual_report.py, evaluation.py)
# ---------------------------------------------------------------------------------------------------------


class PeriodicReport(models.Model):
    """定期填报: one branch's report of one kind (组织活动、党员变动、换届) for one period."""

    class Kind(models.TextChoices):
        ACTIVITIES = "activities", "组织活动情况"
        MEMBER_CHANGES = "member_changes", "党员变动情况"
        REELECTION = "reelection", "换届情况"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "已报送"
        RETURNED = "returned", "已退回"
        ACCEPTED = "accepted", "已审核"

    org = models.ForeignKey(
        PartyOrg, on_delete=models.PROTECT, related_name="periodic_reports", verbose_name="党组织"
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    period_start = models.DateField("所属期间起")
    period_end = models.DateField("所属期间止")
    due_on = models.DateField("报送截止日")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    data = models.JSONField("填报内容", default=dict)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField("报送时间", default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_note = models.CharField("审核意见", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "定期填报"
        ordering = ["-period_start", "org__path"]
        constraints = [
            models.UniqueConstraint(fields=["org", "kind", "period_start"], name="party_report_once_a_period")
        ]
        indexes = [models.Index(fields=["kind", "period_start"])]

    def __str__(self):
        return f"{self.org} {self.get_kind_display()} {self.period_start:%Y-%m-%d}"

    @property
    def late(self) -> bool:
        return timezone.localdate(self.submitted_at) > self.due_on


class ReportEvent(BaseEvent):
    """定期填报记录: submission, return (退回), resubmission, acceptance."""

    report = models.ForeignKey(PeriodicReport, on_delete=models.CASCADE, related_name="events")

    class Meta(BaseEvent.Meta):
        verbose_name = verbose_name_plural = "定期填报记录"


class OrgTerm(models.Model):
    """届次: one term of an organisation's committee, started by an election (换届选举)."""

    org = models.ForeignKey(PartyOrg, on_delete=models.CASCADE, related_name="terms", verbose_name="党组织")
    started_on = models.DateField("选举日期（任期开始）")
    years = models.PositiveSmallIntegerField("任期（年）")
    ends_on = models.DateField("任期届满")
    approval_no = models.CharField("上级党组织批复文号", max_length=60, blank=True)
    note = models.TextField("说明", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "届次"
        ordering = ["-started_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["org", "started_on"], name="party_term_once")]

    def __str__(self):
        return f"{self.org} {self.started_on:%Y-%m-%d}–{self.ends_on:%Y-%m-%d}"


class PartyOrgEvent(BaseEvent):
    """党组织记录: elections (换届) and other changes of an organisation itself."""

    org = models.ForeignKey(PartyOrg, on_delete=models.CASCADE, related_name="events")

    class Meta(BaseEvent.Meta):
        verbose_name = verbose_name_plural = "党组织记录"


class DualRegistration(models.Model):
    """双报到: an in-service member's registration with the community where they live (到社区报到)."""

    class Status(models.TextChoices):
        PENDING = "pending", "待社区确认"
        CONFIRMED = "confirmed", "已报到"
        REJECTED = "rejected", "未通过"
        ENDED = "ended", "已结束"

    member = models.ForeignKey(
        PartyMember, on_delete=models.CASCADE, related_name="dual_registrations", verbose_name="党员"
    )
    community = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="dual_registrations", verbose_name="报到社区"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    skills = models.CharField("服务意向/特长", max_length=200, blank=True)
    registered_at = models.DateTimeField("报到时间", default=timezone.now)
    confirmed_on = models.DateField("社区确认日期", null=True, blank=True)
    valid_until = models.DateField("本次报到有效期至", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField("未通过原因", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "双报到登记"
        ordering = ["-registered_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=models.Q(status="pending"), name="party_dual_one_pending"
            )
        ]
        indexes = [models.Index(fields=["community", "status"]), models.Index(fields=["member", "status"])]

    def __str__(self):
        return f"{self.member} → {self.community}"


class DualServiceRecord(models.Model):
    """双报到服务记录 (CommunityService): one service activity, recorded by the member, confirmed by the community."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "待社区确认"
        CONFIRMED = "confirmed", "已确认"
        REJECTED = "rejected", "未确认"

    member = models.ForeignKey(
        PartyMember, on_delete=models.CASCADE, related_name="service_records", verbose_name="党员"
    )
    registration = models.ForeignKey(DualRegistration, on_delete=models.PROTECT, related_name="services")
    community = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="服务社区")
    served_on = models.DateField("服务日期")
    hours = models.DecimalField("服务时长（小时）", max_digits=5, decimal_places=1)
    content = models.CharField("服务内容", max_length=300)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField("未确认原因", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "双报到服务记录"
        ordering = ["-served_on", "-id"]
        indexes = [
            models.Index(fields=["member", "status", "served_on"]),
            models.Index(fields=["community", "status"]),
        ]

    def __str__(self):
        return f"{self.served_on:%Y-%m-%d} {self.member} {self.hours}h"


class DualReportEvent(BaseEvent):
    """双报到记录: registration, confirmation, rejection; service recorded, confirmed, rejected."""

    registration = models.ForeignKey(
        DualRegistration, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    service = models.ForeignKey(
        DualServiceRecord, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )

    class Meta(BaseEvent.Meta):
        verbose_name = verbose_name_plural = "双报到记录"


class EvaluationGrade(models.TextChoices):
    """民主评议党员的四个等次."""

    EXCELLENT = "excellent", "优秀"
    QUALIFIED = "qualified", "合格"
    BASIC = "basic", "基本合格"
    UNQUALIFIED = "unqualified", "不合格"


class EvaluationRound(models.Model):
    """民主评议党员: one branch's yearly round — 自我评价 → 党员互评 → 民主测评 → 支部评定."""

    class Phase(models.TextChoices):
        SELF = "self", "个人自评"
        PEER = "peer", "党员互评"
        VOTING = "voting", "民主测评"
        DECIDING = "deciding", "支部评定"
        CLOSED = "closed", "已结束"

    org = models.ForeignKey(
        PartyOrg, on_delete=models.PROTECT, related_name="evaluation_rounds", verbose_name="党支部"
    )
    year = models.PositiveSmallIntegerField("年度")
    phase = models.CharField("阶段", max_length=10, choices=Phase.choices, default=Phase.SELF)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "民主评议"
        ordering = ["-year", "org__path"]
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="party_evaluation_once_a_year")]

    def __str__(self):
        return f"{self.org} {self.year}年民主评议"


class EvaluationEntry(models.Model):
    """参评党员: one member in one round — the self assessment and the branch's final grade."""

    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="entries")
    member = models.ForeignKey(
        PartyMember, on_delete=models.PROTECT, related_name="evaluations", verbose_name="党员"
    )
    self_assessment = models.TextField("个人自评", blank=True)
    self_grade = models.CharField("自评等次", max_length=12, choices=EvaluationGrade.choices, blank=True)
    self_at = models.DateTimeField(null=True, blank=True)
    final_grade = models.CharField("评定等次", max_length=12, choices=EvaluationGrade.choices, blank=True)
    final_reason = models.CharField("评定说明", max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "参评党员"
        constraints = [
            models.UniqueConstraint(fields=["round", "member"], name="party_evaluation_entry_once")
        ]

    def __str__(self):
        return f"{self.round_id}:{self.member_id}"


class PeerReview(models.Model):
    """党员互评: one member's comment on another member in a round (one per pair)."""

    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="peer_reviews")
    reviewer = models.ForeignKey(EvaluationEntry, on_delete=models.CASCADE, related_name="reviews_given")
    reviewee = models.ForeignKey(EvaluationEntry, on_delete=models.CASCADE, related_name="reviews_received")
    comment = models.CharField("互评意见", max_length=300)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "党员互评"
        constraints = [
            models.UniqueConstraint(fields=["reviewer", "reviewee"], name="party_peer_review_once")
        ]

    def __str__(self):
        return f"{self.reviewer_id}→{self.reviewee_id}"


class EvaluationVote(models.Model):
    """民主测评票: one member's grade for another member (a ballot is cast once)."""

    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(EvaluationEntry, on_delete=models.CASCADE, related_name="votes_cast")
    entry = models.ForeignKey(EvaluationEntry, on_delete=models.CASCADE, related_name="votes_received")
    grade = models.CharField("等次", max_length=12, choices=EvaluationGrade.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "民主测评票"
        constraints = [models.UniqueConstraint(fields=["voter", "entry"], name="party_evaluation_vote_once")]

    def __str__(self):
        return f"{self.voter_id}→{self.entry_id}: {self.grade}"


class EvaluationEvent(BaseEvent):
    """民主评议记录: opening, phase changes, grades decided, closing."""

    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="events")

    class Meta(BaseEvent.Meta):
        verbose_name = verbose_name_plural = "民主评议记录"


class PartyReminderLog(models.Model):
    """已发提醒: one row per reminder sent, so the periodic sweeps send each reminder exactly once."""

    key = models.CharField(max_length=120, unique=True)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "党建提醒记录"

    def __str__(self):
        return self.key


class RosterImportJob(models.Model):
    """花名册导入任务: a large roster is checked and saved by the task worker while the page shows progress.

    The uploaded file is kept encrypted only until the job has read it (it holds ID numbers); the outcome
    (members created, or every row-and-column problem) stays for the person who uploaded it.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        CHECKING = "checking", "读取并校验"
        PREPARING = "preparing", "整理数据"
        SAVING = "saving", "写入名册"
        DONE = "done", "导入成功"
        FAILED = "failed", "未导入"

    RUNNING = (Status.QUEUED, Status.CHECKING, Status.PREPARING, Status.SAVING)
    # Share of the bar each phase fills, in order (checking is the longest with a large file).
    PHASE_SHARE = {Status.CHECKING: (0, 45), Status.PREPARING: (45, 75), Status.SAVING: (75, 99)}

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField("文件名", max_length=200)
    file_size = models.PositiveIntegerField("文件大小", default=0)
    content_enc = models.BinaryField("文件（加密，读取后清除）", default=b"", editable=False)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField("本阶段已处理", default=0)
    total = models.PositiveIntegerField("本阶段总数", default=0)
    created = models.PositiveIntegerField("新增党员", null=True, blank=True)
    errors = models.JSONField("问题", default=list, blank=True)
    created_at = models.DateTimeField("上传时间", default=timezone.now)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "花名册导入任务"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["actor", "-created_at"], name="party_rosterjob_actor")]

    def __str__(self):
        return f"{self.file_name}（{self.get_status_display()}）"

    @property
    def running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if self.status not in self.PHASE_SHARE:
            return 0
        low, high = self.PHASE_SHARE[self.status]
        return low + (high - low) * min(self.done, self.total) // max(self.total, 1)
