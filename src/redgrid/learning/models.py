"""党员教育: courses (课程), study records (学习记录), question bank (题库), quizzes (答题/考试/竞赛),
the points rules table (积分规则) and the append-only points ledger (积分明细)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Audience(models.TextChoices):
    """Profiles a course is recommended to (菜单式选学)."""

    ALL = "all", "全体党员"
    SECRETARY = "secretary", "支部书记"
    COMMITTEE = "committee", "支委委员"
    ELDERLY = "elderly", "老党员"
    IN_SERVICE = "in_service", "在职党员"
    MOBILE = "mobile", "流动党员"
    YOUNG = "young", "青年党员"


class Course(models.Model):
    """课程: an article, a video or a document members study; `required_for` lists profiles that must take it."""

    class Kind(models.TextChoices):
        ARTICLE = "article", "文章"
        VIDEO = "video", "视频"
        DOCUMENT = "document", "文档"

    slug = models.SlugField("标识", max_length=80, unique=True)
    title = models.CharField("标题", max_length=200)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.ARTICLE)
    category = models.CharField("分类", max_length=40, db_index=True)
    summary = models.CharField("摘要", max_length=300, blank=True)
    body = models.TextField("正文", blank=True)
    file = models.FileField("文件（视频/文档）", upload_to="learning/%Y/", blank=True)
    minutes = models.PositiveSmallIntegerField("学习时长（分钟）", default=5)
    audience = models.JSONField("适用对象", default=list, blank=True)
    required_for = models.JSONField("必修对象", default=list, blank=True)
    is_published = models.BooleanField("已发布", default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "课程"
        ordering = ["category", "id"]

    def __str__(self):
        return self.title


class StudyRecord(models.Model):
    """学习记录: the seconds a member really studied a course in one year (heartbeats while visible)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_records")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="records")
    year = models.PositiveSmallIntegerField("年度")
    seconds = models.PositiveIntegerField("有效学习秒数", default=0)
    started_at = models.DateTimeField(default=timezone.now)
    last_beat_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)
    # Where the member stopped a video, so the next visit (on any device) resumes there.
    position = models.PositiveIntegerField("视频播放位置（秒）", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "学习记录"
        constraints = [models.UniqueConstraint(fields=["user", "course", "year"], name="study_once_per_year")]
        indexes = [models.Index(fields=["user", "year"])]

    def __str__(self):
        return f"{self.user} · {self.course} · {self.year}"


class Question(models.Model):
    """试题: single/multiple choice, true/false or fill-in; answers are letters, T/F, or the fill text."""

    class Kind(models.TextChoices):
        SINGLE = "single", "单选题"
        MULTIPLE = "multiple", "多选题"
        TRUE_FALSE = "true_false", "判断题"
        FILL = "fill", "填空题"

    code = models.CharField("编号", max_length=30, unique=True)
    kind = models.CharField("题型", max_length=12, choices=Kind.choices)
    stem = models.TextField("题干")
    options = models.JSONField("选项", default=list, blank=True)
    answer = models.CharField("答案", max_length=200)
    explanation = models.TextField("解析", blank=True)
    difficulty = models.PositiveSmallIntegerField("难度", default=1)
    category = models.CharField("分类", max_length=40, db_index=True)
    course = models.ForeignKey(
        Course, null=True, blank=True, on_delete=models.SET_NULL, related_name="questions"
    )
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "试题"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.stem[:30]}"


