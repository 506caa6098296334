"""Party organisations (党组织) and party member base records (党员)."""

from django.db import models
from django.utils import timezone
from treebeard.mp_tree import MP_Node

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
        Building, null=True, blank=True, on_delete=models.SET_NULL, related_name="party_groups", verbose_name="楼栋"
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

    class DuesCategory(models.TextChoices):
        EMPLOYED = "employed", "在职"
        ANNUAL_SALARY = "annual_salary", "年薪制"
        SELF_EMPLOYED = "self_employed", "个体/自由职业"
        RETIRED = "retired", "离退休"
        FARMER = "farmer", "农民"
        STUDENT = "student", "学生"
        UNEMPLOYED = "unemployed", "下岗失业"
        LOW_INCOME = "low_income", "依靠抚恤或低保生活"

    person = models.OneToOneField(Resident, on_delete=models.PROTECT, related_name="party_member", verbose_name="人员")
    org = models.ForeignKey(PartyOrg, on_delete=models.PROTECT, related_name="members", verbose_name="所在党组织")
    status = models.CharField("党员状态", max_length=20, choices=Status.choices, default=Status.FULL)
    applied_on = models.DateField("申请入党日期", null=True, blank=True)
    joined_on = models.DateField("入党日期", null=True, blank=True)
    full_member_on = models.DateField("转正日期", null=True, blank=True)
    dues_category = models.CharField("党费类别", max_length=20, choices=DuesCategory.choices,
                                     default=DuesCategory.EMPLOYED)
    position = models.CharField("党内职务", max_length=30, blank=True)
    in_service = models.BooleanField("在职党员", default=False)
    work_unit = models.CharField("工作单位", max_length=100, blank=True)
    home_community = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="reporting_members",
        verbose_name="报到社区（双报到）",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "党员"

    def __str__(self):
        return self.person.name