class Quiz(models.Model):
    """答题: 每日答题, 每周答题, 专项答题, 限时考试 or 知识竞赛, with its window and fixed question set."""

    class Kind(models.TextChoices):
        DAILY = "daily", "每日答题"
        WEEKLY = "weekly", "每周答题"
        SPECIAL = "special", "专项答题"
        EXAM = "exam", "考试"
        CONTEST = "contest", "知识竞赛"

    key = models.CharField("标识", max_length=60, unique=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    title = models.CharField("名称", max_length=200)
    opens_at = models.DateTimeField("开始时间", db_index=True)
    closes_at = models.DateTimeField("结束时间", db_index=True)
    time_limit_seconds = models.PositiveIntegerField("限时（秒）", null=True, blank=True)
    question_count = models.PositiveSmallIntegerField("题量", default=5)
    randomised = models.BooleanField("乱序", default=False)
    questions = models.ManyToManyField(Question, blank=True, related_name="quizzes")
    category = models.CharField("专项分类", max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "答题"
        ordering = ["-opens_at"]

    def __str__(self):
        return self.title


class QuizAttempt(models.Model):
    """答题记录: one member's attempt; the deadline (started_at + limit) is derived, never stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts")
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    kind = models.CharField(max_length=10, choices=Quiz.Kind.choices)
    # "2026-07-01" for daily, "2026-W27" for weekly, the quiz key otherwise: one attempt per period.
    period = models.CharField(max_length=60)
    question_ids = models.JSONField(default=list)
    started_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    correct = models.PositiveSmallIntegerField(default=0)
    score = models.PositiveSmallIntegerField("得分（百分制）", default=0)
    seconds_used = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "答题记录"
        constraints = [
            models.UniqueConstraint(fields=["user", "quiz"], name="attempt_once_per_quiz"),
            models.UniqueConstraint(
                fields=["user", "kind", "period"],
                condition=Q(kind__in=["daily", "weekly"]),
                name="attempt_once_per_period",
            ),
        ]
        indexes = [models.Index(fields=["quiz", "-score", "seconds_used"])]

    def __str__(self):
        return f"{self.user} · {self.quiz}"

    @property
    def deadline(self):
        limit = self.quiz.time_limit_seconds
        return self.started_at + timezone.timedelta(seconds=limit) if limit else None


class Activity(models.TextChoices):
    LOGIN = "login", "登录"
    ARTICLE = "article", "阅读文章"
    VIDEO = "video", "观看视频"
    DOCUMENT = "document", "学习文档"
    QUIZ_DAILY = "quiz_daily", "每日答题"
    QUIZ_WEEKLY = "quiz_weekly", "每周答题"
    QUIZ_SPECIAL = "quiz_special", "专项答题"
    CONTEST = "contest", "知识竞赛"


class PointRule(models.Model):
    """积分规则: points per unit of an activity with its daily and weekly caps (rules.md §8, configurable)."""

    activity = models.CharField("活动", max_length=20, choices=Activity.choices, unique=True)
    points = models.PositiveSmallIntegerField("每次积分", default=1)
    daily_cap = models.PositiveSmallIntegerField("每日上限", null=True, blank=True)
    weekly_cap = models.PositiveSmallIntegerField("每周上限", null=True, blank=True)
    source = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "积分规则"

    def __str__(self):
        return self.get_activity_display()


class PointEntry(models.Model):
    """积分明细: append-only; `source_key` is unique so a repeated or concurrent request counts once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="point_entries")
    activity = models.CharField(max_length=20, choices=Activity.choices)
    points = models.PositiveSmallIntegerField()
    at = models.DateTimeField(default=timezone.now)
    day = models.DateField()
    source_key = models.CharField(max_length=120, unique=True)

    class Meta:
        verbose_name = verbose_name_plural = "积分明细"
        indexes = [models.Index(fields=["user", "activity", "day"])]

    def __str__(self):
        return f"{self.user} {self.activity} +{self.points}"


class PointTotal(models.Model):
    """年度积分汇总: one row per member and year, kept in step with the ledger inside the same
    transaction, so leaderboards read one indexed row per member instead of a year of ledger rows.
    `branch`, `community` and `street` snapshot where the member belongs (refreshed on every award), so
    each leaderboard is an equality filter on an index ordered by points: it reads only the top rows."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="point_totals")
    year = models.PositiveSmallIntegerField()
    points = models.PositiveIntegerField(default=0)
    branch = models.ForeignKey(
        "party.PartyOrg", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    community = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    street = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "年度积分"
        constraints = [models.UniqueConstraint(fields=["user", "year"], name="point_total_per_year")]
        indexes = [
            models.Index(fields=["year", "branch", "-points"], name="pt_branch_rank"),
            models.Index(fields=["year", "community", "-points"], name="pt_community_rank"),
            models.Index(fields=["year", "street", "-points"], name="pt_street_rank"),
            models.Index(fields=["year", "-points"], name="pt_rank"),
        ]

    def __str__(self):
        return f"{self.user} {self.year}: {self.points}"
